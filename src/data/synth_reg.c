/* Registry of synthetic dataset generators, selected by name (KNDatasetCreateSynthetic()). */
#include "dataimpl.h"

static PetscFunctionList KNDatasetList                 = NULL;
static char              KNDatasetNames[1024]          = ""; /* registration order, comma separated, for messages */
static PetscBool         KNDatasetRegisterAllCalled    = PETSC_FALSE;

static PetscErrorCode KNDatasetFinalizePackage_Private(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&KNDatasetList));
  KNDatasetNames[0]          = 0;
  KNDatasetRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDatasetAdd_Private(const char name[], KNDatasetGeneratorFn fn)
{
  PetscErrorCode (*old)(KNDataset, PetscInt, PetscInt64) = NULL;

  PetscFunctionBegin;
  PetscCall(PetscFunctionListFind(KNDatasetList, name, &old));
  PetscCall(PetscFunctionListAdd(&KNDatasetList, name, fn));
  if (old) PetscFunctionReturn(KN_SUCCESS);
  if (KNDatasetNames[0]) PetscCall(PetscStrlcat(KNDatasetNames, ", ", sizeof(KNDatasetNames)));
  PetscCall(PetscStrlcat(KNDatasetNames, name, sizeof(KNDatasetNames)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDatasetRegisterAll_Private(void)
{
  PetscFunctionBegin;
  if (KNDatasetRegisterAllCalled) PetscFunctionReturn(KN_SUCCESS);
  KNDatasetRegisterAllCalled = PETSC_TRUE;
  PetscCall(KNDatasetAdd_Private("twomoon", KNDatasetGenerate_TwoMoon));
  PetscCall(KNDatasetAdd_Private("circle", KNDatasetGenerate_Circle));
  PetscCall(KNDatasetAdd_Private("swissroll", KNDatasetGenerate_SwissRoll));
  PetscCall(KNDatasetAdd_Private("2spirals", KNDatasetGenerate_TwoSpirals));
  PetscCall(KNDatasetAdd_Private("pinwheel", KNDatasetGenerate_Pinwheel));
  PetscCall(KNDatasetAdd_Private("8gaussians", KNDatasetGenerate_EightGaussians));
  PetscCall(KNDatasetAdd_Private("checkerboard", KNDatasetGenerate_Checkerboard));
  PetscCall(KNDatasetAdd_Private("rings", KNDatasetGenerate_Rings));
  PetscCall(KNDatasetAdd_Private("gauss", KNDatasetGenerate_Gauss));
  PetscCall(KNDatasetAdd_Private("friedman1", KNDatasetGenerate_Friedman1));
  PetscCall(KNRegisterFinalize(KNDatasetFinalizePackage_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetRegister - adds (or replaces) a synthetic generator selectable by name in KNDatasetCreateSynthetic()

  Not Collective

  Input Parameters:
+ name - the generator's name
- fn - fills the dataset with n samples drawn from seed (calls KNDatasetSetData()); must give the same data on every rank

  Level: advanced

.seealso: KNDatasetCreateSynthetic(), KNDatasetGetSyntheticNames()
@*/
PetscErrorCode KNDatasetRegister(const char name[], KNDatasetGeneratorFn fn)
{
  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  PetscCall(KNDatasetRegisterAll_Private());
  PetscCall(KNDatasetAdd_Private(name, fn));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetSyntheticNames - the registered generator names, comma separated, in registration order

  Not Collective

  Input Parameter:
. len - size of buf

  Output Parameter:
. buf - the names (truncated to len - 1 characters)

  Level: intermediate
@*/
PetscErrorCode KNDatasetGetSyntheticNames(char buf[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(KNDatasetRegisterAll_Private());
  PetscCall(PetscStrncpy(buf, KNDatasetNames, len));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetCreateSynthetic - creates a dataset from a registered synthetic generator

  Collective

  Input Parameters:
+ comm - the communicator
. name - twomoon, circle, swissroll, 2spirals, pinwheel, 8gaussians, checkerboard, rings, gauss, friedman1, or registered
. n - number of samples (the reference uses 4096 for twomoon/circle/swissroll/friedman1, the batch size 512 for
      2spirals and 8gaussians, 510 for pinwheel)
- seed - the seed; the data are a pure function of (name, n, seed): identical on every rank and in every run

  Output Parameter:
. ds - the dataset, named after the generator

  Notes:
  Features: 2 per sample (5 for friedman1). Targets: the class label (twomoon, circle: 0 outer / 1 inner; 2spirals: arm;
  pinwheel: arm 0..4; 8gaussians: centre 0..7; rings: ring 0..3 outermost first; see KNDatasetGetNumClasses()), the
  roll parameter t for swissroll, y for friedman1, none for checkerboard and gauss. The constructions are documented
  in src/data/synth_sklearn.c and src/data/synth_ffjord.c.

  Level: beginner

.seealso: KNDatasetRegister(), KNDatasetSplit(), KNPermutation()
@*/
PetscErrorCode KNDatasetCreateSynthetic(MPI_Comm comm, const char name[], PetscInt n, PetscInt64 seed, KNDataset *ds)
{
  PetscErrorCode (*fn)(KNDataset, PetscInt, PetscInt64) = NULL;

  PetscFunctionBegin;
  KNAssertPointer(name, 2);
  KNAssertPointer(ds, 5);
  PetscCall(KNDatasetRegisterAll_Private());
  PetscCall(PetscFunctionListFind(KNDatasetList, name, &fn));
  PetscCheck(fn, comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown synthetic dataset \"%s\"; valid names: %s", name, KNDatasetNames);
  PetscCheck(n >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "Synthetic dataset \"%s\": the number of samples must be >= 1 (got %" PetscInt_FMT ")", name, n);
  PetscCall(KNDatasetCreate(comm, ds));
  PetscCall((*fn)(*ds, n, seed));
  PetscCheck((*ds)->n == n, comm, PETSC_ERR_PLIB, "Generator \"%s\" made %" PetscInt_FMT " samples instead of %" PetscInt_FMT, name, (*ds)->n, n);
  PetscCall(KNDatasetSetName(*ds, name));
  PetscFunctionReturn(KN_SUCCESS);
}
