/* KNGraph: a circuit topology. Nodes 1..N plus ground 0 (v0 = 0); directed edges with multiplicity. */
#pragma once

#include <kn/knsys.h>

/*S
  KNGraph - the edge list of one layer. Edge e carries a current from src[e] to dst[e]; parallel edges are
  separate devices. The edge ORDER is part of the model: parameters are stored per edge in this order.
  A KNGraph is distributed: rank r holds one contiguous block of the edge list (PETSc's default split of E,
  KNGraphGetLocalEdges()); KNGraphGetEdges() gathers the whole list (O(E) per rank) for small consumers.
S*/
typedef struct _p_KNGraph *KNGraph;

/* Topology generators selectable with -kn_topology_type */
typedef const char *KNGraphType;
#define KNGRAPHFC     "fc"     /* fully connected, reference _fully_connect */
#define KNGRAPHNE     "ne"     /* neighbour-emphasizing, reference _neighbor_index */
#define KNGRAPHMIX    "mix"    /* NE + ground edges + projection nodes, reference _mix_connect */
#define KNGRAPHCHAIN  "chain"  /* reference _simple_connect */
#define KNGRAPHRANDOM "random" /* N nodes, E uniformly random edges, counter-based from a seed */
#define KNGRAPHFILE   "file"   /* text edge list or HDF5 src/dst datasets */

PETSC_EXTERN PetscErrorCode KNGraphCreate(MPI_Comm, KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphDestroy(KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphReference(KNGraph);
PETSC_EXTERN PetscErrorCode KNGraphSetEdges(KNGraph, PetscInt, PetscInt, const PetscInt[], const PetscInt[]);
PETSC_EXTERN PetscErrorCode KNGraphGetComm(KNGraph, MPI_Comm *);
PETSC_EXTERN PetscErrorCode KNGraphGetSizes(KNGraph, PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNGraphSetLocalEdges(KNGraph, PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[]);
PETSC_EXTERN PetscErrorCode KNGraphGetLocalEdges(KNGraph, PetscInt *, PetscInt *, const PetscInt **, const PetscInt **);
PETSC_EXTERN PetscErrorCode KNGraphGetEdges(KNGraph, const PetscInt **, const PetscInt **);
PETSC_EXTERN PetscErrorCode KNGraphRestoreEdges(KNGraph, const PetscInt **, const PetscInt **);
PETSC_EXTERN PetscErrorCode KNGraphGetChecksum(KNGraph, char[17]);
PETSC_EXTERN PetscErrorCode KNGraphSetDescription(KNGraph, const char[]);
PETSC_EXTERN PetscErrorCode KNGraphGetDescription(KNGraph, const char **);
PETSC_EXTERN PetscErrorCode KNGraphView(KNGraph, PetscViewer);

PETSC_EXTERN PetscErrorCode KNGraphCreateFullyConnected(MPI_Comm, PetscInt, PetscBool, PetscInt, PetscInt, KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphCreateNeighbor(MPI_Comm, PetscInt, PetscInt, PetscInt, PetscInt, PetscBool, PetscInt, KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphCreateMix(MPI_Comm, PetscInt, PetscInt, PetscInt, PetscInt, PetscInt, PetscInt, PetscInt, PetscBool, PetscInt, KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphCreateChain(MPI_Comm, PetscInt, PetscBool, PetscInt, KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphCreateRandom(MPI_Comm, PetscInt, PetscInt, PetscInt64, KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphLoad(MPI_Comm, const char[], KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphSave(KNGraph, const char[]);
PETSC_EXTERN PetscErrorCode KNGraphCreateFromDescription(MPI_Comm, const char[], KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphCreateFromOptions(MPI_Comm, const char[], KNGraph *);
PETSC_EXTERN PetscErrorCode KNGraphRegister(const char[], PetscErrorCode (*)(MPI_Comm, const char[], KNGraph *));
