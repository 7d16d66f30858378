/* KNCircuit object: life cycle, setters, options, viewing. */
#include "circuitimpl.h"
#include "sys/knoptions.h"

const char *const KNJacobianTypes[]      = {"shell", "aij", "KNJacobianType", "KN_JACOBIAN_", NULL};
const char *const KNAdjointParamsTypes[] = {"auto", "state", "jacobianp", "KNAdjointParamsType", "KN_ADJOINT_PARAMS_", NULL};

/*@
  KNCircuitCreate - creates a circuit layer: one TS problem on a communicator whose ranks split the nodes.

  Collective

  Input Parameter:
. comm - the communicator of the layer (the ranks of one data group)

  Output Parameter:
. c - the circuit; set graph, device and batch size, then KNCircuitSetUp()

  Level: beginner

.seealso: KNCircuitSetGraph(), KNCircuitSetDevice(), KNCircuitSolve(), KNCircuitSolveAdjoint()
@*/
PetscErrorCode KNCircuitCreate(MPI_Comm comm, KNCircuit *c)
{
  KNCircuit n;

  PetscFunctionBegin;
  KNAssertPointer(c, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&n));
  n->comm    = comm;
  n->B       = 1;
  n->T       = 1.0;
  n->cap     = 1.0;
  n->hw_scale = 1.0;
  n->law.use  = PETSC_TRUE; /* keep the law values for the adjoint (lawtape.c) where the law has keep kernels */
  n->jactype = KN_JACOBIAN_SHELL;
  n->stepcomm = MPI_COMM_NULL;
  PetscCallMPI(MPI_Comm_rank(comm, &n->rank));
  PetscCallMPI(MPI_Comm_size(comm, &n->size));
  *c = n;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitDestroy - destroys a circuit

  Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitDestroy(KNCircuit *c)
{
  PetscFunctionBegin;
  if (!*c) PetscFunctionReturn(KN_SUCCESS);
  if ((*c)->setupcalled) PetscCall(KNCircuitDestroyLayout_Private(*c));
  PetscCall(TSDestroy(&(*c)->ts));
  PetscCall(MatDestroy(&(*c)->J));
  PetscCall(MatDestroy(&(*c)->Jp));
  PetscCall(VecDestroy(&(*c)->vatol));
  PetscCall(VecDestroy(&(*c)->vrtol));
  PetscCall(VecDestroy(&(*c)->fs0));
  PetscCall(VecDestroy(&(*c)->fs1));
  PetscCall(PetscFree((*c)->coo_v));
  PetscCall(KNCircuitLawTapeFree_Private(*c));
  PetscCall(KNGraphDestroy(&(*c)->graph));
  PetscCall(KNDeviceDestroy(&(*c)->device));
  PetscCall(PetscFree((*c)->node_cap));
  PetscCall(PetscFree((*c)->prefix));
  PetscCall(PetscFree((*c)->name));
  PetscCall(PetscFree(*c));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetGraph - sets the topology; the circuit keeps a reference (the caller may destroy its handle)

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitSetGraph(KNCircuit c, KNGraph g)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  PetscCall(KNGraphReference(g)); /* before releasing the old one: g may be the graph already held */
  PetscCall(KNGraphDestroy(&c->graph));
  c->graph = g;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetGraph(KNCircuit c, KNGraph *g)
{
  PetscFunctionBegin;
  *g = c->graph;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetDevice - sets the device law of every edge; the circuit keeps a reference

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitSetDevice(KNCircuit c, KNDevice d)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  PetscCall(KNDeviceReference(d));
  PetscCall(KNDeviceDestroy(&c->device));
  c->device = d;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetDevice(KNCircuit c, KNDevice *d)
{
  PetscFunctionBegin;
  *d = c->device;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetBatchSize - number of samples integrated together (one state Vec, shared step sizes)

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitSetBatchSize(KNCircuit c, PetscInt B)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  PetscCheck(B >= 1, c->comm, PETSC_ERR_ARG_OUTOFRANGE, "Batch size must be at least 1, got %" PetscInt_FMT, B);
  c->B = B;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetBatchSize(KNCircuit c, PetscInt *B)
{
  PetscFunctionBegin;
  *B = c->B;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetDuration - the layer integrates over [0, T]

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitSetDuration(KNCircuit c, PetscReal T)
{
  PetscFunctionBegin;
  PetscCheck(T > 0, c->comm, PETSC_ERR_ARG_OUTOFRANGE, "Layer duration T must be positive, got %g", (double)T);
  c->T = T;
  if (c->ts) PetscCall(TSSetMaxTime(c->ts, T));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetDuration(KNCircuit c, PetscReal *T)
{
  PetscFunctionBegin;
  *T = c->T;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetPartitionType - how the nodes are split over the ranks

  Logically Collective

  Options Database Keys:
+ -kn_partition <contiguous,ptscotch> - the partitioner
- -kn_partition_view - print cut edges, ghosts and edge balance after set-up

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetPartitionType(KNCircuit c, KNPartitionType type)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  c->partition = type;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetAdjointParamsType - how dL/dtheta is obtained from TSAdjoint

  Logically Collective

  Options Database Key:
. -kn_adjoint_params <auto,state,jacobianp> - auto (default) uses jacobianp unless the RK tableau has a zero weight

  Notes:
  jacobianp keeps the parameters out of the state and the trajectory (much less memory when E*rows >> N*B);
  state is right for every tableau on PETSc < 3.21.4, where TSRK drops the Jp^T products of zero-weight stages.

  Level: advanced
@*/
PetscErrorCode KNCircuitSetAdjointParamsType(KNCircuit c, KNAdjointParamsType type)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  c->adjparams = type;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetAdjointParamsType - state or jacobianp, as resolved at set-up (auto before)

  Not Collective

  Level: advanced
@*/
PetscErrorCode KNCircuitGetAdjointParamsType(KNCircuit c, KNAdjointParamsType *type)
{
  PetscFunctionBegin;
  *type = c->setupcalled ? (c->augmented ? KN_ADJOINT_PARAMS_STATE : KN_ADJOINT_PARAMS_JACOBIANP) : c->adjparams;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetTrajectorySolutionOnly - keep only the state of each step in the adjoint's trajectory and recompute
  the stages during the adjoint (one more RHS sweep per step), instead of the state and every stage

  Logically Collective

  Options Database Key:
. -kn_trajectory_solution_only - the memory saver (default false)

  Notes:
  The trajectory then holds one state per step instead of the state and its stages (RK4, measured: 8 instead of
  32 bytes per node and sample per step), for a 15-35% longer training step. PETSc < 3.21.5 recomputes the stages of FSAL tableaus (rk 3bs, 5dp, 5bs) wrongly, so these are
  refused at set-up; rk 1fe, 2a, 3, 4 and beuler, cn, theta give the same gradients as the full trajectory.
  -ts_trajectory_solution_only is ignored: this option is the checked one.

  Level: advanced
@*/
PetscErrorCode KNCircuitSetTrajectorySolutionOnly(KNCircuit c, PetscBool flg)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  c->solution_only = flg;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitPartitionView - cut edges, ghost nodes per rank and edge balance of the partition

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitPartitionView(KNCircuit c, PetscViewer viewer)
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(c->comm, &viewer));
  PetscCall(KNCircuitPartitionView_Private(c, viewer));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetJacobianType - matrix-free shell (explicit RK adjoints) or COO-assembled AIJ (implicit TS types)

  Logically Collective

  Options Database Key:
. -kn_jacobian <shell,aij> - the Jacobian representation

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetJacobianType(KNCircuit c, KNJacobianType type)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  c->jactype = type;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitSetName(KNCircuit c, const char name[])
{
  PetscFunctionBegin;
  PetscCall(PetscFree(c->name));
  PetscCall(PetscStrallocpy(name, &c->name));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitSetOptionsPrefix(KNCircuit c, const char prefix[])
{
  PetscFunctionBegin;
  PetscCall(PetscFree(c->prefix));
  PetscCall(PetscStrallocpy(prefix, &c->prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetFromOptions - reads the circuit options; the TS reads its -ts_* options in KNCircuitSetUp()

  Collective

  Options Database Keys:
+ -kn_jacobian <shell,aij> - Jacobian representation (aij is required by -ts_type beuler, cn, theta)
. -kn_trajectory_solution_only - adjoint trajectory with only the state per step (see KNCircuitSetTrajectorySolutionOnly())
. -kn_adjoint_keep_law <true> - a kept trajectory also keeps the law values of its stages (tanh laws), so that the adjoint does
  not evaluate the law again; they share the trajectory's byte limit and give way to it; the gradients are the same bits
. -kn_capacitance <C> - capacitance of every node
- -kn_hw_scale <a> - hardware scale of capacitance and time (paper Eq. 9)

  Level: beginner
@*/
PetscErrorCode KNCircuitSetFromOptions(KNCircuit c)
{
  PetscReal cap = c->cap, a = c->hw_scale;
  PetscBool set, aset;

  PetscFunctionBegin;
  PetscOptionsBegin(c->comm, c->prefix, "KirchhoffNet circuit layer options", "KNCircuit");
  PetscCall(PetscOptionsEnum("-kn_jacobian", "Jacobian representation", "KNCircuitSetJacobianType", KNJacobianTypes, (PetscEnum)c->jactype, (PetscEnum *)&c->jactype, NULL));
  PetscCall(PetscOptionsEnum("-kn_adjoint_params", "How dL/dtheta is computed: auto, state (theta in the state), jacobianp (TSSetRHSJacobianP)", "KNCircuitSetAdjointParamsType", KNAdjointParamsTypes, (PetscEnum)c->adjparams, (PetscEnum *)&c->adjparams, NULL));
  PetscCall(PetscOptionsBool("-kn_adjoint_keep_law", "Keep the law values (tanh) of the forward stages for the adjoint, within the trajectory's byte limit (-kn_adjoint_memory)", "KNCircuitSetFromOptions", c->law.use, &c->law.use, NULL));
  PetscCall(PetscOptionsBool("-kn_trajectory_solution_only", "Adjoint trajectory keeps only v per step, stages recomputed (much less memory; not with FSAL rk 3bs, 5dp, 5bs)", "KNCircuitSetTrajectorySolutionOnly", c->solution_only, &c->solution_only, NULL));
  PetscCall(PetscOptionsEnum("-kn_partition", "Node partitioner", "KNCircuitSetPartitionType", KNPartitionTypes, (PetscEnum)c->partition, (PetscEnum *)&c->partition, NULL));
  PetscCall(PetscOptionsBool("-kn_partition_view", "Print cut edges, ghosts and edge balance after set-up", "KNCircuitPartitionView", c->partition_view, &c->partition_view, NULL));
  PetscCall(PetscOptionsReal("-kn_capacitance", "Capacitance of every node", "KNCircuitSetCapacitance", cap, &cap, &set));
  PetscCall(PetscOptionsReal("-kn_hw_scale", "Hardware scale a of paper Eq. (9): capacitance and time times a", "KNCircuitSetHardwareScale", a, &a, &aset));
  PetscOptionsEnd();
  if (set) PetscCall(KNCircuitSetCapacitance(c, cap));
  if (aset) PetscCall(KNCircuitSetHardwareScale(c, a));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetUp - partitions the nodes, orders the edges, builds scatters and the TS

  Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitSetUp(KNCircuit c)
{
  PetscFunctionBegin;
  if (c->setupcalled) PetscFunctionReturn(KN_SUCCESS);
  PetscCheck(c->graph, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Circuit %s has no graph: call KNCircuitSetGraph()", c->name ? c->name : "");
  PetscCheck(c->device, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Circuit %s has no device law: call KNCircuitSetDevice()", c->name ? c->name : "");
  PetscCall(KNCircuitCreateTS_Private(c));
  PetscCall(KNCircuitSetUpLayout_Private(c));
  c->setupcalled = PETSC_TRUE;
  PetscCall(KNCircuitSetUpTS_Private(c));
  if (c->partition_view) PetscCall(KNCircuitPartitionView(c, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitView - prints sizes, partition, device and solver

  Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitView(KNCircuit c, PetscViewer viewer)
{
  KNDeviceType dtype;

  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(c->comm, &viewer));
  PetscCall(KNDeviceGetType(c->device, &dtype));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNCircuit %s: %" PetscInt_FMT " nodes, %" PetscInt_FMT " edges, device %s (%" PetscInt_FMT " parameters per edge), T = %g, batch %" PetscInt_FMT "%s%s, Jacobian %s\n", c->name ? c->name : "", c->N, c->E, dtype, c->rows, (double)c->T, c->B, c->flow ? ", flow" : "", c->reverse ? ", reversed" : "", KNJacobianTypes[c->jactype]));
  if (c->setupcalled) {
    PetscCall(KNCircuitPartitionView_Private(c, viewer));
    PetscCall(KNCircuitPanelsView_Private(c, viewer));
    {
      TSType      type;
      TSAdapt     adapt;
      TSAdaptType atype;
      PetscReal   atol, rtol;
      char        first[64];

      PetscCall(TSGetType(c->ts, &type));
      PetscCall(TSGetTolerances(c->ts, &atol, NULL, &rtol, NULL));
      PetscCall(TSGetAdapt(c->ts, &adapt));
      PetscCall(TSAdaptGetType(adapt, &atype));
      if (c->auto_dt) PetscCall(PetscStrncpy(first, "automatic (Hairer's rule)", sizeof(first)));
      else PetscCall(PetscSNPrintf(first, sizeof(first), "%g", (double)c->dt0));
      PetscCall(PetscViewerASCIIPrintf(viewer, "  TS %s, step control %s, first dt %s, rtol %g, atol %g, dL/dtheta via %s (-ts_view for details)\n", type, atype, first, (double)rtol, (double)atol, c->augmented ? "parameters in the state" : "TSSetRHSJacobianP"));
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetTS(KNCircuit c, TS *ts)
{
  PetscFunctionBegin;
  *ts = c->ts;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetSizes - number of nodes N, edges E and parameters per edge

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitGetSizes(KNCircuit c, PetscInt *N, PetscInt *E, PetscInt *rows)
{
  PetscFunctionBegin;
  if (N) PetscCall(KNGraphGetSizes(c->graph, N, NULL));
  if (E) PetscCall(KNGraphGetSizes(c->graph, NULL, E));
  if (rows) PetscCall(KNDeviceGetNumParameters(c->device, rows));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetOwnedNodes - the (original) ids of the nodes this rank owns, in state order

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitGetOwnedNodes(KNCircuit c, PetscInt *n, const PetscInt **ids)
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  *n   = c->nown;
  *ids = c->owned_ids;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetLocalEdgeCounts - this rank's share of the edges: owned (parameters held here) and evaluated (every
  edge touching an owned node, self-loops excluded), and the number of ghost nodes

  Not Collective

  Output Parameters:
+ nowned     - edges owned by this rank (may be NULL)
. nevaluated - edges this rank evaluates (may be NULL)
- nghost     - ghost nodes (may be NULL)

  Notes:
  The set-up memory of a layer is O(nevaluated + N) per rank; no rank holds the whole edge list.

  Level: intermediate
@*/
PetscErrorCode KNCircuitGetLocalEdgeCounts(KNCircuit c, PetscInt *nowned, PetscInt *nevaluated, PetscInt *nghost)
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  if (nowned) *nowned = c->nown_edges;
  if (nevaluated) *nevaluated = c->le.n;
  if (nghost) *nghost = c->nghost;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetStats(KNCircuit c, KNCircuitStats *stats)
{
  PetscFunctionBegin;
  *stats = c->stats;
  PetscFunctionReturn(KN_SUCCESS);
}
