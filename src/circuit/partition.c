/* Node partitioning with PETSc's MatPartitioning (PT-Scotch): fewer cut edges than contiguous node ranges
   for local topologies (NE, Proj), balanced by the number of edges each node carries. */
#include "circuitimpl.h"

const char *const KNPartitionTypes[] = {"contiguous", "ptscotch", "KNPartitionType", "KN_PARTITION_", NULL};

/* Adjacency rows for this rank's contiguous block of original node ids (rows lo+1..hi), weights = multiplicity. */
static PetscErrorCode BuildAdjacency(KNCircuit c, const PetscInt src[], const PetscInt dst[], PetscInt lo, PetscInt hi, Mat *adj, PetscInt **vwgt)
{
  PetscInt  n = hi - lo, *ia, *ja, *w, *cnt;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(n + 1, &ia));
  PetscCall(PetscCalloc1(n, &cnt));
  PetscCall(PetscCalloc1(n, vwgt));
  for (PetscInt e = 0; e < c->E; e++) {
    PetscInt s = src[e], d = dst[e];
    if (s > lo && s <= hi) (*vwgt)[s - lo - 1]++;
    if (d > lo && d <= hi && d != s) (*vwgt)[d - lo - 1]++;
    if (!s || !d || s == d) continue;
    if (s > lo && s <= hi) ia[s - lo]++;
    if (d > lo && d <= hi) ia[d - lo]++;
  }
  for (PetscInt k = 0; k < n; k++) ia[k + 1] += ia[k];
  PetscCall(PetscMalloc1(ia[n], &ja));
  for (PetscInt e = 0; e < c->E; e++) {
    PetscInt s = src[e], d = dst[e];
    if (!s || !d || s == d) continue;
    if (s > lo && s <= hi) ja[ia[s - lo - 1] + cnt[s - lo - 1]++] = d - 1;
    if (d > lo && d <= hi) ja[ia[d - lo - 1] + cnt[d - lo - 1]++] = s - 1;
  }
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

/* Sets c->perm (original -> internal id), c->iperm and c->node_range from a PT-Scotch partition. */
PetscErrorCode KNCircuitPartition_Private(KNCircuit c, const PetscInt src[], const PetscInt dst[])
{
  PetscInt        lo = (PetscInt)(((PetscInt64)c->N * c->rank) / c->size), hi = (PetscInt)(((PetscInt64)c->N * (c->rank + 1)) / c->size);
  PetscInt       *vwgt, *counts;
  const PetscInt *num;
  Mat             adj;
  MatPartitioning part;
  IS              is, isnum, isall;

  PetscFunctionBegin;
  PetscCall(BuildAdjacency(c, src, dst, lo, hi, &adj, &vwgt));
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
