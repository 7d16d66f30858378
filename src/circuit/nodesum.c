/* Sums over the state that do not depend on the partition, for the step-size norms: a rank's sum of its entries
   rounds differently from another partition's, which flips accept/reject near a kink of a ReLU law. */
#include "circuitimpl.h"

/*
  KNCircuitSumOverNodes_Private - sum[j] = the sum over the nodes (and the log-density slot) of part[k*na + j]

  Input: part holds, for each owned node k < nown in internal order, na partial sums over that node's samples, and at
  k = nown those of the log-density entries (rank 0; zeros elsewhere). Each rank writes its values at the nodes'
  original ids into an array that is zero elsewhere, the ranks' arrays are summed (exact: one nonzero per entry),
  and every rank adds the N + 1 slots in node order. O(N) per call: once per step, never per edge.
*/
PetscErrorCode KNCircuitSumOverNodes_Private(KNCircuit c, PetscInt na, const PetscReal part[], PetscReal sum[])
{
  const PetscInt n = (c->N + 1) * na;
  PetscReal     *all;

  PetscFunctionBegin;
  PetscCheck(na >= 1 && na <= KN_NODESUM_MAX, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "At most %d sums per node", KN_NODESUM_MAX);
  if (!c->nodesum) PetscCall(PetscMalloc1((c->N + 1) * KN_NODESUM_MAX, &c->nodesum));
  all = c->nodesum;
  PetscCall(PetscArrayzero(all, n));
  for (PetscInt k = 0; k < c->nown; k++)
    for (PetscInt j = 0; j < na; j++) all[(c->owned_ids[k] - 1) * na + j] = part[k * na + j];
  for (PetscInt j = 0; j < na; j++) all[c->N * na + j] = c->rank == 0 ? part[c->nown * na + j] : 0.0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, all, (PetscMPIInt)n, MPIU_REAL, MPIU_SUM, c->comm));
  for (PetscInt j = 0; j < na; j++) sum[j] = 0;
  for (PetscInt s = 0; s <= c->N; s++)
    for (PetscInt j = 0; j < na; j++) sum[j] += all[s * na + j];
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  KNCircuitErrorNorm2_Private - TSErrorWeightedNorm2 of U - Y with the TS's tolerances, summed in node order (rank
  independent); also the number of entries counted. Entries with zero tolerance (the parameters riding in the state)
  and those under -ts_adapt_max_ignore do not count, as in PETSc.
*/
PetscErrorCode KNCircuitErrorNorm2_Private(KNCircuit c, PetscReal ignore, Vec U, Vec Y, PetscReal *norm, PetscReal *count)
{
  const PetscInt   B = c->B;
  const PetscReal *u, *y, *a, *r;
  PetscReal       *part, s[2] = {0, 0};
  PetscInt         nslot = c->nown + 1, nv = c->nown * B + ((c->flow && c->rank == 0) ? B : 0);

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(2 * nslot, &part));
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArrayRead(Y, &y));
  PetscCall(VecGetArrayRead(c->vatol, &a));
  PetscCall(VecGetArrayRead(c->vrtol, &r));
  for (PetscInt i = 0; i < nv; i++) {
    const PetscReal big = PetscMax(PetscAbsReal(u[i]), PetscAbsReal(y[i])), tol = a[i] + r[i] * big;
    const PetscInt  k   = i / B; /* node slot, or nown for the log-density entries */

    if (PetscAbsReal(u[i]) < ignore || PetscAbsReal(y[i]) < ignore || tol <= 0) continue;
    part[2 * k] += ((u[i] - y[i]) / tol) * ((u[i] - y[i]) / tol);
    part[2 * k + 1] += 1;
  }
  PetscCall(VecRestoreArrayRead(c->vrtol, &r));
  PetscCall(VecRestoreArrayRead(c->vatol, &a));
  PetscCall(VecRestoreArrayRead(Y, &y));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(KNCircuitSumOverNodes_Private(c, 2, part, s));
  PetscCall(PetscFree(part));
  *norm  = s[1] > 0 ? PetscSqrtReal(s[0] / s[1]) : 0;
  *count = s[1];
  PetscFunctionReturn(KN_SUCCESS);
}
