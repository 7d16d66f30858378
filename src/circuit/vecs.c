/* KNCircuit vectors: state and parameter layouts, and moving parameters between them. */
#include "circuitimpl.h"

/*@
  KNCircuitCreateStateVec - creates a state Vec: [v owned | logp (rank 0, flows) | theta owned] on each rank

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitCreateStateVec(KNCircuit c, Vec *X)
{
  PetscFunctionBegin;
  PetscCheck(c->state_range, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  PetscCall(VecCreateMPI(c->comm, c->state_range[c->rank + 1] - c->state_range[c->rank], c->state_range[c->size], X));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitCreateParameterVec - creates a parameter Vec in circuit (owner) order, block size = parameters per edge

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitCreateParameterVec(KNCircuit c, Vec *theta)
{
  PetscFunctionBegin;
  PetscCheck(c->edge_range, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  PetscCall(VecCreate(c->comm, theta));
  PetscCall(VecSetSizes(*theta, c->nown_edges * c->rows, c->E * c->rows));
  PetscCall(VecSetBlockSize(*theta, c->rows));
  PetscCall(VecSetType(*theta, VECSTANDARD));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitCreateGraphOrderParameterVec - creates a parameter Vec in graph (file) edge order, block size rows, each
  rank holding the parameters of its block of the graph's edges (KNGraphGetLocalEdges())

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitCreateGraphOrderParameterVec(KNCircuit c, Vec *theta)
{
  PetscInt nloc;

  PetscFunctionBegin;
  PetscCall(KNGraphGetLocalEdges(c->graph, NULL, &nloc, NULL, NULL));
  PetscCall(VecCreate(c->comm, theta));
  PetscCall(VecSetSizes(*theta, nloc * c->rows, c->E * c->rows));
  PetscCall(VecSetBlockSize(*theta, c->rows));
  PetscCall(VecSetType(*theta, VECSTANDARD));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetParameters - copies the parameters (circuit order) into the circuit and refreshes the edge copies

  Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitSetParameters(KNCircuit c, Vec theta)
{
  const PetscReal *a;
  PetscInt         n;

  PetscFunctionBegin;
  c->first_x = NULL; /* its f(x) was of the old parameters */
  PetscCall(VecGetLocalSize(theta, &n));
  PetscCall(VecGetArrayRead(theta, &a));
  PetscCall(KNCheckFiniteArray(PETSC_COMM_SELF, n, a, "circuit parameters"));
  PetscCall(VecRestoreArrayRead(theta, &a));
  PetscCall(VecCopy(theta, c->theta));
  c->tape_valid = PETSC_FALSE; /* a kept trajectory belongs to the old parameters */
  KNCircuitLawTapeInvalidate_Private(c);
  PetscCall(VecScatterBegin(c->tscatter, c->theta, c->ltheta, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(c->tscatter, c->theta, c->ltheta, INSERT_VALUES, SCATTER_FORWARD));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetParameters - copies the circuit's parameters (circuit order) into theta

  Collective

  Level: beginner
@*/
PetscErrorCode KNCircuitGetParameters(KNCircuit c, Vec theta)
{
  PetscFunctionBegin;
  PetscCall(VecCopy(c->theta, theta));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitParametersToGraphOrder - permutes circuit-order parameters into graph (file) order

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitParametersToGraphOrder(KNCircuit c, Vec circ, Vec graph)
{
  PetscFunctionBegin;
  PetscCall(VecScatterBegin(c->gscatter, circ, graph, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(c->gscatter, circ, graph, INSERT_VALUES, SCATTER_FORWARD));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitParametersFromGraphOrder - permutes graph-order parameters into circuit order

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitParametersFromGraphOrder(KNCircuit c, Vec graph, Vec circ)
{
  PetscFunctionBegin;
  PetscCall(VecScatterBegin(c->gscatter, graph, circ, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(c->gscatter, graph, circ, INSERT_VALUES, SCATTER_REVERSE));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Copies between the parameter block of a state Vec (state mode) and a parameter Vec. */
PetscErrorCode KNCircuitStateParameters_Private(KNCircuit c, Vec X, Vec theta, PetscBool to_state)
{
  PetscReal *x, *t;
  PetscInt   off, n = c->nown_edges * c->rows;

  PetscFunctionBegin;
  if (!c->augmented) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNCircuitGetParameterOffset_Private(c, &off));
  PetscCall(VecGetArray(X, &x));
  PetscCall(VecGetArray(theta, &t));
  if (to_state) PetscCall(PetscArraycpy(x + off, t, n));
  else PetscCall(PetscArraycpy(t, x + off, n));
  PetscCall(VecRestoreArray(theta, &t));
  PetscCall(VecRestoreArray(X, &x));
  PetscFunctionReturn(KN_SUCCESS);
}
