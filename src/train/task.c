/* KNTask: the object, type registry, options, and the batch / evaluation drivers shared by every task type. */
#include <petscviewer.h>
#include "taskimpl.h"

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

/*@C
  KNTaskComputeBatch - loss, metric sums and (optionally) the gradient of one mini-batch

  Collective

  Input Parameters:
+ task - the task, after KNTaskSetUpNet()
. net - the set-up net (batch size B >= m)
. m - samples in this batch (the net's remaining B - m samples are zero padding, outside the loss)
. x - m*nin features, sample-major (NULL for density)
. y - m*ntarget targets (regression values or class labels; NULL for generation and density)
. draw - density: index of the batch's first base sample in the training stream (e.g. iteration * B)
- grad - a net parameter Vec for dL/dtheta (NULL: forward only)

  Output Parameter:
. tally - the batch's sums are ADDED to it (zero it before the first batch)

  Level: beginner

.seealso: KNTaskComputeBatchSlice(), KNTaskEvaluate(), KNTaskTallyGetMetric()
@*/
PetscErrorCode KNTaskComputeBatch(KNTask task, KNNet net, PetscInt m, const PetscReal x[], const PetscReal y[], PetscInt64 draw, Vec grad, KNTaskTally *tally)
{
  PetscFunctionBegin;
  PetscCall(KNTaskComputeBatchSlice(task, net, m, m, x, y, draw, grad, tally));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskComputeBatchSlice - KNTaskComputeBatch() for a slice of m samples of a mini-batch of mtotal (a data group's
  part, KNGridGetBatchSlice()): the gradient is that of the mean loss over all mtotal samples restricted to the slice,
  so the sum of the slices' gradients (KNGridSumVec()) is the gradient of the whole batch

  Collective

  Input Parameters:
+ task, net - as in KNTaskComputeBatch()
. m - samples of the slice (0 <= m <= the net's batch size; 0: padding only, see Notes)
. mtotal - samples of the whole mini-batch (>= m)
. x, y - the slice's features and targets
. draw - density: index of the slice's first base sample in the training stream (iteration * mtotal + slice start),
         so the draws do not depend on how the batch is split
- grad - a net parameter Vec for the slice's part of dL/dtheta (NULL: forward only)

  Output Parameter:
. tally - the slice's sums are ADDED to it (sums over samples: add the slices' tallies for the batch's)

  Notes:
  An empty slice (a group past the end of a short batch) sweeps padding alone and returns a zero gradient: with
  adaptive steps chosen over all groups (KNNetSetStepComm()) every group takes part in every step.

  Level: intermediate

.seealso: KNTaskComputeBatch(), KNGridSumVec(), KNGridSumReals()
@*/
PetscErrorCode KNTaskComputeBatchSlice(KNTask task, KNNet net, PetscInt m, PetscInt mtotal, const PetscReal x[], const PetscReal y[], PetscInt64 draw, Vec grad, KNTaskTally *tally)
{
  PetscInt       B;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNNetGetBatchSize(net, &B));
  if (!m && mtotal > 0) {
    PetscCall(KNTaskPaddingSweep_Private(task, net, grad));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCheck(m >= 1 && m <= B, task->comm, PETSC_ERR_ARG_OUTOFRANGE, "A batch of %" PetscInt_FMT " samples does not fit the net's batch size %" PetscInt_FMT, m, B);
  PetscCheck(mtotal >= m, task->comm, PETSC_ERR_ARG_OUTOFRANGE, "A slice of %" PetscInt_FMT " samples cannot be part of a batch of %" PetscInt_FMT, m, mtotal);
  PetscCheck(task->nout > 0, task->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNTaskSetUpNet() before KNTaskComputeBatch()");
  task->mtotal = mtotal;
  ierr         = task->ops.batch(task, net, m, x, y, KN_STREAM_TASK_BASE, draw, grad, tally);
  task->mtotal = 0;
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The sweeps of a batch of padding alone (zero inputs, zero seeds): what a data group without samples does so that it
   takes part in the adaptive steps of the others. grad (if any) comes out zero; the tally is not touched. */
PetscErrorCode KNTaskPaddingSweep_Private(KNTask task, KNNet net, Vec grad)
{
  PetscInt  B;
  PetscBool gen;

  PetscFunctionBegin;
  PetscCheck(task->nout > 0, task->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNTaskSetUpNet() before KNTaskComputeBatch()");
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNTaskWork_Private(task, B));
  PetscCall(PetscStrcmp(task->type, KNTASKGENERATION, &gen)); /* generation sweeps data -> base, reversed */
  PetscCall(PetscArrayzero(task->in, B * PetscMax(task->nin, 1)));
  PetscCall(KNNetForward(net, task->nin, task->in, gen));
  if (grad) {
    PetscCall(PetscArrayzero(task->dout, B * task->nout));
    PetscCall(PetscArrayzero(task->dlp, B));
    PetscCall(KNNetBackward(net, task->dout, task->flow ? task->dlp : NULL, grad, NULL));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskScaleSeeds_Private(KNTask task, PetscInt m, PetscInt n, PetscReal dout[], PetscInt nlp, PetscReal dlp[])
{
  PetscReal s;

  PetscFunctionBegin;
  if (task->mtotal <= m) PetscFunctionReturn(KN_SUCCESS);
  s = (PetscReal)m / (PetscReal)task->mtotal;
  for (PetscInt i = 0; i < n; i++) dout[i] *= s;
  for (PetscInt i = 0; i < nlp; i++) dlp[i] *= s;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskEvaluate - the task's loss and metric sums over a whole dataset (no gradient)

  Collective

  Input Parameters:
+ task - the task, after KNTaskSetUpNet()
. net - the set-up net
. data - the samples, taken in order in batches of the net's batch size (NULL for density)
. n - density: number of base samples (drawn from the held-out stream KN_STREAM_TASK_TEST); ignored otherwise
- draw - density: index of the first base sample

  Output Parameter:
. tally - the sums (overwritten)

  Level: beginner

.seealso: KNTaskEvaluateRange(), KNTaskTallyGetMetric()
@*/
PetscErrorCode KNTaskEvaluate(KNTask task, KNNet net, KNDataset data, PetscInt n, PetscInt64 draw, KNTaskTally *tally)
{
  PetscInt nt = n;

  PetscFunctionBegin;
  if (task->needs_data && data) PetscCall(KNDatasetGetSizes(data, &nt, NULL, NULL));
  PetscCall(KNTaskEvaluateRange(task, net, data, 0, nt, draw, tally));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskEvaluateRange - KNTaskEvaluate() over the samples start .. end-1 only (density: the base samples draw + start ..
  draw + end - 1), e.g. a data group's share of a test set

  Collective

  Level: intermediate

.seealso: KNTaskEvaluate(), KNGridGetBatchSlice()
@*/
PetscErrorCode KNTaskEvaluateRange(KNTask task, KNNet net, KNDataset data, PetscInt start, PetscInt end, PetscInt64 draw, KNTaskTally *tally)
{
  PetscInt         B, n = end, nf = 0, nt = 0;
  const PetscReal *x = NULL, *y = NULL;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(tally, sizeof(*tally)));
  PetscCall(KNNetGetBatchSize(net, &B));
  if (task->needs_data) {
    PetscCheck(data, task->comm, PETSC_ERR_ARG_NULL, "The %s task is evaluated on a dataset", task->type);
    PetscCall(KNDatasetGetSizes(data, &n, &nf, &nt));
    PetscCall(KNDatasetGetData(data, &x, &y));
  }
  PetscCheck(0 <= start && start <= end && end <= n, task->comm, PETSC_ERR_ARG_OUTOFRANGE, "Samples %" PetscInt_FMT "..%" PetscInt_FMT " are not a range of the %" PetscInt_FMT " samples", start, end - 1, n);
  for (PetscInt s = start; s < end; s += B) {
    PetscInt m = PetscMin(B, end - s);
    PetscCall(task->ops.batch(task, net, m, x ? x + s * nf : NULL, y ? y + s * nt : NULL, KN_STREAM_TASK_TEST, draw + s, NULL, tally));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTaskTallyGetMetric - the mean loss and the task's metric from a tally

  Not Collective

  Output Parameters:
+ loss - mean loss per sample (regression: MSE; classification: cross entropy; generation: NLL; density: mean(lp + U))
- metric - regression: MSE; classification: top-1 accuracy; generation: NLL in nats; density: the density loss
           (NaN for an empty tally)

  Level: beginner
@*/
PetscErrorCode KNTaskTallyGetMetric(KNTask task, const KNTaskTally *t, PetscReal *loss, PetscReal *metric)
{
  PetscBool  cls;
  PetscReal  l = t->n ? t->loss / (PetscReal)t->n : KN_NAN;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(task->type, KNTASKCLASSIFICATION, &cls));
  if (loss) *loss = l;
  if (metric) *metric = cls ? (t->n ? (PetscReal)t->top1 / (PetscReal)t->n : KN_NAN) : l;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskView(KNTask task, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(task->comm, &viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNTask %s: metric %s%s%s%s\n", task->type, task->metric, task->flow ? ", flow" : "", task->needs_data ? "" : ", potential ", task->needs_data ? "" : task->potential));
  PetscFunctionReturn(KN_SUCCESS);
}
