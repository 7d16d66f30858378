/* KNGraph over ranks: the chained checksum, explicit O(E) gathers of the whole list for small consumers, the viewer. */
#include "graphimpl.h"
#include <petscviewer.h>

static inline uint64_t KNFNV1aInt32(uint64_t h, PetscInt v)
{
  uint32_t u = (uint32_t)v;

  for (int b = 0; b < 4; b++) {
    h ^= (uint64_t)((u >> (8 * b)) & 0xffu);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* FNV-1a is sequential, so the state is handed from rank to rank; E steps in all, no rank holds more than its block. */
PetscErrorCode KNGraphComputeChecksum_Private(KNGraph g)
{
  uint64_t h = 0xcbf29ce484222325ULL;

  PetscFunctionBegin;
  if (g->rank > 0) PetscCallMPI(MPI_Recv(&h, 1, MPI_UINT64_T, g->rank - 1, 0, g->comm, MPI_STATUS_IGNORE));
  for (PetscInt e = 0; e < g->nlocal; e++) {
    h = KNFNV1aInt32(h, g->src[e]);
    h = KNFNV1aInt32(h, g->dst[e]);
  }
  if (g->rank < g->size - 1) PetscCallMPI(MPI_Send(&h, 1, MPI_UINT64_T, g->rank + 1, 0, g->comm));
  PetscCallMPI(MPI_Bcast(&h, 1, MPI_UINT64_T, g->size - 1, g->comm));
  for (int i = 0; i < 16; i++) g->checksum[i] = "0123456789abcdef"[(h >> (4 * (15 - i))) & 0xf];
  g->checksum[16] = '\0';
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphGatherEdges_Private(KNGraph g, PetscBool all, PetscInt **src, PetscInt **dst)
{
  PetscMPIInt *counts, *displs, n;
  PetscBool    here = (PetscBool)(all || g->rank == 0);

  PetscFunctionBegin;
  *src = *dst = NULL;
  PetscCall(PetscMalloc2(g->size, &counts, g->size, &displs));
  for (PetscMPIInt r = 0; r < g->size; r++) {
    PetscInt s, m;
    KNGraphBlock(g->E, r, g->size, &s, &m);
    PetscCall(PetscMPIIntCast(m, &counts[r]));
    PetscCall(PetscMPIIntCast(s, &displs[r]));
  }
  PetscCall(PetscMPIIntCast(g->nlocal, &n));
  if (here) PetscCall(PetscMalloc2(g->E, src, g->E, dst));
  if (all) {
    PetscCallMPI(MPI_Allgatherv(g->src, n, MPIU_INT, *src, counts, displs, MPIU_INT, g->comm));
    PetscCallMPI(MPI_Allgatherv(g->dst, n, MPIU_INT, *dst, counts, displs, MPIU_INT, g->comm));
  } else {
    PetscCallMPI(MPI_Gatherv(g->src, n, MPIU_INT, *src, counts, displs, MPIU_INT, 0, g->comm));
    PetscCallMPI(MPI_Gatherv(g->dst, n, MPIU_INT, *dst, counts, displs, MPIU_INT, 0, g->comm));
  }
  PetscCall(PetscFree2(counts, displs));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphGetEdges - the WHOLE edge list on every rank: an O(E)-per-rank gather for small consumers (tests, SPICE
  export, viewers). Release with KNGraphRestoreEdges().

  Collective

  Output Parameters:
+ src - source node of each edge, length E
- dst - destination node of each edge, length E

  Notes:
  Large circuits should use KNGraphGetLocalEdges(): the graph itself holds only one block per rank. On one rank
  no copy is made.

  Level: beginner

.seealso: KNGraphGetLocalEdges(), KNGraphRestoreEdges()
@*/
PetscErrorCode KNGraphGetEdges(KNGraph g, const PetscInt **src, const PetscInt **dst)
{
  PetscInt *s, *d;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  KNAssertPointer(src, 2);
  KNAssertPointer(dst, 3);
  if (g->size == 1) {
    *src = g->src, *dst = g->dst;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNGraphGatherEdges_Private(g, PETSC_TRUE, &s, &d));
  *src = s, *dst = d;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphRestoreEdges - releases the arrays of KNGraphGetEdges().

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNGraphRestoreEdges(KNGraph g, const PetscInt **src, const PetscInt **dst)
{
  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  if (*src != g->src) {
    PetscInt *s = (PetscInt *)*src, *d = (PetscInt *)*dst;
    PetscCall(PetscFree2(s, d));
  }
  *src = *dst = NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Degree ranges from the local blocks: O(N) counters per rank, summed over the ranks. */
static PetscErrorCode KNGraphDegreeRange_Private(KNGraph g, PetscInt range[4], PetscInt *ngnd, PetscInt *nself)
{
  PetscInt   *deg, cnt[2] = {0, 0};
  PetscMPIInt n2;

  PetscFunctionBegin;
  PetscCall(PetscMPIIntCast(2 * ((PetscInt64)g->N + 1), &n2));
  range[0] = range[2] = PETSC_MAX_INT;
  range[1] = range[3] = 0;
  PetscCall(PetscCalloc1(2 * (g->N + 1), &deg)); /* in-degree, then out-degree */
  for (PetscInt e = 0; e < g->nlocal; e++) {
    deg[g->N + 1 + g->src[e]]++;
    deg[g->dst[e]]++;
    if (!g->src[e] || !g->dst[e]) cnt[0]++;
    if (g->src[e] == g->dst[e]) cnt[1]++;
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, deg, n2, MPIU_INT, MPI_SUM, g->comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, cnt, 2, MPIU_INT, MPI_SUM, g->comm));
  for (PetscInt j = 1; j <= g->N; j++) {
    range[0] = PetscMin(range[0], deg[j]);
    range[1] = PetscMax(range[1], deg[j]);
    range[2] = PetscMin(range[2], deg[g->N + 1 + j]);
    range[3] = PetscMax(range[3], deg[g->N + 1 + j]);
  }
  if (!g->N) range[0] = range[2] = 0;
  *ngnd = cnt[0], *nself = cnt[1];
  PetscCall(PetscFree(deg));
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
  PetscInt  range[4], ngnd, nself;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(g->comm);
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNGraphDegreeRange_Private(g, range, &ngnd, &nself));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNGraph: %" PetscInt_FMT " state nodes (+ ground), %" PetscInt_FMT " edges\n", g->N, g->E));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "edge checksum (FNV-1a 64): %s\n", g->checksum));
  PetscCall(PetscViewerASCIIPrintf(viewer, "description: %s\n", g->description ? g->description : "(none)"));
  PetscCall(PetscViewerASCIIPrintf(viewer, "in-degree min/max: %" PetscInt_FMT " / %" PetscInt_FMT ", out-degree min/max: %" PetscInt_FMT " / %" PetscInt_FMT "\n", range[0], range[1], range[2], range[3]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "edges touching ground: %" PetscInt_FMT ", self-loops: %" PetscInt_FMT "\n", ngnd, nself));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(KN_SUCCESS);
}
