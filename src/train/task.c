/* KNTask: the object, type registry, options and net set-up shared by every task type. */
#include <petscviewer.h>
#include "taskimpl.h"
#include "sys/knoptions.h"

static PetscFunctionList KNTaskList              = NULL;
static char              KNTaskNames[256]        = "";
static PetscBool         KNTaskRegisterAllCalled = PETSC_FALSE;

static PetscErrorCode KNTaskFinalize_Private(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&KNTaskList));
  KNTaskNames[0]          = 0;
  KNTaskRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNTaskAdd_Private(const char name[], PetscErrorCode (*create)(KNTask))
{
  PetscErrorCode (*old)(KNTask) = NULL;

  PetscFunctionBegin;
  PetscCall(PetscFunctionListFind(KNTaskList, name, &old));
  PetscCall(PetscFunctionListAdd(&KNTaskList, name, create));
  if (old) PetscFunctionReturn(KN_SUCCESS);
  if (KNTaskNames[0]) PetscCall(PetscStrlcat(KNTaskNames, ", ", sizeof(KNTaskNames)));
  PetscCall(PetscStrlcat(KNTaskNames, name, sizeof(KNTaskNames)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNTaskRegisterAll_Private(void)
{
  PetscFunctionBegin;
  if (KNTaskRegisterAllCalled) PetscFunctionReturn(KN_SUCCESS);
  KNTaskRegisterAllCalled = PETSC_TRUE;
  PetscCall(KNTaskAdd_Private(KNTASKREGRESSION, KNTaskCreate_Regression));
  PetscCall(KNTaskAdd_Private(KNTASKCLASSIFICATION, KNTaskCreate_Classification));
  PetscCall(KNTaskAdd_Private(KNTASKGENERATION, KNTaskCreate_Generation));
  PetscCall(KNTaskAdd_Private(KNTASKDENSITY, KNTaskCreate_Density));
  PetscCall(KNRegisterFinalize(KNTaskFinalize_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskRegister - adds a task type: a constructor that fills task->ops (setupnet, batch), task->metric and task->flow

  Not Collective

  Level: advanced

.seealso: KNTaskSetType()
@*/
PetscErrorCode KNTaskRegister(const char name[], PetscErrorCode (*create)(KNTask))
{
  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  PetscCall(KNTaskRegisterAll_Private());
  PetscCall(KNTaskAdd_Private(name, create));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskCreate - creates a task (default type generation, potential potential1, seed 42)

  Collective

  Level: beginner

.seealso: KNTaskSetType(), KNTaskSetFromOptions(), KNTaskComputeBatch()
@*/
PetscErrorCode KNTaskCreate(MPI_Comm comm, KNTask *task)
{
  KNTask t;

  PetscFunctionBegin;
  KNAssertPointer(task, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&t));
  t->comm = comm;
  t->seed = 42;
  PetscCall(PetscStrncpy(t->potential, "potential1", sizeof(t->potential)));
  PetscCall(KNTaskSetType(t, KNTASKGENERATION));
  *task = t;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskDestroy - frees a task and sets the handle to NULL

  Collective

  Level: beginner
@*/
PetscErrorCode KNTaskDestroy(KNTask *task)
{
  PetscFunctionBegin;
  if (!task || !*task) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscFree5((*task)->in, (*task)->out, (*task)->dout, (*task)->lp, (*task)->dlp));
  PetscCall(PetscFree((*task)->type));
  PetscCall(PetscFree((*task)->prefix));
  PetscCall(PetscFree(*task));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskSetType - selects the task: regression, classification, generation or density

  Logically Collective

  Options Database Key:
. -kn_task_type <type> - see KNTaskSetFromOptions()

  Level: beginner
@*/
PetscErrorCode KNTaskSetType(KNTask task, KNTaskType type)
{
  PetscErrorCode (*create)(KNTask) = NULL;
  PetscBool same;

  PetscFunctionBegin;
  KNAssertPointer(type, 2);
  PetscCall(KNTaskRegisterAll_Private());
  if (task->type) {
    PetscCall(PetscStrcmp(task->type, type, &same));
    if (same) PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscFunctionListFind(KNTaskList, type, &create));
  PetscCheck(create, task->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown task type \"%s\"; valid types (option -kn_task_type): %s", type, KNTaskNames);
  PetscCall(PetscMemzero(&task->ops, sizeof(task->ops)));
  task->flow = PETSC_FALSE, task->needs_data = PETSC_TRUE, task->metric = "loss";
  PetscCall(create(task));
  PetscCall(PetscFree(task->type));
  PetscCall(PetscStrallocpy(type, &task->type));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskGetType(KNTask task, KNTaskType *type)
{
  PetscFunctionBegin;
  *type = task->type;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskSetOptionsPrefix(KNTask task, const char prefix[])
{
  PetscFunctionBegin;
  PetscCall(PetscFree(task->prefix));
  if (prefix) PetscCall(PetscStrallocpy(prefix, &task->prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskSetPotential - the energy U of the density task: potential1, potential2, potential3 or potential4

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNTaskSetPotential(KNTask task, const char name[])
{
  PetscFunctionBegin;
  PetscCall(KNPotentialEvaluate(name, 0, NULL, NULL, NULL)); /* errors with the list of known names */
  PetscCall(PetscStrncpy(task->potential, name, sizeof(task->potential)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskSetNumOutputs - readout size of supervised tasks (0, the default: the targets per sample for regression,
  the number of classes for classification)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTaskSetNumOutputs(KNTask task, PetscInt K)
{
  PetscFunctionBegin;
  PetscCheck(K >= 0, task->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of outputs %" PetscInt_FMT " must be >= 0 (0: from the data)", K);
  task->nout_user = K;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskSetSeed - seed of the density task's base draws (counter-based: draw i of a stream is a pure function of it)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTaskSetSeed(KNTask task, PetscInt64 seed)
{
  PetscFunctionBegin;
  task->seed = seed;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskSetFromOptions - reads the task options

  Collective

  Options Database Keys:
+ -kn_task_type <generation> - regression, classification, generation or density
. -kn_task_potential <potential1> - density: the energy U (potential1..potential4)
. -kn_task_density_anneal <0> - density: the gradient sees beta U with beta = min(1, 0.01 + iteration/N) (Rezende and
  Mohamed 2015), against mode collapse of the reverse KL; the reported loss is always the full one (0: off)
- -kn_task_outputs <0> - regression/classification: readout size (0: targets per sample, or the number of classes)

  Level: beginner
@*/
PetscErrorCode KNTaskSetFromOptions(KNTask task)
{
  char      type[64], pot[64];
  PetscInt  K = task->nout_user;
  PetscBool set, pset;

  PetscFunctionBegin;
  PetscCall(KNTaskRegisterAll_Private());
  PetscCall(PetscStrncpy(type, task->type, sizeof(type)));
  PetscCall(PetscStrncpy(pot, task->potential, sizeof(pot)));
  PetscOptionsBegin(task->comm, task->prefix, "KirchhoffNet task options", "KNTask");
  PetscCall(PetscOptionsFList("-kn_task_type", "What the net learns", "KNTaskSetType", KNTaskList, type, type, sizeof(type), &set));
  PetscCall(PetscOptionsString("-kn_task_potential", "Density task: the energy U (potential1, potential2, potential3, potential4)", "KNTaskSetPotential", pot, pot, sizeof(pot), &pset));
  PetscCall(PetscOptionsBoundedInt("-kn_task_density_anneal", "Density: iterations over which the energy's weight in the gradient rises from 0.01 to 1 (0: off)", "KNTaskSetFromOptions", task->anneal, &task->anneal, NULL, 0));
  PetscCall(PetscOptionsBoundedInt("-kn_task_outputs", "Readout size of regression/classification (0: from the data)", "KNTaskSetNumOutputs", K, &K, NULL, 0));
  PetscOptionsEnd();
  if (set) PetscCall(KNTaskSetType(task, type));
  if (pset) PetscCall(KNTaskSetPotential(task, pot));
  PetscCall(KNTaskSetNumOutputs(task, K));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskGetFlow - whether the task needs a flow net (KNNetSetFlow(): generation and density)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNTaskGetFlow(KNTask task, PetscBool *flow)
{
  PetscFunctionBegin;
  *flow = task->flow;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskGetMetricName - name of the task's metric: mse, top1, nll or density_loss

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNTaskGetMetricName(KNTask task, const char **name)
{
  PetscFunctionBegin;
  *name = task->metric;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskNetNodes_Private(KNNet net, PetscInt *N0, PetscInt *Nlast, PetscBool *uniform)
{
  PetscInt D, N;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  *uniform = PETSC_TRUE;
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    KNGraph   g;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNGraphGetSizes(g, &N, NULL));
    if (i == 0) *N0 = N;
    else if (N != *N0) *uniform = PETSC_FALSE;
  }
  if (Nlast) *Nlast = N;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskWork_Private(KNTask task, PetscInt B)
{
  PetscFunctionBegin;
  if (task->in && task->wB == B && task->wnin == task->nin && task->wnout == task->nout) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscFree5(task->in, task->out, task->dout, task->lp, task->dlp));
  PetscCall(PetscCalloc5(B * PetscMax(task->nin, 1), &task->in, B * task->nout, &task->out, B * task->nout, &task->dout, B, &task->lp, B, &task->dlp));
  task->wB = B, task->wnin = task->nin, task->wnout = task->nout;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskSetUpNet - configures a net for the task: the readout (regression: the last ntarget nodes; classification:
  the last K nodes, K = classes; flows: every node) and checks that the net fits the data

  Collective

  Input Parameters:
+ task - the task
. net - the net, before or after KNNetSetUp(); flow tasks need KNNetSetFlow(net, PETSC_TRUE) before set-up
- data - a dataset with the shape of the training data (NULL for the density task)

  Notes:
  Call KNNetSetFromOptions() afterwards to let -kn_readout_last override the readout.

  Level: intermediate

.seealso: KNTaskGetFlow(), KNTaskComputeBatch()
@*/
PetscErrorCode KNTaskSetUpNet(KNTask task, KNNet net, KNDataset data)
{
  PetscFunctionBegin;
  PetscCheck(data || !task->needs_data, task->comm, PETSC_ERR_ARG_NULL, "The %s task needs a dataset (-kn_data)", task->type);
  PetscCall(task->ops.setupnet(task, net, data));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskView(KNTask task, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(task->comm, &viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNTask %s: metric %s%s%s%s\n", task->type, task->metric, task->flow ? ", flow" : "", task->needs_data ? "" : ", potential ", task->needs_data ? "" : task->potential));
  PetscFunctionReturn(KN_SUCCESS);
}
