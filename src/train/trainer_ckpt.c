/* KNTrainer checkpoints: what an exact continuation needs (net, optimizer, position, RNG counters, metrics), written
   through KNCheckpoint and read back on any number of ranks. */
#include <petscviewer.h>
#include <kn/kncheckpoint.h>
#include "taskimpl.h"

/* Every stored number that must match for an exact continuation, and the optional ones. */
typedef struct {
  PetscInt64 epoch, batch, iter, batch_size, seed, data_size, opt_step, has_m, has_v;
  PetscInt64 tally_n, tally_top1, tally_top5;
  PetscReal  tally_loss, loss, metric, secondary, best, seconds, lr0;
  char      *opt_type, *schedule;
} State;

static PetscErrorCode DataSize(KNTrainer tr, PetscInt *n)
{
  PetscFunctionBegin;
  *n = tr->batch; /* density: one fresh batch per epoch */
  if (tr->train) PetscCall(KNDatasetGetSizes(tr->train, n, NULL, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteOptim(KNTrainer tr, KNCheckpoint ck)
{
  KNOptimizerType type;
  PetscReal       lr, b1, b2, eps, wd, mu, clip;
  PetscInt        step;
  Vec             m, v;

  PetscFunctionBegin;
  PetscCall(KNOptimizerGetType(tr->opt, &type));
  PetscCall(KNOptimizerGetHyperParameters(tr->opt, &lr, &b1, &b2, &eps, &wd, &mu, &clip));
  PetscCall(KNOptimizerGetStep(tr->opt, &step));
  PetscCall(KNOptimizerGetMoments(tr->opt, &m, &v));
  PetscCall(KNCheckpointWriteString(ck, "optim", "type", type));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "lr", lr));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "beta1", b1));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "beta2", b2));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "eps", eps));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "weight_decay", wd));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "momentum", mu));
  PetscCall(KNCheckpointWriteReal(ck, "optim", "clip", clip));
  PetscCall(KNCheckpointWriteInt(ck, "optim", "step", step));
  PetscCall(KNCheckpointWriteInt(ck, "optim", "has_m", m ? 1 : 0));
  PetscCall(KNCheckpointWriteInt(ck, "optim", "has_v", v ? 1 : 0));
  if (m) PetscCall(KNCheckpointWriteParameterVec(ck, "optim", "m", tr->net, m));
  if (v) PetscCall(KNCheckpointWriteParameterVec(ck, "optim", "v", tr->net, v));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteTrain(KNTrainer tr, KNCheckpoint ck)
{
  KNTrainerLongRun *r = &tr->run;
  PetscInt          n;

  PetscFunctionBegin;
  PetscCall(DataSize(tr, &n));
  PetscCall(KNCheckpointWriteInt(ck, "train", "epoch", r->epoch));
  PetscCall(KNCheckpointWriteInt(ck, "train", "batch", r->batch));
  PetscCall(KNCheckpointWriteInt(ck, "train", "global_step", tr->iter));
  PetscCall(KNCheckpointWriteInt(ck, "train", "epochs", tr->epochs));
  PetscCall(KNCheckpointWriteInt(ck, "train", "max_iterations", tr->max_iter));
  PetscCall(KNCheckpointWriteInt(ck, "train", "batch_size", tr->batch));
  PetscCall(KNCheckpointWriteInt(ck, "train", "data_size", n));
  PetscCall(KNCheckpointWriteString(ck, "train", "schedule", tr->schedule));
  PetscCall(KNCheckpointWriteReal(ck, "train", "lr0", tr->lr0));
  PetscCall(KNCheckpointWriteInt(ck, "train", "rng_seed", tr->seed));
  PetscCall(KNCheckpointWriteInt(ck, "train", "rng_draw_counter", (PetscInt64)tr->iter * tr->batch));
  PetscCall(KNCheckpointWriteInt(ck, "train", "rng_augment_counter", tr->iter));
  PetscCall(KNCheckpointWriteInt(ck, "train", "tally_n", r->tally.n));
  PetscCall(KNCheckpointWriteReal(ck, "train", "tally_loss", r->tally.loss));
  PetscCall(KNCheckpointWriteInt(ck, "train", "tally_top1", r->tally.top1));
  PetscCall(KNCheckpointWriteInt(ck, "train", "tally_top5", r->tally.top5));
  PetscCall(KNCheckpointWriteReal(ck, "train", "loss", tr->loss));
  PetscCall(KNCheckpointWriteReal(ck, "train", "metric", tr->metric));
  PetscCall(KNCheckpointWriteReal(ck, "train", "secondary", tr->secondary));
  PetscCall(KNCheckpointWriteReal(ck, "train", "best_metric", r->best));
  PetscCall(KNCheckpointWriteReal(ck, "train", "seconds", MPI_Wtime() - r->tcreate + r->seconds0));
  PetscCall(KNCheckpointWriteString(ck, "train", "run_dir", tr->rundir));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteConfig(KNTrainer tr, KNCheckpoint ck)
{
  char      *all;
  KNTaskType type;

  PetscFunctionBegin;
  PetscCall(KNTaskGetType(tr->task, &type));
  PetscCall(PetscOptionsGetAll(NULL, &all));
  PetscCall(KNCheckpointWriteString(ck, "config", "options", all));
  PetscCall(PetscFree(all));
  PetscCall(KNCheckpointWriteString(ck, "config", "task_type", type));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteAll(KNTrainer tr, KNCheckpoint ck)
{
  PetscFunctionBegin;
  PetscCall(WriteOptim(tr, ck));
  PetscCall(WriteTrain(tr, ck));
  PetscCall(WriteConfig(tr, ck));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  KNTrainer tr;
  char      name[PETSC_MAX_PATH_LEN];
} WriteCtx;

/* Group 0 writes the file on its communicator (the model, moments and position are the same in every group). */
static PetscErrorCode WriteFile(void *ctx)
{
  WriteCtx      *c  = (WriteCtx *)ctx;
  KNTrainer      tr = c->tr;
  KNCheckpoint   ck;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNCheckpointCreate(tr->net, c->name, tr->iter, &ck));
  ierr = WriteAll(tr, ck);
  if (ierr) PetscCall(KNCheckpointDestroy(&ck)); /* removes the temporary file; older checkpoints stay */
  else ierr = KNCheckpointCommit(&ck);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerWriteCheckpoint - writes the state of a training run for an exact continuation

  Collective

  Input Parameters:
+ tr - the trainer (set up; usually called by KNTrainerTrain() itself at mini-batch boundaries)
- file - the file, or NULL for <checkpoint dir>/ckpt_<step:08d>.h5, after which only the newest
         -kn_checkpoint_keep files of the directory are kept

  Notes:
  Besides /model and /meta (see kncheckpoint.h) the file holds
+ /optim - attrs type, lr, beta1, beta2, eps, weight_decay, momentum, clip, step, has_m, has_v; the moments m and v
           as layer_NNN/m, layer_NNN/v [E, rows] in graph edge order
. /train - attrs epoch and batch (batches of that epoch done), global_step, epochs, max_iterations, batch_size,
           data_size, schedule, lr0, the RNG state rng_seed, rng_draw_counter and rng_augment_counter (every random
           number is a function of these: the permutation of epoch e is KNPermutation(n, seed, e)), the tally of the
           epoch so far (tally_n, tally_loss, tally_top1, tally_top5), loss, metric, secondary, best_metric, seconds,
           run_dir
- /config - attrs options (the effective option table, PetscOptionsGetAll()) and task_type

  Parameters that are not finite are never written: the newest checkpoint then stays the last good one.

  Level: intermediate

.seealso: KNTrainerLoadCheckpoint(), KNTrainerSetCheckpointInterval(), KNCheckpointCreate()
@*/
PetscErrorCode KNTrainerWriteCheckpoint(KNTrainer tr, const char file[])
{
  KNTrainerLongRun *r = &tr->run;
  WriteCtx          c;
  char             *name = c.name;
  PetscReal         nrm, t0 = MPI_Wtime();
  PetscErrorCode    ierr;

  PetscFunctionBegin;
  PetscCheck(tr->setupcalled, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNTrainerSetUp() before KNTrainerWriteCheckpoint()");
  PetscCall(VecNorm(tr->theta, NORM_INFINITY, &nrm));
  PetscCheck(!PetscIsInfOrNanReal(nrm), tr->comm, PETSC_ERR_FP, "The parameters are not finite at step %" PetscInt_FMT ": no checkpoint written (the last good one, %s, is kept)", tr->iter, r->last[0] ? r->last : "none");
  c.tr = tr;
  if (file) PetscCall(PetscStrncpy(name, file, sizeof(c.name)));
  else {
    PetscCall(KNTrainerMakeCheckpointDirectory_Private(tr, PETSC_FALSE)); /* only signals may write: made on demand */
    PetscCall(KNCheckpointFileName(r->dir, tr->iter, name, sizeof(c.name)));
  }
  ierr = KNGridRun(tr->grid, PETSC_FALSE, WriteFile, &c); /* group 0 writes; its errors reach every rank */
  if (ierr) {
    PetscMPIInt rank;
    PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
    if (!rank) PetscCall(PetscFPrintf(PETSC_COMM_SELF, PETSC_STDERR, "knet train: training stopped at step %" PetscInt_FMT " because the checkpoint could not be written; %s%s\n", tr->iter, r->last[0] ? "continue later with -kn_resume auto from the last good one, " : "no earlier checkpoint exists", r->last));
  }
  PetscCall(ierr);
  if (!file) PetscCall(KNCheckpointPrune(tr->comm, r->dir, r->keep));
  PetscCall(PetscStrncpy(r->last, name, sizeof(r->last)));
  r->last_iter = tr->iter;
  r->tlast     = MPI_Wtime();
  r->tckpt     = r->tlast - t0;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadState(KNCheckpoint ck, State *s)
{
  PetscFunctionBegin;
  PetscCall(KNCheckpointReadInt(ck, "train", "epoch", &s->epoch));
  PetscCall(KNCheckpointReadInt(ck, "train", "batch", &s->batch));
  PetscCall(KNCheckpointReadInt(ck, "train", "global_step", &s->iter));
  PetscCall(KNCheckpointReadInt(ck, "train", "batch_size", &s->batch_size));
  PetscCall(KNCheckpointReadInt(ck, "train", "data_size", &s->data_size));
  PetscCall(KNCheckpointReadInt(ck, "train", "rng_seed", &s->seed));
  PetscCall(KNCheckpointReadInt(ck, "train", "tally_n", &s->tally_n));
  PetscCall(KNCheckpointReadInt(ck, "train", "tally_top1", &s->tally_top1));
  PetscCall(KNCheckpointReadInt(ck, "train", "tally_top5", &s->tally_top5));
  PetscCall(KNCheckpointReadReal(ck, "train", "tally_loss", &s->tally_loss));
  PetscCall(KNCheckpointReadReal(ck, "train", "loss", &s->loss));
  PetscCall(KNCheckpointReadReal(ck, "train", "metric", &s->metric));
  PetscCall(KNCheckpointReadReal(ck, "train", "secondary", &s->secondary));
  PetscCall(KNCheckpointReadReal(ck, "train", "best_metric", &s->best));
  PetscCall(KNCheckpointReadReal(ck, "train", "seconds", &s->seconds));
  PetscCall(KNCheckpointReadReal(ck, "train", "lr0", &s->lr0));
  PetscCall(KNCheckpointReadString(ck, "train", "schedule", &s->schedule));
  PetscCall(KNCheckpointReadString(ck, "optim", "type", &s->opt_type));
  PetscCall(KNCheckpointReadInt(ck, "optim", "step", &s->opt_step));
  PetscCall(KNCheckpointReadInt(ck, "optim", "has_m", &s->has_m));
  PetscCall(KNCheckpointReadInt(ck, "optim", "has_v", &s->has_v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* What must agree for a continuation at all: the data order, the batches and the optimizer's state layout. */
static PetscErrorCode CheckCompatible(KNTrainer tr, const char file[], const State *s)
{
  KNOptimizerType type;
  PetscBool       same;
  PetscInt        n;
  Vec             m, v;

  PetscFunctionBegin;
  PetscCall(DataSize(tr, &n));
  PetscCall(KNOptimizerGetType(tr->opt, &type));
  PetscCall(KNOptimizerGetMoments(tr->opt, &m, &v));
  PetscCall(PetscStrcmp(type, s->opt_type, &same));
  PetscCheck(s->batch_size == tr->batch, tr->comm, PETSC_ERR_ARG_INCOMP, "Checkpoint %s was written with batch size %" PetscInt64_FMT ", this run uses %" PetscInt_FMT ": resume with -kn_train_batch_size %" PetscInt64_FMT, file, s->batch_size, tr->batch, s->batch_size);
  PetscCheck(s->data_size == n, tr->comm, PETSC_ERR_ARG_INCOMP, "Checkpoint %s was written for %" PetscInt64_FMT " training samples, this run has %" PetscInt_FMT ": resume with the data options the run was started with", file, s->data_size, n);
  PetscCheck(s->seed == tr->seed, tr->comm, PETSC_ERR_ARG_INCOMP, "Checkpoint %s was written with -kn_seed %" PetscInt64_FMT ", this run uses %" PetscInt64_FMT ": resume with the same seed", file, s->seed, tr->seed);
  PetscCheck(same, tr->comm, PETSC_ERR_ARG_INCOMP, "Checkpoint %s holds the state of optimizer %s, this run uses %s: resume with -kn_optim_type %s", file, s->opt_type, type, s->opt_type);
  PetscCheck((s->has_m != 0) == (m != NULL) && (s->has_v != 0) == (v != NULL), tr->comm, PETSC_ERR_ARG_INCOMP, "Checkpoint %s holds other optimizer moments than this run's %s needs (SGD momentum switched on or off?)", file, type);
  PetscCheck(s->batch >= 0 && s->epoch >= 0 && s->iter >= 0 && s->opt_step >= 0, tr->comm, PETSC_ERR_FILE_UNEXPECTED, "Checkpoint %s has a negative epoch, batch or step: corrupt file", file);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Parameters and moments into work Vecs (the trainer stays untouched if anything fails). */
static PetscErrorCode ReadVecs(KNTrainer tr, KNCheckpoint ck, const State *s, Vec w[3])
{
  PetscFunctionBegin;
  PetscCall(KNCheckpointReadParameterVec(ck, "model", "theta", tr->net, w[0]));
  if (s->has_m) PetscCall(KNCheckpointReadParameterVec(ck, "optim", "m", tr->net, w[1]));
  if (s->has_v) PetscCall(KNCheckpointReadParameterVec(ck, "optim", "v", tr->net, w[2]));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Apply(KNTrainer tr, const char file[], const State *s, Vec w[3])
{
  KNTrainerLongRun *r = &tr->run;
  Vec               m, v;

  PetscFunctionBegin;
  PetscCall(KNOptimizerGetMoments(tr->opt, &m, &v));
  PetscCall(VecCopy(w[0], tr->theta));
  PetscCall(KNNetSetParameters(tr->net, tr->theta));
  if (m) PetscCall(VecCopy(w[1], m));
  if (v) PetscCall(VecCopy(w[2], v));
  PetscCall(KNOptimizerSetStep(tr->opt, (PetscInt)s->opt_step));
  tr->epoch = (PetscInt)s->epoch, tr->iter = (PetscInt)s->iter;
  tr->loss = s->loss, tr->metric = s->metric, tr->secondary = s->secondary;
  r->epoch = (PetscInt)s->epoch, r->batch = (PetscInt)s->batch;
  r->tally.n = (PetscInt)s->tally_n, r->tally.loss = s->tally_loss, r->tally.top1 = (PetscInt)s->tally_top1, r->tally.top5 = (PetscInt)s->tally_top5;
  r->best = s->best, r->seconds0 = s->seconds, r->last_iter = tr->iter, r->resumed = PETSC_TRUE;
  PetscCall(PetscStrncpy(r->last, file, sizeof(r->last)));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Notes on settings that may differ (they change the continuation, which is then no longer the same run). */
static PetscErrorCode NoteDifferences(KNTrainer tr, const char file[], const State *s)
{
  PetscBool same;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(s->schedule, tr->schedule, &same));
  if (!same || s->lr0 != tr->lr0) PetscCall(PetscFPrintf(tr->comm, PETSC_STDERR, "knet train: note: %s was written with lr %g and schedule %s, this run uses lr %g and schedule %s\n", file, (double)s->lr0, s->schedule, (double)tr->lr0, tr->schedule));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  KNTrainer   tr;
  const char *file;
  State       s;
  Vec         w[3];
} ReadCtx;

/* Reads and checks everything into c->s and c->w, on the communicator of this rank's group (the file is stored in
   graph order, so any grid shape reads it). */
static PetscErrorCode ReadFile(void *ctx)
{
  ReadCtx       *c  = (ReadCtx *)ctx;
  KNTrainer      tr = c->tr;
  KNCheckpoint   ck;
  MPI_Comm       comm;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(tr->net, &comm));
  PetscCall(KNCheckpointOpen(comm, c->file, &ck));
  ierr = KNCheckpointCheckNet(ck, tr->net);
  if (!ierr) ierr = ReadState(ck, &c->s);
  if (!ierr) ierr = CheckCompatible(tr, c->file, &c->s);
  for (PetscInt k = 0; k < 3 && !ierr; k++) ierr = VecDuplicate(tr->theta, &c->w[k]);
  if (!ierr) ierr = ReadVecs(tr, ck, &c->s, c->w);
  PetscCall(KNCheckpointDestroy(&ck));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerLoadCheckpoint - restores a training run from a checkpoint of KNTrainerWriteCheckpoint(), written on any
  number of ranks: parameters, optimizer moments and step, epoch and batch position, the epoch's tally, metrics, time

  Collective

  Input Parameters:
+ tr - the trainer, set up from the options the run was started with
- file - the checkpoint

  Notes:
  Everything is read and checked (layers against the net, batch size, data size, seed, optimizer type, checksums)
  before anything changes, so on error the trainer is unchanged. KNTrainerTrain() then continues exactly where the
  checkpoint was written: bitwise on the same number of ranks, to rounding on another.

  Level: intermediate

.seealso: KNTrainerWriteCheckpoint(), KNTrainerSetResume()
@*/
PetscErrorCode KNTrainerLoadCheckpoint(KNTrainer tr, const char file[])
{
  ReadCtx        c;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCheck(tr->setupcalled, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNTrainerSetUp() before KNTrainerLoadCheckpoint()");
  PetscCall(PetscMemzero(&c, sizeof(c)));
  c.tr = tr, c.file = file;
  ierr = KNGridRun(tr->grid, PETSC_TRUE, ReadFile, &c); /* every group reads; a failure anywhere fails everywhere */
  if (!ierr) ierr = Apply(tr, file, &c.s, c.w);
  if (!ierr) ierr = NoteDifferences(tr, file, &c.s);
  for (PetscInt k = 0; k < 3; k++) PetscCall(VecDestroy(&c.w[k]));
  PetscCall(PetscFree(c.s.opt_type));
  PetscCall(PetscFree(c.s.schedule));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}
