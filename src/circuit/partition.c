/* Node partitioning with PETSc's MatPartitioning (PT-Scotch): fewer cut edges than contiguous node ranges
   for local topologies (NE, Proj), balanced by the number of edges each node carries. */
#include "circuitimpl.h"

const char *const KNPartitionTypes[] = {"contiguous", "ptscotch", "KNPartitionType", "KN_PARTITION_", NULL};

/* Sends (row, col) for both ends of every edge of this rank's graph block to the rank holding row in the even split
   of the original ids (col 0: the edge only weighs on the row: ground edges, the destination of a self-loop is not
   counted twice). Every row then sees all its edges without any rank holding the whole list. */
static PetscErrorCode RouteAdjacency(KNCircuit c, const PetscInt split[], PetscInt nloc, const PetscInt src[], const PetscInt dst[], PetscInt *nrecv, PetscInt **rbuf)
{
  PetscInt *scount, *rcount, *pos, *sbuf;

  PetscFunctionBegin;
  PetscCall(PetscCalloc3(c->size, &scount, c->size, &rcount, c->size + 1, &pos));
  for (int pass = 0; pass < 2; pass++) {
    for (PetscInt e = 0; e < nloc; e++) {
      const PetscInt s = src[e], d = dst[e], link = (s && d && s != d) ? 1 : 0;
      const PetscInt rows[2] = {s, d != s ? d : 0}, cols[2] = {link ? d : 0, link ? s : 0};
      for (int q = 0; q < 2; q++) {
        PetscInt r;
        if (!rows[q]) continue;
        r = KNCircuitOwnerOfNode_Private(split, c->size, rows[q]);
        if (!pass) scount[r]++;
        else sbuf[2 * pos[r]] = rows[q], sbuf[2 * pos[r]++ + 1] = cols[q];
      }
    }
    if (pass) break;
    for (PetscMPIInt r = 0; r < c->size; r++) pos[r + 1] = pos[r] + scount[r];
    PetscCall(PetscMalloc1(2 * pos[c->size] + 1, &sbuf));
  }
  PetscCall(KNAlltoallRecords_Private(c->comm, 2, scount, sbuf, nrecv, rcount, rbuf));
  PetscCall(PetscFree(sbuf));
  PetscCall(PetscFree3(scount, rcount, pos));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Adjacency rows for this rank's block of original node ids (rows lo+1..hi), weights = multiplicity, from the routed
   (row, col) pairs; vertex weight = edges carried. */
static PetscErrorCode BuildAdjacency(KNCircuit c, PetscInt nloc, const PetscInt src[], const PetscInt dst[], const PetscInt split[], Mat *adj, PetscInt **vwgt)
{
  const PetscInt lo = split[c->rank], n = split[c->rank + 1] - lo;
  PetscInt      *ia, *ja, *w, *cnt, nrec, *rec;

  PetscFunctionBegin;
  PetscCall(RouteAdjacency(c, split, nloc, src, dst, &nrec, &rec));
  PetscCall(PetscCalloc1(n + 1, &ia));
  PetscCall(PetscCalloc1(n, &cnt));
  PetscCall(PetscCalloc1(n, vwgt));
  for (PetscInt k = 0; k < nrec; k++) {
    (*vwgt)[rec[2 * k] - lo - 1]++;
    if (rec[2 * k + 1]) ia[rec[2 * k] - lo]++;
  }
  for (PetscInt k = 0; k < n; k++) ia[k + 1] += ia[k];
  PetscCall(PetscMalloc1(ia[n], &ja));
  for (PetscInt k = 0; k < nrec; k++) {
    const PetscInt row = rec[2 * k] - lo - 1;
    if (rec[2 * k + 1]) ja[ia[row] + cnt[row]++] = rec[2 * k + 1] - 1;
  }
  PetscCall(PetscFree(rec));
  /* sort each row and merge parallel edges into weights (MatMPIAdj wants unique sorted columns) */
  PetscCall(PetscMalloc1(ia[n], &w));
  {
    PetscInt nz = 0, start = 0;
    for (PetscInt k = 0; k < n; k++) {
      PetscInt end = ia[k + 1];
      PetscCall(PetscSortInt(end - start, ja + start));
      for (PetscInt q = start; q < end; q++) {
        if (q > start && ja[q] == ja[q - 1]) w[nz - 1]++;
        else ja[nz] = ja[q], w[nz++] = 1;
      }
      start = end, ia[k + 1] = nz;
    }
  }
  for (PetscInt k = 0; k < n; k++) (*vwgt)[k] = PetscMax((*vwgt)[k], 1); /* Scotch rejects zero vertex weights */
  PetscCall(PetscFree(cnt));
  PetscCall(MatCreateMPIAdj(c->comm, n, c->N, ia, ja, w, adj)); /* takes ia, ja, w */
  PetscFunctionReturn(KN_SUCCESS);
}

/* Sets c->perm (original -> internal id), c->iperm and c->node_range from a PT-Scotch partition of the adjacency,
   built from every rank's graph block. The numbering is gathered: perm and iperm are O(N) on every rank. */
PetscErrorCode KNCircuitPartition_Private(KNCircuit c, PetscInt nloc, const PetscInt src[], const PetscInt dst[])
{
  PetscInt       *split, *vwgt, *counts;
  const PetscInt *num;
  Mat             adj;
  MatPartitioning part;
  IS              is, isnum, isall;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(c->size + 1, &split));
  for (PetscMPIInt r = 0; r <= c->size; r++) split[r] = (PetscInt)(((PetscInt64)c->N * r) / c->size);
  PetscCall(BuildAdjacency(c, nloc, src, dst, split, &adj, &vwgt));
  PetscCall(PetscFree(split));
  PetscCall(MatPartitioningCreate(c->comm, &part));
  PetscCall(MatPartitioningSetAdjacency(part, adj));
  PetscCall(MatPartitioningSetType(part, MATPARTITIONINGPTSCOTCH));
  PetscCall(MatPartitioningSetVertexWeights(part, vwgt)); /* takes vwgt */
  PetscCall(MatPartitioningSetNParts(part, c->size));
  PetscCall(MatPartitioningApply(part, &is));
  PetscCall(PetscMalloc1(c->size, &counts));
  PetscCall(ISPartitioningCount(is, c->size, counts));
  PetscCall(ISPartitioningToNumbering(is, &isnum));
  PetscCall(ISAllGather(isnum, &isall));
  PetscCall(PetscMalloc2(c->N + 1, &c->perm, c->N + 1, &c->iperm));
  PetscCall(ISGetIndices(isall, &num));
  c->perm[0] = c->iperm[0] = 0;
  for (PetscInt j = 1; j <= c->N; j++) {
    c->perm[j]              = num[j - 1] + 1;
    c->iperm[num[j - 1] + 1] = j;
  }
  PetscCall(ISRestoreIndices(isall, &num));
  c->node_range[0] = 0;
  for (PetscMPIInt r = 0; r < c->size; r++) c->node_range[r + 1] = c->node_range[r] + counts[r];
  PetscCall(PetscFree(counts));
  PetscCall(ISDestroy(&isall));
  PetscCall(ISDestroy(&isnum));
  PetscCall(ISDestroy(&is));
  PetscCall(MatPartitioningDestroy(&part));
  PetscCall(MatDestroy(&adj));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Cut edges (both ends non-ground, owned by different ranks), ghosts and evaluated edges per rank. */
PetscErrorCode KNCircuitPartitionView_Private(KNCircuit c, PetscViewer viewer)
{
  PetscInt cut = 0, inner = 0, minmax[4], g[4];

  PetscFunctionBegin;
  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscBool gs = (PetscBool)(c->le.in_s[e] == c->nown + c->nghost), gd = (PetscBool)(c->le.in_d[e] == c->nown + c->nghost);
    if (c->le.par[e] == c->nown_edges || gs || gd) continue; /* count each edge once, at its owner */
    inner++;
    if (c->le.out_s[e] == c->nown || c->le.out_d[e] == c->nown) cut++;
  }
  g[0] = cut, g[1] = inner, g[2] = c->nghost, g[3] = c->le.n;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, g, 2, MPIU_INT, MPI_SUM, c->comm));
  minmax[0] = -c->nghost, minmax[1] = c->nghost, minmax[2] = -c->le.n, minmax[3] = c->le.n;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, minmax, 4, MPIU_INT, MPI_MAX, c->comm));
  {
    PetscInt64 total = 0, n = c->le.n;
    PetscCallMPI(MPI_Allreduce(&n, &total, 1, MPIU_INT64, MPI_SUM, c->comm));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  partition %s over %d ranks: %" PetscInt_FMT " of %" PetscInt_FMT " node-to-node edges cut (%.2f%%); ghosts per rank %" PetscInt_FMT "..%" PetscInt_FMT "; edges evaluated per rank %" PetscInt_FMT "..%" PetscInt_FMT " (imbalance max/mean %.3f)\n",
                                     KNPartitionTypes[c->partition], c->size, g[0], g[1], g[1] ? 100.0 * g[0] / g[1] : 0.0, -minmax[0], minmax[1], -minmax[2], minmax[3], total ? (double)minmax[3] * c->size / (double)total : 1.0));
  }
  PetscFunctionReturn(KN_SUCCESS);
}
