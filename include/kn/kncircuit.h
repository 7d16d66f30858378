/* KNCircuit: ONE layer of a KirchhoffNet = one PETSc TS over a distributed, batch-stacked state. */
#pragma once

#include <petscts.h>
#include <kn/kngraph.h>
#include <kn/kndevice.h>

/*S
  KNCircuit - the ODE  C_j dv_j/dt = sum_{e: d_e = j} g_e - sum_{e: s_e = j} g_e  of one layer, for a mini-batch
  of B samples, integrated over [0, T] by a PETSc TS, with exact discrete adjoints (TSAdjointSolve).

  State layout (a "state Vec", see KNCircuitCreateStateVec()): on each rank
    [ v of owned nodes, node-major, batch innermost | logp (B entries, rank 0, flows only) | theta of owned edges (state mode only) ]
  dL/dtheta comes from TSSetRHSJacobianP where PETSc computes it correctly, and otherwise (RK tableaus with a
  zero weight, such as 5dp, in PETSc < 3.21.4) from parameters riding in the state with dtheta/dt = 0
  (-kn_adjoint_params auto|state|jacobianp).

  Parameters are ordered by owner: an edge is owned by the owner of its destination (its source if the
  destination is ground). Use KNCircuitParametersToGraphOrder() to get the graph's (file) edge order.
S*/
typedef struct _p_KNCircuit *KNCircuit;

typedef enum {
  KN_JACOBIAN_SHELL, /* matrix-free, fused J^T w and Jp^T w in one edge pass: explicit RK adjoints */
  KN_JACOBIAN_AIJ    /* COO-assembled MPIAIJ, needed by implicit TS types (beuler, cn) */
} KNJacobianType;
PETSC_EXTERN const char *const KNJacobianTypes[];

typedef enum {
  KN_ADJOINT_PARAMS_AUTO,     /* jacobianp when the TS handles it correctly, else state */
  KN_ADJOINT_PARAMS_STATE,    /* theta rides in the state with dtheta/dt = 0: right for every tableau, more memory */
  KN_ADJOINT_PARAMS_JACOBIANP /* TSSetRHSJacobianP: no theta in the state or trajectory; wrong in PETSc < 3.21.4 for RK tableaus with a zero weight */
} KNAdjointParamsType;
PETSC_EXTERN const char *const KNAdjointParamsTypes[];

typedef enum {
  KN_PARTITION_CONTIGUOUS, /* rank r owns a contiguous range of node ids */
  KN_PARTITION_PTSCOTCH    /* PETSc MatPartitioning (PT-Scotch) on the node graph, balancing edges per rank */
} KNPartitionType;
PETSC_EXTERN const char *const KNPartitionTypes[];

typedef struct {
  PetscInt steps, rejects, rhs_evals, jac_evals, jact_mults;
  PetscInt jact_kept; /* the J^T products among jact_mults that read the law values kept by the forward solve */
} KNCircuitStats;

