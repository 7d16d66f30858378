/* KNCircuit time stepping: TS set-up, forward solve, and the adjoint (recomputed forward + TSAdjointSolve). */
#include <petsc/private/tsimpl.h> /* ts->default_adapt_type */
#include "circuitimpl.h"

/* Error-control tolerances: the scalar -ts_atol/-ts_rtol on voltages and log-densities, 0 on parameters,
   which TSErrorWeightedNorm then ignores, so the augmented state steps exactly like the plain one. */
static PetscErrorCode SetVectorTolerances(KNCircuit c)
{
  PetscReal atol, rtol, *a, *r;
  PetscInt  off, n;

  PetscFunctionBegin;
  PetscCall(TSGetTolerances(c->ts, &atol, NULL, &rtol, NULL));
  if (!c->vatol) {
    PetscCall(KNCircuitCreateStateVec(c, &c->vatol));
    PetscCall(VecDuplicate(c->vatol, &c->vrtol));
  }
  PetscCall(KNCircuitGetParameterOffset_Private(c, &off));
  PetscCall(VecGetLocalSize(c->vatol, &n));
  PetscCall(VecGetArray(c->vatol, &a));
  PetscCall(VecGetArray(c->vrtol, &r));
  for (PetscInt k = 0; k < n; k++) {
    a[k] = k < off ? atol : 0.0;
    r[k] = k < off ? rtol : 0.0;
  }
  PetscCall(VecRestoreArray(c->vatol, &a));
  PetscCall(VecRestoreArray(c->vrtol, &r));
  PetscCall(TSSetTolerances(c->ts, atol, c->vatol, rtol, c->vrtol));
  PetscFunctionReturn(KN_SUCCESS);
}

/* -ts_dt and -ts_adapt_dt_min/max are given in software time; the TS runs in hardware time a*t. */
static PetscErrorCode ScaleStepSizes(KNCircuit c)
{
  TSAdapt   adapt;
  PetscReal hmin, hmax;

  PetscFunctionBegin;
  c->dt0 *= c->hw_scale;
  PetscCall(TSGetAdapt(c->ts, &adapt));
  PetscCall(TSAdaptGetStepLimits(adapt, &hmin, &hmax));
  PetscCall(TSAdaptSetStepLimits(adapt, hmin * c->hw_scale, hmax < PETSC_MAX_REAL / 1e30 ? hmax * c->hw_scale : hmax));
  PetscFunctionReturn(KN_SUCCESS);
}

/* TSSetRHSJacobianP gives exact gradients with TSRK tableaus, except that PETSc < 3.21.4 drops the Jp^T products
   of stages with b_i = 0 (all but a skipped FSAL last stage). The theta methods are only used in state mode. */
static PetscErrorCode JacobianPIsExact(KNCircuit c, PetscBool *exact)
{
  PetscBool        rk;
  PetscInt         s;
  const PetscReal *b;
  PetscBool        fsal;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)c->ts, TSRK, &rk));
  *exact = rk;
  if (!rk || PETSC_VERSION_GE(3, 21, 4)) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(TSRKGetTableau(c->ts, &s, NULL, &b, NULL, NULL, NULL, NULL, &fsal));
  for (PetscInt i = 0; i < s; i++)
    if (b[i] == 0.0 && !(fsal && i == s - 1)) *exact = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Solution-only trajectories recompute each step's stages from its stored start during the adjoint; PETSc < 3.21.5
   starts an FSAL step there from a stale first stage, which gives wrong gradients (3bs, 5dp, 5bs): refuse them. */
