/* KNCircuit interrupts: a caller's callback polled during the time integration (forward and adjoint), so that a solve
   that has turned very long (a stiff circuit) can be stopped within a few steps. The poll only reads: the steps taken
   up to the stop are those of an uninterrupted solve. */
#include <petsc/private/tsimpl.h> /* ts->adjoint_steps, ts->adjoint_max_steps: stopping an adjoint solve */
#include "circuitimpl.h"

/* Steps between two polls when deciding needs a reduction (several ranks or data groups); alone: every step. */
#define KN_INTERRUPT_EVERY 4

/*@C
  KNCircuitSetInterrupt - a callback polled during every time integration of the circuit; when it says stop on any
  rank, the solve stops within a few steps and returns KN_ERR_INTERRUPTED

  Logically Collective

  Input Parameters:
+ c - the circuit
. fn - fn(ctx, &stop) sets stop on this rank (not collective, e.g. "a signal was caught"); NULL: no interrupt
- ctx - its argument

  Notes:
  The forward solve polls after every step, the adjoint before every step (with several ranks, or data groups joined
  by KNCircuitSetStepComm(), every KN_INTERRUPT_EVERY steps, with one reduction over them so that every rank stops
  at the same step). A stopped solve raises KN_ERR_INTERRUPTED naming the layer, the time and the step, and drops its
  trajectory; the results of that solve are invalid. The steps taken before the stop are those of an uninterrupted
  solve. Set it on every rank of the circuit (and of every group joined with it) alike.

  Level: intermediate

.seealso: KNNetSetInterrupt(), KNCircuitSolve(), KNCircuitAdjointSolve()
@*/
PetscErrorCode KNCircuitSetInterrupt(KNCircuit c, PetscErrorCode (*fn)(void *, PetscBool *), void *ctx)
{
  PetscFunctionBegin;
  c->interrupt     = fn;
  c->interrupt_ctx = ctx;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Collective on the circuit (and its step communicator): whether any rank's callback says stop; polled at step k of
   the solve under way only every few steps when that takes a reduction. */
PetscErrorCode KNCircuitPollInterrupt_Private(KNCircuit c, PetscInt k, PetscBool *stop)
{
  PetscBool   local = PETSC_FALSE;
  PetscMPIInt flag;
  PetscBool   alone = (PetscBool)(c->size == 1 && c->stepcomm == MPI_COMM_NULL);

  PetscFunctionBegin;
  *stop = PETSC_FALSE;
  if (!c->interrupt || (!alone && k % KN_INTERRUPT_EVERY)) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(c->interrupt(c->interrupt_ctx, &local));
  flag = local ? 1 : 0;
  if (c->size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, c->comm));
  if (c->stepcomm != MPI_COMM_NULL) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, c->stepcomm));
  *stop = (PetscBool)(flag != 0);
  PetscFunctionReturn(KN_SUCCESS);
}

/* After step k of a forward solve: a stop ends TSSolve() through its converged reason (no error inside PETSc). */
PetscErrorCode KNCircuitForwardInterrupt_Private(KNCircuit c, TS ts, PetscInt k)
{
  PetscBool stop;
  PetscReal t, tmax;

  PetscFunctionBegin;
  if (!c->interrupt || c->interrupted) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(TSGetTime(ts, &t));
  PetscCall(TSGetMaxTime(ts, &tmax));
  if (t >= tmax) PetscFunctionReturn(KN_SUCCESS); /* the solve is complete: nothing to save by stopping */
  PetscCall(KNCircuitPollInterrupt_Private(c, k, &stop));
  if (!stop) PetscFunctionReturn(KN_SUCCESS);
  c->interrupted = PETSC_TRUE, c->interrupt_t = t, c->interrupt_step = k;
  PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Before every adjoint step (step = the forward step it goes back from): a stop lets this step be the last one,
   through the adjoint's step limit, which KNCircuitAdjointSolve() puts back. */
static PetscErrorCode AdjointMonitor(TS ts, PetscInt step, PetscReal t, Vec X, PetscInt n, Vec *L, Vec *G, void *ctx)
{
  KNCircuit c = (KNCircuit)ctx;
  PetscBool stop;

  PetscFunctionBegin;
  (void)X, (void)n, (void)L, (void)G;
  if (!c->interrupt || c->interrupted || step <= 0) PetscFunctionReturn(KN_SUCCESS); /* step 0: the adjoint is done */
  PetscCall(KNCircuitPollInterrupt_Private(c, ts->adjoint_steps, &stop));
  if (!stop) PetscFunctionReturn(KN_SUCCESS);
  c->interrupted = PETSC_TRUE, c->interrupt_t = t, c->interrupt_step = step;
  ts->adjoint_max_steps = ts->adjoint_steps + 1;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitSetUpInterrupt_Private(KNCircuit c)
{
  PetscFunctionBegin;
  PetscCall(TSAdjointMonitorSet(c->ts, AdjointMonitor, c, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The error of a stopped solve (the caller has made the TS usable again). */
PetscErrorCode KNCircuitRaiseInterrupt_Private(KNCircuit c, const char what[])
{
  PetscFunctionBegin;
  c->interrupted = PETSC_FALSE;
  SETERRQ(c->comm, KN_ERR_INTERRUPTED, "Layer %s: %s interrupted at t = %g of %g (step %" PetscInt_FMT ")", c->name ? c->name : "", what, (double)(c->interrupt_t / c->hw_scale), (double)c->T, c->interrupt_step);
}
