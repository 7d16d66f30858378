/* KNCircuit layout: node partition, ghost and parameter scatters, state indices (the circuit order is in route.c). */
#include "circuitimpl.h"

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

/* Voltage scatter: state Vec (owned + ghost node blocks) -> lv, each sample into its panel's block. Parameter scatters: circuit theta -> local
   edge copies, and circuit order <-> graph (file) order from the owned edges' graph ids. */
static PetscErrorCode BuildScatters(KNCircuit c, Vec X, const PetscInt owned_gid[])
{
  const PetscInt B = c->B, nslots = c->nown + c->nghost, rows = c->rows;
  PetscInt      *idx, *idx_to;
  IS             isfrom, isto;
  Vec            g;

  PetscFunctionBegin;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, c->nlv, &c->lv));
  PetscCall(VecDuplicate(c->lv, &c->lw));
  PetscCall(VecDuplicate(c->lv, &c->lvJ));
  PetscCall(PetscMalloc2(nslots * B, &idx, nslots * B, &idx_to));
  for (PetscInt k = 0, n = 0; k < nslots; k++) {
    PetscInt node = k < c->nown ? c->first_node + 1 + k : c->ghost_nodes[k - c->nown], first;
    PetscCall(KNCircuitStateIndex_Private(c, node, &first));
    for (PetscInt p = 0; p < c->npanel; p++)
      for (PetscInt j = 0; j < c->panel[p].nb; j++, n++) {
        idx[n]    = first + c->panel[p].b0 + j;
        idx_to[n] = c->panel[p].lvoff + k * c->ld + j;
      }
  }
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nslots * B, idx, PETSC_COPY_VALUES, &isfrom));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nslots * B, idx_to, PETSC_COPY_VALUES, &isto));
  PetscCall(PetscFree2(idx, idx_to));
  PetscCall(VecScatterCreate(X, isfrom, c->lv, isto, &c->vscatter));
  PetscCall(ISDestroy(&isfrom));
  PetscCall(ISDestroy(&isto));
  if (c->size == 1) { /* one rank: the same gather as runs of copies (a VecScatter call costs microseconds, small layers gather often) */
    c->ngather = nslots * c->npanel;
    PetscCall(PetscMalloc1(3 * c->ngather, &c->gather));
    for (PetscInt k = 0, n = 0; k < nslots; k++) {
      PetscInt node = k < c->nown ? c->first_node + 1 + k : c->ghost_nodes[k - c->nown], first;
      PetscCall(KNCircuitStateIndex_Private(c, node, &first));
      for (PetscInt p = 0; p < c->npanel; p++, n++) c->gather[3 * n] = first + c->panel[p].b0, c->gather[3 * n + 1] = c->panel[p].lvoff + k * c->ld, c->gather[3 * n + 2] = c->panel[p].nb;
    }
  }

  PetscCall(KNCircuitCreateParameterVec(c, &c->theta));
  PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, rows, c->le.n * rows, c->le.theta, &c->ltheta));
  PetscCall(PetscMalloc1(c->le.n * rows, &idx));
  for (PetscInt k = 0; k < c->le.n; k++)
    for (PetscInt r = 0; r < rows; r++) idx[k * rows + r] = c->le.circ[k] * rows + r;
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, c->le.n * rows, idx, PETSC_OWN_POINTER, &isfrom));
  PetscCall(VecScatterCreate(c->theta, isfrom, c->ltheta, NULL, &c->tscatter));
  PetscCall(ISDestroy(&isfrom));

  /* owned circuit entries -> their graph-order entries (on the ranks holding those graph blocks) */
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
  {
    const PetscInt lo = c->edge_range[c->rank] * rows, n = c->nown_edges * rows;
    PetscInt      *gidx;
    PetscCall(PetscMalloc1(n, &gidx));
    for (PetscInt k = 0; k < n; k++) gidx[k] = owned_gid[k / rows] * rows + k % rows;
    PetscCall(ISCreateStride(c->comm, n, lo, 1, &isfrom));
    PetscCall(ISCreateGeneral(c->comm, n, gidx, PETSC_OWN_POINTER, &isto));
  }
  PetscCall(VecScatterCreate(c->theta, isfrom, g, isto, &c->gscatter));
  PetscCall(ISDestroy(&isfrom));
  PetscCall(ISDestroy(&isto));
  PetscCall(VecDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Debian's PETSc has 32-bit PetscInt: every global index space must stay below 2^31 - 1. */
static PetscErrorCode CheckIndexRange(KNCircuit c)
{
  PetscInt64  state = (PetscInt64)c->N * c->B + (c->flow ? c->B : 0) + (c->augmented ? (PetscInt64)c->E * c->rows : 0);
  PetscInt64  params = (PetscInt64)c->E * c->rows, lv = ((PetscInt64)c->N + 1) * c->B;
  const char *name = c->name ? c->name : "";

  PetscFunctionBegin;
  PetscCheck(state <= PETSC_MAX_INT, c->comm, PETSC_ERR_SUP,
             "Layer %s: the state has %" PetscInt64_FMT " entries (N*B [+ E*rows] = %" PetscInt_FMT "*%" PetscInt_FMT " [+ %" PetscInt_FMT "*%" PetscInt_FMT "]), more than the 32-bit PetscInt limit %d of this PETSc build; reduce the batch size or use a PETSc configured --with-64-bit-indices",
             name, state, c->N, c->B, c->E, c->rows, PETSC_MAX_INT);
  PetscCheck(params <= PETSC_MAX_INT, c->comm, PETSC_ERR_SUP, "Layer %s: %" PetscInt64_FMT " parameters (E*rows = %" PetscInt_FMT "*%" PetscInt_FMT "), more than the 32-bit PetscInt limit %d of this PETSc build; use fewer edges or a PETSc configured --with-64-bit-indices", name,
             params, c->E, c->rows, PETSC_MAX_INT);
  PetscCheck(lv <= PETSC_MAX_INT, c->comm, PETSC_ERR_SUP, "Layer %s: (N+1)*B = %" PetscInt64_FMT " local voltage entries, more than the 32-bit PetscInt limit %d of this PETSc build; reduce the batch size", name, lv, PETSC_MAX_INT);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Node ranges: an even split of the ids, or a PT-Scotch partition with the nodes renumbered internally. This rank's
   graph block in internal ids is returned in *isrc, *idst (freed by the caller when they differ from src, dst). */
static PetscErrorCode PartitionNodes(KNCircuit c, PetscInt nloc, const PetscInt src[], const PetscInt dst[], const PetscInt **isrc, const PetscInt **idst)
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
  PetscCall(KNCircuitPartition_Private(c, nloc, src, dst));
  PetscCall(PetscMalloc2(nloc, &s2, nloc, &d2));
  for (PetscInt e = 0; e < nloc; e++) s2[e] = c->perm[src[e]], d2[e] = c->perm[dst[e]];
  *isrc = s2, *idst = d2;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Memory per rank: this rank's graph block, its local edges (owned + those touching its nodes) and O(N) node tables;
   no rank ever holds the whole edge list. */
PetscErrorCode KNCircuitSetUpLayout_Private(KNCircuit c)
{
  const PetscInt *gsrc, *gdst, *src, *dst;
  PetscInt        nlocal, estart, nloc, *owned_gid;
  MPI_Comm        gcomm;
  PetscMPIInt     gsize;
  Vec             X;

  PetscFunctionBegin;
  PetscCall(KNGraphGetSizes(c->graph, &c->N, &c->E));
  PetscCall(KNGraphGetComm(c->graph, &gcomm));
  PetscCallMPI(MPI_Comm_size(gcomm, &gsize));
  PetscCheck(gsize == c->size, c->comm, PETSC_ERR_ARG_INCOMP, "Layer %s: the graph lives on %d ranks but the circuit on %d; create both on the same communicator", c->name ? c->name : "", gsize, c->size);
  PetscCall(KNGraphGetLocalEdges(c->graph, &estart, &nloc, &gsrc, &gdst));
  PetscCall(KNDeviceGetNumParameters(c->device, &c->rows));
  PetscCall(KNDeviceGetKernels(c->device, &c->kern));
  PetscCall(CheckIndexRange(c));
  PetscCall(PetscMalloc3(c->size + 1, &c->node_range, c->size + 1, &c->edge_range, c->size + 1, &c->state_range));
  PetscCall(PartitionNodes(c, nloc, gsrc, gdst, &src, &dst));
  c->first_node = c->node_range[c->rank];
  c->nown       = c->node_range[c->rank + 1] - c->first_node;
  PetscCall(PetscMalloc1(c->nown, &c->owned_ids));
  for (PetscInt k = 0; k < c->nown; k++) c->owned_ids[k] = KNCircuitOriginalNode(c, c->first_node + 1 + k);
  PetscCall(KNCircuitBuildLocalEdges_Private(c, estart, nloc, src, dst, &owned_gid));
  if (src != gsrc) PetscCall(PetscFree2(src, dst));
  nlocal            = c->nown * c->B + ((c->flow && c->rank == 0) ? c->B : 0) + (c->augmented ? c->nown_edges * c->rows : 0);
  c->state_range[0] = 0;
  PetscCallMPI(MPI_Allgather(&nlocal, 1, MPIU_INT, c->state_range + 1, 1, MPIU_INT, c->comm));
  for (PetscMPIInt r = 0; r < c->size; r++) c->state_range[r + 1] += c->state_range[r];
  PetscCall(PetscMalloc1(c->nown + c->nghost + 1, &c->rcap_local));
  PetscCall(KNCircuitComputeReciprocalCapacitances_Private(c));
  PetscCall(KNCircuitSetUpPanels_Private(c));
  PetscCall(PetscMalloc1(c->B, &c->lpbuf));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(BuildScatters(c, X, owned_gid));
  PetscCall(PetscFree(owned_gid));
  PetscCall(VecDestroy(&X));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitDestroyLayout_Private(KNCircuit c)
{
  PetscFunctionBegin;
  PetscCall(PetscFree3(c->node_range, c->edge_range, c->state_range));
  PetscCall(PetscFree(c->ghost_nodes));
  PetscCall(PetscFree2(c->perm, c->iperm));
  PetscCall(PetscFree(c->owned_ids));
  PetscCall(PetscFree6(c->le.in_s, c->le.in_d, c->le.out_s, c->le.out_d, c->le.par, c->le.circ));
  PetscCall(PetscFree(c->le.gid));
  PetscCall(PetscFree(c->le.theta));
  PetscCall(PetscFree(c->le.gain));
  PetscCall(PetscFree(c->rcap_local));
  PetscCall(VecDestroy(&c->lv));
  PetscCall(VecDestroy(&c->lw));
  PetscCall(VecDestroy(&c->lvJ));
  PetscCall(VecScatterDestroy(&c->vscatter));
  PetscCall(PetscFree(c->gather));
  c->ngather = 0;
  PetscCall(VecDestroy(&c->theta));
  PetscCall(VecDestroy(&c->ltheta));
  PetscCall(VecScatterDestroy(&c->tscatter));
  PetscCall(VecScatterDestroy(&c->gscatter));
  PetscCall(PetscFree(c->lpbuf));
  PetscCall(KNCircuitDestroyPanels_Private(c));
  PetscCall(PetscFree(c->nodesum));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitStateIndex_Private(KNCircuit c, PetscInt node, PetscInt *index)
{
  PetscInt r;

  PetscFunctionBegin;
  r      = KNCircuitOwnerOfNode_Private(c->node_range, c->size, node);
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
