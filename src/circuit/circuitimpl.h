/* Private KNCircuit data: partition, local edge slots, ghost scatters, TS. */
#pragma once

#include <kn/kncircuit.h>
#include "sys/knlanes.h"

/*
  Local edge slots. A rank evaluates every edge that touches a node it owns ("local edges"), in global
  circuit order, so each owned node accumulates its currents in the same order on any number of ranks.
  - in_s/in_d index the local voltage array lv = [owned nodes | ghost nodes | ground (zeros)], B values each.
  - out_s/out_d index the local output array = [owned nodes | sink]; a non-owned endpoint writes to the sink.
  - par is the edge's index in the owned parameter block, or nown_edges (a sink) for an edge owned elsewhere.
*/
typedef struct {
  PetscInt  n;
  PetscInt *in_s, *in_d, *out_s, *out_d, *par;
  PetscInt *circ;  /* global circuit index of each local edge */
  PetscInt *gid;   /* global graph (file order) index of each local edge */
  PetscReal *theta; /* n*rows parameter copy (owned and foreign edges) */
  PetscReal *gain;  /* per-edge current gain (device mismatch), NULL = 1: the fused kernels need it absent */
} KNLocalEdges;

/* Sample panels. The edge loops split the batch into fixed sample ranges (the split depends on B alone), each run by
   one thread into its own kernel scratch and parameter sums; the sums are added in panel order, so the bits do not
   depend on the number of threads (KN_PANELS, in knsys.h, is also the most threads a rank uses).
   The local buffers are panel-major: panel p's rows of lv, lw, lvJ and fbuf form one block of rows of ld entries,
   blocks apart by a cache line, so two threads never write, nor prefetch, each other's lines. */
typedef struct {
  PetscInt   b0, nb; /* samples b0 .. b0 + nb - 1 */
  PetscInt   lvoff;  /* start of the panel's block in lv, lw and lvJ: nown + nghost + 1 slots (ground last) of ld */
  PetscInt   foff;   /* start of its block in fbuf: nown + 1 rows (the sink last) of ld */
  PetscReal *ebuf;   /* kernel scratch of those samples */
  PetscReal *trace;  /* their partial traces (flow RHS), nb */
  PetscReal *gbuf;   /* their parameter sums, (nown_edges + 1) * rows; panel 0 uses the circuit's gbuf */
} KNPanel;

struct _p_KNCircuit {
  MPI_Comm       comm;
  PetscMPIInt    rank, size;
  char          *prefix, *name;
  KNGraph        graph;
  KNDevice       device;
  const KNDeviceKernels *kern;
  PetscInt       N, E, rows, B;
  PetscReal      T, cap;
  PetscReal      hw_scale; /* paper Eq. (9): capacitances and time both scaled by a, voltages unchanged */
  PetscReal     *node_cap; /* N entries (replicated) or NULL for the uniform cap */
  PetscBool      flow, reverse, setupcalled;
  KNJacobianType jactype;
  KNPartitionType partition;
  KNAdjointParamsType adjparams;
  PetscBool      augmented; /* theta is part of the state (state mode) */
  PetscBool      solution_only; /* the adjoint's trajectory keeps only v per step and recomputes the stages */
  PetscBool      partition_view;

  /* partition (replicated tables, size+1 entries); perm/iperm and node_cap are O(N) per rank, nothing is O(E) */
  PetscInt *node_range;  /* rank r owns node ids node_range[r]+1 .. node_range[r+1] */
  PetscInt *edge_range;  /* rank r owns circuit edges edge_range[r] .. edge_range[r+1]-1 */
  PetscInt *state_range; /* rank r owns state entries state_range[r] .. state_range[r+1]-1 */
  PetscInt  nown, nghost, nown_edges, first_node;
  PetscInt *ghost_nodes; /* internal node ids of the ghosts, ascending */
  PetscInt *perm, *iperm; /* original -> internal node id and back (N+1 each), NULL for the contiguous partition */
  PetscInt *owned_ids;    /* original ids of the owned nodes, in internal order */
  KNLocalEdges le;
  PetscReal *rcap_local; /* 1/C for the lv slots (owned, ghosts, ground = 0) */

