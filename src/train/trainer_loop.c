/* KNTrainer: the training loop, progress lines and the run directory (model.h5, metrics.csv, options.txt). */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <petscviewer.h>
#include <kn/knio.h>
#include <kn/knrobust.h>
#include "taskimpl.h"
#include "sys/kncapture.h"

/* mkdir -p of path (not collective); 0 or an errno value. */
int KNTrainerMakePath_Private(char path[])
{
  int err = 0;

  for (char *p = path + 1; !err; p++) {
    char c = *p;
    if (c != '/' && c != 0) continue;
    *p = 0;
    if (mkdir(path, 0777) && errno != EEXIST) err = errno;
    *p = c;
    if (!c) break;
  }
  return err;
}

/* mkdir -p on rank 0; the default name runs/DATE-TIME is chosen there and sent to every rank. */
PetscErrorCode KNTrainerMakeRunDirectory_Private(KNTrainer tr)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) {
    if (!tr->rundir[0]) {
      time_t now = time(NULL);
      strftime(tr->rundir, sizeof(tr->rundir), "runs/%Y%m%d-%H%M%S", localtime(&now));
    }
    err = KNTrainerMakePath_Private(tr->rundir);
  }
  PetscCallMPI(MPI_Bcast(tr->rundir, sizeof(tr->rundir), MPI_CHAR, 0, tr->comm));
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, tr->comm));
  PetscCheck(!err, tr->comm, PETSC_ERR_FILE_OPEN, "Cannot create the run directory %s: %s (choose another with -kn_run_dir)", tr->rundir, strerror(err));
  PetscFunctionReturn(KN_SUCCESS);
}

/* options.txt: the effective option table; metrics.csv: the header. A resumed run keeps both (options.txt records
   how the run was started; each checkpoint holds the table it was written with). */
PetscErrorCode KNTrainerWriteOptions_Private(KNTrainer tr)
{
  PetscViewer v;
  char        path[PETSC_MAX_PATH_LEN];
  PetscMPIInt rank;
  int         ok = 1, keep = 0;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/options.txt", tr->rundir));
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) keep = tr->run.resumed && access(path, F_OK) == 0;
  PetscCallMPI(MPI_Bcast(&keep, 1, MPI_INT, 0, tr->comm));
  if (!keep) {
    PetscCall(PetscViewerASCIIOpen(tr->comm, path, &v));
    PetscCall(PetscOptionsView(NULL, v));
    PetscCall(PetscViewerDestroy(&v));
  }
  if (!rank && !tr->run.resumed) {
    FILE *fp;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/metrics.csv", tr->rundir));
    fp = fopen(path, "w");
    ok = fp && fprintf(fp, "%s\n", KN_METRICS_HEADER) > 0;
    if (fp) ok = (fclose(fp) == 0) && ok;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, tr->comm));
  PetscCheck(ok, tr->comm, PETSC_ERR_FILE_WRITE, "Cannot write %s/metrics.csv (disk full or not writable?)", tr->rundir);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode AppendMetrics(KNTrainer tr, PetscInt epoch, PetscReal loss, PetscReal lr, PetscReal test, PetscInt rhs, PetscReal sec)
{
  PetscMPIInt rank;
  int         ok = 1;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) {
    char  path[PETSC_MAX_PATH_LEN];
    FILE *fp;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/metrics.csv", tr->rundir));
    fp = fopen(path, "a");
    ok = fp && fprintf(fp, "%" PetscInt_FMT ",%.10g,%.6g,%.10g,%" PetscInt_FMT ",%.3f\n", epoch, (double)loss, (double)lr, (double)test, rhs, (double)sec) > 0;
    if (fp) ok = (fclose(fp) == 0) && ok;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, tr->comm));
  PetscCheck(ok, tr->comm, PETSC_ERR_FILE_WRITE, "Cannot append to %s/metrics.csv", tr->rundir);
  PetscFunctionReturn(KN_SUCCESS);
}