PETSC_EXTERN PetscErrorCode KNCircuitCreate(MPI_Comm, KNCircuit *);
PETSC_EXTERN PetscErrorCode KNCircuitDestroy(KNCircuit *);
PETSC_EXTERN PetscErrorCode KNCircuitSetGraph(KNCircuit, KNGraph);
PETSC_EXTERN PetscErrorCode KNCircuitGetGraph(KNCircuit, KNGraph *);
PETSC_EXTERN PetscErrorCode KNCircuitSetDevice(KNCircuit, KNDevice);
PETSC_EXTERN PetscErrorCode KNCircuitGetDevice(KNCircuit, KNDevice *);
PETSC_EXTERN PetscErrorCode KNCircuitSetBatchSize(KNCircuit, PetscInt);
PETSC_EXTERN PetscErrorCode KNCircuitGetBatchSize(KNCircuit, PetscInt *);
PETSC_EXTERN PetscErrorCode KNCircuitSetDuration(KNCircuit, PetscReal);
PETSC_EXTERN PetscErrorCode KNCircuitGetDuration(KNCircuit, PetscReal *);
PETSC_EXTERN PetscErrorCode KNCircuitSetCapacitance(KNCircuit, PetscReal);
PETSC_EXTERN PetscErrorCode KNCircuitSetNodeCapacitances(KNCircuit, const PetscReal[]);
PETSC_EXTERN PetscErrorCode KNCircuitGetCapacitance(KNCircuit, PetscReal *, PetscBool *);
PETSC_EXTERN PetscErrorCode KNCircuitSetEdgeGains(KNCircuit, const PetscReal[]);
/* Fills gain[i] for the n graph edge ids gid[] (the edges one rank evaluates): KNCircuitSetEdgeGainsFunction(). */
typedef PetscErrorCode (*KNCircuitEdgeGainFn)(void *, PetscInt, const PetscInt[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNCircuitSetEdgeGainsFunction(KNCircuit, KNCircuitEdgeGainFn, void *);
PETSC_EXTERN PetscErrorCode KNCircuitSetHardwareScale(KNCircuit, PetscReal);
PETSC_EXTERN PetscErrorCode KNCircuitSetFlow(KNCircuit, PetscBool);
PETSC_EXTERN PetscErrorCode KNCircuitGetFlow(KNCircuit, PetscBool *);
PETSC_EXTERN PetscErrorCode KNCircuitSetReverse(KNCircuit, PetscBool);
PETSC_EXTERN PetscErrorCode KNCircuitSetJacobianType(KNCircuit, KNJacobianType);
PETSC_EXTERN PetscErrorCode KNCircuitSetPartitionType(KNCircuit, KNPartitionType);
PETSC_EXTERN PetscErrorCode KNCircuitSetAdjointParamsType(KNCircuit, KNAdjointParamsType);
PETSC_EXTERN PetscErrorCode KNCircuitGetAdjointParamsType(KNCircuit, KNAdjointParamsType *);
PETSC_EXTERN PetscErrorCode KNCircuitSetTrajectorySolutionOnly(KNCircuit, PetscBool);
PETSC_EXTERN PetscErrorCode KNCircuitPartitionView(KNCircuit, PetscViewer);
PETSC_EXTERN PetscErrorCode KNCircuitSetName(KNCircuit, const char[]);
PETSC_EXTERN PetscErrorCode KNCircuitSetOptionsPrefix(KNCircuit, const char[]);
PETSC_EXTERN PetscErrorCode KNCircuitSetFromOptions(KNCircuit);
PETSC_EXTERN PetscErrorCode KNCircuitSetUp(KNCircuit);
PETSC_EXTERN PetscErrorCode KNCircuitView(KNCircuit, PetscViewer);
PETSC_EXTERN PetscErrorCode KNCircuitGetTS(KNCircuit, TS *);

PETSC_EXTERN PetscErrorCode KNCircuitGetSizes(KNCircuit, PetscInt *, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNCircuitGetOwnedNodes(KNCircuit, PetscInt *, const PetscInt **);
PETSC_EXTERN PetscErrorCode KNCircuitGetLocalEdgeCounts(KNCircuit, PetscInt *, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNCircuitGetNodeStateIndex(KNCircuit, PetscInt, PetscInt *);
PETSC_EXTERN PetscErrorCode KNCircuitGetLogDensityIndex(KNCircuit, PetscInt *);
PETSC_EXTERN PetscErrorCode KNCircuitCreateStateVec(KNCircuit, Vec *);
PETSC_EXTERN PetscErrorCode KNCircuitCreateParameterVec(KNCircuit, Vec *);
PETSC_EXTERN PetscErrorCode KNCircuitCreateGraphOrderParameterVec(KNCircuit, Vec *);
PETSC_EXTERN PetscErrorCode KNCircuitSetParameters(KNCircuit, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitGetParameters(KNCircuit, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitParametersToGraphOrder(KNCircuit, Vec, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitParametersFromGraphOrder(KNCircuit, Vec, Vec);

PETSC_EXTERN PetscErrorCode KNCircuitComputeRHS(KNCircuit, Vec, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitComputeJacobianTranspose(KNCircuit, Vec, Vec, Vec, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitSolve(KNCircuit, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitSolveAdjoint(KNCircuit, Vec, Vec, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitSolveWithTrajectory(KNCircuit, Vec, PetscLogDouble, PetscBool *);
PETSC_EXTERN PetscErrorCode KNCircuitAdjointSolve(KNCircuit, Vec, Vec);
PETSC_EXTERN PetscErrorCode KNCircuitGetKeepLaw(KNCircuit, PetscBool *);
PETSC_EXTERN PetscErrorCode KNCircuitGetTrajectoryBytes(KNCircuit, PetscLogDouble *);
PETSC_EXTERN PetscErrorCode KNCircuitGetStats(KNCircuit, KNCircuitStats *);
PETSC_EXTERN PetscErrorCode KNCircuitGetThreads(KNCircuit, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNCircuitSetStepComm(KNCircuit, MPI_Comm);
PETSC_EXTERN PetscErrorCode KNCircuitSetInterrupt(KNCircuit, PetscErrorCode (*)(void *, PetscBool *), void *);

/* Step-size controllers with the error norm over all data groups (registered by KNInitializePackage()):
   basic's rules, and torchdiffeq dopri5's (the circuit's default). */
#define KNTSADAPTGROUPS "kngroups"
#define KNTSADAPTDOPRI  "kndopri"
PETSC_EXTERN PetscErrorCode KNTSAdaptCreate_Groups(TSAdapt);
PETSC_EXTERN PetscErrorCode KNTSAdaptCreate_Dopri(TSAdapt);
PETSC_EXTERN PetscErrorCode KNTSAdaptGroupsSetComm(TSAdapt, MPI_Comm);