  /* work */
  Vec        lv, lw, lvJ; /* sequential, panel-major (KNPanel): voltages, adjoint weights, cached Jacobian point */
  VecScatter vscatter;    /* state Vec (voltage part, owned + ghosts) -> lv, sample b to its panel's block */
  PetscInt   ngather, *gather; /* on one rank, the same as runs (from, to, length) of copies (NULL on more ranks) */
  Vec        theta;       /* owned parameters, circuit order, block size rows */
  VecScatter tscatter;    /* theta -> local edges' parameter copy */
  Vec        ltheta;      /* sequential n*rows, wraps le.theta */
  VecScatter gscatter;    /* circuit-order parameters -> graph-order parameters (split as the graph's edge blocks) */
  PetscReal *fbuf, *gbuf; /* output accumulation: panel-major fbuf, and (nown_edges+1)*rows parameter sums */
  PetscReal *ebuf;        /* the panels' kernel scratch and trace rows */
  PetscReal *lpbuf;       /* B: partial log-density terms, or the log-density weights of J^T */
  PetscInt   npanel;      /* sample panels of every edge loop (1 or KN_PANELS) */
  PetscInt   ld, nlv;     /* row length of the local buffers (the panel width); entries of lv, lw and lvJ */
  PetscInt   nthreads;    /* threads that run them: KNGetNumThreads(), 1 when an RHS is too little work to share */
  KNPanel    panel[KN_PANELS];

  /* time stepping */
  TS        ts;
  Mat       J, Jp;
  Vec       cacheW;           /* the w of the last J^T w, whose Jp^T w is still in gbuf */
  PetscReal dt0;
  PetscBool auto_dt;          /* no -ts_dt given: each adaptive solve picks its first step (firststep.c) */
  Vec       fs0, fs1;         /* work of the first-step choice */
  Vec       first_x;          /* the state whose f(x) fs0 holds, for the solve's first RHS call only (NULL once used) */
  Vec       vatol, vrtol;
  MPI_Comm  stepcomm; /* joins the data groups: the steps are chosen over all of them (MPI_COMM_NULL: this TS alone) */
  KNCircuitStats stats;
  PetscErrorCode (*interrupt)(void *, PetscBool *); /* KNCircuitSetInterrupt(): polled during the solves (NULL: none) */
  void          *interrupt_ctx;
  PetscBool      forward_polling; /* a forward TSSolve() is under way (the post-step also runs in recomputations) */
  PetscBool      interrupted;     /* the solve under way was stopped at interrupt_t, step interrupt_step */
  PetscReal      interrupt_t;
  PetscInt       interrupt_step;
  PetscReal     *nodesum; /* (N + 1) * KN_NODESUM_MAX: the partition-independent sums of nodesum.c */

  /* the trajectory kept from a forward solve for the adjoint (tape.c) */
  PetscBool      tape_valid;       /* the TS trajectory holds the last solve, whose adjoint has not run yet */
  PetscBool      tape_limited;     /* a byte limit applies to the solve under way */
  PetscLogDouble tape_limit;       /* bytes the trajectory may hold during that solve */
  PetscLogDouble tape_step_bytes;  /* bytes of one stored step (the largest over the TS's ranks), 0 until known */
  PetscInt       tape_held;        /* steps the trajectory's storage holds (PETSc reuses it across solves) */