/* h:mm:ss */
static void FormatTime(PetscReal s, char buf[], size_t len)
{
  long t = (long)(s + 0.5);
  snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
}

/* Seconds left: remaining epochs (and, with a step limit, remaining steps) at the average rate so far. */
static PetscReal EstimateLeft(KNTrainer tr, PetscReal elapsed, PetscInt epoch, PetscInt nb, PetscInt b)
{
  PetscReal done = (PetscReal)epoch + (PetscReal)b / (PetscReal)nb, left = (PetscReal)tr->epochs - done;
  PetscInt  it = tr->iter;

  if (done <= 0) return 0;
  if (tr->max_iter && it > 0) left = PetscMin(left, (PetscReal)(tr->max_iter - it) / (PetscReal)it * done);
  return PetscMax(left, 0) * elapsed / done;
}

/* Rank 0 says where training stopped on an error (the error itself was reported where it happened). */
static void ReportFailure(KNTrainer tr, PetscInt epoch, PetscInt b)
{
  PetscMPIInt rank = 0;

  (void)MPI_Comm_rank(tr->comm, &rank);
  if (!rank) (void)PetscFPrintf(PETSC_COMM_SELF, PETSC_STDERR, "knet train: training stopped by the error above in epoch %" PetscInt_FMT ", batch %" PetscInt_FMT ", step %" PetscInt_FMT "; nothing was written for it%s%s\n", epoch + 1, b + 1, tr->iter + 1, tr->run.last[0] ? "; the last good checkpoint is " : "", tr->run.last);
}

typedef struct {
  KNTrainer        tr;
  PetscInt         m, start, count;
  const PetscReal *x, *y;
  KNTaskTally     *tally;
} BatchCtx;

/* The gradient of the batch (and the gradient check, once). */
static PetscErrorCode BatchGradient(void *ctx)
{
  BatchCtx *g  = (BatchCtx *)ctx;
  KNTrainer tr = g->tr;

  PetscFunctionBegin;
  PetscCall(KNTrainerBatchGradient_Private(tr, g->m, g->start, g->count, g->x, g->y, g->tally));
  if (tr->check.count > 0 && PetscIsInfOrNanReal(tr->check.abs_err)) PetscCall(KNTrainerCheckGradient_Private(tr, g->m, g->start, g->count, g->x, g->y));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The gradient with the signal handlers' interrupt on the net's solves: a caught signal stops the batch within a few
   solver steps (KN_ERR_INTERRUPTED on every rank). Errors are captured meanwhile, then raised again as they were. */
static PetscErrorCode InterruptibleGradient(KNTrainer tr, PetscInt epoch, PetscInt b, BatchCtx *g, PetscBool *interrupted)
{
  KNErrorCapture cap;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&cap, sizeof(cap)));
  PetscCall(KNNetSetInterrupt(tr->net, KNSignalsInterrupt, NULL));
  PetscCall(KNErrorCaptureRun_Private(BatchGradient, g, &cap));
  PetscCall(KNNetSetInterrupt(tr->net, NULL, NULL)); /* the test metric and the files are not interrupted */
  if (cap.code == KN_ERR_INTERRUPTED) PetscCall(KNTrainerInterrupted_LongRun(tr, epoch, b, g->tally, cap.msg, interrupted));
  if (*interrupted) PetscFunctionReturn(KN_SUCCESS);
  ierr = KNErrorCaptureReraise_Private(&cap); /* 0 without an error */
  PetscFunctionReturn(ierr);
}

/* One optimizer step on a batch of m samples, of which x, y hold this group's slice start .. start + count - 1; an
   error is reported with the position and returned. *interrupted: a signal stopped the batch, which was discarded
   (nothing of it is applied or tallied); the run stops (KNTrainerInterrupted_LongRun()). */
