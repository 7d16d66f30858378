/* KNGraph core: life cycle, edge blocks and their validation, accessors. */
#include "graphimpl.h"
#include <petscviewer.h>

/*@C
  KNGraphCreate - creates an empty graph (no state nodes, no edges).

  Collective

  Input Parameter:
. comm - the communicator; each rank will hold one contiguous block of the edge list

  Output Parameter:
. g - the graph

  Level: beginner

.seealso: KNGraphSetEdges(), KNGraphSetLocalEdges(), KNGraphCreateFromOptions(), KNGraphDestroy()
@*/
PetscErrorCode KNGraphCreate(MPI_Comm comm, KNGraph *g)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(g));
  (*g)->comm  = comm;
  (*g)->refct = 1;
  PetscCallMPI(MPI_Comm_rank(comm, &(*g)->rank));
  PetscCallMPI(MPI_Comm_size(comm, &(*g)->size));
  PetscCall(PetscStrcpy((*g)->checksum, "cbf29ce484222325")); /* the hash of no edges */
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphDestroy - frees a graph and sets the handle to NULL; a NULL handle is ignored.

  Collective

  Level: beginner
@*/
PetscErrorCode KNGraphDestroy(KNGraph *g)
{
  PetscFunctionBegin;
  if (!g || !*g) PetscFunctionReturn(KN_SUCCESS);
  if (--(*g)->refct > 0) {
    *g = NULL;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscFree2((*g)->src, (*g)->dst));
  PetscCall(PetscFree((*g)->description));
  PetscCall(PetscFree(*g));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphReference - takes a reference to a graph (objects that keep a graph, like KNCircuit, do this);
  each reference is released by one KNGraphDestroy().

  Not Collective

  Level: developer
@*/
PetscErrorCode KNGraphReference(KNGraph g)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  g->refct++;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphCheckIntRange_Private(MPI_Comm comm, PetscInt64 count, const char what[])
{
  PetscFunctionBegin;
  PetscCheck(count >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "%s is negative (%" PetscInt64_FMT ")", what, count);
  PetscCheck(count <= (PetscInt64)PETSC_MAX_INT, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "%s = %" PetscInt64_FMT " exceeds the %d-bit PetscInt limit of this PETSc build (max %" PetscInt_FMT "); use a smaller topology or a PETSc configured --with-64-bit-indices",
             what, count, (int)(8 * sizeof(PetscInt)), (PetscInt)PETSC_MAX_INT);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphAllocEdges_Private(MPI_Comm comm, PetscInt64 E, const char what[], KNEdgeBlock *b)
{
  char        msg[256];
  PetscMPIInt rank, size;
  PetscInt    estart, nlocal;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: number of edges", what));
  PetscCall(KNGraphCheckIntRange_Private(comm, E, msg));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  KNGraphBlock((PetscInt)E, rank, size, &estart, &nlocal);
  b->e = 0, b->lo = estart, b->hi = (PetscInt64)estart + nlocal;
  PetscCall(PetscMalloc2(nlocal, &b->src, nlocal, &b->dst));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The first invalid edge of the whole list (global index, or -1), agreed on every rank so that all raise the error. */
static PetscErrorCode FindBadEdge(KNGraph g, PetscInt N, PetscInt E, const PetscInt src[], const PetscInt dst[], PetscInt bad[3])
{
  PetscInt estart, nlocal;
  PetscInt64 first = INT64_MAX, mine;

  PetscFunctionBegin;
  KNGraphBlock(E, g->rank, g->size, &estart, &nlocal);
  for (PetscInt e = 0; e < nlocal && first == INT64_MAX; e++)
    if (src[e] < 0 || src[e] > N || dst[e] < 0 || dst[e] > N || (!src[e] && !dst[e])) first = (PetscInt64)estart + e;
  mine = first;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPIU_INT64, MPI_MIN, g->comm));
  bad[0] = bad[1] = bad[2] = PETSC_MIN_INT;
  if (first != INT64_MAX && first == mine) bad[0] = (PetscInt)first, bad[1] = src[first - estart], bad[2] = dst[first - estart];
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bad, 3, MPIU_INT, MPI_MAX, g->comm));
  if (first == INT64_MAX) bad[0] = -1;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphSetEdgesOwned_Private(KNGraph g, PetscInt N, PetscInt E, PetscInt *src, PetscInt *dst)
{
  PetscInt       bad[3] = {-1, 0, 0};
  PetscErrorCode ierr     = KN_SUCCESS;

  PetscFunctionBegin;
  if (N < 0 || N >= PETSC_MAX_INT) ierr = PETSC_ERR_ARG_OUTOFRANGE;
  if (!ierr) ierr = FindBadEdge(g, N, E, src, dst, bad);
  if (ierr || bad[0] >= 0) PetscCall(PetscFree2(src, dst));
  PetscCheck(N >= 0 && N < PETSC_MAX_INT, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of state nodes N = %" PetscInt_FMT " must be in 0..%" PetscInt_FMT, N, (PetscInt)(PETSC_MAX_INT - 1));
  PetscCall(ierr);
  PetscCheck(bad[0] < 0 || (bad[1] >= 0 && bad[1] <= N), g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Edge %" PetscInt_FMT ": source %" PetscInt_FMT " is outside 0..N with N = %" PetscInt_FMT, bad[0], bad[1], N);
  PetscCheck(bad[0] < 0 || (bad[2] >= 0 && bad[2] <= N), g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Edge %" PetscInt_FMT ": destination %" PetscInt_FMT " is outside 0..N with N = %" PetscInt_FMT, bad[0], bad[2], N);
  PetscCheck(bad[0] < 0, g->comm, PETSC_ERR_ARG_WRONG, "Edge %" PetscInt_FMT " connects ground to ground (0 -> 0); such a device carries no state and is not allowed", bad[0]);
  PetscCall(PetscFree2(g->src, g->dst));
  g->N   = N;
  g->E   = E;
  g->src = src;
  g->dst = dst;
  KNGraphBlock(E, g->rank, g->size, &g->estart, &g->nlocal);
  PetscCall(KNGraphComputeChecksum_Private(g));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphCreateOwned_Private(MPI_Comm comm, PetscInt N, PetscInt E, PetscInt *src, PetscInt *dst, const char desc[], KNGraph *g)
{
  PetscErrorCode ierr;

  PetscFunctionBegin;
  ierr = KNGraphCreate(comm, g);
  if (ierr) PetscCall(PetscFree2(src, dst));
  PetscCall(ierr);
  ierr = KNGraphSetEdgesOwned_Private(*g, N, E, src, dst);
  if (ierr) PetscCall(KNGraphDestroy(g));
  PetscCall(ierr);
  if (desc) PetscCall(KNGraphSetDescription(*g, desc));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphSetEdges - sets the edge list from a copy of the whole list; each rank keeps only its block.

  Collective: every rank must pass the same data

  Input Parameters:
+ g   - the graph
. N   - number of state nodes; node ids are 0 (ground) .. N
. E   - number of edges
. src - source node of each edge, in 0..N (length E)
- dst - destination node of each edge, in 0..N (length E)

  Notes:
  Parallel edges and self-loops s == d != 0 are allowed; ground-to-ground edges are not. For large graphs use
  KNGraphSetLocalEdges(), which needs only the rank's block.

  Level: intermediate

.seealso: KNGraphSetLocalEdges(), KNGraphGetLocalEdges()
@*/
PetscErrorCode KNGraphSetEdges(KNGraph g, PetscInt N, PetscInt E, const PetscInt src[], const PetscInt dst[])
{
  PetscInt estart, nlocal;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  PetscCheck(E >= 0, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of edges E = %" PetscInt_FMT " must be >= 0", E);
  PetscCheck(!E || (src && dst), g->comm, PETSC_ERR_ARG_NULL, "src and dst must be non-NULL when E = %" PetscInt_FMT " > 0", E);
  KNGraphBlock(E, g->rank, g->size, &estart, &nlocal);
  PetscCall(KNGraphSetLocalEdges(g, N, E, nlocal, src ? src + estart : NULL, dst ? dst + estart : NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphSetLocalEdges - sets the edge list from each rank's block (copied): rank r passes edges
  estart .. estart+nlocal-1 of the global list, the block PETSc's default split gives (PetscSplitOwnership()).

  Collective

  Input Parameters:
+ g      - the graph
. N      - number of state nodes
. E      - the global number of edges
. nlocal - the length of this rank's block (must be the default split: E/size, plus one on the first E%size ranks)
. src    - source nodes of the block
- dst    - destination nodes of the block

  Notes:
  No rank ever holds more than its block: memory O(E/size) per rank. The checksum is computed here, chaining the
  FNV-1a state from rank to rank.

  Level: intermediate

.seealso: KNGraphGetLocalEdges(), KNGraphSetEdges()
@*/
PetscErrorCode KNGraphSetLocalEdges(KNGraph g, PetscInt N, PetscInt E, PetscInt nlocal, const PetscInt src[], const PetscInt dst[])
{
  PetscInt  estart, n, *s, *d;
  PetscBool ok;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  PetscCheck(E >= 0, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of edges E = %" PetscInt_FMT " must be >= 0", E);
  KNGraphBlock(E, g->rank, g->size, &estart, &n);
  ok = (PetscBool)(nlocal == n && (!n || (src && dst)));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPIU_BOOL, MPI_LAND, g->comm));
  PetscCheck(ok, g->comm, PETSC_ERR_ARG_SIZ, "KNGraphSetLocalEdges: each rank must pass its block of the default split of E = %" PetscInt_FMT " edges (non-NULL src and dst when non-empty); rank %d passed %" PetscInt_FMT ", expected %" PetscInt_FMT, E, g->rank, nlocal, n);
  PetscCall(PetscMalloc2(n, &s, n, &d));
  PetscCall(PetscArraycpy(s, src, n));
  PetscCall(PetscArraycpy(d, dst, n));
  PetscCall(KNGraphSetEdgesOwned_Private(g, N, E, s, d));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphGetComm - the communicator of the graph.

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNGraphGetComm(KNGraph g, MPI_Comm *comm)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  KNAssertPointer(comm, 2);
  *comm = g->comm;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphGetSizes - number of state nodes N (ids 1..N, 0 is ground) and number of edges E.

  Not Collective

  Output Parameters:
+ N - state nodes (may be NULL)
- E - edges (may be NULL)

  Level: beginner
@*/
PetscErrorCode KNGraphGetSizes(KNGraph g, PetscInt *N, PetscInt *E)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  if (N) *N = g->N;
  if (E) *E = g->E;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphGetLocalEdges - read-only access to this rank's block of the edge list (owned by the graph).

  Not Collective

  Output Parameters:
+ estart - global index of the block's first edge (may be NULL)
. nlocal - number of edges in the block (may be NULL)
. src    - source node of each edge of the block (may be NULL)
- dst    - destination node of each edge of the block (may be NULL)

  Notes:
  Rank r holds edges estart .. estart+nlocal-1 of the global list, PETSc's default split of E
  (PetscSplitOwnership()); graph-order parameter Vecs use the same split.

  Level: beginner

.seealso: KNGraphGetEdges()
@*/
PetscErrorCode KNGraphGetLocalEdges(KNGraph g, PetscInt *estart, PetscInt *nlocal, const PetscInt **src, const PetscInt **dst)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  if (estart) *estart = g->estart;
  if (nlocal) *nlocal = g->nlocal;
  if (src) *src = g->src;
  if (dst) *dst = g->dst;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphGetChecksum - FNV-1a 64-bit hash of the edge list, as in the published model files.

  Not Collective

  Output Parameter:
. sum - 16 lowercase hex digits and a terminating NUL

  Notes:
  The hash runs over the bytes of the edges written as consecutive little-endian int32 pairs (src, dst), edge 0
  first (offset basis 0xcbf29ce484222325, prime 0x100000001b3). It identifies the edge ORDER, not just the set.
  It is computed once when the edges are set, the hash state passed from rank to rank over the blocks.

  Level: intermediate
@*/
PetscErrorCode KNGraphGetChecksum(KNGraph g, char sum[17])
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  KNAssertPointer(sum, 2);
  PetscCall(PetscStrncpy(sum, g->checksum, 17));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphSetDescription - sets the topology description (copied), normally the JSON form
  {"name": "<generator>", "args": {...}} that KNGraphCreateFromDescription() accepts.

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNGraphSetDescription(KNGraph g, const char desc[])
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  PetscCall(PetscFree(g->description));
  PetscCall(PetscStrallocpy(desc, &g->description));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphGetDescription - the topology description (owned by the graph; NULL if none was set).

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNGraphGetDescription(KNGraph g, const char **desc)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  KNAssertPointer(desc, 2);
  *desc = g->description;
  PetscFunctionReturn(KN_SUCCESS);
}
