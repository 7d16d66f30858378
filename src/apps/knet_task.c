/* knet helpers for the learning commands: model loading (published files get their solver settings) and
   knet eval MODEL -kn_task_type T: the task metric of a model on a dataset. */
#include "knet.h"
#include <hdf5.h>
#include <kn/knrobust.h>

/* A published reference file has the root attribute 'experiment' (KNNetLoad() recognises it the same way). */
static PetscErrorCode IsPublished(MPI_Comm comm, const char file[], PetscBool *pub)
{
  PetscMPIInt rank;
  int         flag = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    hid_t f;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) {
      flag = H5Aexists(f, "experiment") > 0;
      H5Fclose(f);
    }
  }
  PetscCallMPI(MPI_Bcast(&flag, 1, MPI_INT, 0, comm));
  *pub = flag ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNNetLoad(), after putting a published file's dopri5 settings into the options (unless the user gave them). */
PetscErrorCode KNetLoadModel(MPI_Comm comm, const char file[], PetscInt B, PetscBool flow, KNNet *net)
{
  PetscBool pub;

  PetscFunctionBegin;
  PetscCall(IsPublished(comm, file, &pub));
  if (pub) PetscCall(KNPublishedSetSolverOptions(comm, file));
  PetscCall(KNNetLoad(comm, file, B, flow, net));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  PetscInt batch, samples, seed;
} TaskEvalOptions;

