/* KNTrainer run directories: what an earlier run left there (refused unless the run is resumed or
   -kn_run_overwrite is given), and the option table a run stored, so that -kn_resume continues it without the
   options being repeated. */
#include <unistd.h>
#include <kn/kncheckpoint.h>
#include "taskimpl.h"

/* Options that belong to one invocation, not to the run: never taken from a stored table. The limits -kn_max_walltime
   and -kn_train_max_iterations stop this invocation (a test or a job step may stop early on purpose); the checkpoint
   directory is where the checkpoints are found now (a checkpoint may have been copied into a new run directory). */
static const char *const invocation_options[] = {"kn_resume", "kn_run_dir", "kn_run_overwrite", "kn_max_walltime", "kn_train_max_iterations", "kn_checkpoint_dir", "help", "h", NULL};

/* Rank 0 reads the option lines of options.txt (PetscOptionsView(): '#' lines are comments); every rank gets them
   joined by spaces, or NULL if there is no such file. */
static PetscErrorCode ReadOptionsText(MPI_Comm comm, const char path[], char **opts)
{
  PetscMPIInt rank;
  int         len = -1;
  char       *buf = NULL;

  PetscFunctionBegin;
  *opts = NULL;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    FILE  *fp = fopen(path, "r");
    char   line[4096];
    size_t n = 0, cap = 0;

    while (fp && fgets(line, sizeof(line), fp)) {
      size_t l = strlen(line);
      if (line[0] == '#') continue;
      while (l && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
      if (n + l + 2 > cap) {
        char *b;
        cap = 2 * (n + l + 2);
        PetscCall(PetscMalloc1(cap, &b));
        if (buf) PetscCall(PetscMemcpy(b, buf, n));
        PetscCall(PetscFree(buf));
        buf = b;
      }
      PetscCall(PetscMemcpy(buf + n, line, l));
      n += l, buf[n++] = ' ', buf[n] = 0;
    }
    if (fp) {
      len = (int)n;
      fclose(fp);
    }
  }
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, comm));
  if (len < 0) PetscFunctionReturn(KN_SUCCESS);
  if (rank) PetscCall(PetscMalloc1(len + 1, &buf));
  if (!buf) PetscCall(PetscCalloc1(1, &buf));
  PetscCallMPI(MPI_Bcast(buf, len, MPI_CHAR, 0, comm));
  buf[len] = 0;
  *opts    = buf;
  PetscFunctionReturn(KN_SUCCESS);
}

/* The option table (/config options) of a checkpoint, or NULL if the file does not read. */
static PetscErrorCode ReadCheckpointOptions(MPI_Comm comm, const char file[], char **opts)
{
  KNCheckpoint   ck;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *opts = NULL;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); /* a bad file is skipped here, reported later */
  ierr = KNCheckpointOpen(comm, file, &ck);
  if (!ierr) {
    ierr = KNCheckpointReadString(ck, "config", "options", opts);
    (void)KNCheckpointDestroy(&ck);
  }
  PetscCall(PetscPopErrorHandler());
  if (ierr) *opts = NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Where -kn_resume takes the options from: the checkpoint given, or for auto the newest readable checkpoint of the
   checkpoint directory, else the run directory's options.txt. */
