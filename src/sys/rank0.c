/* Work done by rank 0 alone whose errors must reach every rank. */
#include <kn/knsys.h>

/* The first error raised on rank 0, kept so that every rank can raise it. */
typedef struct {
  PetscErrorCode code;
  char           msg[1024];
} KNErrorCapture;

static PetscErrorCode KNCaptureErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  KNErrorCapture *cap = (KNErrorCapture *)ctx;

  if (p == PETSC_ERROR_INITIAL && !cap->code) {
    size_t i;

    cap->code = n;
    for (i = 0; mess && mess[i] && i < sizeof(cap->msg) - 1; i++) cap->msg[i] = mess[i];
    cap->msg[i] = '\0';
  }
  return n;
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
  PetscMPIInt    rank, code;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&cap, sizeof(cap)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PetscErrorCode ierr;

    PetscCall(PetscPushErrorHandler(KNCaptureErrorHandler, &cap));
    ierr = fn(ctx);
    PetscCall(PetscPopErrorHandler());
    if (ierr && !cap.code) {
      cap.code = ierr;
      PetscCall(PetscStrncpy(cap.msg, "unknown error", sizeof(cap.msg)));
    }
  }
  code = (PetscMPIInt)cap.code;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, comm));
  if (!code) PetscFunctionReturn(KN_SUCCESS);
  PetscCallMPI(MPI_Bcast(cap.msg, (PetscMPIInt)sizeof(cap.msg), MPI_CHAR, 0, comm));
  SETERRQ(comm, (PetscErrorCode)code, "%s", cap.msg);
}

