/* Private KNGraph header: the object layout and helpers shared by the files of src/graph. */
#pragma once

#include <kn/kngraph.h>
#include <stdint.h>

struct _p_KNGraph {
  MPI_Comm    comm;
  PetscMPIInt rank, size;
  PetscInt    N, E;          /* state nodes 1..N (0 is ground), number of edges */
  PetscInt    estart, nlocal; /* this rank's block of the edge list: edges estart .. estart+nlocal-1 */
  PetscInt   *src, *dst;     /* length nlocal; the global edge order is part of the model */
  char        checksum[17];  /* FNV-1a of the whole list, computed when the edges are set */
  char       *description;   /* JSON {"name": ..., "args": {...}} or NULL */
  PetscInt    refct;         /* KNGraphReference() holders; KNGraphDestroy() frees at zero */
};

/* The block of E edges rank `rank` of `size` holds: PETSc's default split (PetscSplitOwnership, PETSC_DECIDE). */
static inline void KNGraphBlock(PetscInt E, PetscMPIInt rank, PetscMPIInt size, PetscInt *estart, PetscInt *nlocal)
{
  PetscInt q = E / size, r = E % size;
  *nlocal    = q + (rank < r ? 1 : 0);
  *estart    = rank * q + PetscMin((PetscInt)rank, r);
}

/* Takes ownership of this rank's block src, dst (PetscMalloc2'ed, KNGraphBlock() length), validates the edges
   collectively, computes the checksum and replaces the edges of g. Frees src, dst on error. */
PETSC_INTERN PetscErrorCode KNGraphSetEdgesOwned_Private(KNGraph, PetscInt, PetscInt, PetscInt *, PetscInt *);
/* Creates a graph owning the block src/dst (from KNGraphAllocEdges_Private) with a description; frees them on error. */
PETSC_INTERN PetscErrorCode KNGraphCreateOwned_Private(MPI_Comm, PetscInt, PetscInt, PetscInt *, PetscInt *, const char[], KNGraph *);
/* FNV-1a of the whole list into g->checksum: the hash state travels rank 0 -> 1 -> ... over the blocks. */
PETSC_INTERN PetscErrorCode KNGraphComputeChecksum_Private(KNGraph);
/* Gathers the whole edge list on every rank (all = PETSC_TRUE) or on rank 0 only (others get NULL); O(E) there.
   Free with PetscFree2(). */
PETSC_INTERN PetscErrorCode KNGraphGatherEdges_Private(KNGraph, PetscBool, PetscInt **, PetscInt **);

/* Generators enumerate the whole edge sequence in order and keep only this rank's block [lo, hi). */
typedef struct {
  PetscInt64 e, lo, hi;
  PetscInt  *src, *dst;
} KNEdgeBlock;
static inline void KNEdgeBlockPush(KNEdgeBlock *b, PetscInt s, PetscInt d, PetscInt repeat)
{
  PetscInt64 from = PetscMax(b->e, b->lo), to = PetscMin(b->e + repeat, b->hi);
  for (PetscInt64 k = from; k < to; k++) b->src[k - b->lo] = s, b->dst[k - b->lo] = d;
  b->e += repeat;
}
/* Saturating non-negative 64-bit arithmetic for edge-count formulas (the range check then reports the overflow). */
static inline PetscInt64 KNMul64(PetscInt64 a, PetscInt64 b)
{
  return (a && b > INT64_MAX / a) ? INT64_MAX : a * b;
}
static inline PetscInt64 KNAdd64(PetscInt64 a, PetscInt64 b)
{
  return (a > INT64_MAX - b) ? INT64_MAX : a + b;
}
/* Errors if a 64-bit count does not fit PetscInt; what names the quantity, e.g. "_mix_connect: edge count". */
PETSC_INTERN PetscErrorCode KNGraphCheckIntRange_Private(MPI_Comm, PetscInt64, const char[]);
/* Checks E fits PetscInt and allocates this rank's block of it; b->e = 0, b->lo/hi = the block. */
PETSC_INTERN PetscErrorCode KNGraphAllocEdges_Private(MPI_Comm, PetscInt64, const char[], KNEdgeBlock *);