static PetscErrorCode Step(KNTrainer tr, PetscInt epoch, PetscInt b, PetscInt m, PetscInt start, PetscInt count, PetscInt nt, const PetscReal x[], const PetscReal y[], KNTaskTally *tally, PetscBool *interrupted)
{
  BatchCtx       g = {tr, m, start, count, x, nt ? y : NULL, tally};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *interrupted = PETSC_FALSE;
  if (tr->run.signals) ierr = InterruptibleGradient(tr, epoch, b, &g, interrupted);
  else ierr = BatchGradient(&g);
  if (!ierr && *interrupted) PetscFunctionReturn(KN_SUCCESS);
  *interrupted = PETSC_FALSE; /* an error while stopping (e.g. the checkpoint): reported as a failure */
  if (!ierr) ierr = KNOptimizerStep(tr->opt, tr->theta, tr->grad); /* the same summed gradient: the same update in every group */
  if (!ierr) ierr = KNNetSetParameters(tr->net, tr->theta);
  if (ierr) ReportFailure(tr, epoch, b);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* One epoch of optimizer steps (a resumed epoch starts after the batches its checkpoint had done); *stop when the
   step limit is reached or the long-run hook (checkpoints, signals, wall time) stops the run. Noise-aware training
   (-kn_train_mc_*, KNRobustnessSetFromOptions()): every step sees hardware draw tr->iter; the net is ideal after. */
static PetscErrorCode RunEpoch(KNTrainer tr, PetscInt epoch, PetscReal t0, KNTaskTally *tally, PetscBool *stop)
{
  PetscInt     n = 1, nf = 0, nt = 0, nb, B = tr->batch, *perm = NULL, b0 = 0;
  PetscReal   *x = NULL, *y = NULL, last = MPI_Wtime(), lr;
  KNRobustness rob;
  PetscBool    interrupted = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(KNRobustnessCreateFromOptions(tr->comm, tr->prefix, PETSC_TRUE, tr->seed, &rob));
  PetscCall(PetscMemzero(tally, sizeof(*tally)));
  if (tr->run.resumed && epoch == tr->run.epoch) b0 = tr->run.batch, *tally = tr->run.tally;
  PetscCall(KNOptimizerGetLearningRate(tr->opt, &lr));
  if (tr->train) {
    PetscCall(KNDatasetGetSizes(tr->train, &n, &nf, &nt));
    PetscCall(PetscMalloc3(n, &perm, B * nf, &x, B * PetscMax(nt, 1), &y));
    PetscCall(KNPermutation(n, tr->seed, epoch, perm));
  } else n = B; /* density: one fresh batch per epoch */
  nb = (n + B - 1) / B;
  for (PetscInt b = b0; b < nb && !*stop; b++) {
    PetscInt m = PetscMin(B, n - b * B), s, c; /* this group's slice s .. s + c - 1 of the batch */
    PetscCall(KNGridGetBatchSlice(tr->grid, m, &s, &c));
    if (tr->train && c) PetscCall(KNDatasetGetBatch(tr->train, perm + b * B + s, c, x, y));
    if (tr->train && c && tr->aug.H) PetscCall(KNDatasetAugmentImages(tr->train, &tr->aug, tr->seed, tr->iter, c, perm + b * B + s, x));
    PetscCall(KNRobustnessApply(rob, tr->net, tr->iter)); /* nothing for ideal hardware */
    if (tr->train) PetscCall(KNRobustnessQuantizeInputs(rob, c * nf, x));
    PetscCall(Step(tr, epoch, b, m, s, c, nt, x, y, tally, &interrupted));
    if (interrupted) break; /* the checkpoint holds the state before this batch */
    tr->iter++;
    if (tr->max_iter && tr->iter >= tr->max_iter) *stop = PETSC_TRUE;
    PetscCall(KNTrainerBoundary_LongRun(tr, epoch, b + 1, tally, stop));
    if (tr->monitor && tr->progress > 0 && MPI_Wtime() - last > tr->progress && b + 1 < nb) {
      char el[32], eta[32];
      last = MPI_Wtime();
      FormatTime(last - t0, el, sizeof(el));
      FormatTime(EstimateLeft(tr, last - t0, epoch, nb, b + 1), eta, sizeof(eta));
      PetscCall(PetscPrintf(tr->comm, "  epoch %" PetscInt_FMT " batch %" PetscInt_FMT "/%" PetscInt_FMT "  loss %.6f  lr %.3g  elapsed %s  ETA %s\n", epoch + 1, b + 1, nb, (double)(tally->loss / tally->n), (double)lr, el, eta));
    }
  }
  PetscCall(KNRobustnessRestore(rob, tr->net));
  PetscCall(KNRobustnessDestroy(&rob));
  PetscCall(PetscFree3(perm, x, y));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Test metric of the current parameters (NaN if there is nothing to test on). */
static PetscErrorCode TestMetric(KNTrainer tr, PetscReal *metric, PetscReal *top5)
{
  KNTaskTally t;
  KNTaskType  type;
  PetscBool   density;
  PetscInt    n;

  PetscFunctionBegin;
  *metric = *top5 = KN_NAN;
  PetscCall(KNTaskGetType(tr->task, &type));
  PetscCall(PetscStrcmp(type, KNTASKDENSITY, &density));
  if (!tr->test && !density) PetscFunctionReturn(KN_SUCCESS);
  n = tr->test_samples;
  if (tr->test) PetscCall(KNDatasetGetSizes(tr->test, &n, NULL, NULL));
  PetscCall(KNTrainerTestTally_Private(tr, n, &t)); /* each group its share, summed in group order */
  PetscCall(KNTaskTallyGetMetric(tr->task, &t, NULL, metric));
  if (t.n) *top5 = (PetscReal)t.top5 / (PetscReal)t.n;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Finish(KNTrainer tr)
{
  char        path[PETSC_MAX_PATH_LEN], el[32];
  const char *name;

  PetscFunctionBegin;
  PetscCall(KNTrainerEnd_LongRun(tr));
  if (tr->run.reason != KN_TRAINER_COMPLETED) PetscFunctionReturn(KN_SUCCESS); /* stopped early: the checkpoint holds the state */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/model.h5", tr->rundir));
  if (tr->save) PetscCall(KNTrainerSaveModel_Private(tr));
  if (!tr->monitor) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNTaskGetMetricName(tr->task, &name));
  FormatTime(tr->seconds, el, sizeof(el));
  PetscCall(PetscPrintf(tr->comm, "knet train: %" PetscInt_FMT " epochs (%" PetscInt_FMT " steps) in %s; final training loss %.6f", tr->epoch, tr->iter, el, (double)tr->loss));
  if (!PetscIsNanReal(tr->metric)) PetscCall(PetscPrintf(tr->comm, ", test %s %.6g", name, (double)tr->metric));
  PetscCall(PetscPrintf(tr->comm, "\nknet train: %s%s%s/metrics.csv, %s/options.txt\n", tr->save ? path : "", tr->save ? ", " : "", tr->rundir, tr->rundir));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerTrain - runs the epochs: shuffled mini-batches (KNPermutation() of the seed and epoch), one optimizer step
  each, the learning rate of the schedule per epoch, the test metric, a progress line and a metrics.csv row per
  epoch; writes the final model

  Collective

  Notes:
  The run directory gets options.txt (the effective option table) at the start, metrics.csv with the header
  epoch,loss,lr,test_metric,rhs_evals,seconds (loss: mean training loss of the epoch; test_metric: see
  KNTaskTallyGetMetric(), nan when not computed; rhs_evals: RHS evaluations of all layers in the epoch, forward,
  recompute and adjoint; seconds: wall time of the epoch) and model.h5 at the end (-kn_train_save).

  Level: beginner

.seealso: KNTrainerSetUp(), KNTrainerGetResult()
@*/
PetscErrorCode KNTrainerTrain(KNTrainer tr)
{
  PetscReal      t0, lr;
  PetscBool      stop = PETSC_FALSE;
  const char    *name;
  KNCircuitStats s0, s1;

  PetscFunctionBegin;
  PetscCall(KNTrainerSetUp(tr));
  PetscCall(KNTrainerPrepareRunDirectory_LongRun(tr));
  PetscCall(KNTrainerMakeRunDirectory_Private(tr));
  PetscCall(KNTrainerLockRunDirectory_Private(tr)); /* before anything is written into it */
  PetscCall(KNTrainerStart_LongRun(tr));
  PetscCall(KNTrainerWriteOptions_Private(tr));
  PetscCall(KNTaskGetMetricName(tr->task, &name));
  t0   = MPI_Wtime() - tr->run.seconds0;
  stop = (PetscBool)(tr->max_iter && tr->iter >= tr->max_iter); /* a resumed run that had reached the limit */
  for (PetscInt e = tr->epoch; e < tr->epochs && !stop; e++) {
    KNTaskTally tally;
    PetscReal   te = MPI_Wtime(), top5 = KN_NAN, test = KN_NAN;
    char        el[32], eta[32];
    PetscBool   last;
    PetscInt    rhs;

    PetscCall(KNScheduleLR(tr->schedule, tr->lr0, e, &lr));
    PetscCall(KNOptimizerSetLearningRate(tr->opt, lr));
    PetscCall(KNNetGetStats(tr->net, &s0));
    PetscCall(RunEpoch(tr, e, t0, &tally, &stop));
    if (tr->run.reason != KN_TRAINER_NOT_STOPPED) break; /* signal or wall time: the checkpoint has the epoch so far */
    PetscCall(KNTaskTallyGetMetric(tr->task, &tally, &tr->loss, NULL));
    last = (PetscBool)(stop || e + 1 == tr->epochs);
    if (last || (tr->test_every && (e + 1) % tr->test_every == 0)) {
      PetscCall(TestMetric(tr, &test, &top5));
      tr->metric = test, tr->secondary = top5;
      if (!PetscIsNanReal(test) && (PetscIsNanReal(tr->run.best) || (name[0] == 't' ? test > tr->run.best : test < tr->run.best))) tr->run.best = test;
    }
    PetscCall(KNNetGetStats(tr->net, &s1));
    rhs = s1.rhs_evals - s0.rhs_evals;
    PetscCall(KNTrainerSumCount_Private(tr, &rhs)); /* all groups */
    tr->epoch = e + 1;
    tr->seconds = MPI_Wtime() - t0;
    PetscCall(AppendMetrics(tr, e + 1, tr->loss, lr, test, rhs, MPI_Wtime() - te));
    if (tr->save && tr->save_every && (e + 1) % tr->save_every == 0 && !last) PetscCall(KNTrainerSaveModel_Private(tr));
    if (!tr->monitor) continue;
    FormatTime(tr->seconds, el, sizeof(el));
    FormatTime(EstimateLeft(tr, tr->seconds, e + 1, 1, 0), eta, sizeof(eta));
    PetscCall(PetscPrintf(tr->comm, "epoch %" PetscInt_FMT "/%" PetscInt_FMT "  loss %.6f  lr %.3g", e + 1, tr->epochs, (double)tr->loss, (double)lr));
    if (!PetscIsNanReal(test)) PetscCall(PetscPrintf(tr->comm, "  test %s %.6g", name, (double)test));
    if (!PetscIsNanReal(test) && !PetscIsNanReal(top5) && name[0] == 't') PetscCall(PetscPrintf(tr->comm, " (top5 %.4g)", (double)top5));
    PetscCall(PetscPrintf(tr->comm, "  %.2f s  elapsed %s  ETA %s\n", MPI_Wtime() - te, el, stop ? "0:00:00" : eta));
  }
  tr->seconds = MPI_Wtime() - t0;
  PetscCall(Finish(tr));
  PetscCall(KNTrainerUnlockRunDirectory_Private(tr));
  PetscFunctionReturn(KN_SUCCESS);
}
