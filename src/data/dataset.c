/* KNDataset: the object (create, data, sizes, names, batches, view). Splits, scaling and permutations are in dataset_ops.c. */
#include <petscviewer.h>
#include "dataimpl.h"
#include "sys/knmemory.h"

/*@C
  KNDatasetCreate - creates an empty dataset

  Collective

  Input Parameter:
. comm - the communicator; the data are replicated on each of its ranks

  Output Parameter:
. ds - the new dataset

  Level: beginner

.seealso: KNDatasetSetData(), KNDatasetCreateSynthetic(), KNDatasetDestroy()
@*/
PetscErrorCode KNDatasetCreate(MPI_Comm comm, KNDataset *ds)
{
  KNDataset d;

  PetscFunctionBegin;
  KNAssertPointer(ds, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&d));
  d->comm = comm;
  *ds     = d;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetDestroy - frees a dataset and sets the handle to NULL

  Collective

  Input Parameter:
. ds - the dataset (may point to NULL)

  Level: beginner

.seealso: KNDatasetCreate()
@*/
PetscErrorCode KNDatasetDestroy(KNDataset *ds)
{
  PetscFunctionBegin;
  if (!ds || !*ds) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscFree((*ds)->x));
  PetscCall(PetscFree((*ds)->y));
  PetscCall(PetscFree((*ds)->name));
  for (int p = 0; p < 2; p++) PetscCall(PetscFree2((*ds)->scale_lo[p], (*ds)->scale_hi[p]));
  PetscCall(PetscFree(*ds));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDatasetAllocate_Private(KNDataset ds, PetscInt n, PetscInt nfeat, PetscInt ntarget)
{
  PetscFunctionBegin;
  PetscCheck(n >= 0 && nfeat >= 1 && ntarget >= 0, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "A dataset needs n >= 0 samples, nfeat >= 1 features and ntarget >= 0 targets (got %" PetscInt_FMT ", %" PetscInt_FMT ", %" PetscInt_FMT ")", n, nfeat, ntarget);
  PetscCheck((PetscInt64)n * PetscMax(nfeat, ntarget) <= PETSC_MAX_INT, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "A dataset of %" PetscInt_FMT " samples x %" PetscInt_FMT " values exceeds this PETSc build's PetscInt range", n, PetscMax(nfeat, ntarget));
  PetscCall(PetscFree(ds->x));
  PetscCall(PetscFree(ds->y));
  PetscCall(KNMallocChecked_Private(KNMulSize_Private(KNMulSize_Private((size_t)n, (size_t)nfeat), sizeof(PetscReal)), "the dataset's features", &ds->x));
  PetscCall(PetscArrayzero(ds->x, (size_t)n * (size_t)nfeat));
  if (ntarget) {
    PetscCall(KNMallocChecked_Private(KNMulSize_Private(KNMulSize_Private((size_t)n, (size_t)ntarget), sizeof(PetscReal)), "the dataset's targets", &ds->y));
    PetscCall(PetscArrayzero(ds->y, (size_t)n * (size_t)ntarget));
  }
  ds->n       = n;
  ds->nfeat   = nfeat;
  ds->ntarget = ntarget;
  ds->nclass  = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetSetData - sets the samples of a dataset (copied); replaces any previous data and resets the class count

  Logically Collective

  Input Parameters:
+ ds - the dataset
. n - number of samples
. nfeat - features per sample (>= 1)
. x - n*nfeat features, sample-major: x[i*nfeat + k]
. ntarget - targets per sample (0 for unlabelled data)
- y - n*ntarget targets, sample-major (NULL if ntarget = 0); a class label is stored as a double

  Level: beginner

.seealso: KNDatasetGetData(), KNDatasetGetSizes(), KNDatasetSetNumClasses()
@*/
PetscErrorCode KNDatasetSetData(KNDataset ds, PetscInt n, PetscInt nfeat, const PetscReal x[], PetscInt ntarget, const PetscReal y[])
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCheck(!n || x, ds->comm, PETSC_ERR_ARG_NULL, "KNDatasetSetData: x is NULL for %" PetscInt_FMT " samples", n);
  PetscCheck(!n || !ntarget || y, ds->comm, PETSC_ERR_ARG_NULL, "KNDatasetSetData: y is NULL but ntarget = %" PetscInt_FMT, ntarget);
  PetscCall(KNDatasetAllocate_Private(ds, n, nfeat, ntarget));
  PetscCall(PetscArraycpy(ds->x, x, n * nfeat));
  if (ntarget) PetscCall(PetscArraycpy(ds->y, y, n * ntarget));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetSizes - number of samples, features per sample and targets per sample

  Not Collective

  Input Parameter:
. ds - the dataset

  Output Parameters:
+ n - samples (or NULL)
. nfeat - features per sample (or NULL)
- ntarget - targets per sample, 0 if unlabelled (or NULL)

  Level: beginner
@*/
PetscErrorCode KNDatasetGetSizes(KNDataset ds, PetscInt *n, PetscInt *nfeat, PetscInt *ntarget)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  if (n) *n = ds->n;
  if (nfeat) *nfeat = ds->nfeat;
  if (ntarget) *ntarget = ds->ntarget;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetData - read-only access to the sample arrays (owned by the dataset; valid until it changes)

  Not Collective

  Input Parameter:
. ds - the dataset

  Output Parameters:
+ x - features x[i*nfeat + k] (or NULL)
- y - targets y[i*ntarget + t], NULL when unlabelled (or pass NULL)

  Level: beginner
@*/
PetscErrorCode KNDatasetGetData(KNDataset ds, const PetscReal **x, const PetscReal **y)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  if (x) *x = ds->x;
  if (y) *y = ds->y;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetSetName - names the dataset (shown by KNDatasetView())

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNDatasetSetName(KNDataset ds, const char name[])
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCall(PetscFree(ds->name));
  PetscCall(PetscStrallocpy(name, &ds->name));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetName - the dataset's name, NULL if never set

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNDatasetGetName(KNDataset ds, const char **name)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  KNAssertPointer(name, 2);
  *name = ds->name;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetSetNumClasses - declares the single target to be a class label in 0..nclass-1 (0 = not a classification set)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNDatasetSetNumClasses(KNDataset ds, PetscInt nclass)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCheck(nclass >= 0, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of classes %" PetscInt_FMT " must be >= 0", nclass);
  PetscCheck(!nclass || ds->ntarget == 1, ds->comm, PETSC_ERR_ARG_WRONGSTATE, "Class labels need exactly one target per sample (this dataset has %" PetscInt_FMT ")", ds->ntarget);
  for (PetscInt i = 0; i < ds->n && nclass; i++) {
    PetscReal c = ds->y[i];
    PetscCheck(c >= 0 && c < nclass && c == PetscFloorReal(c), ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Sample %" PetscInt_FMT " has label %g, not an integer in 0..%" PetscInt_FMT, i, (double)c, nclass - 1);
  }
  ds->nclass = nclass;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetNumClasses - number of classes of a labelled set (0 if the targets are not class labels)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNDatasetGetNumClasses(KNDataset ds, PetscInt *nclass)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  KNAssertPointer(nclass, 2);
  *nclass = ds->nclass;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetComm - the communicator of the dataset

  Not Collective

  Level: developer
@*/
PetscErrorCode KNDatasetGetComm(KNDataset ds, MPI_Comm *comm)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  *comm = ds->comm;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetGetBatch - gathers the rows idx[0..B-1] into small sample-major arrays

  Not Collective

  Input Parameters:
+ ds - the dataset
. idx - B sample indices in 0..n-1 (e.g. a slice of KNPermutation())
- B - batch size

  Output Parameters:
+ x_out - B*nfeat features (or NULL)
- y_out - B*ntarget targets (or NULL; ignored for unlabelled data)

  Level: beginner

.seealso: KNPermutation(), KNDatasetGetData()
@*/
PetscErrorCode KNDatasetGetBatch(KNDataset ds, const PetscInt idx[], PetscInt B, PetscReal x_out[], PetscReal y_out[])
{
  const PetscInt F = ds ? ds->nfeat : 0, T = ds ? ds->ntarget : 0;

  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  PetscCheck(!B || idx, ds->comm, PETSC_ERR_ARG_NULL, "KNDatasetGetBatch: idx is NULL");
  for (PetscInt b = 0; b < B; b++) {
    const PetscInt i = idx[b];
    PetscCheck(i >= 0 && i < ds->n, ds->comm, PETSC_ERR_ARG_OUTOFRANGE, "Batch entry %" PetscInt_FMT ": sample index %" PetscInt_FMT " is outside 0..%" PetscInt_FMT, b, i, ds->n - 1);
    if (x_out) PetscCall(PetscArraycpy(x_out + b * F, ds->x + i * F, F));
    if (y_out && T) PetscCall(PetscArraycpy(y_out + b * T, ds->y + i * T, T));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNDatasetPermuteRows_Private(KNDataset ds, const PetscInt perm[])
{
  PetscReal *x, *y = NULL;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(ds->n * ds->nfeat, &x));
  if (ds->ntarget) PetscCall(PetscMalloc1(ds->n * ds->ntarget, &y));
  for (PetscInt i = 0; i < ds->n; i++) {
    PetscCall(PetscArraycpy(x + i * ds->nfeat, ds->x + perm[i] * ds->nfeat, ds->nfeat));
    if (y) PetscCall(PetscArraycpy(y + i * ds->ntarget, ds->y + perm[i] * ds->ntarget, ds->ntarget));
  }
  PetscCall(PetscFree(ds->x));
  PetscCall(PetscFree(ds->y));
  ds->x = x;
  ds->y = y;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetView - prints the name, sizes and per-column mean and standard deviation (first 8 columns)

  Collective

  Input Parameters:
+ ds - the dataset
- viewer - an ASCII viewer, or NULL for PETSC_VIEWER_STDOUT_(comm)

  Level: intermediate
@*/
PetscErrorCode KNDatasetView(KNDataset ds, PetscViewer viewer)
{
  PetscFunctionBegin;
  KNAssertPointer(ds, 1);
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(ds->comm);
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNDataset %s: %" PetscInt_FMT " samples, %" PetscInt_FMT " features, %" PetscInt_FMT " targets", ds->name ? ds->name : "(unnamed)", ds->n, ds->nfeat, ds->ntarget));
  if (ds->nclass) PetscCall(PetscViewerASCIIPrintf(viewer, " (class labels 0..%" PetscInt_FMT ")", ds->nclass - 1));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  for (PetscInt part = 0; part < 2; part++) {
    const PetscInt   m = part ? ds->ntarget : ds->nfeat;
    const PetscReal *a = part ? ds->y : ds->x;

    for (PetscInt k = 0; k < PetscMin(m, 8); k++) {
      PetscReal s = 0, s2 = 0, mean, var;
      for (PetscInt i = 0; i < ds->n; i++) s += a[i * m + k];
      mean = ds->n ? s / ds->n : 0;
      for (PetscInt i = 0; i < ds->n; i++) s2 += PetscSqr(a[i * m + k] - mean);
      var = ds->n ? s2 / ds->n : 0;
      PetscCall(PetscViewerASCIIPrintf(viewer, "  %s %" PetscInt_FMT ": mean %g, std %g\n", part ? "target" : "feature", k, (double)mean, (double)PetscSqrtReal(var)));
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}