static PetscErrorCode ProcessOptions(MPI_Comm comm, TaskEvalOptions *o)
{
  PetscFunctionBegin;
  o->batch = 512, o->samples = 5000, o->seed = 42;
  PetscOptionsBegin(comm, NULL, "knet eval options (task metric)", "knet");
  PetscCall(PetscOptionsBoundedInt("-kn_batch_size", "Samples integrated together (they share adaptive steps)", "knet eval", o->batch, &o->batch, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_eval_samples", "Density task: base samples z0 ~ N(0, I) to average over", "knet eval", o->samples, &o->samples, NULL, 1));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the data (and split) or of the density task's base samples", "knet eval", o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Report(MPI_Comm comm, KNTask task, KNDataset ds, const KNTaskTally *t)
{
  const char *name, *dname = "fresh base samples";
  KNTaskType  type;
  PetscReal   loss, metric;

  PetscFunctionBegin;
  PetscCall(KNTaskGetType(task, &type));
  PetscCall(KNTaskGetMetricName(task, &name));
  PetscCall(KNTaskTallyGetMetric(task, t, &loss, &metric));
  if (ds) PetscCall(KNDatasetGetName(ds, &dname));
  PetscCall(PetscPrintf(comm, "knet eval: %s on %" PetscInt_FMT " samples (%s): %s %.6f", type, t->n, dname ? dname : "data", name, (double)metric));
  if (name[0] == 't' && t->n) PetscCall(PetscPrintf(comm, ", top5 %.6f, cross entropy %.6f", (double)t->top5 / (double)t->n, (double)loss));
  PetscCall(PetscPrintf(comm, "\n"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Options a task evaluation takes from the model's records: the solver's, the data's (so that the test split is
   the training run's) and the task's. */
static const char *const task_prefixes[] = {"-ts_", "-kn_data", "-kn_seed", "-kn_task_", NULL};

/* The records as defaults: the task, the options above, and (unless -kn_data_minmax is given) the stored min-max
   scaling instead of a scaling refitted on the data. *scale: apply r's scaling to the data. */
static PetscErrorCode UseRecords(MPI_Comm comm, const char file[], const KNModelRecords *r, PetscBool *scale)
{
  PetscBool given;

  PetscFunctionBegin;
  *scale = PETSC_FALSE;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_task_type", &given));
  if (!given && r->task[0]) {
    PetscCall(PetscOptionsSetValue(NULL, "-kn_task_type", r->task));
    PetscCall(PetscPrintf(comm, "knet eval: task %s, as stored in %s (-kn_task_type overrides it)\n", r->task, file));
  }
  PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_data_minmax", &given));
  PetscCall(KNetUseStoredOptions(comm, "eval", file, r, task_prefixes));
  if (r->nfeat && !given) {
    PetscCall(PetscOptionsSetValue(NULL, "-kn_data_minmax", "false")); /* the stored scaling replaces the refit */
    *scale = PETSC_TRUE;
    PetscCall(PetscPrintf(comm, "knet eval: the data are scaled with the min-max scaling stored in %s (fitted on the training set; -kn_data_minmax refits it instead)\n", file));
  } else if (r->nfeat) PetscCall(PetscPrintf(comm, "knet eval: -kn_data_minmax given: the scaling stored in %s is not used\n", file));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The stored scaling applied to a dataset (its columns must match the records). */
static PetscErrorCode ApplyStoredScaling(MPI_Comm comm, const char file[], const KNModelRecords *r, KNDataset ds)
{
  PetscInt n, nf, nt, nc;

  PetscFunctionBegin;
  if (!ds) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNDatasetGetSizes(ds, &n, &nf, &nt));
  PetscCall(KNDatasetGetNumClasses(ds, &nc));
  PetscCheck(nf == r->nfeat, comm, PETSC_ERR_ARG_SIZ, "knet eval: the data have %" PetscInt_FMT " features but %s stores a min-max scaling of %" PetscInt_FMT " (other data than the model was trained on? -kn_data_minmax refits the scaling)", nf, file, r->nfeat);
  PetscCall(KNDatasetMinMaxApply(ds, KN_DATASET_FEATURES, r->feature_min, r->feature_max));
  if (!r->ntarget || nc) PetscFunctionReturn(KN_SUCCESS);
  PetscCheck(nt == r->ntarget, comm, PETSC_ERR_ARG_SIZ, "knet eval: the data have %" PetscInt_FMT " targets but %s stores a min-max scaling of %" PetscInt_FMT, nt, file, r->ntarget);
  PetscCall(KNDatasetMinMaxApply(ds, KN_DATASET_TARGETS, r->target_min, r->target_max));
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  knet eval MODEL.h5 [-kn_task_type T] [data options]: the model's loss and metric. Data come from the same options as
  knet train (-kn_data, -kn_data_size, -kn_data_test_fraction, ...), by default those stored in the model (so the
  test part is the training run's); the test part is used if there is one, else all. The task, the solver options
  and the min-max scaling stored in the model are the defaults.
  -kn_mc N and -kn_mc_* (KNRobustnessSetFromOptions()): the metric under N draws of non-ideal hardware as well.
*/
PetscErrorCode KNetEvalTask(int argc, char **argv, const KNModelRecords *rec)
{
  MPI_Comm        comm = PETSC_COMM_WORLD;
  TaskEvalOptions o;
  KNTask          task;
  KNDataset       train = NULL, test = NULL, ds;
  KNNet           net;
  KNTaskTally     t;
  KNRobustness    rob;
  PetscBool       flow, scale = PETSC_FALSE;
  PetscInt        n;

  PetscFunctionBegin;
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    if (help && argc < 1) { /* the options, without a model or data */
      PetscCall(ProcessOptions(comm, &o));
      PetscCall(KNRobustnessCreateFromOptions(comm, NULL, PETSC_FALSE, 42, &rob));
      PetscCall(KNRobustnessDestroy(&rob));
      PetscCall(KNTaskCreate(comm, &task));
      PetscCall(KNTaskSetFromOptions(task));
      PetscCall(KNTaskDestroy(&task));
      PetscCall(KNetHelpNet(comm));
      PetscFunctionReturn(KN_SUCCESS);
    }
  }
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_ARG_WRONG, "usage: knet eval MODEL.h5 -kn_task_type TYPE [-kn_data NAME ...]");
  PetscCall(UseRecords(comm, argv[0], rec, &scale));
  PetscCall(ProcessOptions(comm, &o));
  PetscCall(KNRobustnessCreateFromOptions(comm, NULL, PETSC_FALSE, 42, &rob));
  PetscCall(KNTaskCreate(comm, &task));
  PetscCall(KNTaskSetFromOptions(task));
  PetscCall(KNTaskSetSeed(task, (PetscInt64)o.seed));
  PetscCall(KNDatasetCreateFromOptions(comm, NULL, task, &train, &test));
  if (scale) PetscCall(ApplyStoredScaling(comm, argv[0], rec, train));
  if (scale) PetscCall(ApplyStoredScaling(comm, argv[0], rec, test));
  ds = test ? test : train;
  n  = o.samples;
  if (ds) PetscCall(KNDatasetGetSizes(ds, &n, NULL, NULL));
  PetscCall(KNTaskGetFlow(task, &flow));
  PetscCall(KNetLoadModel(comm, argv[0], PetscMin(o.batch, n), flow, &net));
  PetscCall(KNTaskSetUpNet(task, net, ds));
  PetscCall(KNetCheckOptions(comm));
  PetscCall(KNRobustnessEvaluate(rob, task, net, ds, n, &t)); /* without -kn_mc*: KNTaskEvaluate() */
  PetscCall(Report(comm, task, ds, &t));
  PetscCall(KNRobustnessView(rob, NULL));
  PetscCall(KNRobustnessDestroy(&rob));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNDatasetDestroy(&train));
  PetscCall(KNDatasetDestroy(&test));
  PetscCall(KNTaskDestroy(&task));
  PetscFunctionReturn(KN_SUCCESS);
}