/* Random topology: the i-th output of the splitmix64 sequence started at seed (counter based). */
PETSC_INTERN uint64_t KNSplitMix64_Private(uint64_t, uint64_t);

/* JSON topology descriptions: {"name": "<generator>", "args": {"key": value, ...}} */
#define KN_DESC_MAX_ARGS  16
#define KN_DESC_MAX_ARRAY 8
#define KN_DESC_MAX_KEY   64
typedef enum {
  KN_DESC_INT,
  KN_DESC_BOOL,
  KN_DESC_STRING,
  KN_DESC_INTARRAY
} KNDescKind;

typedef struct {
  char       key[KN_DESC_MAX_KEY];
  KNDescKind kind;
  PetscInt64 ival;                    /* KN_DESC_INT, KN_DESC_BOOL (0/1) */
  PetscInt64 arr[KN_DESC_MAX_ARRAY]; /* KN_DESC_INTARRAY */
  PetscInt   n;                       /* array length */
  char      *sval;                    /* KN_DESC_STRING, PetscMalloc'ed */
  PetscBool  used;
} KNDescArg;

typedef struct {
  char      name[KN_DESC_MAX_KEY];
  PetscInt  nargs;
  KNDescArg args[KN_DESC_MAX_ARGS];
} KNDesc;

PETSC_INTERN PetscErrorCode KNDescParse_Private(MPI_Comm, const char[], KNDesc *);
PETSC_INTERN PetscErrorCode KNDescFree_Private(KNDesc *);
PETSC_INTERN PetscErrorCode KNDescGetInt_Private(MPI_Comm, KNDesc *, const char[], PetscBool, PetscInt, PetscInt *);
PETSC_INTERN PetscErrorCode KNDescGetInt64_Private(MPI_Comm, KNDesc *, const char[], PetscBool, PetscInt64, PetscInt64 *);
PETSC_INTERN PetscErrorCode KNDescGetBool_Private(MPI_Comm, KNDesc *, const char[], PetscBool, PetscBool *);
PETSC_INTERN PetscErrorCode KNDescGetIntArray_Private(MPI_Comm, KNDesc *, const char[], PetscInt, const PetscInt[], PetscInt[]);
PETSC_INTERN PetscErrorCode KNDescGetString_Private(MPI_Comm, KNDesc *, const char[], const char **);
PETSC_INTERN PetscErrorCode KNDescCheckAllUsed_Private(MPI_Comm, KNDesc *, const char[]);
/* Appends s to buf (size len) as a JSON string literal, escaping quotes, backslashes and control characters. */
PETSC_INTERN PetscErrorCode KNJSONQuote_Private(const char[], char[], size_t);

/* Text edge lists, collective (graph_text.c): every rank reads its byte range and gets N, E and its KNGraphBlock() of
   the list (PetscMalloc2'ed), or writes its block's lines at its offset. */
PETSC_INTERN PetscErrorCode KNGraphReadText_Private(MPI_Comm, const char[], PetscInt *, PetscInt *, PetscInt **, PetscInt **);
PETSC_INTERN PetscErrorCode KNGraphWriteText_Private(KNGraph, const char[]);
/* HDF5 edge lists, collective: every rank reads (gets N, E and its KNGraphBlock() of the list, PetscMalloc2'ed) or
   writes (with g's sizes, checksum and description) only its own block, as hyperslabs through MPI-IO. */
PETSC_INTERN PetscErrorCode KNGraphReadHDF5_Private(MPI_Comm, const char[], const char[], PetscInt *, PetscInt *, PetscInt **, PetscInt **);
PETSC_INTERN PetscErrorCode KNGraphWriteHDF5_Private(KNGraph, const char[], const char[]);
/* Splits "file.h5:/group" into file and group ("/" if absent); returns PETSC_TRUE in ish5 if the file ends in .h5. */
PETSC_INTERN PetscErrorCode KNGraphSplitPath_Private(const char[], char[], size_t, char[], size_t, PetscBool *);
