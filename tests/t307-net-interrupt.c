static char help[] = "KNNetSetInterrupt(): a sweep stopped in a layer's adjoint (kept or recomputed trajectory) raises KN_ERR_INTERRUPTED and leaves the net usable: its layer parameter views are released and the next loss pass and backward sweep give the gradient of an uninterrupted net, bit for bit.\n";

#include "kntestfiles.h" /* first: it sets _POSIX_C_SOURCE */
#include <string.h>
#include "kntestnet.h"

/* Loss pass (trajectories kept when keep) and backward sweep into G. */
static PetscErrorCode Sweep(KNNet net, PetscBool keep, Vec G)
{
  PetscInt  nin = 3;
  PetscReal in[6], dout[64], L;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 6; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetSetSaveTrajectory(net, keep));
  PetscCall(KNTestNetLoss(net, nin, in, PETSC_FALSE, &L, dout, NULL));
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_FALSE));
  PetscCall(KNNetBackward(net, dout, NULL, G, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The interrupt in the backward sweep: the error, then a clean sweep equal to the reference. */
static PetscErrorCode Check(KNTest *t, KNNet net, PetscBool keep, Vec Gref, KNTestInterrupt *a)
{
  Vec       G, gi;
  PetscBool eq;
  PetscInt  fwd;
  PetscInt  nin = 3;
  PetscReal in[6], dout[64], L;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(Gref, &G));
  for (PetscInt i = 0; i < 6; i++) in[i] = 0.7 * KNTestRand(9, i);
  a->calls = 0, a->polls = 0;
  PetscCall(KNNetSetSaveTrajectory(net, keep));
  PetscCall(KNTestNetLoss(net, nin, in, PETSC_FALSE, &L, dout, NULL));
  PetscCall(KNNetSetSaveTrajectory(net, PETSC_FALSE));
  fwd      = a->calls;
  a->polls = fwd + 2; /* the 2nd poll of the backward sweep (the recompute of a layer is part of it) */
  EXPECT_ERROR(t, KN_ERR_INTERRUPTED, "solve was interrupted at t = ", KNNetBackward(net, dout, NULL, G, NULL), "%s: a stop in the backward sweep raises KN_ERR_INTERRUPTED (after %" PetscInt_FMT " forward polls)", keep ? "kept trajectories" : "recomputed layers", fwd);
  a->polls = 0;
  PetscCall(KNNetGetLayerParameterVec(net, G, 0, &gi)); /* fails if the interrupted layer's view was not released */
  PetscCall(KNNetRestoreLayerParameterVec(net, G, 0, &gi));
  PetscCall(Sweep(net, keep, G));
  PetscCall(VecEqual(G, Gref, &eq));
  PetscCall(KNTestOk(t, eq, "%s: after the interrupt the next loss pass and backward sweep give the uninterrupted gradient bit for bit", keep ? "kept trajectories" : "recomputed layers"));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest          t;
  KNNet           net;
  Vec             Gref;
  PetscMPIInt     rank, size;
  KNTestInterrupt a = {0, 0, PETSC_FALSE};

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  a.last = (PetscBool)(rank == size - 1);
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, 2, PETSC_FALSE, &net));
  PetscCall(KNNetCreateParameterVec(net, &Gref));
  PetscCall(Sweep(net, PETSC_TRUE, Gref)); /* no interrupt */
  PetscCall(KNNetSetInterrupt(net, KNTestInterruptPoll, &a));
  PetscCall(Check(&t, net, PETSC_TRUE, Gref, &a));
  PetscCall(Check(&t, net, PETSC_FALSE, Gref, &a));
  PetscCall(VecDestroy(&Gref));
  PetscCall(KNNetDestroy(&net));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
