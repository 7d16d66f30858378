/* Train/test datasets from the options database: synthetic generators and the file readers, split and scaling. */
#include "taskimpl.h"

typedef struct {
  char      name[64], file[PETSC_MAX_PATH_LEN], test_file[PETSC_MAX_PATH_LEN];
  PetscInt  n, ntarget, seed;
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
  o->file[0] = o->test_file[0] = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ProcessOptions(MPI_Comm comm, const char prefix[], DataOptions *o)
{
  char names[512];

  PetscFunctionBegin;
  PetscCall(KNDatasetGetSyntheticNames(names, sizeof(names)));
  PetscOptionsBegin(comm, prefix, "KirchhoffNet training data", "KNDataset");
  PetscCall(PetscOptionsString("-kn_data", "Data set: a synthetic generator or a file type (csv, hdf5, idx, cifar, sklearn_diabetes, sklearn_digits)", "KNDatasetCreateFromOptions", o->name, o->name, sizeof(o->name), NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_data_size", "Samples drawn by a synthetic generator", "KNDatasetCreateSynthetic", o->n, &o->n, NULL, 1));
  PetscCall(PetscOptionsReal("-kn_data_test_fraction", "Fraction held out as the test set (0: none)", "KNDatasetSplit", o->test_fraction, &o->test_fraction, NULL));
  PetscCall(PetscOptionsBool("-kn_data_minmax", "Min-max scale features and targets to [0, 1], fitted on the training set", "KNDatasetMinMaxFit", o->minmax, &o->minmax, NULL));
  PetscCall(PetscOptionsString("-kn_data_file", "Training data file (csv, hdf5, idx, cifar)", "KNDatasetCreateFromOptions", o->file, o->file, sizeof(o->file), &o->has_file));
  PetscCall(PetscOptionsString("-kn_data_test_file", "Test data file (instead of a split)", "KNDatasetCreateFromOptions", o->test_file, o->test_file, sizeof(o->test_file), &o->has_test_file));
  PetscCall(PetscOptionsBoundedInt("-kn_data_targets", "csv: number of target columns at the end of each row", "KNDatasetLoadCSV", o->ntarget, &o->ntarget, NULL, 0));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the run (data, split, shuffles, initialisation)", "KNDatasetCreateFromOptions", o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscCheck(o->test_fraction >= 0 && o->test_fraction < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_data_test_fraction %g must be in [0, 1)", (double)o->test_fraction);
  (void)names;
  PetscFunctionReturn(KN_SUCCESS);
}

/* The training set (before any split): a synthetic generator, or a file reader. */
static PetscErrorCode LoadSet(MPI_Comm comm, const DataOptions *o, const char file[], PetscBool test, KNDataset *ds)
{
  char names[512];
  PetscFunctionBegin;
  PetscCall(KNDatasetGetSyntheticNames(names, sizeof(names)));
  (void)file, (void)test;
  PetscCheck(!o->has_file, comm, PETSC_ERR_SUP, "-kn_data_file is not supported yet (file readers are not built in)");
  PetscCall(KNDatasetCreateSynthetic(comm, o->name, o->n, (PetscInt64)o->seed, ds));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Scale(KNDataset train, KNDataset test)
{
  PetscInt   n, nf, nt;
  PetscReal *lo, *hi;

  PetscFunctionBegin;
  PetscCall(KNDatasetGetSizes(train, &n, &nf, &nt));
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
                    rings, gauss, friedman1) or a file type; default friedman1 (regression), twomoon (others)
. -kn_data_size <4096> - samples of a synthetic set (the reference uses the batch size for 2spirals, pinwheel, 8gaussians)
. -kn_data_test_fraction <f> - held-out fraction (default 0.4 regression, 0.2 classification, 0 generation)
. -kn_data_minmax <bool> - min-max scaling of features and targets fitted on train (default: regression only)
. -kn_data_file <file>, -kn_data_test_file <file> - data files
. -kn_data_targets <1> - csv: target columns at the end of each row
- -kn_seed <42> - seed of the generator and the split

  Level: beginner

.seealso: KNDatasetCreateSynthetic(), KNDatasetSplit(), KNDatasetMinMaxFit()
@*/
PetscErrorCode KNDatasetCreateFromOptions(MPI_Comm comm, const char prefix[], KNTask task, KNDataset *train, KNDataset *test)
{
  DataOptions o;
  KNDataset   all = NULL;
  PetscBool   flow, density;
  KNTaskType  type;

  PetscFunctionBegin;
  *train = *test = NULL;
  PetscCall(KNTaskGetType(task, &type));
  PetscCall(PetscStrcmp(type, KNTASKDENSITY, &density));
  if (density) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(DefaultsForTask(task, &o));
  PetscCall(ProcessOptions(comm, prefix, &o));
  PetscCall(LoadSet(comm, &o, o.file, PETSC_FALSE, &all));
  if (o.has_test_file) {
    *train = all;
    PetscCall(LoadSet(comm, &o, o.test_file, PETSC_TRUE, test));
  } else if (o.test_fraction > 0) {
    PetscCall(KNDatasetSplit(all, o.test_fraction, (PetscInt64)o.seed, train, test));
    PetscCall(KNDatasetDestroy(&all));
  } else *train = all;
  PetscCall(KNTaskGetFlow(task, &flow));
  if (o.minmax) PetscCall(Scale(*train, *test));
  PetscFunctionReturn(KN_SUCCESS);
}
