/* Package initialisation: log events and the type registries of every KN object. */
#include <kn/knsys.h>
#include <kn/kncircuit.h>

PetscLogEvent KN_RHSEval, KN_JacobianCache, KN_JacobianTranspose, KN_JacobianAssembly;
PetscLogEvent KN_LayerForward, KN_LayerAdjoint, KN_GhostUpdate, KN_ModelIO;
PetscClassId  KN_CLASSID;

static PetscBool KNPackageInitialized = PETSC_FALSE;

static PetscErrorCode KNFinalizePackage_Private(void)
{
  PetscFunctionBegin;
  KNPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNInitializePackage - registers the KirchhoffNet log events and finalisers. Called by every KN*Create().

  Not Collective

  Level: developer
@*/
PetscErrorCode KNInitializePackage(void)
{
  PetscFunctionBegin;
  if (KNPackageInitialized) PetscFunctionReturn(KN_SUCCESS);
  KNPackageInitialized = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("KirchhoffNet", &KN_CLASSID));
  PetscCall(PetscLogEventRegister("KNRHSEval", KN_CLASSID, &KN_RHSEval));
  PetscCall(PetscLogEventRegister("KNJacCache", KN_CLASSID, &KN_JacobianCache));
  PetscCall(PetscLogEventRegister("KNJacTranspose", KN_CLASSID, &KN_JacobianTranspose));
  PetscCall(PetscLogEventRegister("KNJacAssembly", KN_CLASSID, &KN_JacobianAssembly));
  PetscCall(PetscLogEventRegister("KNLayerForward", KN_CLASSID, &KN_LayerForward));
  PetscCall(PetscLogEventRegister("KNLayerAdjoint", KN_CLASSID, &KN_LayerAdjoint));
  PetscCall(PetscLogEventRegister("KNGhostUpdate", KN_CLASSID, &KN_GhostUpdate));
  PetscCall(PetscLogEventRegister("KNModelIO", KN_CLASSID, &KN_ModelIO));
  PetscCall(TSAdaptRegister(KNTSADAPTGROUPS, KNTSAdaptCreate_Groups)); /* -ts_adapt_type basic over data groups */
  PetscCall(TSAdaptRegister(KNTSADAPTDOPRI, KNTSAdaptCreate_Dopri));   /* torchdiffeq's dopri5 rules, the default */
  PetscCall(PetscRegisterFinalize(KNFinalizePackage_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRegisterFinalize - registers a function that clears a KN type registry at PetscFinalize().

  Not Collective

  Level: developer
@*/
PetscErrorCode KNRegisterFinalize(PetscErrorCode (*fn)(void))
{
  PetscFunctionBegin;
  PetscCall(PetscRegisterFinalize(fn));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckFiniteArray - errors, naming what, if any of the n values is NaN or Inf.

  Not Collective

  Level: developer
@*/
PetscErrorCode KNCheckFiniteArray(MPI_Comm comm, PetscInt n, const PetscReal a[], const char what[])
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++) PetscCheck(!PetscIsInfOrNanReal(a[i]), comm, PETSC_ERR_FP, "%s: entry %" PetscInt_FMT " is not a finite number (%g)", what, i, (double)a[i]);
  PetscFunctionReturn(KN_SUCCESS);
}
