/* Matrix-free Jacobians: the RHS Jacobian callbacks gather the linearisation point; one fused edge pass computes
   J^T w for the voltages and Jp^T w for the parameters (in the state's parameter block in state mode, kept for the
   Jp shell in jacobianp mode). */
#include <string.h>
#include "circuitimpl.h"

/* The linearisation point X into lvJ, and the law values kept there by the forward solve, if any. */
static PetscErrorCode GatherJacobianPoint(KNCircuit c, Vec X)
{
  const PetscReal *lv;

  PetscFunctionBegin;
  PetscCall(KNCircuitGatherVoltages_Private(c, X, c->lvJ));
  PetscCall(VecGetArrayRead(c->lvJ, &lv));
  KNCircuitLawTapeFind_Private(c, lv);
  PetscCall(VecRestoreArrayRead(c->lvJ, &lv));
  PetscFunctionReturn(KN_SUCCESS);
}

/* y += J^T w over the local edges for the panel's samples, their Jp^T w in the panel's parameter sums.
   t = sigma (w_d/C_d - w_s/C_s) is the weight of each edge's current (lw holds w already scaled by sigma/C).
   Fused device kernel when the law has one. */
static void FusedTranspose(KNCircuit c, const PetscReal *lv, const PetscReal *lw, const KNPanel *p)
{
  const PetscInt   ld = c->ld, rows = c->rows, nb = p->nb;
  const PetscReal *v = lv + p->lvoff, *w = lw + p->lvoff;
  PetscReal       *cur = p->ebuf, *gs = cur + nb, *gd = gs + nb, *gth = gd + nb, *t = gth + rows * nb, *yv = c->fbuf + p->foff;
  const PetscReal *gk = c->law.jac ? c->law.jac + p->b0 * c->le.n : NULL; /* the law values kept at this point */

  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscReal *vs = v + c->le.in_s[e] * ld, *vd = v + c->le.in_d[e] * ld, *ws = w + c->le.in_s[e] * ld, *wd = w + c->le.in_d[e] * ld;
    PetscReal       *ys = yv + c->le.out_s[e] * ld, *yd = yv + c->le.out_d[e] * ld, *yt = p->gbuf + c->le.par[e] * rows;

    KNCircuitPrefetchEdge(c, e, v, w, yv);
    if (c->kern->vjp && !c->le.gain) {
      if (gk) c->kern->vjp_kept(c->le.theta + e * rows, nb, vs, vd, ws, wd, ys, yd, yt, gk + e * nb);
      else c->kern->vjp(c->le.theta + e * rows, nb, vs, vd, ws, wd, ys, yd, yt);
      continue;
    }
    const PetscReal m = c->le.gain ? c->le.gain[e] : 1.0;

    c->kern->partials(c->le.theta + e * rows, nb, vs, vd, cur, gs, gd, gth);
    for (PetscInt b = 0; b < nb; b++) {
      t[b] = m * (wd[b] - ws[b]);
      ys[b] += t[b] * gs[b];
      yd[b] += t[b] * gd[b];
    }
    for (PetscInt r = 0; r < rows; r++) {
      PetscReal acc[KN_LANES] = {0};
      KN_LANE_LOOP(nb, b, l, acc[l] += t[b] * gth[r * nb + b];);
      yt[r] += KNLaneSum(acc);
    }
  }
}

/* The log-density row: logp' = -sigma tr, tr = sum_e rd*gd - rs*gs (r = 1/C, 0 at ground); y += wl * d(-sigma tr)/dx. */
static void TraceTranspose(KNCircuit c, const PetscReal *lv, const PetscReal *wl, const KNPanel *p)
{
  const PetscInt   ld = c->ld, rows = c->rows, nb = p->nb;
  const PetscReal *v = lv + p->lvoff, *wp = wl + p->b0;
  PetscReal       *gss = p->ebuf, *gsd = gss + nb, *gdd = gsd + nb, *gsth = gdd + nb, *gdth = gsth + rows * nb, *yv = c->fbuf + p->foff;

  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscReal m = c->le.gain ? c->le.gain[e] : 1.0, rs = m * c->rcap_local[c->le.in_s[e]], rd = m * c->rcap_local[c->le.in_d[e]];
    PetscReal      *ys = yv + c->le.out_s[e] * ld, *yd = yv + c->le.out_d[e] * ld, *yt = p->gbuf + c->le.par[e] * rows;

    c->kern->second(c->le.theta + e * rows, nb, v + c->le.in_s[e] * ld, v + c->le.in_d[e] * ld, gss, gsd, gdd, gsth, gdth);
    for (PetscInt b = 0; b < nb; b++) {
      ys[b] -= wp[b] * (rd * gsd[b] - rs * gss[b]);
      yd[b] -= wp[b] * (rd * gdd[b] - rs * gsd[b]);
    }
    for (PetscInt r = 0; r < rows; r++) {
      PetscReal acc[KN_LANES] = {0};
      KN_LANE_LOOP(nb, b, l, acc[l] += wp[b] * (rd * gdth[r * nb + b] - rs * gsth[r * nb + b]););
      yt[r] -= KNLaneSum(acc);
    }
  }
}

