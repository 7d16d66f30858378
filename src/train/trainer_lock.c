/* One writer per run directory: two trainings in one -kn_run_dir would interleave metrics.csv and leave the options of
   one run beside the model of the other. Rank 0 holds flock(RUN/.knet.lock) while it trains; the kernel drops the
   lock when the process ends in any way (kill -9 included), so a stale lock never blocks a resume. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "taskimpl.h"

PetscErrorCode KNTrainerLockRunDirectory_Private(KNTrainer tr)
{
  char        path[PETSC_MAX_PATH_LEN + 16], holder[32] = "";
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(tr->comm, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/.knet.lock", tr->rundir));
  if (!rank && tr->run.lockfd < 0) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0) err = errno;
    else if (flock(fd, LOCK_EX | LOCK_NB)) {
      ssize_t n;

      err = errno;
      n   = read(fd, holder, sizeof(holder) - 1);
      holder[n > 0 ? n : 0] = 0;
      holder[strcspn(holder, "\n")] = 0;
      close(fd);
    } else {
      char pid[32];
      int  len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

      if (ftruncate(fd, 0) || write(fd, pid, (size_t)len) != len) { /* only for the message of a second writer */ }
      tr->run.lockfd = fd;
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, tr->comm));
  PetscCallMPI(MPI_Bcast(holder, sizeof(holder), MPI_CHAR, 0, tr->comm));
  PetscCheck(err != EWOULDBLOCK, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "%s is in use: another knet train (process %s) is writing it; wait for it to end or use another -kn_run_dir", tr->rundir, holder[0] ? holder : "?");
  PetscCheck(!err, tr->comm, PETSC_ERR_FILE_OPEN, "Cannot lock the run directory %s (%s): %s", tr->rundir, path, strerror(err));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerUnlockRunDirectory_Private(KNTrainer tr)
{
  PetscFunctionBegin;
  if (tr->run.lockfd >= 0) close(tr->run.lockfd); /* closing drops the lock */
  tr->run.lockfd = -1;
  PetscFunctionReturn(KN_SUCCESS);
}
