/* KNCircuit physics: capacitances, device gains, the flow term, time direction and hardware scale. */
#include "circuitimpl.h"

/*@
  KNCircuitSetCapacitance - the same capacitance C > 0 on every node (default 1)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetCapacitance(KNCircuit c, PetscReal C)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  PetscCheck(C > 0 && !PetscIsInfOrNanReal(C), c->comm, PETSC_ERR_ARG_OUTOFRANGE, "Capacitance must be positive and finite, got %g", (double)C);
  c->cap = C;
  PetscCall(PetscFree(c->node_cap));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetCapacitance - the uniform node capacitance, and whether per-node values override it

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitGetCapacitance(KNCircuit c, PetscReal *C, PetscBool *per_node)
{
  PetscFunctionBegin;
  if (C) *C = c->cap;
  if (per_node) *per_node = c->node_cap ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetNodeCapacitances - one capacitance per node 1..N (array of N, the same on every rank); may be called after set-up

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetNodeCapacitances(KNCircuit c, const PetscReal C[])
{
  PetscInt N, E;

  PetscFunctionBegin;
  PetscCheck(c->graph, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the graph before per-node capacitances");
  PetscCall(KNGraphGetSizes(c->graph, &N, &E));
  for (PetscInt j = 0; j < N; j++) PetscCheck(C[j] > 0 && !PetscIsInfOrNanReal(C[j]), c->comm, PETSC_ERR_ARG_OUTOFRANGE, "Capacitance of node %" PetscInt_FMT " must be positive and finite, got %g", j + 1, (double)C[j]);
  if (!c->node_cap) PetscCall(PetscMalloc1(N, &c->node_cap));
  PetscCall(PetscArraycpy(c->node_cap, C, N));
  if (c->setupcalled) PetscCall(KNCircuitComputeReciprocalCapacitances_Private(c)); /* e.g. a Monte Carlo draw of capacitor mismatch */
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetEdgeGains - multiplies each edge's current by gain[e] (graph edge order, the same array on every rank;
  NULL restores ideal devices): per-device mismatch for robustness studies; after set-up

  Logically Collective

  Notes:
  gain has all E entries on every rank (O(E) per rank while it is passed; the circuit keeps only its local edges'):
  KNCircuitSetEdgeGainsFunction() computes only those.
  Gains scale the current law as a whole, i = gain * g(v_s, v_d; theta), in the RHS, the Jacobians and the flow
  trace; gradients remain exact. The fused device kernels are bypassed while gains are set.

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetEdgeGains(KNCircuit c, const PetscReal gain[])
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() before KNCircuitSetEdgeGains()");
  if (!gain) {
    PetscCall(PetscFree(c->le.gain));
    PetscFunctionReturn(KN_SUCCESS);
  }
  if (!c->le.gain) PetscCall(PetscMalloc1(c->le.n, &c->le.gain));
  for (PetscInt e = 0; e < c->le.n; e++) {
    const PetscReal g = gain[c->le.gid[e]];
    PetscCheck(!PetscIsInfOrNanReal(g), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Edge gain %" PetscInt_FMT " is not finite", c->le.gid[e]);
    c->le.gain[e] = g;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCircuitSetEdgeGainsFunction - KNCircuitSetEdgeGains() with the gains computed where they are used: fn(ctx, n, gid,
  gain) fills gain[i] for the graph edge ids gid[0..n-1] this rank evaluates, so no rank holds all E gains; after set-up

  Logically Collective

  Notes:
  fn must give an edge the same gain on every rank (e.g. a counter-based draw keyed by the graph edge id, as
  KNRobustnessApply() does), since a cut edge is evaluated by both ranks that own its endpoints.

  Level: intermediate

.seealso: KNCircuitSetEdgeGains()
@*/
PetscErrorCode KNCircuitSetEdgeGainsFunction(KNCircuit c, KNCircuitEdgeGainFn fn, void *ctx)
{
  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() before KNCircuitSetEdgeGainsFunction()");
  if (!c->le.gain) PetscCall(PetscMalloc1(c->le.n, &c->le.gain));
  PetscCall(fn(ctx, c->le.n, c->le.gid, c->le.gain));
  for (PetscInt e = 0; e < c->le.n; e++) PetscCheck(!PetscIsInfOrNanReal(c->le.gain[e]), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Edge gain %" PetscInt_FMT " is not finite", c->le.gid[e]);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetFlow - adds one log-density entry per sample with d(logp)/dt = -tr(df/dv) (continuous normalizing flows)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetFlow(KNCircuit c, PetscBool flow)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  c->flow = flow;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitGetFlow(KNCircuit c, PetscBool *flow)
{
  PetscFunctionBegin;
  *flow = c->flow;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetReverse - integrate backwards in time: solves dX/ds = -F(X) over s in [0, T]

  Logically Collective

  Notes:
  Flows push data back to the base distribution this way; the adjoint is the adjoint of the reversed solve.

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetReverse(KNCircuit c, PetscBool reverse)
{
  PetscFunctionBegin;
  c->reverse = reverse;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetHardwareScale - paper Eq. (9): every capacitance and the layer duration are multiplied by a,
  so the voltages at the end are unchanged while the circuit runs a times faster (a = 1e-15: fF and fs)

  Logically Collective

  Options Database Key:
. -kn_hw_scale <a> - the scale factor (default 1)

  Notes:
  Step sizes given in options (-ts_dt, -ts_adapt_dt_min) stay in software time units.

  Level: intermediate
@*/
PetscErrorCode KNCircuitSetHardwareScale(KNCircuit c, PetscReal a)
{
  PetscFunctionBegin;
  KNCircuitCheckNotSetUp(c);
  PetscCheck(a > 0 && !PetscIsInfOrNanReal(a), c->comm, PETSC_ERR_ARG_OUTOFRANGE, "Hardware scale a must be positive and finite, got %g", (double)a);
  c->hw_scale = a;
  PetscFunctionReturn(KN_SUCCESS);
}
