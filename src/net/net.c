/* KNNet object: layers, options, parameters. */
#include "netimpl.h"
#include "sys/knoptions.h"

/*@
  KNNetCreate - creates an empty KirchhoffNet; add layers with KNNetAddLayer()

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetCreate(MPI_Comm comm, KNNet *net)
{
  KNNet n;

  PetscFunctionBegin;
  KNAssertPointer(net, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&n));
  n->comm = comm;
  n->B    = 1;
  n->cap  = 1.0;
  PetscCallMPI(MPI_Comm_rank(comm, &n->rank));
  PetscCall(KNGetNodeMemoryShare(comm, &n->adjoint_memory));
  n->adjoint_memory /= 4; /* kept trajectories may take a quarter of this rank's share of the node */
  *net = n;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetDestroy - destroys a net and its layers

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetDestroy(KNNet *net)
{
  KNNet n = *net;

  PetscFunctionBegin;
  if (!n) PetscFunctionReturn(KN_SUCCESS);
  for (PetscInt i = 0; i < n->D; i++) {
    PetscCall(KNCircuitDestroy(&n->layer[i]));
    if (n->setupcalled) {
      PetscCall(VecDestroy(&n->X0[i]));
      PetscCall(VecDestroy(&n->Lam[i]));
      PetscCall(VecDestroy(&n->Y[i]));
      PetscCall(VecDestroy(&n->ptheta[i]));
      PetscCall(VecScatterDestroy(&n->next[i]));
      PetscCall(VecScatterDestroy(&n->prev[i]));
    }
  }
  if (n->setupcalled) PetscCall(PetscFree7(n->X0, n->Lam, n->Y, n->ptheta, n->next, n->prev, n->poff));
  PetscCall(PetscFree(n->kept));
  PetscCall(PetscFree(n->layer));
  PetscCall(PetscFree(n->readout));
  PetscCall(PetscFree(n->prefix));
  PetscCall(PetscFree(n));
  *net = NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetAddLayer - appends a layer with the given topology, device law and duration T

  Collective

  Level: beginner
@*/
PetscErrorCode KNNetAddLayer(KNNet net, KNGraph g, KNDevice d, PetscReal T)
{
  KNCircuit c;
  char      name[32];

  PetscFunctionBegin;
  PetscCheck(!net->setupcalled, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Cannot add layers after KNNetSetUp()");
  if (net->D == net->maxD) {
    KNCircuit *l;
    net->maxD = net->maxD ? 2 * net->maxD : 4;
    PetscCall(PetscCalloc1(net->maxD, &l));
    if (net->D) PetscCall(PetscArraycpy(l, net->layer, net->D));
    PetscCall(PetscFree(net->layer));
    net->layer = l;
  }
  PetscCall(KNCircuitCreate(net->comm, &c));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%" PetscInt_FMT, net->D));
  PetscCall(KNCircuitSetName(c, name));
  PetscCall(KNCircuitSetGraph(c, g));
  PetscCall(KNCircuitSetDevice(c, d));
  PetscCall(KNCircuitSetDuration(c, T));
  if (net->prefix) PetscCall(KNCircuitSetOptionsPrefix(c, net->prefix)); /* a layer added after the prefix reads it too */
  net->layer[net->D++] = c;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetGetNumLayers(KNNet net, PetscInt *D)
{
  PetscFunctionBegin;
  *D = net->D;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetGetLayer(KNNet net, PetscInt i, KNCircuit *c)
{
  PetscFunctionBegin;
  PetscCheck(i >= 0 && i < net->D, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Layer %" PetscInt_FMT " does not exist: the net has %" PetscInt_FMT " layers", i, net->D);
  *c = net->layer[i];
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetGetComm(KNNet net, MPI_Comm *comm)
{
  PetscFunctionBegin;
  *comm = net->comm;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetBatchSize - number of samples pushed through the net together

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNNetSetBatchSize(KNNet net, PetscInt B)
{
  PetscFunctionBegin;
  PetscCheck(!net->setupcalled, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Cannot change the batch size after KNNetSetUp()");
  PetscCheck(B >= 1, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Batch size must be at least 1, got %" PetscInt_FMT, B);
  net->B = B;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetGetBatchSize(KNNet net, PetscInt *B)
{
  PetscFunctionBegin;
  *B = net->B;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetFlow - every layer carries a log-density entry per sample (continuous normalizing flows)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNNetSetFlow(KNNet net, PetscBool flow)
{
  PetscFunctionBegin;
  PetscCheck(!net->setupcalled, net->comm, PETSC_ERR_ARG_WRONGSTATE, "Cannot change flow mode after KNNetSetUp()");
  net->flow = flow;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetCapacitance - node capacitance of every layer (default 1)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNNetSetCapacitance(KNNet net, PetscReal C)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitSetCapacitance(net->layer[i], C));
  net->cap = C;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetStepComm - joins the data groups of a KNGrid for every layer: adaptive steps are chosen from the error of
  the whole mini-batch, over all groups (KNCircuitSetStepComm())

  Logically Collective

  Input Parameters:
+ net - the net, with its layers added
- comm - one rank of each group in group order (KNGridGetAcrossComm()), or MPI_COMM_NULL

  Level: developer

.seealso: KNCircuitSetStepComm(), KNGridGetAcrossComm()
@*/
PetscErrorCode KNNetSetStepComm(KNNet net, MPI_Comm comm)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitSetStepComm(net->layer[i], comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetSetInterrupt - the interrupt callback of every layer (KNCircuitSetInterrupt()): a forward or backward sweep under
  way stops within a few steps of the layer being solved when fn says stop on any rank, and raises KN_ERR_INTERRUPTED

  Logically Collective

  Input Parameters:
+ net - the net, with its layers added
. fn - fn(ctx, &stop), not collective; NULL: none
- ctx - its argument

  Level: intermediate

.seealso: KNCircuitSetInterrupt(), KNNetForward(), KNNetBackward()
@*/
PetscErrorCode KNNetSetInterrupt(KNNet net, PetscErrorCode (*fn)(void *, PetscBool *), void *ctx)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitSetInterrupt(net->layer[i], fn, ctx));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetReadout - the output is the final voltages of these node ids (1-based) of the final layer

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNNetSetReadout(KNNet net, PetscInt K, const PetscInt nodes[])
{
  PetscFunctionBegin;
  PetscCheck(K >= 1, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Readout needs at least one node, got %" PetscInt_FMT, K);
  PetscCall(PetscFree(net->readout));
  PetscCall(PetscMalloc1(K, &net->readout));
  PetscCall(PetscArraycpy(net->readout, nodes, K));
  net->nread        = K;
  net->readout_last = PETSC_FALSE;
  if (net->setupcalled) PetscCall(KNNetSetUpReadout_Private(net));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetReadoutLast - the output is the voltages of the last K nodes of the final layer (e.g. 10 logits)

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNNetSetReadoutLast(KNNet net, PetscInt K)
{
  PetscFunctionBegin;
  PetscCheck(K >= 1, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "Readout needs at least one node, got %" PetscInt_FMT, K);
  PetscCall(PetscFree(net->readout));
  net->nread        = K;
  net->readout_last = PETSC_TRUE;
  if (net->setupcalled) PetscCall(KNNetSetUpReadout_Private(net));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetGetReadout - the readout size and node ids (valid after KNNetSetUp())

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNNetGetReadout(KNNet net, PetscInt *K, const PetscInt **nodes)
{
  PetscFunctionBegin;
  if (K) *K = net->nread;
  if (nodes) *nodes = net->readout;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNNetSetOptionsPrefix(KNNet net, const char prefix[])
{
  PetscFunctionBegin;
  PetscCall(PetscFree(net->prefix));
  PetscCall(PetscStrallocpy(prefix, &net->prefix));
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitSetOptionsPrefix(net->layer[i], prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNNetSetFromOptions - reads the net options and applies the circuit options (-kn_jacobian, -kn_capacitance) and, at set-up, the -ts_* options to every layer

  Collective

  Options Database Keys:
+ -kn_readout_last <K> - the output is the last K node voltages of the final layer
. -kn_adjoint_memory <MiB> - what the trajectories kept from the loss pass may hold per rank (KNNetSetAdjointMemory())
- -kn_threads <n> - threads per rank for the edge loops of layers set up afterwards (KNSetNumThreads())

  Level: beginner
@*/
PetscErrorCode KNNetSetFromOptions(KNNet net)
{
  PetscInt  K = net->nread, threads;
  PetscReal mib = net->adjoint_memory / 1048576.0;
  PetscBool set, mset, tset;

  PetscFunctionBegin;
  PetscOptionsBegin(net->comm, net->prefix, "KirchhoffNet network options", "KNNet");
  PetscCall(PetscOptionsInt("-kn_readout_last", "Read out the last K nodes of the final layer (default: all nodes)", "KNNetSetReadoutLast", K, &K, &set));
  PetscCall(PetscOptionsReal("-kn_adjoint_memory", "MiB per rank the trajectories kept from the loss pass may hold; a layer that does not fit is integrated again for its adjoint (0: always; default a quarter of the rank's share of the node)", "KNNetSetAdjointMemory", mib, &mib, &mset));
  PetscCall(KNGetNumThreads(&threads, NULL));
  PetscCall(PetscOptionsInt("-kn_threads", "Threads per rank for the edge loops (default: the process's cores / ranks on the node, or OMP_NUM_THREADS; results do not depend on it)", "KNSetNumThreads", threads, &threads, &tset));
  PetscOptionsEnd();
  if (tset) PetscCall(KNSetNumThreads(threads));
  if (set) PetscCall(KNNetSetReadoutLast(net, K));
  if (mset) {
    PetscCheck(mib >= 0 && !PetscIsInfOrNanReal(mib), net->comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_adjoint_memory must be a finite number of MiB >= 0, got %g", (double)mib);
    PetscCall(KNNetSetAdjointMemory(net, mib * 1048576.0));
  }
  for (PetscInt i = 0; i < net->D; i++) PetscCall(KNCircuitSetFromOptions(net->layer[i]));
  PetscFunctionReturn(KN_SUCCESS);
}
