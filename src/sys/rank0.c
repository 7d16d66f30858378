/* Work done by rank 0 alone whose errors must reach every rank. */
#include <kn/knsys.h>
#include "sys/kncapture.h"

/* Keeps the first error's code and message (printed once, by every rank raising it again). */
static PetscErrorCode KNErrorCaptureHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  KNErrorCapture *cap = (KNErrorCapture *)ctx;

  if (p == PETSC_ERROR_INITIAL && !cap->code) {
    size_t i;

    cap->code = n, cap->comm = comm, cap->line = line, cap->func = fun, cap->file = file;
    for (i = 0; mess && mess[i] && i < sizeof(cap->msg) - 1; i++) cap->msg[i] = mess[i];
    cap->msg[i] = '\0';
  }
  return n;
}

/* Runs fn(ctx) on this rank, capturing (not printing) its first error into cap, which the caller zeroes; returns 0
   even when fn fails, so the caller can still reach the collective KNErrorCaptureRaise_Private(). */
PetscErrorCode KNErrorCaptureRun_Private(PetscErrorCode (*fn)(void *), void *ctx, KNErrorCapture *cap)
{
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscPushErrorHandler(KNErrorCaptureHandler, cap));
  ierr = fn(ctx);
  PetscCall(PetscPopErrorHandler());
  if (ierr && !cap->code) {
    cap->code = ierr;
    PetscCall(PetscStrncpy(cap->msg, "unknown error", sizeof(cap->msg)));
    cap->comm = PETSC_COMM_SELF;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Collective on comm: if rank root captured an error, every rank raises it (same code and message). */
PetscErrorCode KNErrorCaptureRaise_Private(MPI_Comm comm, PetscMPIInt root, KNErrorCapture *cap)
{
  PetscMPIInt code = (PetscMPIInt)cap->code;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, root, comm));
  if (!code) PetscFunctionReturn(KN_SUCCESS);
  PetscCallMPI(MPI_Bcast(cap->msg, (PetscMPIInt)sizeof(cap->msg), MPI_CHAR, root, comm));
  SETERRQ(comm, (PetscErrorCode)code, "%s", cap->msg);
}

/* Not collective: raises a captured error again on this rank, as first raised (communicator, place, code, message),
   through the error handler now in force; returns its code. */
PetscErrorCode KNErrorCaptureReraise_Private(const KNErrorCapture *cap)
{
  if (!cap->code) return KN_SUCCESS;
  return PetscError(cap->comm, cap->line, cap->func ? cap->func : "unknown", cap->file ? cap->file : "unknown", cap->code, PETSC_ERROR_INITIAL, "%s", cap->msg);
}

/*@C
  KNRunOnRank0 - runs fn(ctx) on rank 0 of comm only (e.g. reading a file); if it fails, every rank raises the same
  error code and message, so a bad file never leaves the other ranks waiting

  Collective

  Level: developer
@*/
PetscErrorCode KNRunOnRank0(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx)
{
  KNErrorCapture cap;
  PetscMPIInt    rank;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&cap, sizeof(cap)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) PetscCall(KNErrorCaptureRun_Private(fn, ctx, &cap));
  PetscCall(KNErrorCaptureRaise_Private(comm, 0, &cap));
  PetscFunctionReturn(KN_SUCCESS);
}
