/* Small topologies: the reference _simple_connect chain, and counter-based random graphs. */
#include "graphimpl.h"

/*@C
  KNGraphCreateChain - the reference generator _simple_connect(num_node, include_gnd, [r0, *]).

  Collective

  Input Parameters:
+ comm        - the communicator
. num_node    - number of chain links
. include_gnd - the chain starts at ground 0 (i = 0..num_node-1) if PETSC_TRUE, else at node 1 (i = 1..num_node)
- r0          - repeat[0]: parallel devices per link (the reference ignores repeat[1])

  Output Parameter:
. g - the graph with edges (i, i+1), each r0 times: E = num_node r0, N = num_node (include_gnd) or num_node + 1

  Notes:
  Description {"name": "_simple_connect", "args": {"num_node": n, "repeat": [r0, 0]}}, with "include_gnd": false
  added when false.

  Level: beginner
@*/
PetscErrorCode KNGraphCreateChain(MPI_Comm comm, PetscInt num_node, PetscBool include_gnd, PetscInt r0, KNGraph *g)
{
  PetscInt64  E, first;
  PetscInt    lo, N;
  KNEdgeBlock b;
  char        desc[256];

  PetscFunctionBegin;
  KNAssertPointer(g, 5);
  PetscCheck(num_node >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "_simple_connect: num_node = %" PetscInt_FMT " must be >= 0", num_node);
  PetscCheck(r0 >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "_simple_connect: repeat[0] = %" PetscInt_FMT " must be >= 0", r0);
  lo = include_gnd ? 0 : 1;
  PetscCall(KNGraphCheckIntRange_Private(comm, (PetscInt64)num_node + lo, "_simple_connect: largest node id"));
  E = KNMul64(num_node, r0);
  PetscCall(KNGraphAllocEdges_Private(comm, E, "_simple_connect", &b));
  N = num_node ? lo + num_node : 0;
  first = r0 ? b.lo / r0 : 0; /* the link holding this rank's first edge */
  b.e   = first * r0;
  for (PetscInt i = lo + (PetscInt)first; i < lo + num_node && b.e < b.hi; i++) KNEdgeBlockPush(&b, i, i + 1, r0);
  PetscCall(PetscSNPrintf(desc, sizeof(desc), "{\"name\": \"_simple_connect\", \"args\": {\"num_node\": %" PetscInt_FMT "%s, \"repeat\": [%" PetscInt_FMT ", 0]}}", num_node, include_gnd ? "" : ", \"include_gnd\": false", r0));
  PetscCall(KNGraphCreateOwned_Private(comm, N, (PetscInt)E, b.src, b.dst, desc, g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Output i (0-based) of the splitmix64 generator seeded with seed: mix(seed + (i+1) * golden gamma). */
uint64_t KNSplitMix64_Private(uint64_t seed, uint64_t i)
{
  uint64_t z = seed + (i + 1) * 0x9e3779b97f4a7c15ULL;

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform integer in 0..n-1 from the top 32 bits of u (n <= 2^31; bias below n / 2^32). */
static inline PetscInt KNUniformBelow(uint64_t u, PetscInt n)
{
  return (PetscInt)(((u >> 32) * (uint64_t)n) >> 32);
}

/*@C
  KNGraphCreateRandom - N state nodes and E edges with endpoints uniform over 0..N (ground included), s != d.

  Collective

  Input Parameters:
+ comm - the communicator
. N    - number of state nodes (>= 1)
. E    - number of edges
- seed - the seed

  Output Parameter:
. g - the graph

  Notes:
  Edge e uses outputs 2e and 2e+1 of the splitmix64 sequence started at seed (counter based): s = uniform in 0..N,
  d = (s + 1 + uniform in 0..N-1) mod (N+1), where uniform in 0..n-1 is ((u >> 32) n) >> 32. The same seed gives the
  same graph on every rank count and in every run; each rank draws only its block of edges. Description
  {"name": "random", "args": {"num_node": N, "num_edges": E, "seed": seed}}.

  Level: beginner
@*/
PetscErrorCode KNGraphCreateRandom(MPI_Comm comm, PetscInt N, PetscInt E, PetscInt64 seed, KNGraph *g)
{
  KNEdgeBlock b;
  char        desc[256];

  PetscFunctionBegin;
  KNAssertPointer(g, 5);
  PetscCheck(N >= 1 && N < PETSC_MAX_INT, comm, PETSC_ERR_ARG_OUTOFRANGE, "random topology: num_node = %" PetscInt_FMT " must be in 1..%" PetscInt_FMT, N, (PetscInt)(PETSC_MAX_INT - 1));
  PetscCheck(E >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "random topology: num_edges = %" PetscInt_FMT " must be >= 0", E);
  PetscCall(KNGraphAllocEdges_Private(comm, E, "random", &b));
  for (PetscInt64 e = b.lo; e < b.hi; e++) { /* counter based: this rank draws its block only */
    PetscInt s = KNUniformBelow(KNSplitMix64_Private((uint64_t)seed, 2 * (uint64_t)e), N + 1);
    PetscInt o = KNUniformBelow(KNSplitMix64_Private((uint64_t)seed, 2 * (uint64_t)e + 1), N);

    b.src[e - b.lo] = s;
    b.dst[e - b.lo] = (PetscInt)(((PetscInt64)s + 1 + o) % ((PetscInt64)N + 1));
  }
  PetscCall(PetscSNPrintf(desc, sizeof(desc), "{\"name\": \"random\", \"args\": {\"num_node\": %" PetscInt_FMT ", \"num_edges\": %" PetscInt_FMT ", \"seed\": %" PetscInt64_FMT "}}", N, E, seed));
  PetscCall(KNGraphCreateOwned_Private(comm, N, E, b.src, b.dst, desc, g));
  PetscFunctionReturn(KN_SUCCESS);
}
