/* Neighbour-emphasizing topologies: the reference _neighbor_index (NE layer) and _mix_connect (Proj layer). */
#include "graphimpl.h"

/* Sliding k x k windows (stride 1, padding k-1 or 0) over a C x W x H image whose pixel (c, a, b) is node
   1 + c W H + a H + b; "width" indexes the rows, as the reference reshape (C, width, height) does. */
typedef struct {
  PetscInt C, W, H, k, pad, OW, OH; /* OW x OH output positions (windows), row-major */
} KNWindows;

static PetscErrorCode KNNeighborSetUp(MPI_Comm comm, const char name[], PetscInt C, PetscInt W, PetscInt H, PetscInt k, PetscBool padding, PetscInt repeat, KNWindows *w)
{
  char what[128];

  PetscFunctionBegin;
  PetscCheck(C >= 1 && W >= 1 && H >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: num_channel, width and height must be >= 1 (got %" PetscInt_FMT ", %" PetscInt_FMT ", %" PetscInt_FMT ")", name, C, W, H);
  PetscCheck(k >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: neighbor_size = %" PetscInt_FMT " must be >= 1", name, k);
  PetscCheck(padding || (k <= W && k <= H), comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: neighbor_size = %" PetscInt_FMT " is larger than the %" PetscInt_FMT " x %" PetscInt_FMT " image; use a smaller kernel or padding", name, k, W, H);
  PetscCheck(repeat >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: repeat = %" PetscInt_FMT " must be >= 0", name, repeat);
  PetscCall(PetscSNPrintf(what, sizeof(what), "%s: number of nodes num_channel*width*height", name));
  PetscCall(KNGraphCheckIntRange_Private(comm, KNMul64(KNMul64(C, W), H), what));
  PetscCall(PetscSNPrintf(what, sizeof(what), "%s: window size num_channel*neighbor_size^2", name));
  PetscCall(KNGraphCheckIntRange_Private(comm, KNMul64(KNMul64(C, k), k), what));
  w->C   = C;
  w->W   = W;
  w->H   = H;
  w->k   = k;
  w->pad = padding ? k - 1 : 0;
  w->OW  = W + 2 * w->pad - k + 1;
  w->OH  = H + 2 * w->pad - k + 1;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Number of kernel offsets 0..k-1 that land inside 0..n-1 from output position o. */
static inline PetscInt KNInside(PetscInt o, PetscInt pad, PetscInt k, PetscInt n)
{
  PetscInt first = PetscMax(0, pad - o), last = PetscMin(k - 1, n - 1 + pad - o);
  return last >= first ? last - first + 1 : 0;
}

/* E_NE = repeat * sum over windows of m (m - 1), m = nonzero (non-padded) entries of the window. */
static PetscInt64 KNNeighborCount(const KNWindows *w, PetscInt repeat)
{
  PetscInt64 E = 0;

  for (PetscInt oh = 0; oh < w->OW; oh++) {
    for (PetscInt ow = 0; ow < w->OH; ow++) {
      PetscInt64 m = (PetscInt64)w->C * KNInside(oh, w->pad, w->k, w->W) * KNInside(ow, w->pad, w->k, w->H);
      E            = KNAdd64(E, KNMul64(m * (m - 1), repeat));
    }
  }
  return E;
}

/* Walks the NE edges in reference order, keeping this rank's block: windows row-major; inside a window the entries
   are ordered channel, kernel row, kernel column; every ordered pair of distinct non-padded entries, repeat times.
   The walk stops after the block, so blk->e is only the full count on the last rank. */
static PetscErrorCode KNNeighborFill(const KNWindows *w, PetscInt repeat, KNEdgeBlock *blk)
{
  PetscInt *ids;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(w->C * w->k * w->k, &ids));
  for (PetscInt oh = 0; oh < w->OW && blk->e < blk->hi; oh++) {
    for (PetscInt ow = 0; ow < w->OH; ow++) {
      PetscInt m = 0;

      for (PetscInt c = 0; c < w->C; c++) {
        for (PetscInt ki = 0; ki < w->k; ki++) {
          for (PetscInt kj = 0; kj < w->k; kj++) {
            PetscInt a = oh + ki - w->pad, b = ow + kj - w->pad;

            if (a >= 0 && a < w->W && b >= 0 && b < w->H) ids[m++] = 1 + (c * w->W + a) * w->H + b;
          }
        }
      }
      if (blk->e + (PetscInt64)m * (m - 1) * repeat <= blk->lo) { /* the window ends before this rank's block */
        blk->e += (PetscInt64)m * (m - 1) * repeat;
        continue;
      }
      for (PetscInt j = 0; j < m; j++) {
        for (PetscInt l = 0; l < m; l++) {
          if (j != l) KNEdgeBlockPush(blk, ids[j], ids[l], repeat);
        }
      }
    }
  }
  PetscCall(PetscFree(ids));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphCreateNeighbor - the reference generator _neighbor_index(C, W, H, k, padding, repeat) with sharing=False, parallel=1.

  Collective

  Input Parameters:
+ comm    - the communicator
. C       - num_channel
. W       - width (image rows)
. H       - height (image columns)
. k       - neighbor_size, the window is k x k over all C channels
. padding - pad by k-1 (padded entries are skipped) instead of 0
- repeat  - parallel devices per ordered pair per window

  Output Parameter:
. g - the graph: N = C W H; without padding E = repeat (W-k+1)(H-k+1)(C k^2)(C k^2 - 1)

  Notes:
  Description {"name": "_neighbor_index", "args": {"num_channel": C, "width": W, "height": H, "neighbor_size": k,
  "repeat": r}}, with "padding": true added when padding.

  Level: beginner
@*/
PetscErrorCode KNGraphCreateNeighbor(MPI_Comm comm, PetscInt C, PetscInt W, PetscInt H, PetscInt k, PetscBool padding, PetscInt repeat, KNGraph *g)
{
  KNWindows   w;
  PetscInt64  E;
  KNEdgeBlock b;
  char        desc[512];

  PetscFunctionBegin;
  KNAssertPointer(g, 8);
  PetscCall(KNNeighborSetUp(comm, "_neighbor_index", C, W, H, k, padding, repeat, &w));
  E = KNNeighborCount(&w, repeat);
  PetscCall(KNGraphAllocEdges_Private(comm, E, "_neighbor_index", &b));
  PetscCall(KNNeighborFill(&w, repeat, &b));
  PetscCheck(b.e >= b.hi, PETSC_COMM_SELF, PETSC_ERR_PLIB, "_neighbor_index: filled %" PetscInt64_FMT " edges, block ends at %" PetscInt64_FMT, b.e, b.hi);
  PetscCall(PetscSNPrintf(desc, sizeof(desc), "{\"name\": \"_neighbor_index\", \"args\": {\"num_channel\": %" PetscInt_FMT ", \"width\": %" PetscInt_FMT ", \"height\": %" PetscInt_FMT ", \"neighbor_size\": %" PetscInt_FMT "%s, \"repeat\": %" PetscInt_FMT "}}", C, W, H, k,
                          padding ? ", \"padding\": true" : "", repeat));
  PetscCall(KNGraphCreateOwned_Private(comm, C * W * H, (PetscInt)E, b.src, b.dst, desc, g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Walks the ground edges and the projection-node edges of _mix_connect that follow the NE edges. */
static void KNMixAppend(PetscInt M, PetscInt F, PetscInt r0, PetscInt r1, KNEdgeBlock *b)
{
  for (PetscInt node = 1; node <= M && b->e < b->hi; node++) {
    KNEdgeBlockPush(b, node, 0, r0);
    KNEdgeBlockPush(b, 0, node, r1);
  }
  for (PetscInt p = M + 1; p <= M + F && b->e < b->hi; p++) {
    for (PetscInt i = 0; i <= M; i++) {
      KNEdgeBlockPush(b, i, p, r0);
      KNEdgeBlockPush(b, p, i, r1);
    }
  }
}

/*@C
  KNGraphCreateMix - the reference generator _mix_connect (the paper's Proj layer), sharing=False, parallel=1.

  Collective

  Input Parameters:
+ comm          - the communicator
. C, W, H, k    - num_channel, width, height, neighbor_size of the NE block
. F             - fully_connect_node, the number of projection nodes
. r0, r1        - repeat (the reference default is [1, 0])
. padding       - NE padding
- kernel_repeat - the NE block's repeat

  Output Parameter:
. g - the graph: M = C W H, N = M + F, E = E_NE + M (r0+r1) + F (M+1)(r0+r1)

  Notes:
  Edge order: the NE edges; then for node = 1..M: (node, 0) r0 times, (0, node) r1 times; then for each projection
  node p = M+1..M+F and i = 0..M (ground included): (i, p) r0 times, (p, i) r1 times.
  Description {"name": "_mix_connect", "args": {"num_channel": C, "width": W, "height": H, "neighbor_size": k,
  "fully_connect_node": F, "repeat": [r0, r1], "kernel_repeat": kr}}, with "padding": true added when padding.

  Level: beginner
@*/
PetscErrorCode KNGraphCreateMix(MPI_Comm comm, PetscInt C, PetscInt W, PetscInt H, PetscInt k, PetscInt F, PetscInt r0, PetscInt r1, PetscBool padding, PetscInt kernel_repeat, KNGraph *g)
{
  KNWindows   w;
  PetscInt64  M, E;
  KNEdgeBlock b;
  char        desc[512];

  PetscFunctionBegin;
  KNAssertPointer(g, 11);
  PetscCall(KNNeighborSetUp(comm, "_mix_connect", C, W, H, k, padding, kernel_repeat, &w));
  PetscCheck(F >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "_mix_connect: fully_connect_node = %" PetscInt_FMT " must be >= 0", F);
  PetscCheck(r0 >= 0 && r1 >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "_mix_connect: repeat = [%" PetscInt_FMT ", %" PetscInt_FMT "] must be non-negative", r0, r1);
  M = (PetscInt64)C * W * H;
  PetscCall(KNGraphCheckIntRange_Private(comm, M + F, "_mix_connect: number of state nodes C*W*H + fully_connect_node"));
  E = KNNeighborCount(&w, kernel_repeat);
  E = KNAdd64(E, KNMul64(M, (PetscInt64)r0 + r1));
  E = KNAdd64(E, KNMul64(KNMul64(F, M + 1), (PetscInt64)r0 + r1));
  PetscCall(KNGraphAllocEdges_Private(comm, E, "_mix_connect", &b));
  PetscCall(KNNeighborFill(&w, kernel_repeat, &b));
  KNMixAppend((PetscInt)M, F, r0, r1, &b);
  PetscCheck(b.e >= b.hi, PETSC_COMM_SELF, PETSC_ERR_PLIB, "_mix_connect: filled %" PetscInt64_FMT " edges, block ends at %" PetscInt64_FMT, b.e, b.hi);
  PetscCall(PetscSNPrintf(desc, sizeof(desc),
                          "{\"name\": \"_mix_connect\", \"args\": {\"num_channel\": %" PetscInt_FMT ", \"width\": %" PetscInt_FMT ", \"height\": %" PetscInt_FMT ", \"neighbor_size\": %" PetscInt_FMT ", \"fully_connect_node\": %" PetscInt_FMT
                          ", \"repeat\": [%" PetscInt_FMT ", %" PetscInt_FMT "]%s, \"kernel_repeat\": %" PetscInt_FMT "}}",
                          C, W, H, k, F, r0, r1, padding ? ", \"padding\": true" : "", kernel_repeat));
  PetscCall(KNGraphCreateOwned_Private(comm, (PetscInt)(M + F), (PetscInt)E, b.src, b.dst, desc, g));
  PetscFunctionReturn(KN_SUCCESS);
}
