/* KNNet sweeps: input -> layers -> readout, and the adjoint back through the layers (recompute per layer). */
#include "netimpl.h"

/* Transition from layer a's final state to layer b's initial state: nodes 1..min(Na, Nb) and the
   log-densities are copied; the caller zeroes the target first, so added nodes start at 0 V. */
PetscErrorCode KNNetTransition_Private(KNNet net, PetscInt a, PetscInt b, VecScatter *sc)
{
  KNCircuit ca = net->layer[a], cb = net->layer[b];
  PetscInt        Na, Nb, nown, n = 0, *from, *to, B = net->B;
  const PetscInt *own;
  IS        isf, ist;

  PetscFunctionBegin;
  PetscCall(KNCircuitGetSizes(ca, &Na, NULL, NULL));
  PetscCall(KNCircuitGetSizes(cb, &Nb, NULL, NULL));
  PetscCall(KNCircuitGetOwnedNodes(cb, &nown, &own));
  PetscCall(PetscMalloc1((nown + 1) * B, &from));
  PetscCall(PetscMalloc1((nown + 1) * B, &to));
  for (PetscInt k = 0; k < nown; k++) {
    PetscInt ia, ib, j = own[k];
    if (j > Na) continue; /* a node the previous layer lacks starts at 0 V */
    PetscCall(KNCircuitGetNodeStateIndex(ca, j, &ia));
    PetscCall(KNCircuitGetNodeStateIndex(cb, j, &ib));
    for (PetscInt s = 0; s < B; s++) from[n] = ia + s, to[n++] = ib + s;
  }
  if (net->flow && net->rank == 0) {
    PetscInt ia, ib;
    PetscCall(KNCircuitGetLogDensityIndex(ca, &ia));
    PetscCall(KNCircuitGetLogDensityIndex(cb, &ib));
    for (PetscInt s = 0; s < B; s++) from[n] = ia + s, to[n++] = ib + s;
  }
  PetscCall(ISCreateGeneral(net->comm, n, from, PETSC_OWN_POINTER, &isf));
  PetscCall(ISCreateGeneral(net->comm, n, to, PETSC_OWN_POINTER, &ist));
  PetscCall(VecScatterCreate(net->X0[a], isf, net->X0[b], ist, sc));
  PetscCall(ISDestroy(&isf));
  PetscCall(ISDestroy(&ist));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode GetTransition(KNNet net, PetscInt a, PetscInt b, VecScatter *sc)
{
  VecScatter *slot = b == a + 1 ? &net->next[a] : &net->prev[b];

  PetscFunctionBegin;
  if (!*slot) PetscCall(KNNetTransition_Private(net, a, b, slot));
  *sc = *slot;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Layer visited at position k of the sweep. */
static inline PetscInt SweepLayer(KNNet net, PetscInt k)
{
  return net->reverse ? net->D - 1 - k : k;
}

static PetscErrorCode SetInput(KNNet net, Vec X, PetscInt nin, const PetscReal in[])
{
  KNCircuit c = net->layer[SweepLayer(net, 0)];
  PetscInt        N, nown, start;
  const PetscInt *own;
  PetscReal      *x;

  PetscFunctionBegin;
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCheck(nin >= 0 && nin <= N, net->comm, PETSC_ERR_ARG_SIZ, "The input has %" PetscInt_FMT " features per sample but the first layer has only %" PetscInt_FMT " nodes", nin, N);
  PetscCall(KNCircuitGetOwnedNodes(c, &nown, &own));
  PetscCall(VecZeroEntries(X));
  PetscCall(VecGetOwnershipRange(X, &start, NULL));
  PetscCall(VecGetArray(X, &x));
  for (PetscInt k = 0; k < nown; k++) {
    PetscInt idx, j = own[k];
    if (j > nin) continue;
    PetscCall(KNCircuitGetNodeStateIndex(c, j, &idx));
    for (PetscInt b = 0; b < net->B; b++) x[idx - start + b] = in[b * nin + j - 1];
  }
  PetscCall(VecRestoreArray(X, &x));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Gaussian noise on layer j's initial voltages, drawn by (draw, layer, node, sample): the same on any rank count. */
static PetscErrorCode AddBoundaryNoise(KNNet net, PetscInt j)
{
  KNCircuit       c = net->layer[j];
  PetscInt        nown, start, N, total = net->noise_total ? net->noise_total : net->B, nb;
  const PetscInt *own;
  PetscReal      *x;

  PetscFunctionBegin;
  nb = net->noise_total ? net->noise_count : net->B; /* padding gets no noise, as on one group */
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(KNCircuitGetOwnedNodes(c, &nown, &own));
  PetscCall(VecGetOwnershipRange(net->X0[j], &start, NULL));
  PetscCall(VecGetArray(net->X0[j], &x));
  for (PetscInt k = 0; k < nown; k++) {
    PetscInt idx;
    PetscCall(KNCircuitGetNodeStateIndex(c, own[k], &idx));
    for (PetscInt b = 0; b < nb; b++) x[idx - start + b] += net->noise_sigma * KNRandomNormal(net->noise_seed, KN_STREAM_NOISE + net->noise_draw, ((PetscInt64)j * (N + 1) + own[k]) * total + net->noise_first + b);
  }
  PetscCall(VecRestoreArray(net->X0[j], &x));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetBoundaryNoise - adds N(0, sigma^2) noise to the voltages entering every layer after the first (robustness
  studies); each KNNetForward() draws fresh noise from (seed, call count); sigma = 0 switches it off

  Logically Collective

  Notes:
  The noise is part of the stored layer inputs, so KNNetBackward() differentiates the same noisy forward sweep.

  Level: intermediate
@*/
PetscErrorCode KNNetSetBoundaryNoise(KNNet net, PetscReal sigma, PetscInt64 seed)
{
  PetscFunctionBegin;
  PetscCheck(sigma >= 0 && !PetscIsInfOrNanReal(sigma), net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Noise sigma must be >= 0 and finite, got %g", (double)sigma);
  net->noise_sigma = sigma, net->noise_seed = seed, net->noise_draw = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetBoundaryNoiseSamples - the net's batch holds samples first .. first + count - 1 of a batch of total samples
  (a data group's slice, KNGridGetBatchSlice()): the boundary noise of sample b is then drawn by its index in the
  whole batch, so it does not depend on how the batch is split; padding (slots from count on) gets none

  Logically Collective

  Input Parameters:
+ net - the net
. first - index of the net's sample 0 in the whole batch
. count - real samples of the slice (0 <= count <= the net's batch size, first + count <= total)
- total - samples of the whole batch (0: the net's own batch, first must be 0 and count is the batch size)

  Level: developer

.seealso: KNNetSetBoundaryNoise()
@*/
PetscErrorCode KNNetSetBoundaryNoiseSamples(KNNet net, PetscInt first, PetscInt count, PetscInt total)
{
  PetscFunctionBegin;
  PetscCheck(first >= 0 && count >= 0 && count <= net->B && (first + count <= total || (total == 0 && first == 0)), net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Samples %" PetscInt_FMT " .. %" PetscInt_FMT " of a batch of %" PetscInt_FMT " make no slice of a net batch of %" PetscInt_FMT, first, first + count - 1, total, net->B);
  net->noise_first = first, net->noise_total = total, net->noise_count = total ? count : net->B;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetForward - pushes a mini-batch through every layer

  Collective

  Input Parameters:
+ net - the net
. nin - features per sample; they set nodes 1..nin of the first layer, other nodes start at 0 V
. in - B*nin values, sample-major (in[b*nin + k]), the same on every rank
- reverse - PETSC_TRUE to traverse the layers last to first, each integrated backwards in time (flows: data -> base)

  Notes:
  The start state of each layer is kept for KNNetBackward(); after KNNetSetSaveTrajectory() the layers' trajectories
  are kept too, as far as the adjoint memory allows (KNNetSetAdjointMemory()), so that KNNetBackward() need not
  integrate them again.

  Level: beginner
@*/
PetscErrorCode KNNetForward(KNNet net, PetscInt nin, const PetscReal in[], PetscBool reverse)
{
  PetscFunctionBegin;
  PetscCheck(net->setupcalled, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNNetSetUp() first");
  net->reverse = reverse;
  net->nin     = nin;
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitSetReverse(net->layer[i], reverse));
  PetscCall(SetInput(net, net->X0[SweepLayer(net, 0)], nin, in));
  for (PetscInt k = 0; k < net->D; k++) {
    PetscInt i = SweepLayer(net, k);
    Vec      Y = net->Y[i];

    PetscCall(VecCopy(net->X0[i], Y));
    PetscCall(KNNetSolveLayer_Private(net, i, Y));
    if (k + 1 < net->D) {
      PetscInt   j  = SweepLayer(net, k + 1);
      VecScatter sc = NULL;

      PetscCall(GetTransition(net, i, j, &sc));
      PetscCall(VecZeroEntries(net->X0[j]));
      PetscCall(VecScatterBegin(sc, Y, net->X0[j], INSERT_VALUES, SCATTER_FORWARD));
      PetscCall(VecScatterEnd(sc, Y, net->X0[j], INSERT_VALUES, SCATTER_FORWARD));
      if (net->noise_sigma > 0) PetscCall(AddBoundaryNoise(net, j));
    } else net->final_layer = i;
  }
  net->noise_draw++;
  net->forward_done = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Gathers node voltages of the final state into out[b*K + k] on every rank (an exact sum: one owner per entry). */
static PetscErrorCode GatherNodes(KNNet net, Vec X, PetscInt K, const PetscInt nodes[], PetscReal out[])
{
  KNCircuit        c = net->layer[net->final_layer];
  PetscInt         lo, hi, N;
  const PetscReal *x;

  PetscFunctionBegin;
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(VecGetOwnershipRange(X, &lo, &hi));
  PetscCall(PetscArrayzero(out, K * net->B));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt k = 0; k < K; k++) {
    PetscInt j = nodes ? nodes[k] : k + 1, idx;
    PetscCheck(j >= 1 && j <= N, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Readout node %" PetscInt_FMT " is not a node of the final layer (1..%" PetscInt_FMT ")", j, N);
    PetscCall(KNCircuitGetNodeStateIndex(c, j, &idx));
    if (idx < lo || idx >= hi) continue; /* another rank owns it */
    for (PetscInt b = 0; b < net->B; b++) out[b * K + k] = x[idx - lo + b];
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, out, (PetscMPIInt)(K * net->B), MPIU_REAL, MPIU_SUM, net->comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetOutput - the readout voltages after KNNetForward(): out[b*K + k], the same on every rank

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetGetOutput(KNNet net, PetscReal out[])
{
  PetscFunctionBegin;
  PetscCheck(net->forward_done, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNNetForward() first");
  PetscCall(GatherNodes(net, net->Y[net->final_layer], net->nread, net->readout, out));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetFinalVoltages - all node voltages of the final layer after KNNetForward(): *v[b*N + j-1] (free with PetscFree())

  Collective

  Level: intermediate
@*/
PetscErrorCode KNNetGetFinalVoltages(KNNet net, PetscInt *N, PetscReal **v)
{
  PetscFunctionBegin;
  PetscCheck(net->forward_done, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNNetForward() first");
  PetscCall(KNCircuitGetSizes(net->layer[net->final_layer], N, NULL, NULL));
  PetscCall(PetscMalloc1(*N * net->B, v));
  PetscCall(GatherNodes(net, net->Y[net->final_layer], *N, NULL, *v));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetLogDensity - the accumulated log-density entry of each sample (flows): logp[b] = -int tr(df/dv) dt over
  the sweep's own time direction: after a forward sweep -int tr J dt; after a reversed sweep (each layer solved
  backwards) +int tr J dt

  Collective

  Level: intermediate
@*/
PetscErrorCode KNNetGetLogDensity(KNNet net, PetscReal logp[])
{
  const PetscReal *x;
  PetscInt         idx, start;

  PetscFunctionBegin;
  PetscCheck(net->forward_done && net->flow, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Needs a flow net (KNNetSetFlow()) after KNNetForward()");
  if (net->rank == 0) {
    PetscCall(KNCircuitGetLogDensityIndex(net->layer[net->final_layer], &idx));
    PetscCall(VecGetOwnershipRange(net->Y[net->final_layer], &start, NULL));
    PetscCall(VecGetArrayRead(net->Y[net->final_layer], &x));
    PetscCall(PetscArraycpy(logp, x + idx - start, net->B));
    PetscCall(VecRestoreArrayRead(net->Y[net->final_layer], &x));
  }
  PetscCallMPI(MPI_Bcast(logp, (PetscMPIInt)net->B, MPIU_REAL, 0, net->comm));
  PetscFunctionReturn(KN_SUCCESS);
}