/* Flow variant of FusedTranspose + TraceTranspose in one edge pass (the law's flowvjp kernel; no gains). */
static void FlowTranspose(KNCircuit c, const PetscReal *lv, const PetscReal *lw, const PetscReal *wl, const KNPanel *p)
{
  const PetscInt   ld = c->ld, rows = c->rows, nb = p->nb;
  const PetscReal *v = lv + p->lvoff, *w = lw + p->lvoff, *wp = wl + p->b0;
  PetscReal       *yv = c->fbuf + p->foff;
  const PetscReal *gk = c->law.jac ? c->law.jac + p->b0 * c->le.n : NULL; /* the law values kept at this point */

  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscReal *vs = v + c->le.in_s[e] * ld, *vd = v + c->le.in_d[e] * ld, *ws = w + c->le.in_s[e] * ld, *wd = w + c->le.in_d[e] * ld;
    const PetscReal  rs = c->rcap_local[c->le.in_s[e]], rd = c->rcap_local[c->le.in_d[e]];

    KNCircuitPrefetchEdge(c, e, v, w, yv);
    if (gk) c->kern->flowvjp_kept(c->le.theta + e * rows, nb, vs, vd, ws, wd, wp, rs, rd, yv + c->le.out_s[e] * ld, yv + c->le.out_d[e] * ld, p->gbuf + c->le.par[e] * rows, gk + e * nb);
    else c->kern->flowvjp(c->le.theta + e * rows, nb, vs, vd, ws, wd, wp, rs, rd, yv + c->le.out_s[e] * ld, yv + c->le.out_d[e] * ld, p->gbuf + c->le.par[e] * rows);
  }
}

/* One panel's share of J^T w and Jp^T w, its block of fbuf and its parameter sums started from zero (a thread: no
   PETSc calls); w is scaled by sigma/C here, in the panel's own block of lw. */
static void TransposePanel(KNCircuit c, const PetscReal *lv, PetscReal *lw, const PetscReal *wl, const KNPanel *p)
{
  const PetscReal sigma = c->reverse ? -1.0 : 1.0;

  for (PetscInt k = 0; k < c->nown + c->nghost; k++) {
    const PetscReal s  = sigma * c->rcap_local[k];
    PetscReal      *wk = lw + p->lvoff + k * c->ld;

    for (PetscInt j = 0; j < p->nb; j++) wk[j] *= s;
  }
  memset(c->fbuf + p->foff, 0, sizeof(PetscReal) * (size_t)((c->nown + 1) * c->ld));
  memset(p->gbuf, 0, sizeof(PetscReal) * (size_t)((c->nown_edges + 1) * c->rows));
  if (c->flow && c->kern->flowvjp && !c->le.gain) FlowTranspose(c, lv, lw, wl, p);
  else {
    FusedTranspose(c, lv, lw, p);
    if (c->flow) TraceTranspose(c, lv, wl, p);
  }
}