static PetscErrorCode FindStoredOptions(MPI_Comm comm, const char prefix[], const char resume[], const char rundir[], char **opts, char source[], size_t len, char dir[], size_t dlen)
{
  char         path[PETSC_MAX_PATH_LEN], *txt;
  PetscBool    auto_, set;
  PetscInt     n;
  char       **files;
  PetscOptions o;

  PetscFunctionBegin;
  *opts = NULL, dir[0] = 0;
  PetscCall(PetscStrcmp(resume, "auto", &auto_));
  if (!auto_) {
    PetscCall(ReadCheckpointOptions(comm, resume, opts));
    PetscCall(PetscStrncpy(source, resume, len));
    PetscFunctionReturn(KN_SUCCESS);
  }
  if (!rundir[0]) PetscFunctionReturn(KN_SUCCESS); /* a new dated run directory: nothing to continue */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/options.txt", rundir));
  PetscCall(ReadOptionsText(comm, path, &txt));
  /* the checkpoint directory: given now, else the one the run used, else <run dir>/ckpt */
  PetscCall(PetscOptionsHasName(NULL, prefix, "-kn_checkpoint_dir", &set));
  if (!set && txt) {
    PetscCall(PetscOptionsCreate(&o));
    PetscCall(PetscOptionsInsertString(o, txt));
    PetscCall(PetscOptionsGetString(o, prefix, "-kn_checkpoint_dir", dir, dlen, NULL));
    PetscCall(PetscOptionsDestroy(&o));
  }
  if (set) PetscCall(PetscOptionsGetString(NULL, prefix, "-kn_checkpoint_dir", path, sizeof(path), NULL));
  else if (dir[0]) PetscCall(PetscStrncpy(path, dir, sizeof(path)));
  else PetscCall(PetscSNPrintf(path, sizeof(path), "%s/ckpt", rundir));
  PetscCall(KNCheckpointList(comm, path, &n, &files, NULL, NULL));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/options.txt", rundir));
  for (PetscInt k = 0; k < n && !*opts; k++) {
    PetscCall(ReadCheckpointOptions(comm, files[k], opts));
    if (*opts) PetscCall(PetscStrncpy(source, files[k], len));
  }
  PetscCall(KNCheckpointListDestroy(n, &files));
  if (!*opts && txt) {
    *opts = txt, txt = NULL;
    PetscCall(PetscStrncpy(source, path, len));
  }
  PetscCall(PetscFree(txt));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerInsertStoredOptions - for -kn_resume: puts the option table stored by the run being continued into the
  options database beneath the options already there, so that a run continues with the options it was started with
  and the options given now take precedence

  Collective

  Input Parameters:
+ comm - the communicator of the trainer
- prefix - the trainer's options prefix (or NULL)

  Output Parameters:
+ source - the checkpoint or options.txt the options came from ("" if none was found: nothing inserted)
- len - size of source

  Notes:
  With -kn_resume FILE the table is that checkpoint's /config options. With -kn_resume auto and -kn_run_dir RUN it
  is that of the newest readable checkpoint of the checkpoint directory (-kn_checkpoint_dir, else the one RUN's
  options.txt names, else RUN/ckpt), else RUN/options.txt. Options that belong to one invocation (-kn_resume,
  -kn_run_dir, -kn_run_overwrite, -help, the limits -kn_max_walltime and -kn_train_max_iterations, and
  -kn_checkpoint_dir, which is where the checkpoints are found now) are not taken.
  Call it before KNTrainerSetFromOptions().

  Level: intermediate

.seealso: KNTrainerSetResume(), KNTrainerWriteCheckpoint()
@*/
PetscErrorCode KNTrainerInsertStoredOptions(MPI_Comm comm, const char prefix[], char source[], size_t len)
{
  char         resume[PETSC_MAX_PATH_LEN] = "", rundir[PETSC_MAX_PATH_LEN] = "", dir[PETSC_MAX_PATH_LEN], name[256], *stored, *cur, *all;
  PetscBool    set;
  PetscOptions o;

  PetscFunctionBegin;
  source[0] = 0;
  PetscCall(PetscOptionsGetString(NULL, prefix, "-kn_resume", resume, sizeof(resume), &set));
  if (!set || !resume[0]) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscOptionsGetString(NULL, prefix, "-kn_run_dir", rundir, sizeof(rundir), NULL));
  PetscCall(FindStoredOptions(comm, prefix, resume, rundir, &stored, source, len, dir, sizeof(dir)));
  if (!stored) {
    source[0] = 0;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscOptionsCreate(&o));
  PetscCall(PetscOptionsInsertString(o, stored));
  for (PetscInt i = 0; invocation_options[i]; i++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "-%s%s", prefix && invocation_options[i][0] == 'k' ? prefix : "", invocation_options[i]));
    PetscCall(PetscOptionsClearValue(o, name));
  }
  if (dir[0]) { /* the run's own checkpoint directory, named by its options.txt */
    PetscCall(PetscSNPrintf(name, sizeof(name), "-%skn_checkpoint_dir", prefix ? prefix : ""));
    PetscCall(PetscOptionsSetValue(o, name, dir));
  }
  PetscCall(PetscOptionsGetAll(NULL, &cur)); /* what is given now goes on top */
  PetscCall(PetscOptionsInsertString(o, cur));
  PetscCall(PetscOptionsGetAll(o, &all));
  PetscCall(PetscOptionsInsertString(NULL, all));
  PetscCall(PetscOptionsDestroy(&o));
  PetscCall(PetscFree(stored));
  PetscCall(PetscFree(cur));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetRunOverwrite - whether a run that does not resume may start in a run directory that already holds a
  run (checkpoints, model.h5 or epochs in metrics.csv); its checkpoints and model.h5 are then removed first.
  Default false: such a run stops before training, naming -kn_resume auto and -kn_run_overwrite.

  Logically Collective

  Level: intermediate