static PetscErrorCode CheckSolutionOnly(KNCircuit c)
{
  PetscBool rk, fsal = PETSC_FALSE;
  TSRKType  rktype;

  PetscFunctionBegin;
  if (!c->solution_only || PETSC_VERSION_GE(3, 21, 5)) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscObjectTypeCompare((PetscObject)c->ts, TSRK, &rk));
  if (!rk) PetscFunctionReturn(KN_SUCCESS); /* theta methods: verified by t305 */
  PetscCall(TSRKGetType(c->ts, &rktype));
  PetscCall(TSRKGetTableau(c->ts, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &fsal));
  PetscCheck(!fsal, c->comm, PETSC_ERR_ARG_INCOMP, "Layer %s: -kn_trajectory_solution_only cannot be used with -ts_rk_type %s: PETSc %d.%d recomputes the stages of this FSAL scheme wrongly in the adjoint (fixed in 3.21.5); use -ts_rk_type 4 (or 1fe, 2a, 3) or drop -kn_trajectory_solution_only",
             c->name ? c->name : "", rktype, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The TS and its type, before the layout: the layout depends on whether theta rides in the state. */
PetscErrorCode KNCircuitCreateTS_Private(KNCircuit c)
{
  TSType    type;
  PetscBool rk, theta, exact = PETSC_FALSE, dtset;

  PetscFunctionBegin;
  PetscCall(TSCreate(c->comm, &c->ts));
  PetscCall(TSSetOptionsPrefix(c->ts, c->prefix));
  PetscCall(TSSetProblemType(c->ts, TS_NONLINEAR));
  PetscCall(TSSetType(c->ts, TSRK));
  PetscCall(TSRKSetType(c->ts, TSRK5DP)); /* dopri5, as the reference code */
  PetscCall(TSSetMaxTime(c->ts, KNCircuitPhysicalDuration(c)));
  PetscCall(TSSetMaxSteps(c->ts, 100000)); /* a step budget per layer solve: a circuit turned stiff stops, naming the layer */
  PetscCall(TSSetExactFinalTime(c->ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetTimeStep(c->ts, PetscMin(1e-3, c->T)));
  PetscCall(TSSetTolerances(c->ts, 1e-4, NULL, 1e-4, NULL));
  PetscCall(TSSetErrorIfStepFails(c->ts, PETSC_FALSE)); /* CheckConverged() reports the layer, time and step instead */
  c->ts->default_adapt_type = KNTSADAPTDOPRI; /* RK's default (torchdiffeq's rules); -ts_type theta resets it to none */
  PetscCall(TSSetFromOptions(c->ts));
  PetscCall(PetscOptionsHasName(NULL, c->prefix, "-ts_dt", &dtset));
  c->auto_dt = (PetscBool)!dtset;
  PetscCall(TSGetType(c->ts, &type));
  PetscCall(PetscObjectTypeCompare((PetscObject)c->ts, TSRK, &rk));
  PetscCall(PetscObjectTypeCompareAny((PetscObject)c->ts, &theta, TSTHETA, TSBEULER, TSCN, ""));
  PetscCheck(rk || theta, c->comm, PETSC_ERR_SUP, "-ts_type %s has no adjoint in PETSc %d.%d: use rk (1fe, 2a, 3, 3bs, 4, 5dp, 5bs, ...) or an implicit theta method (beuler, cn, theta)", type, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR);
  PetscCheck(rk || c->jactype == KN_JACOBIAN_AIJ, c->comm, PETSC_ERR_ARG_INCOMP, "-ts_type %s is implicit: it needs an assembled Jacobian, add -kn_jacobian aij", type);
  PetscCall(JacobianPIsExact(c, &exact));
  PetscCheck(exact || c->adjparams != KN_ADJOINT_PARAMS_JACOBIANP, c->comm, PETSC_ERR_ARG_INCOMP, "-kn_adjoint_params jacobianp needs -ts_type rk with a tableau without zero weights (PETSc %d.%d drops their Jp^T products; fixed in 3.21.4): use -kn_adjoint_params state or auto", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR);
  PetscCall(CheckSolutionOnly(c));
  c->augmented = (PetscBool)(c->adjparams == KN_ADJOINT_PARAMS_STATE || (c->adjparams == KN_ADJOINT_PARAMS_AUTO && !exact));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCircuitSetUpTS_Private(KNCircuit c)
{
  PetscFunctionBegin;
  PetscCall(TSSetRHSFunction(c->ts, NULL, KNCircuitRHSFunction_Private, c));
  if (c->jactype == KN_JACOBIAN_AIJ) PetscCall(KNCircuitCreateAIJJacobian_Private(c, &c->J));
  else PetscCall(KNCircuitCreateShellJacobian_Private(c, &c->J));
  PetscCall(TSSetRHSJacobian(c->ts, c->J, c->J, KNCircuitRHSJacobian_Private, c));
  if (!c->augmented) {
    PetscCall(KNCircuitCreateShellJacobianP_Private(c, &c->Jp));
    PetscCall(TSSetRHSJacobianP(c->ts, c->Jp, KNCircuitRHSJacobianP_Private, c));
  }
  PetscCall(TSGetTimeStep(c->ts, &c->dt0));
  if (c->hw_scale != 1.0) PetscCall(ScaleStepSizes(c));
  PetscCall(SetVectorTolerances(c));
  PetscCall(KNCircuitSetUpStepComm_Private(c));
  PetscCall(KNCircuitSetUpTrajectory_Private(c));
  PetscCall(KNCircuitSetUpInterrupt_Private(c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* With a step communicator of several groups, an adaptive TS must choose its steps from the error of every group:
   basic becomes kngroups (same rules, the norm over all groups), kndopri takes the groups; fixed steps need nothing. */
PetscErrorCode KNCircuitSetUpStepComm_Private(KNCircuit c)
{
  TSAdapt     adapt;
  TSAdaptType type;
  PetscMPIInt G = 1;
  PetscBool   none, basic, groups, dopri;

  PetscFunctionBegin;
  if (c->stepcomm != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_size(c->stepcomm, &G));
  PetscCall(TSGetAdapt(c->ts, &adapt));
  PetscCall(TSAdaptGetType(adapt, &type));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, TSADAPTNONE, &none));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, TSADAPTBASIC, &basic));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, KNTSADAPTGROUPS, &groups));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, KNTSADAPTDOPRI, &dopri));
  if (G == 1 || none) {
    if (groups || dopri) PetscCall(KNTSAdaptGroupsSetComm(adapt, MPI_COMM_NULL)); /* this TS alone */
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCheck(basic || groups || dopri, c->comm, PETSC_ERR_SUP, "Layer %s: -ts_adapt_type %s cannot keep %d data groups in step (each group would choose its own steps from its slice of the batch): use -ts_adapt_type kndopri (the default) or basic (both synchronised over the groups), none (fixed steps), or -kn_data_groups 1", c->name ? c->name : "", type, G);
  if (basic) PetscCall(TSAdaptSetType(adapt, KNTSADAPTGROUPS)); /* keeps the -ts_adapt_* settings: they live in the TSAdapt */
  PetscCall(KNTSAdaptGroupsSetComm(adapt, c->stepcomm));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSetStepComm - joins the data groups that integrate other slices of the same mini-batch with the same
  circuit: adaptive steps are then chosen from the error over all groups, so each group takes the steps of the whole
  batch (and of a 1-group run)

  Logically Collective

  Input Parameters:
+ c - the circuit
- comm - one rank of each group, ranked in group order (KNGridGetAcrossComm()); MPI_COMM_NULL for none

  Notes:
  The communicator is not duplicated: it must outlive the circuit's solves. Every group must then solve the same
  number of times (a group without samples integrates padding). -ts_adapt_type basic is replaced by kngroups
  (KNTSADAPTGROUPS), none needs nothing, other controllers are refused. The adjoint replays the stored steps.

  Level: developer

.seealso: KNNetSetStepComm(), KNTSAdaptGroupsSetComm()
@*/
PetscErrorCode KNCircuitSetStepComm(KNCircuit c, MPI_Comm comm)
{
  PetscFunctionBegin;
  c->stepcomm = comm;
  if (c->setupcalled) PetscCall(KNCircuitSetUpStepComm_Private(c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A solve that stopped early without failing (-ts_max_steps, -ts_max_time below the layer's end, a user stop) would
   hand a state at the wrong time to the next layer: an error naming the layer, the time reached and the steps. */
static PetscErrorCode CheckReachedEnd(KNCircuit c, TSConvergedReason reason, PetscReal t, PetscInt steps)
{
  PetscReal tend = KNCircuitPhysicalDuration(c), tol = 100.0 * PETSC_MACHINE_EPSILON * PetscMax(1.0, PetscAbsReal(tend));
  PetscInt  maxsteps;

  PetscFunctionBegin;
  if (reason == TS_CONVERGED_TIME || PetscAbsReal(t - tend) <= tol) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(TSGetMaxSteps(c->ts, &maxsteps));
  PetscCheck(reason != TS_CONVERGED_ITS, c->comm, PETSC_ERR_NOT_CONVERGED, "Layer %s: the time integration stopped at t = %g of %g after %" PetscInt_FMT " steps: the step limit -ts_max_steps %" PetscInt_FMT " was reached before the end of the layer; raise -ts_max_steps (or loosen -ts_rtol/-ts_atol)",
             c->name ? c->name : "", (double)(t / c->hw_scale), (double)c->T, steps, maxsteps);
  SETERRQ(c->comm, PETSC_ERR_NOT_CONVERGED, "Layer %s: the time integration stopped at t = %g of %g after %" PetscInt_FMT " steps (%s) before the end of the layer", c->name ? c->name : "", (double)(t / c->hw_scale), (double)c->T, steps, TSConvergedReasons[reason]);
}

static PetscErrorCode CheckConverged(KNCircuit c, Vec X)
{
  TSConvergedReason reason;
  PetscReal         t, nrm;
  PetscInt          steps;

  PetscFunctionBegin;
  PetscCall(TSGetConvergedReason(c->ts, &reason));
  PetscCall(TSGetSolveTime(c->ts, &t));
  PetscCall(TSGetStepNumber(c->ts, &steps));
  PetscCheck(reason >= 0, c->comm, PETSC_ERR_NOT_CONVERGED, "Layer %s: the time integration failed at t = %g of %g after %" PetscInt_FMT " steps (%s); try a smaller -ts_dt, a larger -ts_adapt_dt_min, looser -ts_rtol/-ts_atol or smaller learning rates",
             c->name ? c->name : "", (double)(t / c->hw_scale), (double)c->T, steps, TSConvergedReasons[reason]);
  PetscCall(CheckReachedEnd(c, reason, t, steps));
  PetscCall(VecNorm(X, NORM_INFINITY, &nrm));
  PetscCheck(!PetscIsInfOrNanReal(nrm), c->comm, PETSC_ERR_FP, "Layer %s: the state became NaN or Inf during the time integration (%" PetscInt_FMT " steps)", c->name ? c->name : "", steps);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Integrates X from 0 to T; an adaptive solve without -ts_dt starts from the automatic first step. */
PetscErrorCode KNCircuitForwardSolve_Private(KNCircuit c, Vec X)
{
  PetscInt  steps, rejects;
  PetscReal dt = PetscMin(c->dt0, KNCircuitPhysicalDuration(c));
  TSAdapt   adapt;
  PetscBool fixed;

  PetscFunctionBegin;
  PetscCall(KNCircuitStateParameters_Private(c, X, c->theta, PETSC_TRUE));
  PetscCall(TSGetAdapt(c->ts, &adapt));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, TSADAPTNONE, &fixed));
  if (c->auto_dt && !fixed) PetscCall(KNCircuitInitialStep_Private(c, X, &dt));
  PetscCall(TSSetTime(c->ts, 0.0));
  PetscCall(TSSetStepNumber(c->ts, 0));
  PetscCall(TSSetTimeStep(c->ts, dt));
  PetscCall(TSSetMaxTime(c->ts, KNCircuitPhysicalDuration(c)));
  PetscCall(PetscLogEventBegin(KN_LayerForward, 0, 0, 0, 0));
  c->forward_polling = PETSC_TRUE, c->interrupted = PETSC_FALSE;
  PetscCall(TSSolve(c->ts, X));
  c->forward_polling = PETSC_FALSE;
  PetscCall(PetscLogEventEnd(KN_LayerForward, 0, 0, 0, 0));
  if (c->interrupted) PetscCall(KNCircuitRaiseInterrupt_Private(c, "the forward solve was"));
  PetscCall(CheckConverged(c, X));
  PetscCall(TSGetStepNumber(c->ts, &steps));
  PetscCall(TSGetStepRejections(c->ts, &rejects));
  c->stats.steps += steps;
  c->stats.rejects = rejects;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSolve - integrates the layer: X holds the state at t = 0 on input and at t = T on output

  Collective

  Notes:
  The parameter block of X is overwritten with the circuit's parameters. No trajectory is stored: a kept one is freed.

  Level: beginner

.seealso: KNCircuitSolveAdjoint(), KNCircuitSolveWithTrajectory()
@*/
PetscErrorCode KNCircuitSolve(KNCircuit c, Vec X)
{
  TSTrajectory tj;

  PetscFunctionBegin;
  PetscCheck(c->setupcalled, c->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNCircuitSetUp() first");
  PetscCall(TSGetTrajectory(c->ts, &tj));
  if (tj) PetscCall(KNCircuitDropTrajectory_Private(c));
  PetscCall(KNCircuitForwardSolve_Private(c, X));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNCircuitSolveAdjoint - recomputes the forward solve with a memory trajectory and runs the discrete adjoint

  Collective

  Input Parameters:
+ c - the circuit
. X - the state at t = 0 (on output: the state at t = T)
. L - dL/dX(T) for the voltages and log-densities
- G - a parameter Vec holding any direct dL/dtheta (usually 0)

  Output Parameters:
+ L - dL/dX(0)
- G - dL/dtheta of this layer

  Notes:
  Exact for the time stepper used (discrete adjoint), for every offered scheme. The trajectory is kept in
  memory and released afterwards, so a network holds one layer's trajectory at a time; with
  -kn_trajectory_solution_only it holds only the state of each step and the adjoint recomputes the stages.

  Level: beginner

.seealso: KNCircuitSolve(), KNCircuitSolveWithTrajectory(), KNCircuitAdjointSolve(), KNCircuitSetAdjointParamsType()
@*/
PetscErrorCode KNCircuitSolveAdjoint(KNCircuit c, Vec X, Vec L, Vec G)
{
  PetscFunctionBegin;
  PetscCall(KNCircuitSolveWithTrajectory(c, X, PETSC_MAX_REAL, NULL));
  PetscCall(KNCircuitAdjointSolve(c, L, G));
  PetscCall(KNCircuitDropTrajectory_Private(c));
  PetscFunctionReturn(KN_SUCCESS);
}
