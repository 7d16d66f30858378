/* Fully connected topology: the reference _fully_connect (the paper's FC layer). */
#include "graphimpl.h"

/*@C
  KNGraphCreateFullyConnected - the reference generator _fully_connect(num_node, include_gnd, [r0, r1]).

  Collective

  Input Parameters:
+ comm        - the communicator
. num_node    - number of nodes taking part (ground included when include_gnd)
. include_gnd - nodes are 0..num_node-1 (ground 0 is a learnable participant) if PETSC_TRUE, else 1..num_node
. r0          - repeat[0]
- r1          - repeat[1]

  Output Parameter:
. g - the graph: N = num_node-1 (include_gnd) or num_node, E = num_node (num_node-1) (r0+r1)

  Notes:
  For each ordered pair (i, j), i != j, in lexicographic order: r0 edges i -> j, then r1 edges j -> i. Each direction
  of each pair therefore gets r0 + r1 parallel devices. The description is
  {"name": "_fully_connect", "args": {"num_node": n, "repeat": [r0, r1]}}, with "include_gnd": false added when false.

  Level: beginner
@*/
PetscErrorCode KNGraphCreateFullyConnected(MPI_Comm comm, PetscInt num_node, PetscBool include_gnd, PetscInt r0, PetscInt r1, KNGraph *g)
{
  PetscInt64  E;
  PetscInt    lo, hi, N;
  KNEdgeBlock b;
  char        desc[256];

  PetscFunctionBegin;
  KNAssertPointer(g, 6);
  PetscCheck(num_node >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "_fully_connect: num_node = %" PetscInt_FMT " must be >= 0", num_node);
  PetscCheck(r0 >= 0 && r1 >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "_fully_connect: repeat = [%" PetscInt_FMT ", %" PetscInt_FMT "] must be non-negative", r0, r1);
  E = KNMul64(KNMul64(num_node, PetscMax(num_node - 1, 0)), (PetscInt64)r0 + r1);
  PetscCall(KNGraphAllocEdges_Private(comm, E, "_fully_connect", &b));
  lo = include_gnd ? 0 : 1;
  hi = include_gnd ? num_node - 1 : num_node;
  N  = PetscMax(hi, 0);
  for (PetscInt i = lo; i <= hi && b.e < b.hi; i++) { /* the whole order is walked, only this rank's block kept */
    for (PetscInt j = lo; j <= hi; j++) {
      if (i == j) continue;
      KNEdgeBlockPush(&b, i, j, r0);
      KNEdgeBlockPush(&b, j, i, r1);
    }
  }
  PetscCall(PetscSNPrintf(desc, sizeof(desc), "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": %" PetscInt_FMT "%s, \"repeat\": [%" PetscInt_FMT ", %" PetscInt_FMT "]}}", num_node,
                          include_gnd ? "" : ", \"include_gnd\": false", r0, r1));
  PetscCall(KNGraphCreateOwned_Private(comm, N, (PetscInt)E, b.src, b.dst, desc, g));
  PetscFunctionReturn(KN_SUCCESS);
}
