/* Train/test datasets from the options database: synthetic generators and the file readers, split and scaling. */
#include "taskimpl.h"
#include "sys/knoptions.h"

typedef struct {
  char      name[64], file[PETSC_MAX_PATH_LEN], test_file[PETSC_MAX_PATH_LEN], labels[PETSC_MAX_PATH_LEN], test_labels[PETSC_MAX_PATH_LEN];
  char      xname[256], yname[256];
  PetscInt  n, ntarget, nclass, select, seed;
  PetscReal test_fraction;
  PetscBool minmax, has_file, has_test_file;
} DataOptions;

static PetscErrorCode DefaultsForTask(KNTask task, DataOptions *o)
{
  KNTaskType type;
  PetscBool  reg, cls;

  PetscFunctionBegin;
  PetscCall(KNTaskGetType(task, &type));
  PetscCall(PetscStrcmp(type, KNTASKREGRESSION, &reg));
  PetscCall(PetscStrcmp(type, KNTASKCLASSIFICATION, &cls));
  PetscCall(PetscStrncpy(o->name, reg ? "friedman1" : "twomoon", sizeof(o->name)));
  o->n             = 4096; /* the reference's size of every sklearn-drawn set */
  o->ntarget       = 1;
  o->seed          = 42;
  o->test_fraction = reg ? 0.4 : cls ? 0.2 : 0.0; /* reference toyregress: 0.4; generation has no held-out set */
  o->minmax        = reg;                        /* reference: MinMaxScaler on features and targets, fitted on train */
  o->nclass        = 0;
  o->select        = -1;
  o->file[0] = o->test_file[0] = o->labels[0] = o->test_labels[0] = 0;
  PetscCall(PetscStrncpy(o->xname, "x", sizeof(o->xname)));
  PetscCall(PetscStrncpy(o->yname, "y", sizeof(o->yname)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ProcessOptions(MPI_Comm comm, const char prefix[], DataOptions *o)
{
  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, "KirchhoffNet training data", "KNDataset");
  PetscCall(PetscOptionsString("-kn_data", "Data set: a synthetic generator, csv, hdf5, idx, fashion_mnist, cifar, sklearn_diabetes, sklearn_digits", "KNDatasetCreateFromOptions", o->name, o->name, sizeof(o->name), NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_data_size", "Samples drawn by a synthetic generator", "KNDatasetCreateSynthetic", o->n, &o->n, NULL, 1));
  PetscCall(PetscOptionsReal("-kn_data_test_fraction", "Fraction held out as the test set (0: none; ignored with -kn_data_test_file)", "KNDatasetSplit", o->test_fraction, &o->test_fraction, NULL));
  PetscCall(PetscOptionsBool("-kn_data_minmax", "Min-max scale features and targets to [0, 1], fitted on the training set", "KNDatasetMinMaxFit", o->minmax, &o->minmax, NULL));
  PetscCall(PetscOptionsString("-kn_data_file", "Training data file (csv, hdf5, idx images; cifar: comma-separated batch files)", "KNDatasetCreateFromOptions", o->file, o->file, sizeof(o->file), &o->has_file));
  PetscCall(PetscOptionsString("-kn_data_test_file", "Test data file (instead of a split)", "KNDatasetCreateFromOptions", o->test_file, o->test_file, sizeof(o->test_file), &o->has_test_file));
  PetscCall(PetscOptionsString("-kn_data_labels", "idx: label file of -kn_data_file", "KNDatasetLoadIDX", o->labels, o->labels, sizeof(o->labels), NULL));
  PetscCall(PetscOptionsString("-kn_data_test_labels", "idx: label file of -kn_data_test_file", "KNDatasetLoadIDX", o->test_labels, o->test_labels, sizeof(o->test_labels), NULL));
  PetscCall(PetscOptionsString("-kn_data_x", "hdf5: features dataset", "KNDatasetLoadHDF5", o->xname, o->xname, sizeof(o->xname), NULL));
  PetscCall(PetscOptionsString("-kn_data_y", "hdf5: targets dataset (none: unlabelled)", "KNDatasetLoadHDF5", o->yname, o->yname, sizeof(o->yname), NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_data_targets", "csv: number of target columns at the end of each row", "KNDatasetLoadCSV", o->ntarget, &o->ntarget, NULL, 0));
  PetscCall(PetscOptionsBoundedInt("-kn_data_classes", "csv, hdf5: the single target is a class label in 0..K-1 (0: as the reader decides)", "KNDatasetSetNumClasses", o->nclass, &o->nclass, NULL, 0));
  PetscCall(PetscOptionsInt("-kn_data_select_class", "Keep only the samples of this class and drop the labels (genmnist: 2; -1: all)", "KNDatasetCreateFromOptions", o->select, &o->select, NULL));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the run (data, split, shuffles, initialisation)", "KNDatasetCreateFromOptions", o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscCheck(o->test_fraction >= 0 && o->test_fraction < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_data_test_fraction %g must be in [0, 1)", (double)o->test_fraction);
  PetscFunctionReturn(KN_SUCCESS);
}

/* CIFAR-10: "a.bin,b.bin,..." */
static PetscErrorCode LoadCIFAR(MPI_Comm comm, const char list[], KNDataset *ds)
{
  char    **files;
  PetscInt  n = 0;
  size_t    cnt;

  PetscFunctionBegin;
  PetscCall(PetscStrToArray(list, ',', (int *)&n, &files));
  cnt = (size_t)n;
  PetscCall(KNDatasetLoadCIFAR(comm, (PetscInt)cnt, (const char *const *)files, ds));
  PetscCall(PetscStrToArrayDestroy((int)cnt, files));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A file-based training set (test = PETSC_FALSE) or test set. */
static PetscErrorCode LoadFile(MPI_Comm comm, const DataOptions *o, PetscBool test, KNDataset *ds)
{
  const char *file = test ? o->test_file : o->file, *labels = test ? o->test_labels : o->labels;
  PetscBool   csv, h5, idx, fmnist, cifar;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(o->name, "csv", &csv));
  PetscCall(PetscStrcmp(o->name, "hdf5", &h5));
  PetscCall(PetscStrcmp(o->name, "idx", &idx));
  PetscCall(PetscStrcmp(o->name, "fashion_mnist", &fmnist));
  PetscCall(PetscStrcmp(o->name, "cifar", &cifar));
  if (fmnist) { /* Debian's dataset-fashion-mnist */
    file   = test ? "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz" : "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    labels = test ? "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz" : "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
  } else PetscCheck(file[0], comm, PETSC_ERR_USER_INPUT, "-kn_data %s needs -kn_data_%sfile FILE", o->name, test ? "test_" : "");
  if (csv) PetscCall(KNDatasetLoadCSV(comm, file, o->ntarget, ds));
  else if (h5) {
    PetscBool none;
    PetscCall(PetscStrcmp(o->yname, "none", &none));
    PetscCall(KNDatasetLoadHDF5(comm, file, o->xname, none ? NULL : o->yname, ds));
  } else if (idx || fmnist) PetscCall(KNDatasetLoadIDX(comm, file, labels[0] ? labels : NULL, ds));
  else if (cifar) PetscCall(LoadCIFAR(comm, file, ds));
  if ((csv || h5) && o->nclass) PetscCall(KNDatasetSetNumClasses(*ds, o->nclass));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The training set (test = PETSC_FALSE, before any split) or the test file's set. */
static PetscErrorCode LoadSet(MPI_Comm comm, const DataOptions *o, PetscBool test, KNDataset *ds)
{
  PetscBool sk_diab, sk_dig, file = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(o->name, "sklearn_diabetes", &sk_diab));
  PetscCall(PetscStrcmp(o->name, "sklearn_digits", &sk_dig));
  for (const char *const *f = (const char *const[]){"csv", "hdf5", "idx", "fashion_mnist", "cifar", NULL}; *f; f++) {
    PetscBool same;
    PetscCall(PetscStrcmp(o->name, *f, &same));
    file = (PetscBool)(file || same);
  }
  PetscCheck(!test || file, comm, PETSC_ERR_ARG_INCOMP, "-kn_data_test_file needs a file-based -kn_data (csv, hdf5, idx, cifar), not %s", o->name);
  if (file) PetscCall(LoadFile(comm, o, test, ds));
  else if (sk_diab || sk_dig) PetscCall(KNDatasetLoadSklearn(comm, sk_diab ? "diabetes" : "digits", ds));
  else {
    PetscCheck(!o->has_file, comm, PETSC_ERR_ARG_INCOMP, "-kn_data_file is for -kn_data csv, hdf5, idx or cifar; -kn_data %s is a generator", o->name);
    PetscCall(KNDatasetCreateSynthetic(comm, o->name, o->n, (PetscInt64)o->seed, ds));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Replaces *ds by its samples of class k, without targets (reference genmnist: the MNIST digits 2). */
static PetscErrorCode SelectClass(KNDataset *ds, PetscInt k)
{
  PetscInt         n, nf, nt, cnt = 0;
  const PetscReal *x, *y;
  PetscReal       *xs;
  KNDataset        sub;
  MPI_Comm         comm;
  const char      *name;
  char             buf[256];

  PetscFunctionBegin;
  PetscCall(KNDatasetGetComm(*ds, &comm));
  PetscCall(KNDatasetGetSizes(*ds, &n, &nf, &nt));
  PetscCall(KNDatasetGetData(*ds, &x, &y));
  PetscCheck(nt == 1, comm, PETSC_ERR_ARG_WRONG, "-kn_data_select_class needs a dataset with one class label per sample (this one has %" PetscInt_FMT " targets)", nt);
  PetscCall(PetscMalloc1(n * nf, &xs));
  for (PetscInt i = 0; i < n; i++)
    if (y[i] == (PetscReal)k) PetscCall(PetscArraycpy(xs + nf * cnt++, x + i * nf, nf));
  PetscCheck(cnt > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_data_select_class %" PetscInt_FMT ": no sample has this label", k);
  PetscCall(KNDatasetCreate(comm, &sub));
  PetscCall(KNDatasetSetData(sub, cnt, nf, xs, 0, NULL));
  PetscCall(KNDatasetGetName(*ds, &name));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s-class%" PetscInt_FMT, name ? name : "data", k));
  PetscCall(KNDatasetSetName(sub, buf));
  PetscCall(PetscFree(xs));
  PetscCall(KNDatasetDestroy(ds));
  *ds = sub;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Min-max scaling fitted on train: features, and targets unless they are class labels. */
static PetscErrorCode Scale(KNDataset train, KNDataset test)
{
  PetscInt   n, nf, nt, nc;
  PetscReal *lo, *hi;

  PetscFunctionBegin;
  PetscCall(KNDatasetGetSizes(train, &n, &nf, &nt));
  PetscCall(KNDatasetGetNumClasses(train, &nc));
  if (nc) nt = 0;
  PetscCall(PetscMalloc2(PetscMax(nf, nt), &lo, PetscMax(nf, nt), &hi));
  PetscCall(KNDatasetMinMaxFit(train, KN_DATASET_FEATURES, lo, hi));
  PetscCall(KNDatasetMinMaxApply(train, KN_DATASET_FEATURES, lo, hi));
  if (test) PetscCall(KNDatasetMinMaxApply(test, KN_DATASET_FEATURES, lo, hi));
  if (nt) {
    PetscCall(KNDatasetMinMaxFit(train, KN_DATASET_TARGETS, lo, hi));
    PetscCall(KNDatasetMinMaxApply(train, KN_DATASET_TARGETS, lo, hi));
    if (test) PetscCall(KNDatasetMinMaxApply(test, KN_DATASET_TARGETS, lo, hi));
  }
  PetscCall(PetscFree2(lo, hi));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDatasetCreateFromOptions - the training and test sets of a task, from the options database

  Collective

  Input Parameters:
+ comm - the communicator
. prefix - options prefix (or NULL)
- task - the task (its type sets the defaults; the density task has no data: both outputs are NULL)

  Output Parameters:
+ train - the training set
- test - the test set, or NULL if there is none (no -kn_data_test_file and -kn_data_test_fraction 0)

  Options Database Keys:
+ -kn_data <name> - a synthetic generator (twomoon, circle, swissroll, 2spirals, pinwheel, 8gaussians, checkerboard,
                    rings, gauss, friedman1), a file type (csv, hdf5, idx, cifar), fashion_mnist (Debian's
                    dataset-fashion-mnist, its own test set), sklearn_diabetes or sklearn_digits (python3-sklearn);
                    default friedman1 (regression), twomoon (others)
. -kn_data_size <4096> - samples of a synthetic set (the reference uses the batch size for 2spirals, pinwheel, 8gaussians)
. -kn_data_test_fraction <f> - held-out fraction (default 0.4 regression, 0.2 classification, 0 generation)
. -kn_data_minmax <bool> - min-max scaling of features and targets fitted on train (default: regression only)
. -kn_data_file <file>, -kn_data_test_file <file> - data files (cifar: comma-separated batch files); a test file
                    replaces the split
. -kn_data_labels <file>, -kn_data_test_labels <file> - idx: the label files
. -kn_data_x <x>, -kn_data_y <y> - hdf5: features and targets datasets (-kn_data_y none: unlabelled)
. -kn_data_targets <1> - csv: target columns at the end of each row
. -kn_data_classes <0> - csv, hdf5: the target is a class label in 0..K-1
. -kn_data_select_class <-1> - keep only the samples of one class, without labels (genmnist: 2)
- -kn_seed <42> - seed of the generator and the split

  Level: beginner

.seealso: KNDatasetCreateSynthetic(), KNDatasetSplit(), KNDatasetMinMaxFit()
@*/
PetscErrorCode KNDatasetCreateFromOptions(MPI_Comm comm, const char prefix[], KNTask task, KNDataset *train, KNDataset *test)
{
  DataOptions o;
  KNDataset   all = NULL;
  PetscBool   density, fmnist;
  KNTaskType  type;

  PetscFunctionBegin;
  *train = *test = NULL;
  PetscCall(KNTaskGetType(task, &type));
  PetscCall(PetscStrcmp(type, KNTASKDENSITY, &density));
  if (density) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(DefaultsForTask(task, &o));
  PetscCall(ProcessOptions(comm, prefix, &o));
  PetscCall(LoadSet(comm, &o, PETSC_FALSE, &all));
  if (o.select >= 0) PetscCall(SelectClass(&all, o.select));
  PetscCall(PetscStrcmp(o.name, "fashion_mnist", &fmnist));
  if (o.has_test_file || fmnist) {
    *train = all;
    PetscCall(LoadSet(comm, &o, PETSC_TRUE, test));
    if (o.select >= 0) PetscCall(SelectClass(test, o.select));
  } else if (o.test_fraction > 0) {
    PetscCall(KNDatasetSplit(all, o.test_fraction, (PetscInt64)o.seed, train, test));
    PetscCall(KNDatasetDestroy(&all));
  } else *train = all;
  if (o.minmax) PetscCall(Scale(*train, *test));
  PetscFunctionReturn(KN_SUCCESS);
}
