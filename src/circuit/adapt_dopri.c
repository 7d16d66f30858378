/* TSAdapt "kndopri": the step-size rules of torchdiffeq's dopri5 (the reference code's solver), on the error norm of
   the whole batch over every data group. Against basic it never shrinks after an accepted step and has no extra
   safety after a rejection, which is what keeps its accepted-step counts at torchdiffeq's. */
#include "adaptimpl.h"
#include "sys/knoptions.h"

/* next h = h min(ifactor, max(safety r^(-1/order), accepted ? 1 : dfactor)), r = 0 gives ifactor; the step is accepted
   when r <= 1, at dt_min, or with -ts_adapt_always_accept. A NaN norm rejects the step and shrinks it by dfactor. */
static PetscErrorCode TSAdaptChoose_KNDopri(TSAdapt adapt, TS ts, PetscReal h, PetscInt *next_sc, PetscReal *next_h, PetscBool *accept, PetscReal *wlte, PetscReal *wltea, PetscReal *wlter)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  PetscInt       order;
  PetscReal      enorm, safety, lo, ifactor, dtmin, dtmax, fac;

  PetscFunctionBegin;
  *next_sc = 0, *wltea = -1, *wlter = -1;
  PetscCall(KNAdaptGroupsError_Private(adapt, ts, &order, &enorm));
  if (enorm < 0) { /* no error estimate: keep the step */
    *accept = PETSC_TRUE, *next_h = h, *wlte = -1;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(TSAdaptGetSafety(adapt, &safety, NULL));
  PetscCall(TSAdaptGetClip(adapt, &lo, &ifactor));
  PetscCall(TSAdaptGetStepLimits(adapt, &dtmin, &dtmax));
  if (PetscIsNanReal(enorm)) {
    *accept = PETSC_FALSE, *next_h = PetscMax(h * ag->dfactor, dtmin), *wlte = enorm;
    PetscFunctionReturn(KN_SUCCESS);
  }
  *accept = (PetscBool)(enorm <= 1 || h < (1 + PETSC_SQRT_MACHINE_EPSILON) * dtmin || adapt->always_accept);
  if (enorm == 0) fac = ifactor;
  else fac = PetscMin(ifactor, PetscMax(safety * PetscPowReal(enorm, -1 / (PetscReal)order), enorm < 1 ? 1 : ag->dfactor));
  PetscCall(PetscInfo(adapt, "Error over %d groups %g, %s step of size %g, factor %g\n", ag->G, (double)enorm, *accept ? "accepting" : "rejecting", (double)h, (double)fac));
  *next_h = PetscClipInterval(h * fac, dtmin, dtmax);
  *wlte   = enorm;
  (void)lo;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TSAdaptSetFromOptions_KNDopri(TSAdapt adapt, PetscOptionItems *PetscOptionsObject)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "kndopri: torchdiffeq dopri5 step-size rules");
  PetscCall(PetscOptionsReal("-ts_adapt_kndopri_dfactor", "Smallest factor a rejected step shrinks by (torchdiffeq's dfactor); the largest growth is -ts_adapt_clip's upper value", "KNTSADAPTDOPRI", ag->dfactor, &ag->dfactor, NULL));
  PetscOptionsHeadEnd();
  PetscCheck(ag->dfactor > 0 && ag->dfactor < 1, PetscObjectComm((PetscObject)adapt), PETSC_ERR_ARG_OUTOFRANGE, "-ts_adapt_kndopri_dfactor must be in (0, 1), got %g", (double)ag->dfactor);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TSAdaptView_KNDopri(TSAdapt adapt, PetscViewer viewer)
{
  KNAdaptGroups *ag = (KNAdaptGroups *)adapt->data;
  PetscBool      ascii;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (ascii) PetscCall(PetscViewerASCIIPrintf(viewer, "  torchdiffeq dopri5 rules (no shrink after an accepted step, dfactor %g), error norm over %d data group%s\n", (double)ag->dfactor, ag->G, ag->G > 1 ? "s" : ""));
  PetscFunctionReturn(KN_SUCCESS);
}

/*MC
  KNTSADAPTDOPRI - "kndopri", the circuit's default step-size controller: the rules of torchdiffeq's dopri5
  (rk_common.py _optimal_step_size): after an accepted step h grows by min(10, max(0.9 r^(-1/5), 1)), after a
  rejected one it shrinks by max(0.9 r^(-1/5), 0.2); r is the weighted RMS error of the whole batch, over all data
  groups (KNTSAdaptGroupsSetComm()), so every grid shape takes the steps of one rank

  Options Database Keys:
+ -ts_adapt_kndopri_dfactor <0.2> - smallest shrink factor after a rejection
. -ts_adapt_safety <0.9> - the safety factor
. -ts_adapt_clip <lo,10> - the upper value is the largest growth factor (the lower one is not used)
- -ts_adapt_dt_min, -ts_adapt_dt_max, -ts_adapt_always_accept, -ts_adapt_wnormtype - as for basic

  Level: developer

.seealso: KNTSADAPTGROUPS, KNCircuitSetStepComm()
M*/
PetscErrorCode KNTSAdaptCreate_Dopri(TSAdapt adapt)
{
  PetscFunctionBegin;
  PetscCall(KNAdaptGroupsCreate_Private(adapt));
  ((KNAdaptGroups *)adapt->data)->dfactor = 0.2;
  adapt->ops->choose         = TSAdaptChoose_KNDopri;
  adapt->ops->setfromoptions = TSAdaptSetFromOptions_KNDopri;
  adapt->ops->view           = TSAdaptView_KNDopri;
  PetscFunctionReturn(KN_SUCCESS);
}
