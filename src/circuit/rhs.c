/* KCL right-hand side: one pass over the local edges; optional exact trace for the log-density. */
#include <string.h>
#include "circuitimpl.h"

PetscErrorCode KNCircuitGatherVoltages_Private(KNCircuit c, Vec X, Vec lv)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KN_GhostUpdate, 0, 0, 0, 0));
  if (c->gather) {
    const PetscReal *x;
    PetscReal       *l;

    PetscCall(VecGetArrayRead(X, &x));
    PetscCall(VecGetArray(lv, &l));
    for (PetscInt r = 0; r < c->ngather; r++) PetscCall(PetscArraycpy(l + c->gather[3 * r + 1], x + c->gather[3 * r], c->gather[3 * r + 2]));
    PetscCall(VecRestoreArray(lv, &l));
    PetscCall(VecRestoreArrayRead(X, &x));
  } else {
    PetscCall(VecScatterBegin(c->vscatter, X, lv, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(c->vscatter, X, lv, INSERT_VALUES, SCATTER_FORWARD));
  }
  PetscCall(PetscLogEventEnd(KN_GhostUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Currents of every local edge for the panel's samples, scattered into its block of fbuf = [owned nodes | sink]:
   subtract at src, add at dst. A local edge has at least one owned endpoint and no self-loop, so its two output rows
   differ. */
static void AccumulateCurrents(KNCircuit c, const PetscReal *lv, const KNPanel *p)
{
  const PetscInt   ld = c->ld, rows = c->rows, nb = p->nb;
  const PetscReal *v   = lv + p->lvoff;
  PetscReal       *cur = p->ebuf, *f = c->fbuf + p->foff;

  if (c->kern->apply && !c->le.gain) {
    if (c->law.rec) { /* the same pass, keeping each edge's law values for the adjoint */
      PetscReal *g = c->law.rec + p->b0 * c->le.n;

      for (PetscInt e = 0; e < c->le.n; e++) {
        KNCircuitPrefetchEdge(c, e, v, NULL, f);
        c->kern->apply_keep(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, f + c->le.out_s[e] * ld, f + c->le.out_d[e] * ld, g + e * nb);
      }
      return;
    }
    for (PetscInt e = 0; e < c->le.n; e++) {
      KNCircuitPrefetchEdge(c, e, v, NULL, f);
      c->kern->apply(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, f + c->le.out_s[e] * ld, f + c->le.out_d[e] * ld);
    }
    return;
  }
  for (PetscInt e = 0; e < c->le.n; e++) {
    PetscReal      *fs = f + c->le.out_s[e] * ld, *fd = f + c->le.out_d[e] * ld;
    const PetscReal m  = c->le.gain ? c->le.gain[e] : 1.0;

    c->kern->current(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, cur);
    for (PetscInt b = 0; b < nb; b++) {
      fs[b] -= m * cur[b];
      fd[b] += m * cur[b];
    }
  }
}

/* Flow variant: also the rank's share of tr(df/dv) = sum_e [gd/C_d if d owned] - [gs/C_s if s owned]. */
static void AccumulateCurrentsAndTrace(KNCircuit c, const PetscReal *lv, const KNPanel *p)
{
  const PetscInt   ld = c->ld, rows = c->rows, nb = p->nb;
  const PetscReal *v   = lv + p->lvoff;
  PetscReal       *cur = p->ebuf, *gs = cur + nb, *gd = gs + nb, *gth = gd + nb, *f = c->fbuf + p->foff, *tr = p->trace;

  for (PetscInt b = 0; b < nb; b++) tr[b] = 0.0;
  if (c->kern->trace && !c->le.gain) { /* fused: no theta-derivative arrays, the law evaluated once */
    for (PetscInt e = 0; e < c->le.n; e++) {
      const PetscInt  os = c->le.out_s[e], od = c->le.out_d[e];
      const PetscReal rs = os < c->nown ? c->rcap_local[c->le.in_s[e]] : 0.0, rd = od < c->nown ? c->rcap_local[c->le.in_d[e]] : 0.0;

      KNCircuitPrefetchEdge(c, e, v, NULL, f);
      if (c->law.rec) c->kern->trace_keep(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, rs, rd, f + os * ld, f + od * ld, tr, c->law.rec + p->b0 * c->le.n + e * nb);
      else c->kern->trace(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, rs, rd, f + os * ld, f + od * ld, tr);
    }
    return;
  }
  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscInt  os = c->le.out_s[e], od = c->le.out_d[e];
    PetscReal      *fs = f + os * ld, *fd = f + od * ld;
    const PetscReal m  = c->le.gain ? c->le.gain[e] : 1.0;
    const PetscReal rs = os < c->nown ? c->rcap_local[c->le.in_s[e]] : 0.0, rd = od < c->nown ? c->rcap_local[c->le.in_d[e]] : 0.0;

    c->kern->partials(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, cur, gs, gd, gth);
    for (PetscInt b = 0; b < nb; b++) {
      fs[b] -= m * cur[b];
      fd[b] += m * cur[b];
      tr[b] += m * (rd * gd[b] - rs * gs[b]);
    }
  }
}

/* One panel's currents (and trace), its block of fbuf started from zero (a thread: no PETSc calls). */
static void RHSPanel(KNCircuit c, const PetscReal *lv, const KNPanel *p)
{
  memset(c->fbuf + p->foff, 0, sizeof(PetscReal) * (size_t)((c->nown + 1) * c->ld));
  if (c->flow) AccumulateCurrentsAndTrace(c, lv, p);
  else AccumulateCurrents(c, lv, p);
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
  PetscCall(VecGetArrayRead(c->lv, &lv));
  PetscCall(KNCircuitLawTapeRecord_Private(c, lv));
#pragma omp parallel for num_threads(c->nthreads) if (c->nthreads > 1) schedule(static, 1)
  for (PetscInt p = 0; p < c->npanel; p++) RHSPanel(c, lv, &c->panel[p]);
  PetscCall(VecRestoreArrayRead(c->lv, &lv));
  c->law.rec = NULL;
  PetscCall(VecGetArray(F, &f));
  KNCircuitPanelsToState_Private(c, c->rcap_local, sigma, f);
  if (c->flow) {
    PetscReal *lp = f + nv;

    for (PetscInt p = 0; p < c->npanel; p++) PetscCall(PetscArraycpy(c->lpbuf + c->panel[p].b0, c->panel[p].trace, c->panel[p].nb));
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
