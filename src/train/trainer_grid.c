/* KNTrainer on a process grid (-kn_data_groups): the net of each data group, the slice of every mini-batch, the
   group-ordered sums of gradients and tallies, test metrics split across groups, files written by group 0. */
#include <kn/knio.h>
#include "taskimpl.h"

/* Nodes and edges of the largest layer of a net that is not set up yet. */
static PetscErrorCode LargestLayer(KNNet net, PetscInt *N, PetscInt *E)
{
  PetscInt D;

  PetscFunctionBegin;
  *N = *E = 0;
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    KNGraph   g;
    PetscInt  n, e;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNGraphGetSizes(g, &n, &e));
    if (e > *E) *N = n, *E = e;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  The grid, and (unless a net was given) the net on the group's communicator, not yet set up. The default number of
  groups depends on the largest layer (KNGridChooseGroups()), so the net is first built on the whole communicator to
  look at it, and built again on the group's communicator if the batch is split. The choice is printed.
*/
PetscErrorCode KNTrainerSetUpGrid_Private(KNTrainer tr)
{
  PetscInt    G = tr->groups ? tr->groups : 1, N = 0, E = 0;
  const char *why = tr->groups ? "as requested" : "the net was given";
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(tr->comm, &size));
  PetscCheck(!tr->net_given || G == 1, tr->comm, PETSC_ERR_ARG_INCOMP, "-kn_data_groups %" PetscInt_FMT ": a net given with KNTrainerSetNet() lives on one communicator; it is trained with -kn_data_groups 1 (let the trainer build the net to split the batch)", G);
  if (!tr->net_given) {
    PetscCall(KNNetCreateFromOptions(tr->comm, tr->prefix, &tr->net));
    PetscCall(LargestLayer(tr->net, &N, &E));
    PetscCall(KNGridChooseGroups(tr->comm, N, E, tr->batch, tr->groups, &G, &why));
  }
  PetscCheck(G <= tr->batch, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_data_groups %" PetscInt_FMT " is more than the %" PetscInt_FMT " samples of a mini-batch (-kn_train_batch_size): every group needs at least one", G, tr->batch);
  PetscCall(KNGridCreate(tr->comm, G, &tr->grid)); /* a G that does not divide the ranks is refused here */
  if (G > 1) {
    MPI_Comm group, across;

    PetscCall(KNNetDestroy(&tr->net));
    PetscCall(KNGridGetGroupComm(tr->grid, &group));
    PetscCall(KNNetCreateFromOptions(group, tr->prefix, &tr->net));
    PetscCall(KNGridGetAcrossComm(tr->grid, &across));
    if (tr->sync_steps) PetscCall(KNNetSetStepComm(tr->net, across)); /* adaptive steps: those of the whole batch */
  }
  if (tr->monitor) {
    PetscInt    T, used;
    const char *twhy;
    char        more[64] = "";

    PetscCall(KNGetNumThreads(&T, &twhy));
    used = PetscMin(T, KN_PANELS);
    if (T > used) PetscCall(PetscSNPrintf(more, sizeof(more), ", %" PetscInt_FMT " available: more ranks use them", T));
    PetscCall(PetscPrintf(tr->comm, "knet train: %" PetscInt_FMT " data group%s x %d graph rank%s (%s; -kn_data_groups G changes it) x %" PetscInt_FMT " thread%s per rank (%s%s; -kn_threads)\n", G, G > 1 ? "s" : "", size / (PetscMPIInt)G, size / G > 1 ? "s" : "", why, used, used > 1 ? "s" : "", twhy, more));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* The samples each group's net holds: ceil(batch / G), the largest slice of KNGridGetBatchSlice(). */
PetscErrorCode KNTrainerGroupBatchSize_Private(KNTrainer tr, PetscInt *B)
{
  PetscInt G;

  PetscFunctionBegin;
  PetscCall(KNGridGetGroup(tr->grid, NULL, &G));
  *B = (tr->batch + G - 1) / G;
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  KNTrainer        tr;
  PetscInt         m, start, count; /* the mini-batch, this group's slice of it */
  const PetscReal *x, *y;           /* the slice's features and targets */
  KNTaskTally      t;
} SliceCtx;

/* This group's part of the gradient of the batch mean. A group without samples integrates padding alone (its
   gradient is zero): with adaptive steps every group must take part in every step. */
static PetscErrorCode SliceGradient(void *ctx)
{
  SliceCtx *s  = (SliceCtx *)ctx;
  KNTrainer tr = s->tr;

  PetscFunctionBegin;
  PetscCall(KNNetSetBoundaryNoiseSamples(tr->net, s->start, s->count, s->m)); /* noise by global sample index */
  PetscCall(KNTaskComputeBatchSlice(tr->task, tr->net, s->count, s->m, s->x, s->y, (PetscInt64)tr->iter * tr->batch + s->start, tr->grad, &s->t));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Sums a tally over the groups in group order (counts are exact in doubles). */
static PetscErrorCode SumTally(KNTrainer tr, KNTaskTally *t)
{
  PetscReal a[4] = {(PetscReal)t->n, t->loss, (PetscReal)t->top1, (PetscReal)t->top5};

  PetscFunctionBegin;
  PetscCall(KNGridSumReals(tr->grid, 4, a));
  t->n = (PetscInt)a[0], t->loss = a[1], t->top1 = (PetscInt)a[2], t->top5 = (PetscInt)a[3];
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  tr->grad = the gradient of the mean loss over the m samples of the mini-batch, the same on every group; the batch's
  sums are added to tally. x, y hold this group's slice (samples start .. start + count - 1 of the batch). A failure in
  any group is raised on every rank (KNGridRun()), so no group waits for the others' gradients.
*/
PetscErrorCode KNTrainerBatchGradient_Private(KNTrainer tr, PetscInt m, PetscInt start, PetscInt count, const PetscReal x[], const PetscReal y[], KNTaskTally *tally)
{
  SliceCtx s;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&s, sizeof(s)));
  s.tr = tr, s.m = m, s.start = start, s.count = count, s.x = x, s.y = y;
  PetscCall(KNGridRun(tr->grid, PETSC_TRUE, SliceGradient, &s));
  PetscCall(KNGridSumVec(tr->grid, tr->grad));
  PetscCall(SumTally(tr, &s.t));
  tally->n += s.t.n, tally->loss += s.t.loss, tally->top1 += s.t.top1, tally->top5 += s.t.top5;
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  KNTrainer   tr;
  PetscInt    n; /* test samples (density: held-out base draws) */
  KNTaskTally t;
} TestCtx;

/* The test set in chunks of the training batch, as one group takes it; this group evaluates its slice of every chunk
   (padding alone for an empty slice), so with adaptive steps the groups integrate together what one group would. */
static PetscErrorCode TestSlice(void *ctx)
{
  TestCtx    *c  = (TestCtx *)ctx;
  KNTrainer   tr = c->tr;
  KNTaskTally t;

  PetscFunctionBegin;
  for (PetscInt s0 = 0; s0 < c->n; s0 += tr->batch) {
    PetscInt m = PetscMin(tr->batch, c->n - s0), start, count;

    PetscCall(KNGridGetBatchSlice(tr->grid, m, &start, &count));
    if (count) {
      PetscCall(KNTaskEvaluateRange(tr->task, tr->net, tr->test, s0 + start, s0 + start + count, 0, &t));
      c->t.n += t.n, c->t.loss += t.loss, c->t.top1 += t.top1, c->t.top5 += t.top5;
    } else PetscCall(KNTaskPaddingSweep_Private(tr->task, tr->net, NULL));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* The test tally over n samples (density: n held-out base draws), split across the groups chunk by chunk. */
PetscErrorCode KNTrainerTestTally_Private(KNTrainer tr, PetscInt n, KNTaskTally *t)
{
  TestCtx c;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  c.tr = tr, c.n = n;
  PetscCall(KNGridRun(tr->grid, PETSC_TRUE, TestSlice, &c));
  PetscCall(SumTally(tr, &c.t));
  *t = c.t;
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  KNTrainer tr;
  char      path[PETSC_MAX_PATH_LEN];
} SaveCtx;

static PetscErrorCode SaveGroup0(void *ctx)
{
  SaveCtx *c = (SaveCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(KNTrainerSaveNet_Private(c->tr, c->path)); /* with the task, scaling and options records */
  PetscFunctionReturn(KN_SUCCESS);
}

/* <run dir>/model.h5, written by group 0 on its communicator (every group holds the same model); KNNetSave() writes a
   temporary file and renames it, so an interrupted write keeps the old model. */
PetscErrorCode KNTrainerSaveModel_Private(KNTrainer tr)
{
  SaveCtx c;

  PetscFunctionBegin;
  c.tr = tr;
  PetscCall(PetscSNPrintf(c.path, sizeof(c.path), "%s/model.h5", tr->rundir));
  PetscCall(KNGridRun(tr->grid, PETSC_FALSE, SaveGroup0, &c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A count summed over the groups (e.g. RHS evaluations of the epoch). */
PetscErrorCode KNTrainerSumCount_Private(KNTrainer tr, PetscInt *v)
{
  PetscReal a = (PetscReal)*v;

  PetscFunctionBegin;
  PetscCall(KNGridSumReals(tr->grid, 1, &a));
  *v = (PetscInt)a;
  PetscFunctionReturn(KN_SUCCESS);
}
