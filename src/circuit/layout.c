/* KNCircuit layout: node partition, circuit edge order, local edge slots, ghost and parameter scatters. */
#include "circuitimpl.h"

static inline PetscInt OwnerOfNode(const PetscInt range[], PetscMPIInt size, PetscInt node)
{
  PetscInt lo = 0, hi = size; /* find r with range[r] < node <= range[r+1] */
  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (range[mid] < node) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* Circuit order: a stable counting sort of the edges by owner node (dst, or src for edges into ground).
   It does not depend on the number of ranks, so parameters and accumulation orders are rank-independent. */
static PetscErrorCode BuildCircuitOrder(KNCircuit c, const PetscInt src[], const PetscInt dst[])
{
  PetscInt *count;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(c->N + 2, &count));
  PetscCall(PetscMalloc2(c->E, &c->graph2circ, c->E, &c->circ2graph));
  for (PetscInt e = 0; e < c->E; e++) count[(dst[e] ? dst[e] : src[e]) + 1]++;
  for (PetscInt k = 0; k <= c->N; k++) count[k + 1] += count[k];
  /* count[k] = number of edges with owner node < k */
  for (PetscMPIInt r = 0; r <= c->size; r++) c->edge_range[r] = count[c->node_range[r] + 1];
  for (PetscInt e = 0; e < c->E; e++) {
    PetscInt key = dst[e] ? dst[e] : src[e], pos = count[key]++;
    c->graph2circ[e]   = pos;
    c->circ2graph[pos] = e;
  }
  PetscCall(PetscFree(count));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Local edges: every edge touching an owned node, in circuit order; slots for inputs, outputs, parameters. */
static PetscErrorCode BuildLocalEdges(KNCircuit c, const PetscInt src[], const PetscInt dst[])
{
  const PetscInt lo = c->first_node, hi = c->first_node + c->nown, e0 = c->edge_range[c->rank];
  PetscInt      *slot, n = 0, nghost = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(c->N + 1, &slot)); /* global node -> lv slot, -1 if not yet seen */
  for (PetscInt j = 0; j <= c->N; j++) slot[j] = -1;
  for (PetscInt ci = 0; ci < c->E; ci++) {
    PetscInt e = c->circ2graph[ci], s = src[e], d = dst[e];
    PetscBool own_s = (PetscBool)(s > lo && s <= hi), own_d = (PetscBool)(d > lo && d <= hi);
    if ((!own_s && !own_d) || s == d) continue; /* a self-loop's current leaves and re-enters its node: no effect */
    n++;
    if (!own_s && s && slot[s] < 0) { slot[s] = 0; nghost++; }
    if (!own_d && d && slot[d] < 0) { slot[d] = 0; nghost++; }
  }
  c->nghost = nghost;
  PetscCall(PetscMalloc1(nghost, &c->ghost_nodes));
  nghost = 0;
  for (PetscInt j = 1; j <= c->N; j++) {
    if (j > lo && j <= hi) slot[j] = j - lo - 1;
    else if (slot[j] == 0) {
      c->ghost_nodes[nghost] = j;
      slot[j]                = c->nown + nghost++;
    }
  }
  slot[0] = c->nown + c->nghost; /* ground: a block of zeros */

  c->le.n = n;
  PetscCall(PetscMalloc6(n, &c->le.in_s, n, &c->le.in_d, n, &c->le.out_s, n, &c->le.out_d, n, &c->le.par, n, &c->le.circ));
  PetscCall(PetscMalloc1(n * c->rows, &c->le.theta));
  n = 0;
  for (PetscInt ci = 0; ci < c->E; ci++) {
    PetscInt e = c->circ2graph[ci], s = src[e], d = dst[e];
    PetscBool own_s = (PetscBool)(s > lo && s <= hi), own_d = (PetscBool)(d > lo && d <= hi);
    if ((!own_s && !own_d) || s == d) continue;
    c->le.in_s[n]  = slot[s];
    c->le.in_d[n]  = slot[d];
    c->le.out_s[n] = own_s ? slot[s] : c->nown;
    c->le.out_d[n] = own_d ? slot[d] : c->nown;
    c->le.par[n]   = (ci >= e0 && ci < c->edge_range[c->rank + 1]) ? ci - e0 : c->nown_edges;
    c->le.circ[n]  = ci;
    n++;
  }
  PetscCall(PetscMalloc1(c->nown + c->nghost + 1, &c->rcap_local));
  PetscCall(KNCircuitComputeReciprocalCapacitances_Private(c));
  PetscCall(PetscFree(slot));
  PetscFunctionReturn(KN_SUCCESS);
}

