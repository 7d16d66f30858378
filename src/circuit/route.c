/* Distributed circuit order: each rank starts with its block of the graph's edge list (graph order) and ends with the
   edges that touch its nodes, in the global circuit order, without any rank ever holding O(E) edges.
     phase 1: every edge (graph id, s, d) goes to the owner of its key node (d, or s for an edge into ground); the
              owner sorts its edges by (key, graph id): the circuit order, independent of the rank count.
     phase 2: the owner sends (circuit id, graph id, s, d) to the owner of the other endpoint, if that is another rank.
   Node ids here are internal (already permuted by the partition). */
#include "circuitimpl.h"

PetscInt KNCircuitOwnerOfNode_Private(const PetscInt range[], PetscMPIInt size, PetscInt node)
{
  PetscInt lo = 0, hi = size; /* find r with range[r] < node <= range[r+1] */
  while (hi - lo > 1) {
    PetscInt mid = (lo + hi) / 2;
    if (range[mid] < node) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* Sends nsend records of w PetscInts, grouped by destination rank (scount[r] records to rank r, in that order), and
   receives the records for this rank grouped by source rank, each group in the sender's order. */
PetscErrorCode KNAlltoallRecords_Private(MPI_Comm comm, PetscInt w, const PetscInt scount[], const PetscInt sbuf[], PetscInt *nrecv, PetscInt rcount[], PetscInt **rbuf)
{
  PetscMPIInt size, *sc, *sd, *rc, *rd;
  PetscInt64  ns = 0, nr = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Alltoall(scount, 1, MPIU_INT, rcount, 1, MPIU_INT, comm));
  PetscCall(PetscMalloc4(size, &sc, size, &sd, size, &rc, size, &rd));
  for (PetscMPIInt r = 0; r < size; r++) {
    /* MPI counts are int: w * records per rank pair must stay below 2^31 */
    PetscCheck((PetscInt64)w * scount[r] <= PETSC_MPI_INT_MAX && (PetscInt64)w * ns <= PETSC_MPI_INT_MAX && (PetscInt64)w * rcount[r] <= PETSC_MPI_INT_MAX && (PetscInt64)w * nr <= PETSC_MPI_INT_MAX, PETSC_COMM_SELF, PETSC_ERR_SUP,
               "Routing edges between ranks: %" PetscInt64_FMT " x %" PetscInt_FMT " integers exceed the 2^31-1 count limit of MPI; use more ranks", PetscMax(ns + scount[r], nr + rcount[r]), w);
    sc[r] = (PetscMPIInt)(w * scount[r]), sd[r] = (PetscMPIInt)(w * ns);
    rc[r] = (PetscMPIInt)(w * rcount[r]), rd[r] = (PetscMPIInt)(w * nr);
    ns += scount[r], nr += rcount[r];
  }
  PetscCall(PetscMalloc1(w * nr + 1, rbuf));
  PetscCallMPI(MPI_Alltoallv(sbuf, sc, sd, MPIU_INT, *rbuf, rc, rd, MPIU_INT, comm));
  PetscCall(PetscFree4(sc, sd, rc, rd));
  *nrecv = (PetscInt)nr;
  PetscFunctionReturn(KN_SUCCESS);
}

static inline PetscInt KeyNode(PetscInt s, PetscInt d)
{
  return d ? d : s;
}

/* Phase 1: this rank's graph block (graph ids estart.., internal ids src, dst) to the key owners. The received records
   (graph id, s, d) arrive in increasing graph id (senders in rank order, each in graph order), so a stable counting
   sort by key gives the circuit order. Sets c->edge_range and c->nown_edges; *own = 3 * nown_edges, sorted. */
static PetscErrorCode RouteToOwners(KNCircuit c, PetscInt estart, PetscInt nloc, const PetscInt src[], const PetscInt dst[], PetscInt **own)
{
  PetscInt *scount, *rcount, *pos, *sbuf, *rbuf, nrecv, *cnt;

  PetscFunctionBegin;
  PetscCall(PetscCalloc3(c->size, &scount, c->size, &rcount, c->size + 1, &pos));
  for (PetscInt e = 0; e < nloc; e++) scount[KNCircuitOwnerOfNode_Private(c->node_range, c->size, KeyNode(src[e], dst[e]))]++;
  for (PetscMPIInt r = 0; r < c->size; r++) pos[r + 1] = pos[r] + scount[r];
  PetscCall(PetscMalloc1(3 * nloc + 1, &sbuf));
  for (PetscInt e = 0; e < nloc; e++) {
    PetscInt k = pos[KNCircuitOwnerOfNode_Private(c->node_range, c->size, KeyNode(src[e], dst[e]))]++;
    sbuf[3 * k] = estart + e, sbuf[3 * k + 1] = src[e], sbuf[3 * k + 2] = dst[e];
  }
  PetscCall(KNAlltoallRecords_Private(c->comm, 3, scount, sbuf, &nrecv, rcount, &rbuf));
  PetscCall(PetscFree(sbuf));
  PetscCall(PetscFree3(scount, rcount, pos));
  /* counting sort by key over the owned nodes first_node+1 .. first_node+nown */
  PetscCall(PetscCalloc1(c->nown + 1, &cnt));
  for (PetscInt k = 0; k < nrecv; k++) cnt[KeyNode(rbuf[3 * k + 1], rbuf[3 * k + 2]) - c->first_node]++;
  for (PetscInt j = 0; j < c->nown; j++) cnt[j + 1] += cnt[j];
  PetscCall(PetscMalloc1(3 * nrecv + 1, own));
  for (PetscInt k = nrecv - 1; k >= 0; k--) { /* backwards keeps equal keys in graph order */
    PetscInt at = --cnt[KeyNode(rbuf[3 * k + 1], rbuf[3 * k + 2]) - c->first_node];
    PetscCall(PetscArraycpy(*own + 3 * at, rbuf + 3 * k, 3));
  }
  PetscCall(PetscFree(cnt));
  PetscCall(PetscFree(rbuf));
  c->nown_edges    = nrecv;
  c->edge_range[0] = 0;
  PetscCallMPI(MPI_Allgather(&nrecv, 1, MPIU_INT, c->edge_range + 1, 1, MPIU_INT, c->comm));
  for (PetscMPIInt r = 0; r < c->size; r++) c->edge_range[r + 1] += c->edge_range[r]; /* sums to E, which fits */
  PetscFunctionReturn(KN_SUCCESS);
}

/* The other endpoint's rank if an owned edge must also be evaluated there, else -1. */
static inline PetscMPIInt ForeignRank(KNCircuit c, PetscInt s, PetscInt d)
{
  PetscInt other = d ? s : 0, r;
  if (!other || other == d) return -1; /* into ground from its key, or a self-loop (never evaluated) */
  r = KNCircuitOwnerOfNode_Private(c->node_range, c->size, other);
  return r == c->rank ? -1 : (PetscMPIInt)r;
}

/* Phase 2: owned edges whose other endpoint lives elsewhere go there as (circuit id, graph id, s, d). They arrive
   ordered by source rank, hence by circuit id, since circuit ranges grow with the rank. */
static PetscErrorCode RouteToOthers(KNCircuit c, const PetscInt own[], PetscInt *nfor, PetscInt **foreign, PetscInt *nbelow)
{
  PetscInt *scount, *rcount, *pos, *sbuf, n = c->nown_edges;

  PetscFunctionBegin;
  PetscCall(PetscCalloc3(c->size, &scount, c->size, &rcount, c->size + 1, &pos));
  for (PetscInt k = 0; k < n; k++) {
    PetscMPIInt r = ForeignRank(c, own[3 * k + 1], own[3 * k + 2]);
    if (r >= 0) scount[r]++;
  }
  for (PetscMPIInt r = 0; r < c->size; r++) pos[r + 1] = pos[r] + scount[r];
  PetscCall(PetscMalloc1(4 * pos[c->size] + 1, &sbuf));
  for (PetscInt k = 0; k < n; k++) {
    PetscMPIInt r = ForeignRank(c, own[3 * k + 1], own[3 * k + 2]);
    PetscInt    at;
    if (r < 0) continue;
    at               = pos[r]++;
    sbuf[4 * at]     = c->edge_range[c->rank] + k;
    sbuf[4 * at + 1] = own[3 * k];
    sbuf[4 * at + 2] = own[3 * k + 1];
    sbuf[4 * at + 3] = own[3 * k + 2];
  }
  PetscCall(KNAlltoallRecords_Private(c->comm, 4, scount, sbuf, nfor, rcount, foreign));
  *nbelow = 0;
  for (PetscMPIInt r = 0; r < c->rank; r++) *nbelow += rcount[r];
  PetscCall(PetscFree(sbuf));
  PetscCall(PetscFree3(scount, rcount, pos));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Local edge k of the merged list: the foreign edges from lower ranks, the owned edges, the foreign from higher ranks.
   Returns circuit id, graph id, s, d and the parameter slot (nown_edges for a foreign edge). */
static inline void LocalRecord(KNCircuit c, PetscInt k, const PetscInt own[], const PetscInt foreign[], PetscInt nbelow, PetscInt rec[5])
{
  if (k < nbelow || k >= nbelow + c->nown_edges) {
    const PetscInt *f = foreign + 4 * (k < nbelow ? k : k - c->nown_edges);
    rec[0] = f[0], rec[1] = f[1], rec[2] = f[2], rec[3] = f[3], rec[4] = c->nown_edges;
  } else {
    const PetscInt *o = own + 3 * (k - nbelow);
    rec[0] = c->edge_range[c->rank] + k - nbelow, rec[1] = o[0], rec[2] = o[1], rec[3] = o[2], rec[4] = k - nbelow;
  }
}

/* Ghost nodes (non-owned endpoints, ascending) and the lv slot of every node: O(N) per rank. */
static PetscErrorCode BuildSlots(KNCircuit c, PetscInt ntot, const PetscInt own[], const PetscInt foreign[], PetscInt nbelow, PetscInt **slot)
{
  const PetscInt lo = c->first_node, hi = c->first_node + c->nown;
  PetscInt       nghost = 0, rec[5];

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(c->N + 1, slot));
  for (PetscInt j = 0; j <= c->N; j++) (*slot)[j] = -1;
  for (PetscInt k = 0; k < ntot; k++) {
    LocalRecord(c, k, own, foreign, nbelow, rec);
    if (rec[2] == rec[3]) continue;
    for (int q = 2; q <= 3; q++)
      if (rec[q] && (rec[q] <= lo || rec[q] > hi) && (*slot)[rec[q]] < 0) (*slot)[rec[q]] = 0, nghost++;
  }
  c->nghost = nghost;
  PetscCall(PetscMalloc1(nghost, &c->ghost_nodes));
  nghost = 0;
  for (PetscInt j = 1; j <= c->N; j++) {
    if (j > lo && j <= hi) (*slot)[j] = j - lo - 1;
    else if ((*slot)[j] == 0) {
      c->ghost_nodes[nghost] = j;
      (*slot)[j]             = c->nown + nghost++;
    }
  }
  (*slot)[0] = c->nown + c->nghost; /* ground: a block of zeros */
  PetscFunctionReturn(KN_SUCCESS);
}

/* Fills c->le from the merged list, skipping self-loops (their current leaves and re-enters the node). */
static PetscErrorCode FillLocalEdges(KNCircuit c, PetscInt ntot, const PetscInt own[], const PetscInt foreign[], PetscInt nbelow, const PetscInt slot[])
{
  const PetscInt lo = c->first_node, hi = c->first_node + c->nown;
  PetscInt       n = 0, rec[5];

  PetscFunctionBegin;
  for (PetscInt k = 0; k < ntot; k++) {
    LocalRecord(c, k, own, foreign, nbelow, rec);
    if (rec[2] != rec[3]) n++;
  }
  c->le.n = n;
  PetscCall(PetscMalloc6(n, &c->le.in_s, n, &c->le.in_d, n, &c->le.out_s, n, &c->le.out_d, n, &c->le.par, n, &c->le.circ));
  PetscCall(PetscMalloc1(n, &c->le.gid));
  PetscCall(PetscMalloc1(n * c->rows, &c->le.theta));
  n = 0;
  for (PetscInt k = 0; k < ntot; k++) {
    PetscInt  s, d;
    PetscBool own_s, own_d;

    LocalRecord(c, k, own, foreign, nbelow, rec);
    s = rec[2], d = rec[3];
    if (s == d) continue;
    own_s          = (PetscBool)(s > lo && s <= hi);
    own_d          = (PetscBool)(d > lo && d <= hi);
    c->le.in_s[n]  = slot[s];
    c->le.in_d[n]  = slot[d];
    c->le.out_s[n] = own_s ? slot[s] : c->nown;
    c->le.out_d[n] = own_d ? slot[d] : c->nown;
    c->le.par[n]   = rec[4];
    c->le.circ[n]  = rec[0];
    c->le.gid[n]   = rec[1];
    n++;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Circuit order, edge ranges, local edges and ghosts from this rank's graph block (internal node ids). The graph ids of
   the owned edges, in circuit order, are returned in *owned_gid (nown_edges) for the graph <-> circuit scatter. */
PetscErrorCode KNCircuitBuildLocalEdges_Private(KNCircuit c, PetscInt estart, PetscInt nloc, const PetscInt src[], const PetscInt dst[], PetscInt **owned_gid)
{
  PetscInt *own, *foreign = NULL, nfor = 0, nbelow = 0, *slot;

  PetscFunctionBegin;
  PetscCall(RouteToOwners(c, estart, nloc, src, dst, &own));
  PetscCall(RouteToOthers(c, own, &nfor, &foreign, &nbelow));
  PetscCall(BuildSlots(c, c->nown_edges + nfor, own, foreign, nbelow, &slot));
  PetscCall(FillLocalEdges(c, c->nown_edges + nfor, own, foreign, nbelow, slot));
  PetscCall(PetscFree(slot));
  PetscCall(PetscFree(foreign));
  PetscCall(PetscMalloc1(c->nown_edges + 1, owned_gid));
  for (PetscInt k = 0; k < c->nown_edges; k++) (*owned_gid)[k] = own[3 * k];
  PetscCall(PetscFree(own));
  PetscFunctionReturn(KN_SUCCESS);
}
