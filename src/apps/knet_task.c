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

/*
  knet eval MODEL.h5 -kn_task_type T [data options]: the model's loss and metric. Data come from the same options as
  knet train (-kn_data, -kn_data_size, -kn_data_test_fraction, ...); the test part is used if there is one, else all.
  -kn_mc N and -kn_mc_* (KNRobustnessSetFromOptions()): the metric under N draws of non-ideal hardware as well.
*/
PetscErrorCode KNetEvalTask(int argc, char **argv)
{
  MPI_Comm        comm = PETSC_COMM_WORLD;
  TaskEvalOptions o;
  KNTask          task;
  KNDataset       train = NULL, test = NULL, ds;
  KNNet           net;
  KNTaskTally     t;
  KNRobustness    rob;
  PetscBool       flow;
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
  PetscCall(ProcessOptions(comm, &o));
  PetscCall(KNRobustnessCreateFromOptions(comm, NULL, PETSC_FALSE, 42, &rob));
  PetscCall(KNTaskCreate(comm, &task));
  PetscCall(KNTaskSetFromOptions(task));
  PetscCall(KNTaskSetSeed(task, (PetscInt64)o.seed));
  PetscCall(KNDatasetCreateFromOptions(comm, NULL, task, &train, &test));
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
