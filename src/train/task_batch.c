/* KNTask drivers: a mini-batch's (or a data group's slice's) loss and gradient, and evaluation over a dataset. */
#include "taskimpl.h"

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
  PetscCall(KNNetSetSaveTrajectory(net, grad ? PETSC_TRUE : PETSC_FALSE)); /* the loss pass is the adjoint's forward */
  ierr         = task->ops.batch(task, net, m, x, y, KN_STREAM_TASK_BASE, draw, grad, tally);
  task->mtotal = 0;
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_FALSE));
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
  PetscCall(KNNetSetSaveTrajectory(net, grad ? PETSC_TRUE : PETSC_FALSE));
  PetscCall(KNNetForward(net, task->nin, task->in, gen));
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_FALSE));
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

