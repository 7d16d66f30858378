/* Matrix-free Jacobian: the RHS Jacobian callback caches the voltages; MatMultTranspose computes J^T w for the
   voltages AND the parameters (the augmented state) in one fused edge pass. */
#include "circuitimpl.h"

/* y += J^T w over the local edges. t = sigma (w_d/C_d - w_s/C_s) is the weight of each edge's current
   (lw holds w already scaled by sigma/C). Fused device kernel when the law has one. */
static void FusedTranspose(KNCircuit c, const PetscReal *lv, const PetscReal *lw, PetscReal *yv, PetscReal *yth)
{
  const PetscInt B = c->B, rows = c->rows;
  PetscReal     *cur = c->ebuf, *gs = cur + B, *gd = gs + B, *gth = gd + B, *t = gth + rows * B;

  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscReal *vs = lv + c->le.in_s[e] * B, *vd = lv + c->le.in_d[e] * B, *ws = lw + c->le.in_s[e] * B, *wd = lw + c->le.in_d[e] * B;
    PetscReal       *ys = yv + c->le.out_s[e] * B, *yd = yv + c->le.out_d[e] * B, *yt = yth + c->le.par[e] * rows;

    if (c->kern->vjp) {
      c->kern->vjp(c->le.theta + e * rows, B, vs, vd, ws, wd, ys, yd, yt);
      continue;
    }
    c->kern->partials(c->le.theta + e * rows, B, vs, vd, cur, gs, gd, gth);
    for (PetscInt b = 0; b < B; b++) {
      t[b] = wd[b] - ws[b];
      ys[b] += t[b] * gs[b];
      yd[b] += t[b] * gd[b];
    }
    for (PetscInt r = 0; r < rows; r++) {
      PetscReal acc[KN_LANES] = {0};
      KN_LANE_LOOP(B, b, l, acc[l] += t[b] * gth[r * B + b];);
      yt[r] += KNLaneSum(acc);
    }
  }
}

/* The log-density row: logp' = -sigma tr, tr = sum_e rd*gd - rs*gs (r = 1/C, 0 at ground); y += wl * d(-sigma tr)/dx. */
static void TraceTranspose(KNCircuit c, const PetscReal *lv, const PetscReal *wl, PetscReal *yv, PetscReal *yth)
{
  const PetscInt B = c->B, rows = c->rows;
  PetscReal     *gss = c->ebuf, *gsd = gss + B, *gdd = gsd + B, *gsth = gdd + B, *gdth = gsth + rows * B;

  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscReal rs = c->rcap_local[c->le.in_s[e]], rd = c->rcap_local[c->le.in_d[e]];
    PetscReal      *ys = yv + c->le.out_s[e] * B, *yd = yv + c->le.out_d[e] * B, *yt = yth + c->le.par[e] * rows;

    c->kern->second(c->le.theta + e * rows, B, lv + c->le.in_s[e] * B, lv + c->le.in_d[e] * B, gss, gsd, gdd, gsth, gdth);
    for (PetscInt b = 0; b < B; b++) {
      ys[b] -= wl[b] * (rd * gsd[b] - rs * gss[b]);
      yd[b] -= wl[b] * (rd * gdd[b] - rs * gsd[b]);
    }
    for (PetscInt r = 0; r < rows; r++) {
      PetscReal acc[KN_LANES] = {0};
      KN_LANE_LOOP(B, b, l, acc[l] += wl[b] * (rd * gdth[r * B + b] - rs * gsth[r * B + b]););
      yt[r] -= KNLaneSum(acc);
    }
  }
}

