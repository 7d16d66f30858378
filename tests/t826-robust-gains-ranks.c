static char help[] = "Monte Carlo device gains drawn per rank (KNRobustnessApply -> KNCircuitSetEdgeGainsFunction): each rank draws only\n"
                     "the edges it evaluates, yet with fixed RK4 steps the outputs under draws 0..2 are bitwise those of the same net on\n"
                     "one rank (PETSC_COMM_SELF, built on every rank) and of the full-array path (KNCircuitSetEdgeGains with all E\n"
                     "gains of KNRobustnessGetEdgeGains); KNRobustnessGetEdgeGainsAt gives the same bits as the full draw.\n";

#include "kntestrobust.h"

#define B_   2
#define NIN_ 3
#define K_   4

/* A 2-layer net of random graphs (40 nodes, 300 edges each: cut edges on 2 and 4 ranks), shift_tanh2, fixed RK4. */
static PetscErrorCode Net(MPI_Comm comm, KNNet *net)
{
  PetscFunctionBeginUser;
  PetscCall(KNNetCreate(comm, net));
  for (PetscInt i = 0; i < 2; i++) {
    KNGraph  g;
    KNDevice d;
    PetscCall(KNGraphCreateRandom(comm, 40, 300, 70 + i, &g));
    PetscCall(KNDeviceCreate(comm, &d));
    PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
    PetscCall(KNNetAddLayer(*net, g, d, 0.4));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNDeviceDestroy(&d));
  }
  PetscCall(KNNetSetBatchSize(*net, B_));
  PetscCall(KNNetSetReadoutLast(*net, K_));
  PetscCall(KNNetSetFromOptions(*net));
  PetscCall(KNNetSetUp(*net));
  PetscCall(KNTestNetRandomParameters(*net, 42, 0.9));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Outputs under draw k (KNRobustnessApply), or, with full, under all E gains of draw k passed to every layer. */
static PetscErrorCode Outputs(KNNet net, KNRobustness r, PetscInt64 k, PetscBool full, const PetscReal in[], PetscReal out[])
{
  PetscFunctionBeginUser;
  if (full) {
    for (PetscInt i = 0; i < 2; i++) {
      KNCircuit c;
      PetscReal gain[300];
      PetscCall(KNNetGetLayer(net, i, &c));
      PetscCall(KNRobustnessGetEdgeGains(r, k, i, 300, gain));
      PetscCall(KNCircuitSetEdgeGains(c, gain));
    }
  } else PetscCall(KNRobustnessApply(r, net, k));
  PetscCall(KNNetForward(net, NIN_, in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, out));
  if (full)
    for (PetscInt i = 0; i < 2; i++) {
      KNCircuit c;
      PetscCall(KNNetGetLayer(net, i, &c));
      PetscCall(KNCircuitSetEdgeGains(c, NULL));
    }
  else PetscCall(KNRobustnessRestore(r, net));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest       t;
  KNNet        net, one;
  KNRobustness r, rs;
  PetscReal    in[B_ * NIN_], o[B_ * K_], o1[B_ * K_], of[B_ * K_], ideal[B_ * K_], gain[300], at[5];
  PetscInt     gid[5] = {299, 0, 151, 7, 151};
  PetscMPIInt  size;
  PetscBool    same = PETSC_TRUE, full = PETSC_TRUE, moved = PETSC_TRUE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsInsertString(NULL, KN_TEST_FIXED_RK4));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  for (PetscInt i = 0; i < B_ * NIN_; i++) in[i] = 0.5 * (KNTestRand(9, i) + 1.0);
  PetscCall(Net(PETSC_COMM_WORLD, &net));
  PetscCall(Net(PETSC_COMM_SELF, &one));
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  PetscCall(KNRobustnessCreate(PETSC_COMM_SELF, &rs));
  for (int k = 0; k < 2; k++) {
    PetscCall(KNRobustnessSetDeviceMismatch(k ? rs : r, 0.2));
    PetscCall(KNRobustnessSetSeed(k ? rs : r, 5));
  }
  PetscCall(KNNetForward(net, NIN_, in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, ideal));
  for (PetscInt64 k = 0; k < 3; k++) {
    PetscCall(Outputs(net, r, k, PETSC_FALSE, in, o));
    PetscCall(Outputs(one, rs, k, PETSC_FALSE, in, o1));
    PetscCall(Outputs(net, r, k, PETSC_TRUE, in, of));
    same  = (PetscBool)(same && !memcmp(o, o1, sizeof(o)));
    full  = (PetscBool)(full && !memcmp(o, of, sizeof(o)));
    moved = (PetscBool)(moved && memcmp(o, ideal, sizeof(o)) != 0);
  }
  PetscCall(KNTestOkAll(&t, same, "draws 0..2 on %d rank(s), each rank drawing only its edges: outputs bitwise those of the net on one rank", size));
  PetscCall(KNTestOkAll(&t, full, "and bitwise those of the full-array path (all E gains on every rank)"));
  PetscCall(KNTestOkAll(&t, moved, "each draw changes the outputs (the gains are applied)"));
  PetscCall(KNRobustnessGetEdgeGains(r, 2, 1, 300, gain));
  PetscCall(KNRobustnessGetEdgeGainsAt(r, 2, 1, 5, gid, at));
  {
    PetscBool eq = PETSC_TRUE;
    for (int i = 0; i < 5; i++) eq = (PetscBool)(eq && !memcmp(&at[i], &gain[gid[i]], sizeof(PetscReal)));
    PetscCall(KNTestOkAll(&t, eq, "KNRobustnessGetEdgeGainsAt: edges 299, 0, 151, 7, 151 of draw 2, layer 1 are the full draw's bits"));
  }
  PetscCall(KNNetForward(net, NIN_, in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, o));
  PetscCall(KNTestOkAll(&t, (PetscBool)!memcmp(o, ideal, sizeof(o)), "after KNRobustnessRestore() the outputs are the ideal ones bit for bit"));
  PetscCall(KNRobustnessDestroy(&r));
  PetscCall(KNRobustnessDestroy(&rs));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNNetDestroy(&one));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
