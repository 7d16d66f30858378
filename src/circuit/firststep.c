/* The automatic first step of an adaptive layer solve: Hairer, Norsett and Wanner, Solving ODEs I, section II.4, as
   torchdiffeq's _select_initial_step computes it for dopri5. Two RHS evaluations, the first of which is also the first
   stage of the first step (as torchdiffeq reuses it); the step sizes are chosen, not differentiated, so the adjoint
   stays the exact discrete adjoint of the steps taken. */
#include <string.h>
#include "circuitimpl.h"

/* Adds v[0..n) of the data groups in group order, so that every rank of every group gets the same bits. */
static PetscErrorCode SumOverGroups(KNCircuit c, PetscInt n, PetscReal v[])
{
  PetscMPIInt G = 1;
  PetscReal  *all;

  PetscFunctionBegin;
  if (c->stepcomm != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_size(c->stepcomm, &G));
  if (G == 1) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscMalloc1(n * G, &all));
  PetscCallMPI(MPI_Allgather(v, (PetscMPIInt)n, MPIU_REAL, all, (PetscMPIInt)n, MPIU_REAL, c->stepcomm));
  for (PetscInt k = 0; k < n; k++) {
    v[k] = 0;
    for (PetscMPIInt g = 0; g < G; g++) v[k] += all[g * n + k];
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(KN_SUCCESS);
}

/* RMS norms of a/scale for each of the na arrays a[j], scale_i = atol_i + rtol_i |y0_i|, over the voltages and the
   log-density (the parameters riding in the state have zero tolerance); summed in node order, then over the groups. */
static PetscErrorCode WeightedRMS(KNCircuit c, Vec Y0, PetscInt na, Vec a[], PetscReal nrm[])
{
  const PetscInt   B = c->B, m = na + 1, nv = c->nown * B + ((c->flow && c->rank == 0) ? B : 0);
  const PetscReal *y, *at, *rt, *v[2];
  PetscReal       *part, s[3] = {0, 0, 0};

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(m * (c->nown + 1), &part));
  PetscCall(VecGetArrayRead(Y0, &y));
  PetscCall(VecGetArrayRead(c->vatol, &at));
  PetscCall(VecGetArrayRead(c->vrtol, &rt));
  for (PetscInt j = 0; j < na; j++) PetscCall(VecGetArrayRead(a[j], &v[j]));
  for (PetscInt i = 0; i < nv; i++) {
    const PetscReal sc = at[i] + rt[i] * PetscAbsReal(y[i]);
    PetscReal      *p  = part + m * (i / B); /* node slot, or nown for the log-density */

    if (sc <= 0) continue;
    for (PetscInt j = 0; j < na; j++) p[j] += (v[j][i] / sc) * (v[j][i] / sc);
    p[na] += 1;
  }
  for (PetscInt j = 0; j < na; j++) PetscCall(VecRestoreArrayRead(a[j], &v[j]));
  PetscCall(VecRestoreArrayRead(c->vrtol, &rt));
  PetscCall(VecRestoreArrayRead(c->vatol, &at));
  PetscCall(VecRestoreArrayRead(Y0, &y));
  PetscCall(KNCircuitSumOverNodes_Private(c, m, part, s));
  PetscCall(PetscFree(part));
  PetscCall(SumOverGroups(c, m, s));
  for (PetscInt j = 0; j < na; j++) nrm[j] = s[na] > 0 ? PetscSqrtReal(s[j] / s[na]) : 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  KNCircuitInitialStep_Private - the first step of an adaptive solve from the state X at t = 0 (physical time units):
    d0 = |y0|, d1 = |f(y0)|, h0 = 0.01 d0/d1 (1e-6 if either is below 1e-5),
    d2 = |f(y0 + h0 f(y0)) - f(y0)| / h0, h1 = (0.01 / max(d1, d2))^(1/(p+1)) (max(1e-6, 1e-3 h0) if both vanish),
    dt = min(100 h0, h1), clipped to the step limits and the layer's duration;
  norms are the weighted RMS of the error control over the whole batch, p the order of the error estimate. The rule
  runs in software time (f times the hardware scale a), so a scaled circuit takes the same steps, times a.