  /* the law values kept from the forward stages of that solve (lawtape.c) */
  struct {
    PetscBool        use;          /* -kn_adjoint_keep_law */
    PetscBool        recording;    /* the solve under way keeps them */
    PetscInt         n, nalloc, cap; /* slots filled, allocated, and the length of slot[] */
    PetscInt         cursor;       /* the last slot filled or matched */
    PetscReal      **slot;         /* each: the key (nlv gathered voltages), then le.n * B law values, panel p at le.n * b0 */
    PetscReal       *rec;          /* where the RHS under way stores its law values (NULL: it keeps none) */
    const PetscReal *jac;          /* the law values at the current Jacobian point (NULL: none kept) */
  } law;

  /* COO-assembled Jacobian */
  PetscCount ncoo;
  PetscReal *coo_v;
};

/* The time span the TS integrates: software time T stretched by the hardware scale a. */
static inline PetscReal KNCircuitPhysicalDuration(KNCircuit c)
{
  return c->T * c->hw_scale;
}

/* Nodes are numbered internally so that each rank owns a contiguous range; the public API uses original ids. */
static inline PetscInt KNCircuitInternalNode(KNCircuit c, PetscInt node)
{
  return c->perm ? c->perm[node] : node;
}
static inline PetscInt KNCircuitOriginalNode(KNCircuit c, PetscInt node)
{
  return c->iperm ? c->iperm[node] : node;
}

/* Random graphs gather rows all over a state far larger than the caches: fetch the rows of edge e + KN_PREFETCH
   while edge e computes (rows are ld doubles of a panel block; the first cache line of each is requested). */
#define KN_PREFETCH 16
static inline void KNCircuitPrefetchEdge(const KNCircuit c, PetscInt e, const PetscReal *in, const PetscReal *in2, PetscReal *out)
{
  if (e + KN_PREFETCH < c->le.n) {
    const PetscInt k = e + KN_PREFETCH, ld = c->ld;
    __builtin_prefetch(in + c->le.in_s[k] * ld, 0, 1);
    __builtin_prefetch(in + c->le.in_d[k] * ld, 0, 1);
    if (in2) __builtin_prefetch(in2 + c->le.in_s[k] * ld, 0, 1);
    if (in2) __builtin_prefetch(in2 + c->le.in_d[k] * ld, 0, 1);
    __builtin_prefetch(out + c->le.out_s[k] * ld, 1, 1);
    __builtin_prefetch(out + c->le.out_d[k] * ld, 1, 1);
  }
}

/* Structure (sizes, layout, solver kind) is fixed by KNCircuitSetUp(). */
#define KNCircuitCheckNotSetUp(c) PetscCheck(!(c)->setupcalled, (c)->comm, PETSC_ERR_ARG_WRONGSTATE, "Cannot change the structure of circuit %s after KNCircuitSetUp()", (c)->name ? (c)->name : "")

