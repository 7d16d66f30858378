/* KNGrid: work done by some data groups whose errors must reach every rank of the grid. */
#include <kn/kngrid.h>
#include "sys/kncapture.h"

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
  KNErrorCapture cap;
  PetscMPIInt    rank, size, first;
  PetscInt       g, G;
  MPI_Comm       world;

  PetscFunctionBegin;
  PetscCall(KNGridGetGroup(grid, &g, &G));
  if (G == 1) {
    PetscCall(fn(ctx));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNGridGetWorldComm(grid, &world));
  PetscCall(PetscMemzero(&cap, sizeof(cap)));
  if (all || g == 0) PetscCall(KNErrorCaptureRun_Private(fn, ctx, &cap));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCallMPI(MPI_Comm_size(world, &size));
  first = cap.code ? rank : size;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, world));
  if (first == size) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNErrorCaptureRaise_Private(world, first, &cap));
  PetscFunctionReturn(KN_SUCCESS);
}