/* Y = J(lvJ)^T W, where lvJ holds the gathered voltages of the linearisation point. */
PetscErrorCode KNCircuitJacobianTransposeApply_Private(KNCircuit c, Vec lvJ, Vec W, Vec Y)
{
  const PetscInt   B = c->B, nslots = c->nown + c->nghost, nv = c->nown * B, np = c->nown_edges * c->rows;
  const PetscReal  sigma = c->reverse ? -1.0 : 1.0;
  const PetscReal *lv, *w;
  PetscReal       *lw, *y, *wl = c->lpbuf;
  PetscInt         off;

  PetscFunctionBegin;
  PetscCall(KNCircuitGatherVoltages_Private(c, W, c->lw));
  PetscCall(PetscLogEventBegin(KN_JacobianTranspose, 0, 0, 0, 0));
  PetscCall(VecGetArray(c->lw, &lw));
  for (PetscInt k = 0; k < nslots; k++) {
    PetscReal s = sigma * c->rcap_local[k];
    for (PetscInt b = 0; b < B; b++) lw[k * B + b] *= s;
  }
  if (c->flow) {
    PetscCall(VecGetArrayRead(W, &w));
    if (c->rank == 0)
      for (PetscInt b = 0; b < B; b++) wl[b] = sigma * w[nv + b];
    PetscCall(VecRestoreArrayRead(W, &w));
    PetscCallMPI(MPI_Bcast(wl, (PetscMPIInt)B, MPIU_REAL, 0, c->comm));
  }
  PetscCall(PetscArrayzero(c->fbuf, nv + B));
  PetscCall(PetscArrayzero(c->gbuf, np + c->rows));
  PetscCall(VecGetArrayRead(lvJ, &lv));
  FusedTranspose(c, lv, lw, c->fbuf, c->gbuf);
  if (c->flow) TraceTranspose(c, lv, wl, c->fbuf, c->gbuf);
  PetscCall(VecRestoreArrayRead(lvJ, &lv));
  PetscCall(VecRestoreArray(c->lw, &lw));
  PetscCall(KNCircuitGetParameterOffset(c, &off));
  PetscCall(VecGetArray(Y, &y));
  PetscCall(PetscArraycpy(y, c->fbuf, nv));
  if (off > nv) PetscCall(PetscArrayzero(y + nv, off - nv)); /* nothing depends on logp */
  PetscCall(PetscArraycpy(y + off, c->gbuf, np));
  PetscCall(VecRestoreArray(Y, &y));
  PetscCall(PetscLogFlops((PetscLogDouble)c->le.n * B * (6 + 2 * c->rows) * (c->flow ? 2 : 1)));
  PetscCall(PetscLogEventEnd(KN_JacobianTranspose, 0, 0, 0, 0));
  c->stats.jact_mults++;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitComputeJacobianTranspose - Y = J(X)^T W for the augmented state (voltages, log-density, parameters)

  Collective

  Notes:
  The parameter block of Y is Jp^T w: the product every adjoint step needs. Used by TS through the shell Jacobian.

  Level: developer
@*/
PetscErrorCode KNCircuitComputeJacobianTranspose(KNCircuit c, Vec X, Vec W, Vec Y)
{
  PetscFunctionBegin;
  PetscCall(KNCircuitGatherVoltages_Private(c, X, c->lvJ));
  PetscCall(KNCircuitJacobianTransposeApply_Private(c, c->lvJ, W, Y));
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

/* TS calls this at each adjoint stage before MatMultTranspose: cache the linearisation point. */
PetscErrorCode KNCircuitRHSJacobian_Private(TS ts, PetscReal t, Vec X, Mat A, Mat P, void *ctx)
{
  KNCircuit c = (KNCircuit)ctx;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(KN_JacobianCache, 0, 0, 0, 0));
  PetscCall(KNCircuitGatherVoltages_Private(c, X, c->lvJ));
  c->cachedJ_t = t;
  c->stats.jac_evals++;
  PetscCall(PetscLogEventEnd(KN_JacobianCache, 0, 0, 0, 0));
  if (c->jactype == KN_JACOBIAN_AIJ) PetscCall(KNCircuitAssembleAIJJacobian_Private(c, A));
  PetscFunctionReturn(KN_SUCCESS);
}
