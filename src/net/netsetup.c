/* KNNet set-up, parameter layout and viewing. */
#include "netimpl.h"

PetscErrorCode KNNetSetUpReadout_Private(KNNet net)
{
  PetscInt N;

  PetscFunctionBegin;
  /* the readout refers to the final layer of a forward sweep (layer D-1) */
  PetscCall(KNCircuitGetSizes(net->layer[net->D - 1], &N, NULL, NULL));
  if (!net->nread) net->nread = N, net->readout_last = PETSC_TRUE;
  PetscCheck(net->nread <= N, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Readout of %" PetscInt_FMT " nodes, but the last layer has only %" PetscInt_FMT " nodes", net->nread, N);
  if (net->readout_last) {
    PetscCall(PetscFree(net->readout));
    PetscCall(PetscMalloc1(net->nread, &net->readout));
    for (PetscInt k = 0; k < net->nread; k++) net->readout[k] = N - net->nread + 1 + k;
  }
  for (PetscInt k = 0; k < net->nread; k++) PetscCheck(net->readout[k] >= 1 && net->readout[k] <= N, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Readout node %" PetscInt_FMT " is outside the last layer's nodes 1..%" PetscInt_FMT, net->readout[k], N);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetUp - sets up every layer (partition, TS) and the sweep storage

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetSetUp(KNNet net)
{
  PetscFunctionBegin;
  if (net->setupcalled) PetscFunctionReturn(KN_SUCCESS);
  PetscCheck(net->D > 0, net->comm, PETSC_ERR_ARG_WRONGSTATE, "The net has no layers: call KNNetAddLayer()");
  PetscCall(PetscCalloc7(net->D, &net->X0, net->D, &net->Lam, net->D, &net->Y, net->D, &net->ptheta, net->D, &net->next, net->D, &net->prev, net->D + 1, &net->poff));
  PetscCall(PetscCalloc1(net->D, &net->kept));
  for (PetscInt i = 0; i < net->D; i++) {
    KNCircuit c = net->layer[i];
    PetscInt  n;

    PetscCall(KNCircuitSetBatchSize(c, net->B));
    PetscCall(KNCircuitSetFlow(c, net->flow));
    PetscCall(KNCircuitSetUp(c));
    PetscCall(KNCircuitCreateStateVec(c, &net->X0[i]));
    PetscCall(VecDuplicate(net->X0[i], &net->Lam[i]));
    PetscCall(VecDuplicate(net->X0[i], &net->Y[i]));
    PetscCall(KNCircuitCreateParameterVec(c, &net->ptheta[i]));
    PetscCall(VecGetLocalSize(net->ptheta[i], &n));
    net->poff[i + 1] = net->poff[i] + n;
  }
  PetscCall(KNNetSetUpReadout_Private(net));
  net->setupcalled = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetNumParameters - total number of parameters of all layers (including unused device rows)

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetGetNumParameters(KNNet net, PetscInt *P)
{
  PetscInt64 total = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) {
    PetscInt E, rows;
    PetscCall(KNCircuitGetSizes(net->layer[i], NULL, &E, &rows));
    total += (PetscInt64)E * rows;
  }
  PetscCheck(total <= PETSC_MAX_INT, net->comm, PETSC_ERR_SUP, "The net has %" PetscInt64_FMT " parameters, more than this PETSc build's 32-bit PetscInt can index", total);
  *P = (PetscInt)total;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetCreateParameterVec - creates a Vec holding every layer's parameters (layer blocks concatenated on each rank)

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetCreateParameterVec(KNNet net, Vec *P)
{
  PetscFunctionBegin;
  PetscCheck(net->setupcalled, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNNetSetUp() first");
  PetscCall(VecCreateMPI(net->comm, net->poff[net->D], PETSC_DETERMINE, P));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetLayerParameterVec - a Vec (circuit order) viewing layer i's block of a net parameter Vec; restore it after use

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNNetGetLayerParameterVec(KNNet net, Vec P, PetscInt i, Vec *theta)
{
  PetscReal *p;

  PetscFunctionBegin;
  PetscCall(VecGetArray(P, &p));
  PetscCall(VecPlaceArray(net->ptheta[i], p + net->poff[i]));
  PetscCall(VecRestoreArray(P, &p));
  *theta = net->ptheta[i];
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetRestoreLayerParameterVec(KNNet net, Vec P, PetscInt i, Vec *theta)
{
  PetscFunctionBegin;
  PetscCall(VecResetArray(net->ptheta[i]));
  *theta = NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetParameters - loads every layer's parameters from a net parameter Vec

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetSetParameters(KNNet net, Vec P)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) {
    Vec t;
    PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
    PetscCall(KNCircuitSetParameters(net->layer[i], t));
    PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetParameters - copies every layer's parameters into a net parameter Vec

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetGetParameters(KNNet net, Vec P)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) {
    Vec t;
    PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
    PetscCall(KNCircuitGetParameters(net->layer[i], t));
    PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetView - prints the layers

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetView(KNNet net, PetscViewer viewer)
{
  PetscInt P;

  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(net->comm, &viewer));
  PetscCall(KNNetGetNumParameters(net, &P));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNNet: %" PetscInt_FMT " layers, %" PetscInt_FMT " parameters, batch %" PetscInt_FMT "%s, readout %" PetscInt_FMT " nodes\n", net->D, P, net->B, net->flow ? ", flow" : "", net->nread));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitView(net->layer[i], viewer));
  if (net->setupcalled) PetscCall(KNNetViewAdjointMemory_Private(net, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetStats - step, rejection and evaluation counts summed over the layers

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNNetGetStats(KNNet net, KNCircuitStats *s)
{
  PetscFunctionBegin;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  for (PetscInt i = 0; i < net->D; i++) {
    KNCircuitStats l;
    PetscCall(KNCircuitGetStats(net->layer[i], &l));
    s->steps += l.steps, s->rejects += l.rejects, s->rhs_evals += l.rhs_evals, s->jac_evals += l.jac_evals, s->jact_mults += l.jact_mults, s->jact_kept += l.jact_kept;
  }
  PetscFunctionReturn(KN_SUCCESS);
}