/* 1/(a C) for every lv slot: owned nodes, ghosts, and 0 for ground, which has no capacitor and never integrates. */
PetscErrorCode KNCircuitComputeReciprocalCapacitances_Private(KNCircuit c)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < c->nown + c->nghost; k++) {
    PetscInt node = k < c->nown ? c->first_node + 1 + k : c->ghost_nodes[k - c->nown];
    c->rcap_local[k] = 1.0 / (c->hw_scale * (c->node_cap ? c->node_cap[KNCircuitOriginalNode(c, node) - 1] : c->cap));
  }
  c->rcap_local[c->nown + c->nghost] = 0.0;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Voltage scatter: state Vec (owned + ghost node blocks) -> lv. Parameter scatters: circuit theta -> local
   edge copies, and circuit order <-> graph (file) order. */
static PetscErrorCode BuildScatters(KNCircuit c, Vec X)
{
  const PetscInt B = c->B, nslots = c->nown + c->nghost, rows = c->rows;
  PetscInt      *idx;
  IS             isfrom, isto;
  Vec            g;

  PetscFunctionBegin;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, (nslots + 1) * B, &c->lv));
  PetscCall(VecDuplicate(c->lv, &c->lw));
  PetscCall(VecDuplicate(c->lv, &c->lvJ));
  PetscCall(PetscMalloc1(nslots * B, &idx));
  for (PetscInt k = 0; k < nslots; k++) {
    PetscInt node = k < c->nown ? c->first_node + 1 + k : c->ghost_nodes[k - c->nown], first;
    PetscCall(KNCircuitStateIndex_Private(c, node, &first));
    for (PetscInt b = 0; b < B; b++) idx[k * B + b] = first + b;
  }
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nslots * B, idx, PETSC_OWN_POINTER, &isfrom));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, nslots * B, 0, 1, &isto));
  PetscCall(VecScatterCreate(X, isfrom, c->lv, isto, &c->vscatter));
  PetscCall(ISDestroy(&isfrom));
  PetscCall(ISDestroy(&isto));

  PetscCall(KNCircuitCreateParameterVec(c, &c->theta));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, rows, c->le.n * rows, c->le.theta, &c->ltheta));
  PetscCall(PetscMalloc1(c->le.n * rows, &idx));
  for (PetscInt k = 0; k < c->le.n; k++)
    for (PetscInt r = 0; r < rows; r++) idx[k * rows + r] = c->le.circ[k] * rows + r;
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, c->le.n * rows, idx, PETSC_OWN_POINTER, &isfrom));
  PetscCall(VecScatterCreate(c->theta, isfrom, c->ltheta, NULL, &c->tscatter));
  PetscCall(ISDestroy(&isfrom));

  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
  {
    PetscInt lo, hi;
    PetscCall(VecGetOwnershipRange(g, &lo, &hi));
    PetscCall(PetscMalloc1(hi - lo, &idx));
    for (PetscInt k = lo; k < hi; k++) idx[k - lo] = c->graph2circ[k / rows] * rows + k % rows;
    PetscCall(ISCreateGeneral(c->comm, hi - lo, idx, PETSC_OWN_POINTER, &isfrom));
    PetscCall(ISCreateStride(c->comm, hi - lo, lo, 1, &isto));
  }
  PetscCall(VecScatterCreate(c->theta, isfrom, g, isto, &c->gscatter));
  PetscCall(ISDestroy(&isfrom));
  PetscCall(ISDestroy(&isto));
  PetscCall(VecDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckIndexRange(KNCircuit c)
{
  PetscInt64 state = (PetscInt64)c->N * c->B + (c->flow ? c->B : 0) + (c->augmented ? (PetscInt64)c->E * c->rows : 0);

  PetscFunctionBegin;
  PetscCheck(state <= PETSC_MAX_INT, c->comm, PETSC_ERR_SUP,
             "Layer %s: the state has %" PetscInt64_FMT " entries (N*B [+ E*rows] = %" PetscInt_FMT "*%" PetscInt_FMT " [+ %" PetscInt_FMT "*%" PetscInt_FMT "]), more than the 32-bit PetscInt limit %d of this PETSc build; reduce the batch size or use a PETSc configured --with-64-bit-indices",
             c->name ? c->name : "", state, c->N, c->B, c->E, c->rows, PETSC_MAX_INT);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Node ranges: an even split of the ids, or a PT-Scotch partition with the nodes renumbered internally. The
   renumbered edge list (src, dst) is returned in *isrc, *idst (freed by the caller when they differ). */
static PetscErrorCode PartitionNodes(KNCircuit c, const PetscInt src[], const PetscInt dst[], const PetscInt **isrc, const PetscInt **idst)
{
  PetscInt *s2, *d2;

  PetscFunctionBegin;
  *isrc = src, *idst = dst;
  /* PT-Scotch needs every rank to start with some nodes; tiny layers gain nothing from it anyway */
  if (c->partition == KN_PARTITION_PTSCOTCH && c->N < 2 * c->size) PetscCall(PetscInfo(NULL, "Layer %s: %" PetscInt_FMT " nodes on %d ranks, too few to partition: using contiguous ranges\n", c->name ? c->name : "", c->N, c->size));
  if (c->partition == KN_PARTITION_CONTIGUOUS || c->size == 1 || c->N < 2 * c->size) {
    for (PetscMPIInt r = 0; r <= c->size; r++) c->node_range[r] = (PetscInt)(((PetscInt64)c->N * r) / c->size);
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNCircuitPartition_Private(c, src, dst));
  PetscCall(PetscMalloc2(c->E, &s2, c->E, &d2));
  for (PetscInt e = 0; e < c->E; e++) s2[e] = c->perm[src[e]], d2[e] = c->perm[dst[e]];
  *isrc = s2, *idst = d2;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitSetUpLayout_Private(KNCircuit c)
{
  const PetscInt *gsrc, *gdst, *src, *dst;
  PetscInt        nlocal;
  Vec             X;

  PetscFunctionBegin;
  PetscCall(KNGraphGetSizes(c->graph, &c->N, &c->E));
  PetscCall(KNGraphGetEdges(c->graph, &gsrc, &gdst));
  PetscCall(KNDeviceGetNumParameters(c->device, &c->rows));
  PetscCall(KNDeviceGetKernels(c->device, &c->kern));
  PetscCall(CheckIndexRange(c));
  PetscCall(PetscMalloc3(c->size + 1, &c->node_range, c->size + 1, &c->edge_range, c->size + 1, &c->state_range));
  PetscCall(PartitionNodes(c, gsrc, gdst, &src, &dst));
  c->first_node = c->node_range[c->rank];
  c->nown       = c->node_range[c->rank + 1] - c->first_node;
  PetscCall(PetscMalloc1(c->nown, &c->owned_ids));
  for (PetscInt k = 0; k < c->nown; k++) c->owned_ids[k] = KNCircuitOriginalNode(c, c->first_node + 1 + k);
  PetscCall(BuildCircuitOrder(c, src, dst));
  c->nown_edges = c->edge_range[c->rank + 1] - c->edge_range[c->rank];
  nlocal        = c->nown * c->B + ((c->flow && c->rank == 0) ? c->B : 0) + (c->augmented ? c->nown_edges * c->rows : 0);
  c->state_range[0] = 0;
  PetscCallMPI(MPI_Allgather(&nlocal, 1, MPIU_INT, c->state_range + 1, 1, MPIU_INT, c->comm));
  for (PetscMPIInt r = 0; r < c->size; r++) c->state_range[r + 1] += c->state_range[r];
  PetscCall(BuildLocalEdges(c, src, dst));
  if (src != gsrc) PetscCall(PetscFree2(src, dst));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(BuildScatters(c, X));
  PetscCall(VecDestroy(&X));
  PetscCall(PetscMalloc4((c->nown + 1) * c->B, &c->fbuf, (c->nown_edges + 1) * c->rows, &c->gbuf, (6 + 3 * c->rows) * c->B, &c->ebuf, c->B, &c->lpbuf));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitDestroyLayout_Private(KNCircuit c)
{
  PetscFunctionBegin;
  PetscCall(PetscFree3(c->node_range, c->edge_range, c->state_range));
  PetscCall(PetscFree2(c->graph2circ, c->circ2graph));
  PetscCall(PetscFree(c->ghost_nodes));
  PetscCall(PetscFree2(c->perm, c->iperm));
  PetscCall(PetscFree(c->owned_ids));
  PetscCall(PetscFree6(c->le.in_s, c->le.in_d, c->le.out_s, c->le.out_d, c->le.par, c->le.circ));
  PetscCall(PetscFree(c->le.theta));
  PetscCall(PetscFree(c->le.gain));
  PetscCall(PetscFree(c->rcap_local));
  PetscCall(VecDestroy(&c->lv));
  PetscCall(VecDestroy(&c->lw));
  PetscCall(VecDestroy(&c->lvJ));
  PetscCall(VecScatterDestroy(&c->vscatter));
  PetscCall(VecDestroy(&c->theta));
  PetscCall(VecDestroy(&c->ltheta));
  PetscCall(VecScatterDestroy(&c->tscatter));
  PetscCall(VecScatterDestroy(&c->gscatter));
  PetscCall(PetscFree4(c->fbuf, c->gbuf, c->ebuf, c->lpbuf));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitStateIndex_Private(KNCircuit c, PetscInt node, PetscInt *index)
{
  PetscInt r;

  PetscFunctionBegin;
  r      = OwnerOfNode(c->node_range, c->size, node);
  *index = c->state_range[r] + (node - c->node_range[r] - 1) * c->B;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetNodeStateIndex - global index, in a state Vec, of node `node` (1..N) of sample 0; sample b follows at +b.

  Not Collective (after KNCircuitSetUp())

  Notes:
  The entry is owned by this rank if the index lies in the state Vec's ownership range.

  Level: intermediate
@*/
PetscErrorCode KNCircuitGetNodeStateIndex(KNCircuit c, PetscInt node, PetscInt *index)
{
  PetscFunctionBegin;
  PetscCheck(node >= 1 && node <= c->N, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Node %" PetscInt_FMT " is outside 1..%" PetscInt_FMT, node, c->N);
  PetscCall(KNCircuitStateIndex_Private(c, KNCircuitInternalNode(c, node), index));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetLogDensityIndex - global index of the log-density entry of sample 0 (flows only; on rank 0's block).

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitGetLogDensityIndex(KNCircuit c, PetscInt *index)
{
  PetscFunctionBegin;
  PetscCheck(c->flow, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Layer %s is not a flow layer: it has no log-density state", c->name ? c->name : "");
  *index = (c->node_range[1] - c->node_range[0]) * c->B;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Local offset of the parameter block (state mode) inside this rank's part of a state Vec. */
PetscErrorCode KNCircuitGetParameterOffset_Private(KNCircuit c, PetscInt *offset)
{
  PetscFunctionBegin;
  *offset = c->nown * c->B + ((c->flow && c->rank == 0) ? c->B : 0);
  PetscFunctionReturn(KN_SUCCESS);
}
