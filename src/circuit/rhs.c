/* KCL right-hand side: one pass over the local edges; optional exact trace for the log-density. */
#include "circuitimpl.h"

PetscErrorCode KNCircuitGatherVoltages_Private(KNCircuit c, Vec X, Vec lv)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KN_GhostUpdate, 0, 0, 0, 0));
  PetscCall(VecScatterBegin(c->vscatter, X, lv, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(c->vscatter, X, lv, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(PetscLogEventEnd(KN_GhostUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Currents of every local edge for the panel's samples, scattered into fbuf = [owned nodes | sink]: subtract at src,
   add at dst. A local edge has at least one owned endpoint and no self-loop, so its two output rows differ. */
static void AccumulateCurrents(KNCircuit c, const PetscReal *lv, const KNPanel *p)
{
  const PetscInt   B = c->B, rows = c->rows, nb = p->nb;
  const PetscReal *v   = lv + p->b0;
  PetscReal       *cur = p->ebuf, *f = c->fbuf + p->b0;

  if (c->kern->apply && !c->le.gain) {
    for (PetscInt e = 0; e < c->le.n; e++) {
      KNCircuitPrefetchEdge(c, e, v, NULL, f);
      c->kern->apply(c->le.theta + e * rows, nb, v + c->le.in_s[e] * B, v + c->le.in_d[e] * B, f + c->le.out_s[e] * B, f + c->le.out_d[e] * B);
    }
    return;
  }
  for (PetscInt e = 0; e < c->le.n; e++) {
    PetscReal      *fs = f + c->le.out_s[e] * B, *fd = f + c->le.out_d[e] * B;
    const PetscReal m  = c->le.gain ? c->le.gain[e] : 1.0;

    c->kern->current(c->le.theta + e * rows, nb, v + c->le.in_s[e] * B, v + c->le.in_d[e] * B, cur);
    for (PetscInt b = 0; b < nb; b++) {
      fs[b] -= m * cur[b];
      fd[b] += m * cur[b];
    }
  }
}

/* Flow variant: also the rank's share of tr(df/dv) = sum_e [gd/C_d if d owned] - [gs/C_s if s owned]. */
static void AccumulateCurrentsAndTrace(KNCircuit c, const PetscReal *lv, const KNPanel *p)
{
  const PetscInt   B = c->B, rows = c->rows, nb = p->nb;
  const PetscReal *v   = lv + p->b0;
  PetscReal       *cur = p->ebuf, *gs = cur + nb, *gd = gs + nb, *gth = gd + nb, *f = c->fbuf + p->b0, *tr = c->lpbuf + p->b0;

  for (PetscInt b = 0; b < nb; b++) tr[b] = 0.0;
  if (c->kern->trace && !c->le.gain) { /* fused: no theta-derivative arrays, the law evaluated once */
    for (PetscInt e = 0; e < c->le.n; e++) {
      const PetscInt  os = c->le.out_s[e], od = c->le.out_d[e];
      const PetscReal rs = os < c->nown ? c->rcap_local[c->le.in_s[e]] : 0.0, rd = od < c->nown ? c->rcap_local[c->le.in_d[e]] : 0.0;

      KNCircuitPrefetchEdge(c, e, v, NULL, f);
      c->kern->trace(c->le.theta + e * rows, nb, v + c->le.in_s[e] * B, v + c->le.in_d[e] * B, rs, rd, f + os * B, f + od * B, tr);
    }
    return;
  }
  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscInt  os = c->le.out_s[e], od = c->le.out_d[e];
    PetscReal      *fs = f + os * B, *fd = f + od * B;
    const PetscReal m  = c->le.gain ? c->le.gain[e] : 1.0;
    const PetscReal rs = os < c->nown ? c->rcap_local[c->le.in_s[e]] : 0.0, rd = od < c->nown ? c->rcap_local[c->le.in_d[e]] : 0.0;

    c->kern->partials(c->le.theta + e * rows, nb, v + c->le.in_s[e] * B, v + c->le.in_d[e] * B, cur, gs, gd, gth);
    for (PetscInt b = 0; b < nb; b++) {
      fs[b] -= m * cur[b];
      fd[b] += m * cur[b];
      tr[b] += m * (rd * gd[b] - rs * gs[b]);
    }
  }
}

/*@
  KNCircuitComputeRHS - F = dX/dt at state X: sigma * C^-1 (D - S)^T g(v), d(logp)/dt = -sigma * tr(df/dv), dtheta/dt = 0

  Collective

  Notes:
  sigma = -1 for reversed layers (KNCircuitSetReverse()).

  Level: developer
@*/
PetscErrorCode KNCircuitComputeRHS(KNCircuit c, Vec X, Vec F)
{
  const PetscReal *lv;
  PetscReal       *f, sigma = c->reverse ? -1.0 : 1.0;
  const PetscInt   B = c->B;
  PetscInt         nv = c->nown * B;

  PetscFunctionBegin;
  PetscCall(KNCircuitGatherVoltages_Private(c, X, c->lv));
  PetscCall(PetscLogEventBegin(KN_RHSEval, 0, 0, 0, 0));
  PetscCall(PetscArrayzero(c->fbuf, nv + B));
  PetscCall(VecGetArrayRead(c->lv, &lv));
#pragma omp parallel for num_threads(c->nthreads) if (c->nthreads > 1) schedule(static, 1)
  for (PetscInt p = 0; p < c->npanel; p++) {
    if (c->flow) AccumulateCurrentsAndTrace(c, lv, &c->panel[p]);
    else AccumulateCurrents(c, lv, &c->panel[p]);
  }
  PetscCall(VecRestoreArrayRead(c->lv, &lv));
  PetscCall(VecGetArray(F, &f));
  for (PetscInt k = 0; k < c->nown; k++) {
    PetscReal s = sigma * c->rcap_local[k];
    for (PetscInt b = 0; b < B; b++) f[k * B + b] = s * c->fbuf[k * B + b];
  }
  if (c->flow) {
    PetscReal *lp = f + nv;
    PetscCallMPI(MPI_Reduce(c->rank ? c->lpbuf : MPI_IN_PLACE, c->lpbuf, (PetscMPIInt)B, MPIU_REAL, MPIU_SUM, 0, c->comm));
    if (c->rank == 0) {
      for (PetscInt b = 0; b < B; b++) lp[b] = -sigma * c->lpbuf[b];
      nv += B;
    }
  }
  {
    PetscInt n;
    PetscCall(VecGetLocalSize(F, &n));
    PetscCall(PetscArrayzero(f + nv, n - nv)); /* parameters are constant */
  }
  PetscCall(VecRestoreArray(F, &f));
  PetscCall(PetscLogFlops((PetscLogDouble)c->le.n * B * (c->flow ? 8 : 4)));
  PetscCall(PetscLogEventEnd(KN_RHSEval, 0, 0, 0, 0));
  c->stats.rhs_evals++;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitRHSFunction_Private(TS ts, PetscReal t, Vec X, Vec F, void *ctx)
{
  KNCircuit c = (KNCircuit)ctx;
  PetscBool reused;

  PetscFunctionBegin;
  PetscCall(KNCircuitReuseInitialRHS_Private(c, t, X, F, &reused));
  if (!reused) PetscCall(KNCircuitComputeRHS(c, X, F));
  PetscFunctionReturn(KN_SUCCESS);
}
