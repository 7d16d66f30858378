/* KNGraph core: life cycle, edge validation, accessors, checksum and viewer. */
#include "graphimpl.h"
#include <petscviewer.h>

/*@C
  KNGraphCreate - creates an empty graph (no state nodes, no edges).

  Collective

  Input Parameter:
. comm - the communicator; every rank will hold the same edge list

  Output Parameter:
. g - the graph

  Level: beginner

.seealso: KNGraphSetEdges(), KNGraphCreateFromOptions(), KNGraphDestroy()
@*/
PetscErrorCode KNGraphCreate(MPI_Comm comm, KNGraph *g)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(g));
  (*g)->comm  = comm;
  (*g)->refct = 1;
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

PetscErrorCode KNGraphAllocEdges_Private(MPI_Comm comm, PetscInt64 E, const char what[], PetscInt **src, PetscInt **dst)
{
  char msg[256];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: number of edges", what));
  PetscCall(KNGraphCheckIntRange_Private(comm, E, msg));
  PetscCall(PetscMalloc2((size_t)E, src, (size_t)E, dst));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphSetEdgesOwned_Private(KNGraph g, PetscInt N, PetscInt E, PetscInt *src, PetscInt *dst)
{
  PetscFunctionBegin;
  PetscCheck(N >= 0 && N < PETSC_MAX_INT, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of state nodes N = %" PetscInt_FMT " must be in 0..%" PetscInt_FMT, N, (PetscInt)(PETSC_MAX_INT - 1));
  PetscCheck(E >= 0, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of edges E = %" PetscInt_FMT " must be >= 0", E);
  PetscCheck(!E || (src && dst), g->comm, PETSC_ERR_ARG_NULL, "src and dst must be non-NULL when E = %" PetscInt_FMT " > 0", E);
  for (PetscInt e = 0; e < E; e++) {
    PetscCheck(src[e] >= 0 && src[e] <= N, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Edge %" PetscInt_FMT ": source %" PetscInt_FMT " is outside 0..N with N = %" PetscInt_FMT, e, src[e], N);
    PetscCheck(dst[e] >= 0 && dst[e] <= N, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Edge %" PetscInt_FMT ": destination %" PetscInt_FMT " is outside 0..N with N = %" PetscInt_FMT, e, dst[e], N);
    PetscCheck(src[e] || dst[e], g->comm, PETSC_ERR_ARG_WRONG, "Edge %" PetscInt_FMT " connects ground to ground (0 -> 0); such a device carries no state and is not allowed", e);
  }
  PetscCall(PetscFree2(g->src, g->dst));
  g->N   = N;
  g->E   = E;
  g->src = src;
  g->dst = dst;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphCreateOwned_Private(MPI_Comm comm, PetscInt N, PetscInt E, PetscInt *src, PetscInt *dst, const char desc[], KNGraph *g)
{
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNGraphCreate(comm, g));
  ierr = KNGraphSetEdgesOwned_Private(*g, N, E, src, dst);
  if (ierr) {
    PetscCall(PetscFree2(src, dst));
    PetscCall(KNGraphDestroy(g));
  }
  PetscCall(ierr);
  if (desc) PetscCall(KNGraphSetDescription(*g, desc));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphSetEdges - sets the edge list (copied). Edge e carries current from src[e] to dst[e].

  Logically Collective: every rank must pass the same data

  Input Parameters:
+ g   - the graph
. N   - number of state nodes; node ids are 0 (ground) .. N
. E   - number of edges
. src - source node of each edge, in 0..N
- dst - destination node of each edge, in 0..N

  Notes:
  Parallel edges and self-loops s == d != 0 are allowed; ground-to-ground edges are not.

  Level: intermediate
@*/
PetscErrorCode KNGraphSetEdges(KNGraph g, PetscInt N, PetscInt E, const PetscInt src[], const PetscInt dst[])
{
  PetscInt *s, *d;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  PetscCheck(E >= 0, g->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of edges E = %" PetscInt_FMT " must be >= 0", E);
  PetscCheck(!E || (src && dst), g->comm, PETSC_ERR_ARG_NULL, "src and dst must be non-NULL when E = %" PetscInt_FMT " > 0", E);
  PetscCall(PetscMalloc2(E, &s, E, &d));
  PetscCall(PetscArraycpy(s, src, E));
  PetscCall(PetscArraycpy(d, dst, E));
  {
    PetscErrorCode ierr = KNGraphSetEdgesOwned_Private(g, N, E, s, d);
    if (ierr) PetscCall(PetscFree2(s, d));
    PetscCall(ierr);
  }
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
  KNGraphGetEdges - read-only access to the edge arrays (length E, owned by the graph).

  Not Collective

  Output Parameters:
+ src - source node of each edge (may be NULL)
- dst - destination node of each edge (may be NULL)

  Level: beginner
@*/
PetscErrorCode KNGraphGetEdges(KNGraph g, const PetscInt **src, const PetscInt **dst)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  if (src) *src = g->src;
  if (dst) *dst = g->dst;
  PetscFunctionReturn(KN_SUCCESS);
}

static inline uint64_t KNFNV1aInt32(uint64_t h, PetscInt v)
{
  uint32_t u = (uint32_t)v;

  for (int b = 0; b < 4; b++) {
    h ^= (uint64_t)((u >> (8 * b)) & 0xffu);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/*@C
  KNGraphGetChecksum - FNV-1a 64-bit hash of the edge list, as in the published model files.

  Not Collective

  Output Parameter:
. sum - 16 lowercase hex digits and a terminating NUL

  Notes:
  The hash runs over the bytes of the edges written as consecutive little-endian int32 pairs (src, dst), edge 0
  first (offset basis 0xcbf29ce484222325, prime 0x100000001b3). It identifies the edge ORDER, not just the set.

  Level: intermediate
@*/
PetscErrorCode KNGraphGetChecksum(KNGraph g, char sum[17])
{
  uint64_t h = 0xcbf29ce484222325ULL;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  KNAssertPointer(sum, 2);
  for (PetscInt e = 0; e < g->E; e++) {
    h = KNFNV1aInt32(h, g->src[e]);
    h = KNFNV1aInt32(h, g->dst[e]);
  }
  for (int i = 0; i < 16; i++) sum[i] = "0123456789abcdef"[(h >> (4 * (15 - i))) & 0xf];
  sum[16] = '\0';
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

static PetscErrorCode KNGraphDegreeRange_Private(KNGraph g, PetscInt range[4], PetscInt *ngnd, PetscInt *nself)
{
  PetscInt *indeg, *outdeg;

  PetscFunctionBegin;
  range[0] = range[2] = PETSC_MAX_INT;
  range[1] = range[3] = 0;
  *ngnd = *nself = 0;
  PetscCall(PetscCalloc2(g->N + 1, &indeg, g->N + 1, &outdeg));
  for (PetscInt e = 0; e < g->E; e++) {
    outdeg[g->src[e]]++;
    indeg[g->dst[e]]++;
    if (!g->src[e] || !g->dst[e]) (*ngnd)++;
    if (g->src[e] == g->dst[e]) (*nself)++;
  }
  for (PetscInt j = 1; j <= g->N; j++) {
    range[0] = PetscMin(range[0], indeg[j]);
    range[1] = PetscMax(range[1], indeg[j]);
    range[2] = PetscMin(range[2], outdeg[j]);
    range[3] = PetscMax(range[3], outdeg[j]);
  }
  if (!g->N) range[0] = range[2] = 0;
  PetscCall(PetscFree2(indeg, outdeg));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphView - prints a summary: sizes, checksum, description, in/out degree range of the state nodes.

  Collective

  Input Parameters:
+ g      - the graph
- viewer - an ASCII viewer, or NULL for PETSC_VIEWER_STDOUT_(comm)

  Level: beginner
@*/
PetscErrorCode KNGraphView(KNGraph g, PetscViewer viewer)
{
  PetscBool iascii;
  char      sum[17];
  PetscInt  range[4], ngnd, nself;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(g->comm);
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNGraphDegreeRange_Private(g, range, &ngnd, &nself));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNGraph: %" PetscInt_FMT " state nodes (+ ground), %" PetscInt_FMT " edges\n", g->N, g->E));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "edge checksum (FNV-1a 64): %s\n", sum));
  PetscCall(PetscViewerASCIIPrintf(viewer, "description: %s\n", g->description ? g->description : "(none)"));
  PetscCall(PetscViewerASCIIPrintf(viewer, "in-degree min/max: %" PetscInt_FMT " / %" PetscInt_FMT ", out-degree min/max: %" PetscInt_FMT " / %" PetscInt_FMT "\n", range[0], range[1], range[2], range[3]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "edges touching ground: %" PetscInt_FMT ", self-loops: %" PetscInt_FMT "\n", ngnd, nself));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(KN_SUCCESS);
}
