/* KNGrid: work done by some data groups whose errors must reach every rank of the grid. */
#include <kn/kngrid.h>

typedef struct {
  PetscErrorCode code;
  char           msg[1024];
} Capture;

/* Keeps the first error's code and message (printed once, by every rank raising it again below). */
static PetscErrorCode CaptureHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  Capture *cap = (Capture *)ctx;

  (void)comm, (void)line, (void)fun, (void)file;
  if (p == PETSC_ERROR_INITIAL && !cap->code) {
    size_t i;
    cap->code = n;
    for (i = 0; mess && mess[i] && i < sizeof(cap->msg) - 1; i++) cap->msg[i] = mess[i];
    cap->msg[i] = '\0';
  }
  return n;
}

/*@C
  KNGridRun - runs fn(ctx) on every rank (all = PETSC_TRUE) or on the ranks of group 0 only; if it fails anywhere, every
  rank of the grid raises the error of the lowest failing rank, so no group is left waiting in a later reduction

  Collective on the grid

  Input Parameters:
+ grid - the grid
. all - PETSC_TRUE: every group runs fn (e.g. its slice of a batch); PETSC_FALSE: group 0 alone (e.g. writing a file
        on its communicator, KNGridGetGroupComm())
. fn - the work
- ctx - its argument

  Notes:
  With one group and all = PETSC_TRUE, fn runs as a plain call (errors are reported where they happen).

  Level: developer

.seealso: KNRunOnRank0(), KNGridSumVec()
@*/
PetscErrorCode KNGridRun(KNGrid grid, PetscBool all, PetscErrorCode (*fn)(void *), void *ctx)
{
  Capture     cap;
  PetscMPIInt rank, size, first, code;
  PetscInt    g, G;
  MPI_Comm    world;

  PetscFunctionBegin;
  PetscCall(KNGridGetGroup(grid, &g, &G));
  if (G == 1) {
    PetscCall(fn(ctx));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNGridGetWorldComm(grid, &world));
  PetscCall(PetscMemzero(&cap, sizeof(cap)));
  if (all || g == 0) {
    PetscErrorCode ierr;

    PetscCall(PetscPushErrorHandler(CaptureHandler, &cap));
    ierr = fn(ctx);
    PetscCall(PetscPopErrorHandler());
    if (ierr && !cap.code) {
      cap.code = ierr;
      PetscCall(PetscStrncpy(cap.msg, "unknown error", sizeof(cap.msg)));
    }
  }
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCallMPI(MPI_Comm_size(world, &size));
  first = cap.code ? rank : size;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, world));
  if (first == size) PetscFunctionReturn(KN_SUCCESS);
  code = (PetscMPIInt)cap.code;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, first, world));
  PetscCallMPI(MPI_Bcast(cap.msg, (PetscMPIInt)sizeof(cap.msg), MPI_CHAR, first, world));
  SETERRQ(world, (PetscErrorCode)code, "%s", cap.msg);
}
