/* Learning-rate schedules given by the reference's strings (utils.py parse_scheduler; spec section 7.1). */
#include <stdlib.h>
#include <kn/knoptim.h>

#define KN_SCHEDULE_FORMS "none, steplr_<step_size>_<gamma> (e.g. steplr_100_0.3) or cosinelr_<T_max>_<eta_min> (e.g. cosinelr_10_1e-5)"

/* Parses "<int>_<real>" completely: a positive integer, '_', a real number, end of string. */
static PetscBool ParseIntReal(const char s[], PetscInt *k, PetscReal *r)
{
  char *end;
  long  a;

  a = strtol(s, &end, 10);
  if (end == s || *end != '_' || a <= 0 || a > PETSC_MAX_INT) return PETSC_FALSE;
  s  = end + 1;
  *r = (PetscReal)strtod(s, &end);
  if (end == s || *end != 0 || PetscIsInfOrNanReal(*r)) return PETSC_FALSE;
  *k = (PetscInt)a;
  return PETSC_TRUE;
}

/*@C
  KNScheduleLR - the learning rate of an epoch under a schedule string of the reference code

  Not Collective

  Input Parameters:
+ spec - "none"; "steplr_S_G" (torch StepLR(step_size=S, gamma=G)); "cosinelr_T_E" (torch CosineAnnealingLR(T_max=T,
         eta_min=E)); S and T are positive integers, G > 0 and E >= 0 reals
. lr0 - the initial learning rate
- epoch - the number of scheduler steps taken so far = completed epochs (0 during the first epoch)

  Output Parameter:
. lr - none: lr0; steplr: lr0 G^floor(epoch/S); cosinelr: E + (lr0 - E)(1 + cos(pi epoch/T))/2 (PyTorch's closed
       form, periodic with period 2T when stepped beyond T)

  Notes:
  A malformed string is an error that lists the valid forms; call with epoch 0 to validate a string early.
  The reference steps the scheduler once per epoch only in classification and regression runs (spec 7.1).

  Level: beginner

.seealso: KNOptimizerSetLearningRate()
@*/
PetscErrorCode KNScheduleLR(const char spec[], PetscReal lr0, PetscInt epoch, PetscReal *lr)
{
  PetscBool none, step, cosine;
  PetscInt  k   = 0;
  PetscReal r   = 0;
  PetscBool ok  = PETSC_FALSE;

  PetscFunctionBegin;
  KNAssertPointer(spec, 1);
  KNAssertPointer(lr, 4);
  PetscCheck(epoch >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Schedule epoch %" PetscInt_FMT " must be >= 0", epoch);
  PetscCall(PetscStrcmp(spec, "none", &none));
  PetscCall(PetscStrbeginswith(spec, "steplr_", &step));
  PetscCall(PetscStrbeginswith(spec, "cosinelr_", &cosine));
  if (none) {
    *lr = lr0;
    PetscFunctionReturn(KN_SUCCESS);
  }
  if (step) ok = (PetscBool)(ParseIntReal(spec + 7, &k, &r) && r > 0);
  if (cosine) ok = (PetscBool)(ParseIntReal(spec + 9, &k, &r) && r >= 0);
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "Malformed learning-rate schedule \"%s\"; expected %s", spec, KN_SCHEDULE_FORMS);
  if (step) *lr = lr0 * PetscPowReal(r, (PetscReal)(epoch / k));
  else *lr = r + (lr0 - r) * (1.0 + PetscCosReal(PETSC_PI * (PetscReal)epoch / (PetscReal)k)) / 2.0;
  PetscFunctionReturn(KN_SUCCESS);
}