PETSC_INTERN PetscErrorCode KNCircuitSetUpLayout_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitComputeReciprocalCapacitances_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitStateIndex_Private(KNCircuit, PetscInt, PetscInt *);
PETSC_INTERN PetscErrorCode KNCircuitPartition_Private(KNCircuit, PetscInt, const PetscInt[], const PetscInt[]);
PETSC_INTERN PetscInt       KNCircuitOwnerOfNode_Private(const PetscInt[], PetscMPIInt, PetscInt);
PETSC_INTERN PetscErrorCode KNAlltoallRecords_Private(MPI_Comm, PetscInt, const PetscInt[], const PetscInt[], PetscInt *, PetscInt[], PetscInt **);
PETSC_INTERN PetscErrorCode KNCircuitBuildLocalEdges_Private(KNCircuit, PetscInt, PetscInt, const PetscInt[], const PetscInt[], PetscInt **);
PETSC_INTERN PetscErrorCode KNCircuitPartitionView_Private(KNCircuit, PetscViewer);
PETSC_INTERN PetscErrorCode KNCircuitCreateTS_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitSetUpTS_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitSetUpStepComm_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitForwardSolve_Private(KNCircuit, Vec);
#define KN_NODESUM_MAX 3
PETSC_INTERN PetscErrorCode KNCircuitSumOverNodes_Private(KNCircuit, PetscInt, const PetscReal[], PetscReal[]);
PETSC_INTERN PetscErrorCode KNCircuitErrorNorm2_Private(KNCircuit, PetscReal, Vec, Vec, PetscReal *, PetscReal *);
PETSC_INTERN PetscErrorCode KNCircuitInitialStep_Private(KNCircuit, Vec, PetscReal *);
PETSC_INTERN PetscErrorCode KNCircuitReuseInitialRHS_Private(KNCircuit, PetscReal, Vec, Vec, PetscBool *);
PETSC_INTERN PetscErrorCode KNCircuitSetUpTrajectory_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitSetUpInterrupt_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitPollInterrupt_Private(KNCircuit, PetscInt, PetscBool *);
PETSC_INTERN PetscErrorCode KNCircuitForwardInterrupt_Private(KNCircuit, TS, PetscInt);
PETSC_INTERN PetscErrorCode KNCircuitRaiseInterrupt_Private(KNCircuit, const char[]);
PETSC_INTERN PetscErrorCode KNCircuitDropTrajectory_Private(KNCircuit);
PETSC_INTERN void           KNCircuitLawTapeBegin_Private(KNCircuit);
PETSC_INTERN void           KNCircuitLawTapeEnd_Private(KNCircuit);
PETSC_INTERN void           KNCircuitLawTapeInvalidate_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitLawTapeFree_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitLawTapeRecord_Private(KNCircuit, const PetscReal *);
PETSC_INTERN PetscErrorCode KNCircuitLawTapeYield_Private(KNCircuit, PetscLogDouble);
PETSC_INTERN void           KNCircuitLawTapeFind_Private(KNCircuit, const PetscReal *);
PETSC_INTERN PetscLogDouble KNCircuitLawTapeBytes_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitGetParameterOffset_Private(KNCircuit, PetscInt *);
PETSC_INTERN PetscErrorCode KNCircuitStateParameters_Private(KNCircuit, Vec, Vec, PetscBool);
PETSC_INTERN PetscErrorCode KNCircuitCreateShellJacobianP_Private(KNCircuit, Mat *);
PETSC_INTERN PetscErrorCode KNCircuitRHSJacobianP_Private(TS, PetscReal, Vec, Mat, void *);
PETSC_INTERN PetscErrorCode KNCircuitDestroyLayout_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitSetUpPanels_Private(KNCircuit);
PETSC_INTERN PetscErrorCode KNCircuitDestroyPanels_Private(KNCircuit);
PETSC_INTERN void           KNCircuitSumPanelParameters_Private(KNCircuit);
PETSC_INTERN void           KNCircuitPanelsToState_Private(KNCircuit, const PetscReal[], PetscReal, PetscReal[]);
PETSC_INTERN PetscErrorCode KNCircuitPanelsView_Private(KNCircuit, PetscViewer);
PETSC_INTERN PetscErrorCode KNCircuitGatherVoltages_Private(KNCircuit, Vec, Vec);
PETSC_INTERN PetscErrorCode KNCircuitRHSFunction_Private(TS, PetscReal, Vec, Vec, void *);
PETSC_INTERN PetscErrorCode KNCircuitRHSJacobian_Private(TS, PetscReal, Vec, Mat, Mat, void *);
PETSC_INTERN PetscErrorCode KNCircuitJacobianTransposeApply_Private(KNCircuit, Vec, Vec, Vec);
PETSC_INTERN PetscErrorCode KNCircuitCreateShellJacobian_Private(KNCircuit, Mat *);
PETSC_INTERN PetscErrorCode KNCircuitCreateAIJJacobian_Private(KNCircuit, Mat *);
PETSC_INTERN PetscErrorCode KNCircuitAssembleAIJJacobian_Private(KNCircuit, Mat);