*/
PetscErrorCode KNCircuitInitialStep_Private(KNCircuit c, Vec X, PetscReal *dt)
{
  TSAdapt   adapt;
  PetscInt  order = 4;
  PetscReal d[2] = {0, 0}, d2 = 0, h0, h1, dtmin, dtmax, a = c->hw_scale;
  Vec       f[2];

  PetscFunctionBegin;
  if (!c->fs0) {
    PetscCall(VecDuplicate(X, &c->fs0));
    PetscCall(VecDuplicate(X, &c->fs1));
  }
  f[0] = X, f[1] = c->fs0;
  PetscCall(KNCircuitComputeRHS(c, X, c->fs0));
  PetscCall(WeightedRMS(c, X, 2, f, d));
  d[1] *= a;
  h0 = (d[0] < 1e-5 || d[1] < 1e-5) ? 1e-6 : 0.01 * d[0] / d[1];
  PetscCall(VecWAXPY(c->fs1, a * h0, c->fs0, X));
  PetscCall(KNCircuitComputeRHS(c, c->fs1, c->fs1)); /* in place: the RHS gathers its input before it writes */
  PetscCall(VecAYPX(c->fs1, -1.0, c->fs0));
  PetscCall(WeightedRMS(c, X, 1, &c->fs1, &d2));
  d2 *= a / h0;
  PetscCall(TSRKGetOrder(c->ts, &order));
  order = PetscMax(order - 1, 1); /* the embedded estimate's order, as torchdiffeq passes for dopri5 */
  if (d[1] <= 1e-15 && d2 <= 1e-15) h1 = PetscMax(1e-6, h0 * 1e-3);
  else h1 = PetscPowReal(0.01 / PetscMax(d[1], d2), 1.0 / (PetscReal)(order + 1));
  PetscCall(TSGetAdapt(c->ts, &adapt));
  PetscCall(TSAdaptGetStepLimits(adapt, &dtmin, &dtmax));
  *dt = PetscClipInterval(a * PetscMin(100 * h0, h1), dtmin, PetscMin(dtmax, KNCircuitPhysicalDuration(c)));
  c->first_x = X; /* fs0 = f(X) until the solve's first RHS call */
  PetscFunctionReturn(KN_SUCCESS);
}

/* F = fs0 if this is the first RHS call since the first step was chosen, at t = 0 and at the same state bit for bit
   (TSRK's first stage: its f(y0) is not evaluated twice); *reused says whether it was. Cheap: O(state), not O(E). */
PetscErrorCode KNCircuitReuseInitialRHS_Private(KNCircuit c, PetscReal t, Vec X, Vec F, PetscBool *reused)
{
  const PetscReal *x, *x0;
  PetscInt         n, n0;
  Vec              first = c->first_x;

  PetscFunctionBegin;
  *reused     = PETSC_FALSE;
  c->first_x = NULL;
  if (!first || t != 0.0) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(VecGetLocalSize(X, &n));
  PetscCall(VecGetLocalSize(first, &n0));
  if (n == n0) {
    PetscCall(VecGetArrayRead(X, &x));
    PetscCall(VecGetArrayRead(first, &x0));
    *reused = (PetscBool)(x == x0 || !memcmp(x, x0, sizeof(PetscReal) * (size_t)n));
    PetscCall(VecRestoreArrayRead(first, &x0));
    PetscCall(VecRestoreArrayRead(X, &x));
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, reused, 1, MPIU_BOOL, MPI_LAND, c->comm));
  if (*reused) PetscCall(VecCopy(c->fs0, F));
  PetscFunctionReturn(KN_SUCCESS);
}
