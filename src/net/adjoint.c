/* KNNet backward sweep: per layer, the adjoint of the trajectory kept from the forward sweep, or, for a layer whose
   trajectory did not fit the adjoint memory, of a forward solve recomputed from the layer's stored start state. */
#include "netimpl.h"

/*@
  KNNetSetSaveTrajectory - whether the next forward sweeps keep the layers' trajectories for KNNetBackward()

  Logically Collective

  Notes:
  Set it before the forward sweep of a training step (KNTaskComputeBatch() does when it wants a gradient): the step
  then integrates each layer once. The gradient is the same to the bit either way.

  Level: intermediate

.seealso: KNNetSetAdjointMemory(), KNNetBackward()
@*/
PetscErrorCode KNNetSetSaveTrajectory(KNNet net, PetscBool save)
{
  PetscFunctionBegin;
  net->save_traj = save;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetAdjointMemory - the bytes per rank that the trajectories kept from forward sweeps may hold together

  Logically Collective

  Input Parameters:
+ net - the net
- bytes - the budget; 0 keeps none (every layer is integrated again for its adjoint, holding one layer's trajectory
          at a time)

  Options Database Key:
. -kn_adjoint_memory <MiB> - the same in MiB

  Notes:
  The default is a quarter of the node's memory divided by the ranks on the node. Layers are kept in sweep order while
  they fit; a layer's trajectory is dropped during its solve as soon as its next step would pass the budget, so the
  kept trajectories never hold more. A dropped layer is recomputed when its adjoint runs, which holds that layer's
  trajectory for the time of its adjoint.

  Level: intermediate

.seealso: KNNetSetSaveTrajectory(), KNNetGetTrajectoryBytes(), KNCircuitSolveWithTrajectory()
@*/
PetscErrorCode KNNetSetAdjointMemory(KNNet net, PetscLogDouble bytes)
{
  PetscFunctionBegin;
  PetscCheck(bytes >= 0, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "The adjoint memory must be >= 0 bytes, got %g", bytes);
  net->adjoint_memory = bytes;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetTrajectoryBytes - what the layers' trajectories hold on this rank and how many were kept by the last sweep

  Not Collective

  Output Parameters:
+ bytes - bytes held by the layers' trajectory storage (NULL if not wanted)
- nkept - layers whose trajectory the last forward sweep kept (NULL if not wanted)

  Level: intermediate
@*/
PetscErrorCode KNNetGetTrajectoryBytes(KNNet net, PetscLogDouble *bytes, PetscInt *nkept)
{
  PetscLogDouble sum = 0, b;
  PetscInt       n = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) {
    PetscCall(KNCircuitGetTrajectoryBytes(net->layer[i], &b));
    sum += b, n += net->kept && net->kept[i];
  }
  if (bytes) *bytes = sum;
  if (nkept) *nkept = n;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Solves layer i of a forward sweep, keeping its trajectory when asked and when it fits beside the other layers'. */
PetscErrorCode KNNetSolveLayer_Private(KNNet net, PetscInt i, Vec Y)
{
  PetscLogDouble others = 0, b;

  PetscFunctionBegin;
  net->kept[i] = PETSC_FALSE;
  if (!net->save_traj || net->adjoint_memory <= 0) {
    PetscCall(KNCircuitSolve(net->layer[i], Y));
    PetscFunctionReturn(KN_SUCCESS);
  }
  for (PetscInt j = 0; j < net->D; j++) {
    if (j == i) continue;
    PetscCall(KNCircuitGetTrajectoryBytes(net->layer[j], &b));
    others += b;
  }
  PetscCall(KNCircuitSolveWithTrajectory(net->layer[i], Y, PetscMax(net->adjoint_memory - others, 0), &net->kept[i]));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetViewAdjointMemory_Private(KNNet net, PetscViewer viewer)
{
  PetscLogDouble held;
  PetscInt       nkept, nlaw = 0;

  PetscFunctionBegin;
  PetscCall(KNNetGetTrajectoryBytes(net, &held, &nkept));
  for (PetscInt i = 0; i < net->D; i++) {
    PetscBool keep;

    PetscCall(KNCircuitGetKeepLaw(net->layer[i], &keep));
    nlaw += keep;
  }
  if (net->adjoint_memory <= 0) PetscCall(PetscViewerASCIIPrintf(viewer, "adjoint: every layer is integrated again for its adjoint (-kn_adjoint_memory 0)\n"));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "adjoint: one integration per training step, the loss pass keeps the trajectories while they fit in %.4g MiB per rank (-kn_adjoint_memory); a layer that does not fit is integrated again; last sweep: %" PetscInt_FMT " of %" PetscInt_FMT " layers kept, %.4g MiB held\n", net->adjoint_memory / 1048576.0, nkept, net->D, held / 1048576.0));
  if (net->adjoint_memory > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "adjoint: %" PetscInt_FMT " of %" PetscInt_FMT " layers also keep their law values (tanh), so that the adjoint does not evaluate the law again (-kn_adjoint_keep_law)\n", nlaw, net->D));
  PetscFunctionReturn(KN_SUCCESS);
}

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
    KNCircuit      c = net->layer[i];
    Vec            gi;
    PetscErrorCode ierr;

    PetscCall(KNNetGetLayerParameterVec(net, grad, i, &gi));
    ierr = VecZeroEntries(gi);
    if (!ierr && net->kept[i]) ierr = KNCircuitAdjointSolve(c, net->Lam[i], gi);
    else if (!ierr) {
      ierr = VecCopy(net->X0[i], net->Y[i]);
      if (!ierr) ierr = KNCircuitSolveAdjoint(c, net->Y[i], net->Lam[i], gi);
    }
    net->kept[i] = PETSC_FALSE; /* used up */
    PetscCall(KNNetRestoreLayerParameterVec(net, grad, i, &gi)); /* also after a failed or interrupted solve */
    PetscCall(ierr);
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