.seealso: KNTrainerSetResume(), KNTrainerSetRunDirectory()
@*/
PetscErrorCode KNTrainerSetRunOverwrite(KNTrainer tr, PetscBool overwrite)
{
  PetscFunctionBegin;
  tr->run.overwrite = overwrite;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: whether RUN/model.h5 exists and how many epoch rows RUN/metrics.csv has. */
static void Leftovers(const char rundir[], int *model, int *rows)
{
  char  path[PETSC_MAX_PATH_LEN + 16], line[1024];
  FILE *fp;

  snprintf(path, sizeof(path), "%s/model.h5", rundir);
  *model = access(path, F_OK) == 0;
  *rows  = 0;
  snprintf(path, sizeof(path), "%s/metrics.csv", rundir);
  fp = fopen(path, "r");
  for (int first = 1; fp && fgets(line, sizeof(line), fp); first = 0)
    if (!first && line[0] >= '0' && line[0] <= '9') (*rows)++;
  if (fp) fclose(fp);
}

/* A run that does not resume must not mix with an earlier run in its directory: refused, or with -kn_run_overwrite
   the earlier run's checkpoints and model.h5 are removed (-kn_resume auto would later pick the newest checkpoint,
   which might be the other run's). */
PetscErrorCode KNTrainerCheckRunDirectory_Private(KNTrainer tr)
{
  PetscInt    n;
  char      **files, what[PETSC_MAX_PATH_LEN + 256] = "", dir[PETSC_MAX_PATH_LEN + 8], path[PETSC_MAX_PATH_LEN + 16];
  int         st[2] = {0, 0};
  PetscMPIInt rank;
  size_t      l;
  PetscBool   help;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasHelp(NULL, &help)); /* -help sets up without training: nothing is written */
  if (tr->run.resume[0] || tr->run.checked || !tr->rundir[0] || help) PetscFunctionReturn(KN_SUCCESS);
  if (tr->run.dir[0]) PetscCall(PetscStrncpy(dir, tr->run.dir, sizeof(dir)));
  else PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/ckpt", tr->rundir));
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) Leftovers(tr->rundir, &st[0], &st[1]);
  PetscCallMPI(MPI_Bcast(st, 2, MPI_INT, 0, tr->comm));
  PetscCall(KNCheckpointList(tr->comm, dir, &n, &files, NULL, NULL));
  if (n) PetscCall(PetscSNPrintf(what, sizeof(what), "%" PetscInt_FMT " checkpoint(s) of an earlier run, newest %s; ", n, files[0]));
  PetscCall(PetscStrlen(what, &l));
  if (st[0]) PetscCall(PetscSNPrintf(what + l, sizeof(what) - l, "model.h5; "));
  PetscCall(PetscStrlen(what, &l));
  if (st[1]) PetscCall(PetscSNPrintf(what + l, sizeof(what) - l, "metrics.csv with %d epoch(s); ", st[1]));
  PetscCall(PetscStrlen(what, &l));
  if (l) what[l - 2] = 0;
  if (l && tr->run.overwrite) {
    PetscCall(PetscPrintf(tr->comm, "knet train: -kn_run_overwrite: %s held an earlier run (%s); removing its checkpoints and model.h5 and starting again\n", tr->rundir, what));
    for (PetscInt k = 0; k < n; k++) PetscCall(KNCheckpointRemoveFile(tr->comm, files[k]));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/model.h5", tr->rundir));
    if (st[0]) PetscCall(KNCheckpointRemoveFile(tr->comm, path));
  }
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscCheck(!l || tr->run.overwrite, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "%s already holds a run (%s): continue it with -kn_resume auto, start it again with -kn_run_overwrite, or use another -kn_run_dir", tr->rundir, what);
  tr->run.checked = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* -kn_resume auto without a checkpoint starts from the beginning (a job requeued before its first checkpoint), but
   not over a finished model of a run that wrote no checkpoints. */
PetscErrorCode KNTrainerCheckNothingToResume_Private(KNTrainer tr)
{
  int         st[2] = {0, 0};
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  if (!rank) Leftovers(tr->rundir, &st[0], &st[1]);
  PetscCallMPI(MPI_Bcast(st, 2, MPI_INT, 0, tr->comm));
  if (st[0] && tr->run.overwrite) PetscCall(PetscPrintf(tr->comm, "knet train: -kn_run_overwrite: replacing the model.h5 of %s\n", tr->rundir));
  PetscCheck(!st[0] || tr->run.overwrite, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "-kn_resume auto: %s holds a model.h5 but no checkpoint in %s to continue from (the run wrote none): start it again with -kn_run_overwrite, or use another -kn_run_dir", tr->rundir, tr->run.dir);
  PetscFunctionReturn(KN_SUCCESS);
}
