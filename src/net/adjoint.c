/* KNNet backward sweep: per layer, recompute the forward solve with a trajectory and run its adjoint, so the
   peak memory holds one layer's trajectory. */
#include "netimpl.h"

static inline PetscInt SweepLayer(KNNet net, PetscInt k)
{
  return net->reverse ? net->D - 1 - k : k;
}

/* dL/dX at the final time from the readout and log-density gradients. */
static PetscErrorCode SeedAdjoint(KNNet net, Vec L, const PetscReal dout[], const PetscReal dlogp[])
{
  KNCircuit  c = net->layer[net->final_layer];
  PetscInt   start, end;
  PetscReal *l;

  PetscFunctionBegin;
  PetscCall(VecZeroEntries(L));
  PetscCall(VecGetOwnershipRange(L, &start, &end));
  PetscCall(VecGetArray(L, &l));
  for (PetscInt k = 0; dout && k < net->nread; k++) {
    PetscInt idx;
    PetscCall(KNCircuitGetNodeStateIndex(c, net->readout[k], &idx));
    if (idx < start || idx >= end) continue;
    for (PetscInt b = 0; b < net->B; b++) l[idx - start + b] += dout[b * net->nread + k];
  }
  if (dlogp && net->rank == 0) {
    PetscInt idx;
    PetscCheck(net->flow, net->comm, PETSC_ERR_ARG_WRONGSTATE, "A log-density gradient needs a flow net");
    PetscCall(KNCircuitGetLogDensityIndex(c, &idx));
    for (PetscInt b = 0; b < net->B; b++) l[idx - start + b] = dlogp[b];
  }
  PetscCall(VecRestoreArray(L, &l));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode GatherInputGradient(KNNet net, Vec L, PetscReal din[])
{
  KNCircuit        c = net->layer[SweepLayer(net, 0)];
  PetscInt         nown, start, nin = net->nin;
  const PetscInt  *own;
  const PetscReal *l;

  PetscFunctionBegin;
  PetscCall(KNCircuitGetOwnedNodes(c, &nown, &own));
  PetscCall(VecGetOwnershipRange(L, &start, NULL));
  PetscCall(PetscArrayzero(din, nin * net->B));
  PetscCall(VecGetArrayRead(L, &l));
  for (PetscInt k = 0; k < nown; k++) {
    PetscInt idx, j = own[k];
    if (j > nin) continue;
    PetscCall(KNCircuitGetNodeStateIndex(c, j, &idx));
    for (PetscInt b = 0; b < net->B; b++) din[b * nin + j - 1] = l[idx - start + b];
  }
  PetscCall(VecRestoreArrayRead(L, &l));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, din, (PetscMPIInt)(nin * net->B), MPIU_REAL, MPIU_SUM, net->comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetBackward - exact gradients of a loss L(output, logp) through every layer (discrete adjoint)

  Collective

  Input Parameters:
+ net - the net, after KNNetForward()
. dout - dL/d(output), B*K values sample-major (NULL: none)
- dlogp - dL/d(logp), B values (flows; NULL: none)

  Output Parameters:
+ grad - dL/dtheta, a net parameter Vec (KNNetCreateParameterVec())
- din - dL/d(input), B*nin values sample-major (NULL if not wanted)

  Level: beginner
@*/
PetscErrorCode KNNetBackward(KNNet net, const PetscReal dout[], const PetscReal dlogp[], Vec grad, PetscReal din[])
{
  PetscFunctionBegin;
  PetscCheck(net->forward_done, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNNetForward() before KNNetBackward()");
  PetscCall(SeedAdjoint(net, net->Lam[net->final_layer], dout, dlogp));
  for (PetscInt k = net->D - 1; k >= 0; k--) {
    PetscInt  i = SweepLayer(net, k);
    KNCircuit c = net->layer[i];
    Vec       gi;

    PetscCall(VecCopy(net->X0[i], net->Y[i]));
    PetscCall(KNNetGetLayerParameterVec(net, grad, i, &gi));
    PetscCall(VecZeroEntries(gi));
    PetscCall(KNCircuitSolveAdjoint(c, net->Y[i], net->Lam[i], gi));
    PetscCall(KNNetRestoreLayerParameterVec(net, grad, i, &gi));
    if (k > 0) {
      PetscInt   j = SweepLayer(net, k - 1);
      VecScatter sc = j + 1 == i ? net->next[j] : net->prev[i];

      PetscCall(VecZeroEntries(net->Lam[j]));
      PetscCall(VecScatterBegin(sc, net->Lam[i], net->Lam[j], INSERT_VALUES, SCATTER_REVERSE));
      PetscCall(VecScatterEnd(sc, net->Lam[i], net->Lam[j], INSERT_VALUES, SCATTER_REVERSE));
    }
  }
  if (din) PetscCall(GatherInputGradient(net, net->Lam[SweepLayer(net, 0)], din));
  PetscFunctionReturn(KN_SUCCESS);
}
