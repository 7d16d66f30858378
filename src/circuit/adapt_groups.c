/* The error norm over every data group (shared by the kngroups and kndopri controllers), so that groups integrating
   different slices of one mini-batch take the steps of the whole batch; and TSAdapt "kngroups": basic's rules on it. */
#include "adaptimpl.h"

/* Entries of U (and Y) that TSErrorWeightedNorm2 counts: a positive tolerance atol_i + rtol_i max(|u_i|, |y_i|),
   outside the -ts_adapt_max_ignore cut; summed over the group's communicator. */
static PetscErrorCode CountWeightedEntries(TSAdapt adapt, TS ts, Vec U, Vec Y, PetscReal *n)
{
  PetscReal        atol, rtol, cnt = 0;
  Vec              va, vr;
  const PetscReal *u, *y, *a = NULL, *r = NULL;
  PetscInt         m;

  PetscFunctionBegin;
  PetscCall(TSGetTolerances(ts, &atol, &va, &rtol, &vr));
  PetscCall(VecGetLocalSize(U, &m));
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArrayRead(Y ? Y : U, &y));
  if (va) PetscCall(VecGetArrayRead(va, &a));
  if (vr) PetscCall(VecGetArrayRead(vr, &r));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal big = PetscMax(PetscAbsReal(u[i]), PetscAbsReal(y[i]));

    if (PetscAbsReal(u[i]) < adapt->ignore_max || PetscAbsReal(y[i]) < adapt->ignore_max) continue;
    if ((a ? a[i] : atol) + (r ? r[i] : rtol) * big > 0) cnt += 1;
  }
  if (vr) PetscCall(VecRestoreArrayRead(vr, &r));
  if (va) PetscCall(VecRestoreArrayRead(va, &a));
  PetscCall(VecRestoreArrayRead(Y ? Y : U, &y));
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCallMPI(MPI_Allreduce(&cnt, n, 1, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)ts)));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The norm of all groups from each group's norm: RMS weighted by the entry counts (NORM_2) or the max, combined in
   group order so that every rank of every group gets the same bits. NaN anywhere gives NaN everywhere. */
static PetscErrorCode CombineGroups(TSAdapt adapt, NormType type, PetscReal n, PetscReal *enorm)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  PetscReal      mine[2] = {*enorm, n}, s = 0, cnt = 0, mx = 0;
  PetscBool      nan = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Allgather(mine, 2, MPIU_REAL, ag->buf, 2, MPIU_REAL, ag->across));
  for (PetscMPIInt g = 0; g < ag->G; g++) {
    PetscReal e = ag->buf[2 * g], ng = ag->buf[2 * g + 1];

    if (PetscIsNanReal(e)) nan = PETSC_TRUE;
    if (e < 0) continue; /* not evaluated there (only if no group evaluated it: every group runs the same TS) */
    s += ng * e * e, cnt += ng, mx = PetscMax(mx, e);
  }
  if (nan) *enorm = (PetscReal)NAN;
  else if (*enorm < 0) *enorm = -1;
  else if (type == NORM_INFINITY) *enorm = mx;
  else *enorm = cnt > 0 ? PetscSqrtReal(s / cnt) : 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/* This group's weighted local truncation error and the order of the estimate; enorm = -1 if the TS has none. */