/* Y = J(lvJ)^T W (Y may be NULL), with Jp^T W left in gbuf; lvJ holds the gathered voltages of the linearisation point. */
PetscErrorCode KNCircuitJacobianTransposeApply_Private(KNCircuit c, Vec lvJ, Vec W, Vec Y)
{
  const PetscInt   B = c->B, nv = c->nown * B, np = c->nown_edges * c->rows;
  const PetscReal  sigma = c->reverse ? -1.0 : 1.0;
  const PetscReal *lv, *w;
  PetscReal       *lw, *y, *wl = c->lpbuf;
  PetscInt         off, n;

  PetscFunctionBegin;
  PetscCall(KNCircuitGatherVoltages_Private(c, W, c->lw));
  PetscCall(PetscLogEventBegin(KN_JacobianTranspose, 0, 0, 0, 0));
  PetscCall(VecGetArray(c->lw, &lw));
  if (c->flow) {
    PetscCall(VecGetArrayRead(W, &w));
    if (c->rank == 0)
      for (PetscInt b = 0; b < B; b++) wl[b] = sigma * w[nv + b];
    PetscCall(VecRestoreArrayRead(W, &w));
    PetscCallMPI(MPI_Bcast(wl, (PetscMPIInt)B, MPIU_REAL, 0, c->comm));
  }
  PetscCall(VecGetArrayRead(lvJ, &lv));
#pragma omp parallel for num_threads(c->nthreads) if (c->nthreads > 1) schedule(static, 1)
  for (PetscInt p = 0; p < c->npanel; p++) TransposePanel(c, lv, lw, wl, &c->panel[p]);
  KNCircuitSumPanelParameters_Private(c);
  PetscCall(VecRestoreArrayRead(lvJ, &lv));
  PetscCall(VecRestoreArray(c->lw, &lw));
  if (Y) {
    PetscCall(KNCircuitGetParameterOffset_Private(c, &off));
    PetscCall(VecGetLocalSize(Y, &n));
    PetscCall(VecGetArray(Y, &y));
    KNCircuitPanelsToState_Private(c, NULL, 1.0, y);
    PetscCall(PetscArrayzero(y + nv, off - nv)); /* nothing depends on logp */
    if (c->augmented) PetscCall(PetscArraycpy(y + off, c->gbuf, np));
    PetscCall(VecRestoreArray(Y, &y));
  }
  c->cacheW = W; /* Jp^T W of the same W is now in gbuf, until the next Jacobian evaluation */
  PetscCall(PetscLogFlops((PetscLogDouble)c->le.n * B * (6 + 2 * c->rows) * (c->flow ? 2 : 1)));
  PetscCall(PetscLogEventEnd(KN_JacobianTranspose, 0, 0, 0, 0));
  c->stats.jact_mults++;
  if (c->law.jac) c->stats.jact_kept++;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CopyParameterProduct(KNCircuit c, Vec Z)
{
  PetscReal *z;

  PetscFunctionBegin;
  PetscCall(VecGetArray(Z, &z));
  PetscCall(PetscArraycpy(z, c->gbuf, c->nown_edges * c->rows));
  PetscCall(VecRestoreArray(Z, &z));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitComputeJacobianTranspose - Y = J(X)^T W and Ytheta = Jp(X)^T W, the products every adjoint step needs

  Collective

  Input Parameters:
+ c - the circuit
. X - the linearisation point (a state Vec)
- W - the weights (a state Vec)

  Output Parameters:
+ Y - J^T W for the state entries (state mode: its parameter block is Jp^T W too), or NULL
- Ytheta - Jp^T W as a parameter Vec, or NULL

  Level: developer
@*/
PetscErrorCode KNCircuitComputeJacobianTranspose(KNCircuit c, Vec X, Vec W, Vec Y, Vec Ytheta)
{
  PetscFunctionBegin;
  PetscCall(GatherJacobianPoint(c, X));
  PetscCall(KNCircuitJacobianTransposeApply_Private(c, c->lvJ, W, Y));
  if (Ytheta) PetscCall(CopyParameterProduct(c, Ytheta));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ShellMultTranspose(Mat J, Vec W, Vec Y)
{
  KNCircuit c;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(J, &c));
  PetscCall(KNCircuitJacobianTransposeApply_Private(c, c->lvJ, W, Y));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitCreateShellJacobian_Private(KNCircuit c, Mat *J)
{
  PetscInt n = c->state_range[c->rank + 1] - c->state_range[c->rank], Nn = c->state_range[c->size];

  PetscFunctionBegin;
  PetscCall(MatCreateShell(c->comm, n, n, Nn, Nn, c, J));
  PetscCall(MatShellSetOperation(*J, MATOP_MULT_TRANSPOSE, (void (*)(void))ShellMultTranspose));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Jp^T W: TSRK multiplies J^T and Jp^T by the same W in a row, so the fused pass of J^T W already left it in gbuf. */
static PetscErrorCode ShellMultTransposeP(Mat Jp, Vec W, Vec Z)
{
  KNCircuit c;

  PetscFunctionBegin;
  PetscCall(MatShellGetContext(Jp, &c));
  if (W != c->cacheW || c->jactype == KN_JACOBIAN_AIJ) PetscCall(KNCircuitJacobianTransposeApply_Private(c, c->lvJ, W, NULL));
  PetscCall(CopyParameterProduct(c, Z));
  c->cacheW = NULL; /* one use: TSRK pairs each J^T w with one Jp^T w */
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitCreateShellJacobianP_Private(KNCircuit c, Mat *Jp)
{
  PetscInt n = c->state_range[c->rank + 1] - c->state_range[c->rank], Nn = c->state_range[c->size];

  PetscFunctionBegin;
  PetscCall(MatCreateShell(c->comm, n, c->nown_edges * c->rows, Nn, c->E * c->rows, c, Jp));
  PetscCall(MatShellSetOperation(*Jp, MATOP_MULT_TRANSPOSE, (void (*)(void))ShellMultTransposeP));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The parameter Jacobian's point: TSRK evaluates it right after the state Jacobian at the same point, TSTHETA on its own. */
PetscErrorCode KNCircuitRHSJacobianP_Private(TS ts, PetscReal t, Vec X, Mat Jp, void *ctx)
{
  KNCircuit c = (KNCircuit)ctx;

  PetscFunctionBegin;
  PetscCall(GatherJacobianPoint(c, X));
  c->cacheW = NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

/* TS calls this at each adjoint stage before MatMultTranspose: cache the linearisation point. */
PetscErrorCode KNCircuitRHSJacobian_Private(TS ts, PetscReal t, Vec X, Mat A, Mat P, void *ctx)
{
  KNCircuit c = (KNCircuit)ctx;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KN_JacobianCache, 0, 0, 0, 0));
  PetscCall(GatherJacobianPoint(c, X));
  c->cacheW = NULL;
  c->stats.jac_evals++;
  PetscCall(PetscLogEventEnd(KN_JacobianCache, 0, 0, 0, 0));
  if (c->jactype == KN_JACOBIAN_AIJ) PetscCall(KNCircuitAssembleAIJJacobian_Private(c, A));
  PetscFunctionReturn(KN_SUCCESS);
}
