/* KNTrainer long runs: checkpoint options, resume (auto: newest readable checkpoint), the hook at every mini-batch
   boundary (cadence, signals, wall-time limit; every rank agrees), a batch stopped by a signal, the final checkpoint. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <petscviewer.h>
#include <kn/kncheckpoint.h>
#include "taskimpl.h"
#include "sys/knoptions.h"

/*@C
  KNTrainerSetCheckpointInterval - write a checkpoint every `every` optimizer steps and/or every `seconds` of wall
  time (0 switches either off), and one at the end of training (also written when a wall-time limit or a resume is set,
  so that resuming a finished run only rewrites model.h5)

  Logically Collective

  Level: intermediate

.seealso: KNTrainerWriteCheckpoint(), KNTrainerSetCheckpointKeep(), KNTrainerSetResume()
@*/
PetscErrorCode KNTrainerSetCheckpointInterval(KNTrainer tr, PetscInt every, PetscReal seconds)
{
  PetscFunctionBegin;
  PetscCheck(every >= 0 && seconds >= 0, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "Checkpoint intervals must be >= 0 (0: off), got %" PetscInt_FMT " steps and %g s", every, (double)seconds);
  tr->run.every = every, tr->run.seconds = seconds;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerSetCheckpointKeep(KNTrainer tr, PetscInt keep)
{
  PetscFunctionBegin;
  PetscCheck(keep >= 1, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "Keep at least one checkpoint, got %" PetscInt_FMT, keep);
  tr->run.keep = keep;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Default (empty): <run dir>/ckpt. */
PetscErrorCode KNTrainerSetCheckpointDirectory(KNTrainer tr, const char dir[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(tr->run.dir, dir ? dir : "", sizeof(tr->run.dir)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetResume - continue a run: "auto" (the newest readable checkpoint of the checkpoint directory, or a fresh
  start if there is none), a checkpoint file, or "" / NULL (no resume)

  Logically Collective

  Level: beginner

.seealso: KNTrainerLoadCheckpoint()
@*/
PetscErrorCode KNTrainerSetResume(KNTrainer tr, const char what[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(tr->run.resume, what ? what : "", sizeof(tr->run.resume)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetMaxWalltime - stop with a checkpoint before this many seconds (counted from KNTrainerCreate()) have
  passed: training ends at the first mini-batch boundary where the next step and a checkpoint would not finish in
  time (0: no limit)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrainerSetMaxWalltime(KNTrainer tr, PetscReal seconds)
{
  PetscFunctionBegin;
  PetscCheck(seconds >= 0, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_max_walltime %g must be >= 0 (0: no limit)", (double)seconds);
  tr->run.walltime = seconds;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerGetStopReason - why KNTrainerTrain() returned, and the newest checkpoint (NULL if none)

  Not Collective

  Notes:
  After KN_TRAINER_STOPPED_SIGNAL or KN_TRAINER_STOPPED_WALLTIME knet train exits with KN_EXIT_CHECKPOINTED (85), which
  job scripts take as "requeue me"; the next run with -kn_resume auto continues exactly.

  Level: intermediate
@*/
PetscErrorCode KNTrainerGetStopReason(KNTrainer tr, KNTrainerStopReason *reason, const char **ckpt)
{
  PetscFunctionBegin;
  if (reason) *reason = tr->run.reason;
  if (ckpt) *ckpt = tr->run.last[0] ? tr->run.last : NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Options of KNTrainerSetFromOptions() for long runs (listed by -help). */
PetscErrorCode KNTrainerSetFromOptions_LongRun(KNTrainer tr)
{
  KNTrainerLongRun *r = &tr->run;

  PetscFunctionBegin;
  PetscOptionsBegin(tr->comm, tr->prefix, "KirchhoffNet checkpoints and long runs", "KNTrainer");
  PetscCall(PetscOptionsBoundedInt("-kn_checkpoint_every", "Write a checkpoint every N optimizer steps (0: off)", "KNTrainerSetCheckpointInterval", r->every, &r->every, NULL, 0));
  PetscCall(PetscOptionsReal("-kn_checkpoint_seconds", "Write a checkpoint every S seconds of wall time (0: off)", "KNTrainerSetCheckpointInterval", r->seconds, &r->seconds, NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_checkpoint_keep", "Keep the newest K checkpoints", "KNTrainerSetCheckpointKeep", r->keep, &r->keep, NULL, 1));
  PetscCall(PetscOptionsString("-kn_checkpoint_dir", "Checkpoint directory (default <run dir>/ckpt)", "KNTrainerSetCheckpointDirectory", r->dir, r->dir, sizeof(r->dir), NULL));
  PetscCall(PetscOptionsBool("-kn_checkpoint_signals", "SIGUSR1/SIGTERM/SIGINT: stop within a few solver steps (the batch under way is discarded) with a checkpoint (knet train exits with 85)", "KNSignalsInstall", r->signals, &r->signals, NULL));
  PetscCall(PetscOptionsString("-kn_resume", "Continue a run: auto (newest readable checkpoint, or a fresh start) or a checkpoint file", "KNTrainerSetResume", r->resume, r->resume, sizeof(r->resume), NULL));
  PetscCall(PetscOptionsBool("-kn_run_overwrite", "Start a new run in a run directory that holds one (its checkpoints and model.h5 are removed)", "KNTrainerSetRunOverwrite", r->overwrite, &r->overwrite, NULL));
  PetscCall(PetscOptionsReal("-kn_max_walltime", "Stop with a checkpoint before this many seconds have passed (0: no limit; knet train exits with 85)", "KNTrainerSetMaxWalltime", r->walltime, &r->walltime, NULL));
  PetscOptionsEnd();
  PetscCall(KNTrainerSetCheckpointInterval(tr, r->every, r->seconds));
  PetscCall(KNTrainerSetMaxWalltime(tr, r->walltime));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Checkpoints are on (and a final one is written at the end): a cadence, a wall-time limit or a resumed run. */
static PetscBool Enabled(KNTrainerLongRun *r)
{
  return (PetscBool)(r->every || r->seconds > 0 || r->walltime > 0 || r->resume[0]);
}

static PetscBool ResumeAuto(KNTrainer tr)
{
  PetscBool a = PETSC_FALSE;
  (void)PetscStrcmp(tr->run.resume, "auto", &a);
  return a;
}

/* -kn_resume FILE without -kn_run_dir: the run directory stored in the checkpoint. */
PetscErrorCode KNTrainerPrepareRunDirectory_LongRun(KNTrainer tr)
{
  KNCheckpoint ck;
  char        *dir;

  PetscFunctionBegin;
  if (!tr->run.resume[0] || ResumeAuto(tr) || tr->rundir[0]) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNCheckpointOpen(tr->comm, tr->run.resume, &ck));
  PetscCall(KNCheckpointReadString(ck, "train", "run_dir", &dir));
  PetscCall(KNCheckpointDestroy(&ck));
  PetscCall(PetscStrncpy(tr->rundir, dir, sizeof(tr->rundir)));
  PetscCall(PetscFree(dir));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: mkdir -p the checkpoint directory and (probe) check that a file can be created in it; every rank gets the
   same error. */
PetscErrorCode KNTrainerMakeCheckpointDirectory_Private(KNTrainer tr, PetscBool probe)
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) {
    char test[PETSC_MAX_PATH_LEN + 32];
    int  fd;

    err = KNTrainerMakePath_Private(tr->run.dir);
    if (!err && probe) {
      PetscCall(PetscSNPrintf(test, sizeof(test), "%s/.kn_write_test", tr->run.dir));
      fd = open(test, O_CREAT | O_WRONLY | O_TRUNC, 0644);
      if (fd < 0 || write(fd, "x", 1) != 1) err = errno ? errno : EIO;
      if (fd >= 0 && close(fd) && !err) err = errno;
      (void)unlink(test);
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, tr->comm));
  PetscCheck(!err, tr->comm, PETSC_ERR_FILE_WRITE, "Cannot write checkpoints to %s: %s (choose another with -kn_checkpoint_dir)", tr->run.dir, strerror(err));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The newest checkpoint that reads; partial (.tmp) files are reported and removed, unreadable ones reported and skipped. */
static PetscErrorCode LoadNewest(KNTrainer tr)
{
  KNTrainerLongRun *r = &tr->run;
  PetscInt          n, ntmp, k;
  char            **files, **tmps;

  PetscFunctionBegin;
  PetscCall(KNCheckpointList(tr->comm, r->dir, &n, &files, &ntmp, &tmps));
  for (k = 0; k < ntmp; k++) {
    PetscCall(PetscFPrintf(tr->comm, PETSC_STDERR, "knet train: ignoring the partial checkpoint %s (its write was interrupted) and removing it\n", tmps[k]));
    PetscCall(KNCheckpointRemoveFile(tr->comm, tmps[k]));
  }
  PetscCall(KNCheckpointListDestroy(ntmp, &tmps));
  if (!n) PetscCall(KNTrainerCheckNothingToResume_Private(tr));
  if (!n && tr->monitor) PetscCall(PetscPrintf(tr->comm, "knet train: -kn_resume auto: no checkpoint in %s, starting from the beginning\n", r->dir));
  for (k = 0; k < n; k++) {
    PetscErrorCode ierr;
    char          *msg = NULL, text[1024] = "";

    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); /* a bad file is reported here, not as a failure */
    ierr = KNTrainerLoadCheckpoint(tr, files[k]);
    PetscCall(PetscPopErrorHandler());
    if (!ierr) break;
    (void)PetscErrorMessage(ierr, NULL, &msg);
    if (msg) PetscCall(PetscStrncpy(text, msg, sizeof(text)));
    if (ierr == PETSC_ERR_ARG_INCOMP) { /* another configuration: older files will not fit either */
      PetscCall(KNCheckpointListDestroy(n, &files));
      SETERRQ(tr->comm, ierr, "%s", text);
    }
    PetscCall(PetscFPrintf(tr->comm, PETSC_STDERR, "knet train: skipping the unreadable checkpoint %s: %s\n", files[k], text));
  }
  PetscCheck(k < n || !n, tr->comm, PETSC_ERR_FILE_UNEXPECTED, "None of the %" PetscInt_FMT " checkpoints in %s can be read (see above); move them away to start from the beginning", n, r->dir);
  if (n && tr->monitor) PetscCall(PetscPrintf(tr->comm, "knet train: resuming from %s: epoch %" PetscInt_FMT ", batch %" PetscInt_FMT " done, step %" PetscInt_FMT "\n", files[k], r->epoch + 1, r->batch, tr->iter));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscFunctionReturn(KN_SUCCESS);
}

/* After a resume, metrics.csv keeps its header and the rows of the epochs the checkpoint has completed. */
static PetscErrorCode TrimMetrics(KNTrainer tr)
{
  PetscMPIInt rank;
  int         ok = 1;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) {
    char  path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8], line[1024];
    FILE *in, *out;

    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/metrics.csv", tr->rundir));
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
    in  = fopen(path, "r");
    out = fopen(tmp, "w");
    ok  = out != NULL;
    for (int first = 1; in && ok && fgets(line, sizeof(line), in); first = 0)
      if (first || atol(line) <= tr->epoch) ok = fputs(line, out) >= 0;
    if (!in && ok) ok = fputs(KN_METRICS_HEADER "\n", out) >= 0;
    if (in) fclose(in);
    if (out) ok = (fclose(out) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, tr->comm));
  PetscCheck(ok, tr->comm, PETSC_ERR_FILE_WRITE, "Cannot rewrite %s/metrics.csv after the resume (disk full or not writable?)", tr->rundir);
  PetscFunctionReturn(KN_SUCCESS);
}

/* After the run directory exists: checkpoint directory, signal handlers, resume. */
PetscErrorCode KNTrainerStart_LongRun(KNTrainer tr)
{
  KNTrainerLongRun *r = &tr->run;
  PetscBool         installed;

  PetscFunctionBegin;
  if (!r->dir[0]) PetscCall(PetscSNPrintf(r->dir, sizeof(r->dir), "%s/ckpt", tr->rundir));
  if (Enabled(r)) PetscCall(KNTrainerMakeCheckpointDirectory_Private(tr, PETSC_TRUE));
  PetscCall(KNSignalsGet(NULL, &installed));
  if (r->signals && !installed) {
    PetscCall(KNSignalsInstall());
    r->installed = PETSC_TRUE;
  }
  PetscCall(KNTrainerCheckRunDirectory_Private(tr)); /* also after KNTrainerSetUp(): the directory may have changed */
  if (ResumeAuto(tr)) PetscCall(LoadNewest(tr));
  else if (r->resume[0]) {
    PetscCall(KNTrainerLoadCheckpoint(tr, r->resume));
    if (tr->monitor) PetscCall(PetscPrintf(tr->comm, "knet train: resuming from %s: epoch %" PetscInt_FMT ", batch %" PetscInt_FMT " done, step %" PetscInt_FMT "\n", r->resume, r->epoch + 1, r->batch, tr->iter));
  }
  if (r->resumed) PetscCall(TrimMetrics(tr));
  r->tlast = r->tprev = MPI_Wtime();
  r->reason = KN_TRAINER_NOT_STOPPED;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Whether the next step plus a checkpoint would end after the wall-time limit (estimates with a safety factor; before
   the first checkpoint its time is guessed as 0.1 s + 24 bytes per parameter at 50 MB/s). */
static PetscBool OutOfTime(KNTrainer tr, PetscReal now, PetscReal last)
{
  KNTrainerLongRun *r = &tr->run;
  PetscInt          P = 0;
  PetscReal         step, ckpt;

  if (r->walltime <= 0) return PETSC_FALSE;
  if (r->tckpt <= 0) (void)VecGetSize(tr->theta, &P);
  step = 1.5 * PetscMax(r->tstep, last);
  ckpt = 2.0 * (r->tckpt > 0 ? r->tckpt : 0.1 + 24.0 * (PetscReal)P / 5e7);
  return (PetscBool)(now - r->tcreate + step + ckpt > r->walltime);
}

/* Called after every optimizer step: position, cadence, signals and wall time; one reduction makes every rank agree. */
PetscErrorCode KNTrainerBoundary_LongRun(KNTrainer tr, PetscInt epoch, PetscInt batch, const KNTaskTally *tally, PetscBool *stop)
{
  KNTrainerLongRun *r   = &tr->run;
  PetscReal         now = MPI_Wtime(), last = now - r->tprev;
  int               flag[3] = {0, 0, 0}, sig;
  PetscBool         due;

  PetscFunctionBegin;
  r->tstep = r->tstep > 0 ? 0.7 * r->tstep + 0.3 * last : last;
  r->tprev = now;
  r->epoch = epoch, r->batch = batch, r->tally = *tally;
  if (r->signals) PetscCall(KNSignalsGet(&sig, NULL));
  if (r->signals) flag[0] = sig;
  flag[1] = OutOfTime(tr, now, last) ? 1 : 0;
  flag[2] = r->seconds > 0 && now - r->tlast >= r->seconds;
  if (r->signals || r->walltime > 0 || r->seconds > 0) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, flag, 3, MPI_INT, MPI_MAX, tr->comm));
  due = (PetscBool)((r->every && tr->iter % r->every == 0) || flag[0] || flag[1] || flag[2] || (*stop && Enabled(r)));
  if (due && r->last_iter != tr->iter) {
    PetscCall(KNTrainerWriteCheckpoint(tr, NULL));
    if (tr->monitor && !flag[0] && !flag[1]) PetscCall(PetscPrintf(tr->comm, "  checkpoint %s (%.3f s)\n", r->last, (double)r->tckpt));
  }
  if (flag[0]) r->reason = KN_TRAINER_STOPPED_SIGNAL, r->signal = flag[0];
  else if (flag[1]) r->reason = KN_TRAINER_STOPPED_WALLTIME;
  if (flag[0] || flag[1]) *stop = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Batch b of epoch e was stopped inside its solves (KN_ERR_INTERRUPTED on every rank; where: the layer, time and
   step). If a rank caught a signal, the batch is discarded (the parameters, the optimizer and the tally are those
   before it), the state before it is kept in a checkpoint (unless the newest is that state), and *stopped. Else the
   code came from elsewhere: the caller raises it. */
PetscErrorCode KNTrainerInterrupted_LongRun(KNTrainer tr, PetscInt epoch, PetscInt b, const KNTaskTally *tally, const char where[], PetscBool *stopped)
{
  KNTrainerLongRun *r   = &tr->run;
  int               sig = 0;

  PetscFunctionBegin;
  PetscCall(KNSignalsGet(&sig, NULL));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPI_INT, MPI_MAX, tr->comm)); /* maybe caught on some ranks only */
  *stopped = PETSC_FALSE;
  if (!sig) PetscFunctionReturn(KN_SUCCESS);
  r->epoch = epoch, r->batch = b, r->tally = *tally; /* the position before the discarded batch */
  if (r->last_iter != tr->iter) PetscCall(KNTrainerWriteCheckpoint(tr, NULL));
  *stopped  = PETSC_TRUE;
  r->reason = KN_TRAINER_STOPPED_SIGNAL, r->signal = sig;
  PetscCall(PetscStrncpy(r->midbatch, where && where[0] ? where : "in a solve", sizeof(r->midbatch)));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The end of KNTrainerTrain(): a final checkpoint (if checkpoints are on), the stop reason, the signal handlers. */
PetscErrorCode KNTrainerEnd_LongRun(KNTrainer tr)
{
  KNTrainerLongRun *r = &tr->run;

  PetscFunctionBegin;
  if (r->reason == KN_TRAINER_NOT_STOPPED) {
    r->reason = KN_TRAINER_COMPLETED;
    if (Enabled(r) && r->last_iter != tr->iter) {
      r->epoch = tr->epoch, r->batch = 0;
      PetscCall(PetscMemzero(&r->tally, sizeof(r->tally)));
      PetscCall(KNTrainerWriteCheckpoint(tr, NULL));
    }
  }
  if (r->installed) PetscCall(KNSignalsRestore());
  r->installed = PETSC_FALSE;
  if (r->reason == KN_TRAINER_COMPLETED) PetscFunctionReturn(KN_SUCCESS);
  if (r->reason == KN_TRAINER_STOPPED_SIGNAL) {
    PetscCall(PetscPrintf(tr->comm, "knet train: caught %s: ", r->signal == SIGTERM ? "SIGTERM" : r->signal == SIGUSR1 ? "SIGUSR1" : r->signal == SIGINT ? "SIGINT" : "a signal"));
    if (r->midbatch[0]) PetscCall(PetscPrintf(tr->comm, "stopped mid-batch in step %" PetscInt_FMT " (epoch %" PetscInt_FMT ", batch %" PetscInt_FMT "; %s), which is discarded; ", tr->iter + 1, r->epoch + 1, r->batch + 1, r->midbatch));
  } else PetscCall(PetscPrintf(tr->comm, "knet train: the wall-time limit of %g s is near: ", (double)r->walltime));
  PetscCall(PetscPrintf(tr->comm, "stopped after step %" PetscInt_FMT " (epoch %" PetscInt_FMT ", batch %" PetscInt_FMT ") with checkpoint %s; continue with -kn_resume auto (knet train exits with %d)\n", tr->iter, r->epoch + 1, r->batch, r->last, KN_EXIT_CHECKPOINTED));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerView_LongRun(KNTrainer tr, PetscViewer viewer)
{
  KNTrainerLongRun *r = &tr->run;

  PetscFunctionBegin;
  if (!r->every && r->seconds <= 0 && r->walltime <= 0 && !r->resume[0]) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscViewerASCIIPrintf(viewer, "checkpoints: every %" PetscInt_FMT " steps, every %g s, keep %" PetscInt_FMT ", directory %s, signals %s, resume %s, wall-time limit %g s\n", r->every, (double)r->seconds, r->keep, r->dir[0] ? r->dir : "<run dir>/ckpt", r->signals ? "on" : "off", r->resume[0] ? r->resume : "no", (double)r->walltime));
  PetscFunctionReturn(KN_SUCCESS);
}
