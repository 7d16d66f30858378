/* The trajectory a forward solve keeps for the layer's adjoint: kept from the loss pass when it fits a byte limit (so
   a training step integrates each layer once), dropped as soon as it would not. */
#include <petsc/private/tsimpl.h> /* ts->adjoint_max_steps, which an interrupt changes */
#include "circuitimpl.h"

/* Bytes of one stored step: its stages (PETSc's memory trajectory allocates them for every step, the initial one
   too; the measured resident memory adds no state copy), or the state alone when solution-only; the largest over
   the TS's ranks, so that all of them drop the trajectory at the same step. */
static PetscErrorCode StepBytes(KNCircuit c, TS ts, PetscLogDouble *bytes)
{
  PetscInt n, ns = 0;
  Vec      X;

  PetscFunctionBegin;
  PetscCall(TSGetSolution(ts, &X));
  PetscCall(VecGetLocalSize(X, &n));
  if (!c->solution_only) PetscCall(TSGetStages(ts, &ns, NULL));
  *bytes = (PetscLogDouble)n * (PetscLogDouble)PetscMax(ns, 1) * (PetscLogDouble)sizeof(PetscReal);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bytes, 1, MPI_DOUBLE, MPI_MAX, c->comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* After every step of a limited solve: drop the trajectory before the next step would take it past the limit. */
static PetscErrorCode LimitTrajectory(KNCircuit c, TS ts, PetscInt k)
{
  PetscReal      t, tmax;
  PetscLogDouble need;

  PetscFunctionBegin;
  if (!c->tape_limited) PetscFunctionReturn(KN_SUCCESS);
  if (!c->tape_step_bytes) PetscCall(StepBytes(c, ts, &c->tape_step_bytes));
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetMaxTime(ts, &tmax));
  c->tape_held = PetscMax(c->tape_held, k + 1); /* steps 0..k are stored */
  need = (PetscLogDouble)PetscMax(c->tape_held, k + 2) * c->tape_step_bytes;
  if (t < tmax) PetscCall(KNCircuitLawTapeYield_Private(c, need)); /* the kept law values give way first */
  if (t < tmax && need > c->tape_limit) {
    PetscCall(PetscInfo(ts, "Layer %s: the trajectory would pass %g bytes at step %" PetscInt_FMT ": dropped, the adjoint will recompute the layer\n", c->name ? c->name : "", c->tape_limit, k + 1));
    PetscCall(KNCircuitDropTrajectory_Private(c));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* After every step of a forward solve: the trajectory's byte limit, then the interrupt callback. */
static PetscErrorCode PostStep(TS ts)
{
  KNCircuit c;
  PetscInt  k;

  PetscFunctionBegin;
  PetscCall(TSGetApplicationContext(ts, &c));
  PetscCall(TSGetStepNumber(ts, &k));
  PetscCall(LimitTrajectory(c, ts, k));
  if (c->forward_polling) PetscCall(KNCircuitForwardInterrupt_Private(c, ts, k));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitSetUpTrajectory_Private(KNCircuit c)
{
  PetscFunctionBegin;
  PetscCall(TSSetApplicationContext(c->ts, c));
  PetscCall(TSSetPostStep(c->ts, PostStep));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Frees the trajectory and its storage (PETSc keeps the storage for later solves while the trajectory lives). */
PetscErrorCode KNCircuitDropTrajectory_Private(KNCircuit c)
{
  PetscFunctionBegin;
  PetscCall(TSRemoveTrajectory(c->ts));
  PetscCall(KNCircuitLawTapeFree_Private(c));
  c->tape_valid = PETSC_FALSE, c->tape_limited = PETSC_FALSE, c->tape_held = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSolveWithTrajectory - KNCircuitSolve() that keeps the trajectory in memory for KNCircuitAdjointSolve(), as
  long as it holds at most max_bytes on every rank

  Collective

  Input Parameters:
+ c - the circuit
. X - the state at t = 0 (on output: the state at t = T)
- max_bytes - the limit on the bytes the trajectory may hold on each rank (PETSC_MAX_REAL: none)

  Output Parameter:
. kept - whether the trajectory was kept; if not, it was freed during the solve, as soon as the next step would have
  passed the limit

  Notes:
  A step stores the state and every stage (only the state with -kn_trajectory_solution_only). The storage lives on
  for the next solves until the trajectory is dropped; KNCircuitGetTrajectoryBytes() says how much it holds.

  Level: intermediate

.seealso: KNCircuitAdjointSolve(), KNCircuitSolveAdjoint(), KNNetSetAdjointMemory()
@*/
PetscErrorCode KNCircuitSolveWithTrajectory(KNCircuit c, Vec X, PetscLogDouble max_bytes, PetscBool *kept)
{
  TSTrajectory   tj;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  PetscCall(TSGetTrajectory(c->ts, &tj));
  if (!tj) {
    PetscCall(TSSetSaveTrajectory(c->ts));
    PetscCall(TSGetTrajectory(c->ts, &tj));
    PetscCall(TSTrajectorySetType(tj, c->ts, TSTRAJECTORYMEMORY)); /* the default type writes TS-data-* folders */
    PetscCall(TSTrajectorySetSolutionOnly(tj, c->solution_only)); /* checked against the scheme at set-up */
  }
  c->tape_limited = (PetscBool)(max_bytes < PETSC_MAX_REAL);
  c->tape_limit   = max_bytes;
  c->tape_valid   = PETSC_FALSE;
  KNCircuitLawTapeBegin_Private(c);
  ierr = KNCircuitForwardSolve_Private(c, X);
  KNCircuitLawTapeEnd_Private(c);
  if (ierr) (void)KNCircuitDropTrajectory_Private(c); /* a partial trajectory would break the next solve */
  PetscCall(ierr);
  PetscCall(TSGetTrajectory(c->ts, &tj));
  c->tape_valid   = (PetscBool)(tj != NULL);
  c->tape_limited = PETSC_FALSE;
  if (kept) *kept = c->tape_valid;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitGetTrajectoryBytes - the bytes the circuit's trajectory storage holds on this rank (0 when it has none)

  Not Collective

  Level: intermediate

.seealso: KNCircuitSolveWithTrajectory()
@*/
PetscErrorCode KNCircuitGetTrajectoryBytes(KNCircuit c, PetscLogDouble *bytes)
{
  TSTrajectory tj;

  PetscFunctionBegin;
  PetscCall(TSGetTrajectory(c->ts, &tj));
  *bytes = (tj ? (PetscLogDouble)c->tape_held * c->tape_step_bytes : 0) + KNCircuitLawTapeBytes_Private(c);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitAdjointSolve - the discrete adjoint of the solve KNCircuitSolveWithTrajectory() kept

  Collective

  Input Parameters:
+ c - the circuit
. L - dL/dX(T) for the voltages and log-densities
- G - a parameter Vec holding any direct dL/dtheta (usually 0)

  Output Parameters:
+ L - dL/dX(0)
- G - dL/dtheta of this layer

  Notes:
  The kept trajectory is used up; a new solve or new parameters (KNCircuitSetParameters()) invalidate it first.

  Level: intermediate

.seealso: KNCircuitSolveWithTrajectory(), KNCircuitSolveAdjoint()
@*/
PetscErrorCode KNCircuitAdjointSolve(KNCircuit c, Vec L, Vec G)
{
  PetscInt  steps, left, maxsteps;
  PetscReal t;

  PetscFunctionBegin;
  PetscCheck(c->tape_valid, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Layer %s: no trajectory of the current parameters is kept: call KNCircuitSolveWithTrajectory() first (or KNCircuitSolveAdjoint())", c->name ? c->name : "");
  PetscCall(KNCircuitStateParameters_Private(c, L, G, PETSC_TRUE)); /* state mode: mu rides in the adjoint state */
  PetscCall(TSSetCostGradients(c->ts, 1, &L, c->augmented ? NULL : &G));
  PetscCall(PetscLogEventBegin(KN_LayerAdjoint, 0, 0, 0, 0));
  PetscCall(TSGetStepNumber(c->ts, &steps));
  maxsteps       = c->ts->adjoint_max_steps;
  c->interrupted = PETSC_FALSE;
  PetscCall(TSAdjointSolve(c->ts));
  PetscCall(PetscLogEventEnd(KN_LayerAdjoint, 0, 0, 0, 0));
  if (c->interrupted) { /* the interrupt shortened the adjoint (AdjointMonitor()): undo that, drop the used-up trajectory */
    c->ts->adjoint_max_steps = maxsteps;
    PetscCall(KNCircuitDropTrajectory_Private(c));
    PetscCall(KNCircuitRaiseInterrupt_Private(c, "the adjoint solve was"));
  }
  PetscCall(TSGetStepNumber(c->ts, &left)); /* the adjoint counts the steps back down to 0 */
  if (left) { /* the last adjoint step loaded step left + 1 with dt = t(left + 1) - t(left) */
    PetscReal dt;

    PetscCall(TSGetTime(c->ts, &t));
    PetscCall(TSGetTimeStep(c->ts, &dt));
    t -= PetscAbsReal(dt); /* the adjoint may store it negated */
  }
  PetscCheck(left == 0, c->comm, PETSC_ERR_NOT_CONVERGED, "Layer %s: the adjoint stopped at t = %g after %" PetscInt_FMT " of the %" PetscInt_FMT " steps of the forward solve (-ts_adjoint_max_steps?); the gradient would be wrong",
             c->name ? c->name : "", (double)(t / c->hw_scale), steps - left, steps);
  PetscCall(KNCircuitStateParameters_Private(c, L, G, PETSC_FALSE));
  c->tape_valid = PETSC_FALSE;
  KNCircuitLawTapeInvalidate_Private(c);
  PetscFunctionReturn(KN_SUCCESS);
}