static PetscErrorCode GroupError(TSAdapt adapt, TS ts, PetscInt *order, PetscReal *enorm, PetscReal *n)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  Vec            U;
  PetscReal      ea, er;
  TSRHSFunction  rhs;
  void          *ctx;

  PetscFunctionBegin;
  *enorm = -1, *n = 0, *order = PETSC_DECIDE;
  PetscCall(TSGetSolution(ts, &U));
  if (ts->ops->evaluatewlte) {
    PetscCall(TSEvaluateWLTE(ts, adapt->wnormtype, order, enorm));
    PetscCheck(*enorm < 0 || *order >= 1, PetscObjectComm((PetscObject)adapt), PETSC_ERR_ARG_OUTOFRANGE, "The error estimate has order %" PetscInt_FMT ", it must be positive", *order);
    if (ag->across != MPI_COMM_NULL && adapt->wnormtype == NORM_2) PetscCall(CountWeightedEntries(adapt, ts, U, NULL, n));
  } else if (ts->ops->evaluatestep) {
    PetscInt         nc;
    const PetscInt  *orders;
    const PetscReal *ccfl, *cost;

    PetscCall(TSAdaptCandidatesGet(adapt, &nc, &orders, NULL, &ccfl, &cost));
    PetscCheck(nc >= 1 && adapt->candidates.inuse_set, PetscObjectComm((PetscObject)adapt), PETSC_ERR_ARG_WRONGSTATE, "The time stepper registered no scheme in use with the step-size controller");
    *order = orders[0];
    if (!ag->Y) PetscCall(VecDuplicate(U, &ag->Y));
    PetscCall(TSEvaluateStep(ts, *order - 1, ag->Y, NULL));
    PetscCall(TSGetRHSFunction(ts, NULL, &rhs, &ctx));
    if (rhs == KNCircuitRHSFunction_Private && adapt->wnormtype == NORM_2) { /* a circuit's: the partition-independent sum */
      PetscCall(KNCircuitErrorNorm2_Private((KNCircuit)ctx, adapt->ignore_max, U, ag->Y, enorm, n));
      PetscFunctionReturn(KN_SUCCESS);
    }
    PetscCall(TSErrorWeightedNorm(ts, U, ag->Y, adapt->wnormtype, enorm, &ea, &er));
    if (ag->across != MPI_COMM_NULL && adapt->wnormtype == NORM_2) PetscCall(CountWeightedEntries(adapt, ts, U, ag->Y, n));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* The weighted local truncation error of the whole batch (every group's, combined in group order) and its order. */
PetscErrorCode KNAdaptGroupsError_Private(TSAdapt adapt, TS ts, PetscInt *order, PetscReal *enorm)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  PetscReal      n;

  PetscFunctionBegin;
  PetscCall(GroupError(adapt, ts, order, enorm, &n));
  if (ag->across != MPI_COMM_NULL) PetscCall(CombineGroups(adapt, adapt->wnormtype, n, enorm));
  if (PetscIsInfOrNanReal(*enorm)) { /* a blow-up: say where, not only that a norm was NaN */
    TSRHSFunction rhs;
    void         *ctx;
    PetscReal     t;
    PetscInt      step;
    KNCircuit     c;

    PetscCall(TSGetRHSFunction(ts, NULL, &rhs, &ctx));
    PetscCall(TSGetTime(ts, &t));
    PetscCall(TSGetStepNumber(ts, &step));
    c = rhs == KNCircuitRHSFunction_Private ? (KNCircuit)ctx : NULL;
    SETERRQ(PetscObjectComm((PetscObject)adapt), PETSC_ERR_FP, "Layer %s: the state became NaN or Inf in step %" PetscInt_FMT " from t = %g (the error estimate is not finite); the circuit blew up: lower the learning rate or the initial scale of the parameters",
            c && c->name ? c->name : "", step + 1, (double)(c ? t / c->hw_scale : t));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Accept or reject the step of size h and propose the next one, from the norm over all groups; the rules (safety,
   reject safety, clip, step limits, always-accept, the increase delay, acceptance at dt_min) are those of basic. */
static PetscErrorCode TSAdaptChoose_KNGroups(TSAdapt adapt, TS ts, PetscReal h, PetscInt *next_sc, PetscReal *next_h, PetscBool *accept, PetscReal *wlte, PetscReal *wltea, PetscReal *wlter)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  PetscInt       order;
  PetscReal      enorm, safety, reject_safety, lo, hi, dtmin, dtmax, hfac;

  PetscFunctionBegin;
  *next_sc = 0, *wltea = -1, *wlter = -1;
  PetscCall(KNAdaptGroupsError_Private(adapt, ts, &order, &enorm));
  if (enorm < 0) { /* no error estimate: keep the step */
    *accept = PETSC_TRUE, *next_h = h, *wlte = -1;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(TSAdaptGetSafety(adapt, &safety, &reject_safety));
  PetscCall(TSAdaptGetClip(adapt, &lo, &hi));
  PetscCall(TSAdaptGetStepLimits(adapt, &dtmin, &dtmax));
  if (enorm > 1) {
    if (!*accept) safety *= reject_safety; /* two failures in a row: shrink harder */
    *accept = (PetscBool)(h < (1 + PETSC_SQRT_MACHINE_EPSILON) * dtmin || adapt->always_accept);
  } else *accept = PETSC_TRUE;
  PetscCall(PetscInfo(adapt, "Error over %d groups %g, %s step of size %g\n", ag->G, (double)enorm, *accept ? "accepting" : "rejecting", (double)h));
  hfac = enorm > 0 ? safety * PetscPowReal(enorm, -1 / (PetscReal)order) : safety * PETSC_INFINITY;
  if (adapt->timestepjustdecreased) {
    hfac = PetscMin(hfac, 1);
    adapt->timestepjustdecreased--;
  }
  *next_h = PetscClipInterval(h * PetscClipInterval(hfac, lo, hi), dtmin, dtmax);
  *wlte   = enorm;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TSAdaptView_KNGroups(TSAdapt adapt, PetscViewer viewer)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  PetscBool      ascii;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (ascii) PetscCall(PetscViewerASCIIPrintf(viewer, "  basic controller, error norm over %d data group%s\n", ag->G, ag->G > 1 ? "s" : ""));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNAdaptGroupsDestroy_Private(TSAdapt adapt)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;

  PetscFunctionBegin;
  PetscCall(VecDestroy(&ag->Y));
  PetscCall(PetscFree(ag->buf));
  PetscCall(PetscFree(adapt->data));
  PetscFunctionReturn(KN_SUCCESS);
}

/*MC
  KNTSADAPTGROUPS - "kngroups": TSAdapt basic whose weighted error norm is the norm over all data groups of a KNGrid,
  so every group takes the steps the whole mini-batch would take on one group (see KNTSAdaptGroupsSetComm())

  Options Database Keys:
  The -ts_adapt_* options of basic (safety, reject_safety, clip, dt_min, dt_max, always_accept, wnormtype,
  time_step_increase_delay, max_ignore, monitor).

  Level: developer

.seealso: KNCircuitSetStepComm(), KNNetSetStepComm()
M*/
PetscErrorCode KNTSAdaptCreate_Groups(TSAdapt adapt)
{
  PetscFunctionBegin;
  PetscCall(KNAdaptGroupsCreate_Private(adapt));
  adapt->ops->choose = TSAdaptChoose_KNGroups;
  adapt->ops->view   = TSAdaptView_KNGroups;
  PetscFunctionReturn(KN_SUCCESS);
}

/* The data both group-aware controllers share: no groups until KNTSAdaptGroupsSetComm(). */
PetscErrorCode KNAdaptGroupsCreate_Private(TSAdapt adapt)
{
  KNAdaptGroups *ag;

  PetscFunctionBegin;
  PetscCall(PetscNew(&ag));
  ag->across          = MPI_COMM_NULL;
  ag->G               = 1;
  adapt->data         = (void *)ag;
  adapt->ops->destroy = KNAdaptGroupsDestroy_Private;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@
  KNTSAdaptGroupsSetComm - sets the communicator that joins the data groups (one rank per group, ranked in group
  order, the same position in each group: KNGridGetAcrossComm()) of a kngroups or kndopri controller; MPI_COMM_NULL
  or a size-1 communicator gives the norm of this TS alone

  Logically Collective

  Notes:
  The communicator is not duplicated: it must outlive the TS's solves. Every group must call TSSolve()/TSStep() the
  same number of times: each step's accept/reject decision is a collective over comm.

  Level: developer

.seealso: KNTSADAPTGROUPS, KNCircuitSetStepComm()
@*/
PetscErrorCode KNTSAdaptGroupsSetComm(TSAdapt adapt, MPI_Comm comm)
{
  KNAdaptGroups *ag;
  PetscBool      match;
  PetscMPIInt    G = 1;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompareAny((PetscObject)adapt, &match, KNTSADAPTGROUPS, KNTSADAPTDOPRI, ""));
  PetscCheck(match, PetscObjectComm((PetscObject)adapt), PETSC_ERR_ARG_WRONG, "KNTSAdaptGroupsSetComm() needs a TSAdapt of type %s or %s", KNTSADAPTGROUPS, KNTSADAPTDOPRI);
  ag = (KNAdaptGroups *)adapt->data;
  if (comm != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_size(comm, &G));
  PetscCall(PetscFree(ag->buf));
  ag->G      = G;
  ag->across = G > 1 ? comm : MPI_COMM_NULL;
  if (G > 1) PetscCall(PetscMalloc1(2 * G, &ag->buf));
  PetscFunctionReturn(KN_SUCCESS);
}
