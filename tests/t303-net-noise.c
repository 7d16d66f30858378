static char help[] = "Robustness hooks: boundary noise with sigma = 0 reproduces the ideal outputs exactly; noise is repeatable from its seed,\n"
                     "rank-independent; edge gains of 1 and capacitances reset after set-up behave.\n";

#include "kntestnet.h"

static PetscErrorCode Outputs(KNNet net, PetscReal sigma, PetscInt64 seed, PetscReal out[])
{
  PetscReal in[6];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 6; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetSetBoundaryNoise(net, sigma, seed));
  PetscCall(KNNetForward(net, 3, in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, out));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  KNNet       net, ser = NULL;
  PetscReal   ideal[4], a[4], b[4], c[4], s[4];
  PetscMPIInt rank;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02"));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, 2, PETSC_FALSE, &net));
  PetscCall(Outputs(net, 0.0, 0, ideal));
  PetscCall(Outputs(net, 0.0, 5, a));
  PetscCall(KNTestOk(&t, (PetscBool)!memcmp(a, ideal, sizeof(a)), "sigma = 0 reproduces the ideal outputs bit for bit"));
  PetscCall(Outputs(net, 0.05, 5, a));
  PetscCall(Outputs(net, 0.05, 5, b));
  PetscCall(Outputs(net, 0.05, 6, c));
  PetscCall(KNTestOk(&t, (PetscBool)(!memcmp(a, b, sizeof(a)) && KNTestRelErr(4, a, ideal) > 1e-4 && KNTestRelErr(4, c, a) > 1e-4), "noise is repeatable from its seed, changes the outputs (%.2e), and another seed draws other noise", (double)KNTestRelErr(4, a, ideal)));
  if (rank == 0) {
    PetscCall(KNTestNetCreate(PETSC_COMM_SELF, KNDEVICESHIFTTANH2, 2, PETSC_FALSE, &ser));
    PetscCall(Outputs(ser, 0.05, 5, s));
  }
  PetscCallMPI(MPI_Bcast(s, 4, MPIU_REAL, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(&t, (PetscBool)(KNTestRelErr(4, a, s) <= 1e-12), "noisy outputs on all ranks equal 1 rank (%.1e)", (double)KNTestRelErr(4, a, s)));
  {
    KNCircuit l0;
    PetscReal ones[24], caps[5] = {2, 2, 2, 2, 2};
    for (PetscInt e = 0; e < 24; e++) ones[e] = 1.0;
    PetscCall(KNNetGetLayer(net, 0, &l0));
    PetscCall(KNCircuitSetEdgeGains(l0, ones));
    PetscCall(Outputs(net, 0.0, 0, a));
    PetscCall(KNCircuitSetEdgeGains(l0, NULL));
    PetscCall(KNTestOk(&t, (PetscBool)(KNTestRelErr(4, a, ideal) <= 1e-14), "edge gains of 1 give the ideal outputs (%.1e)", (double)KNTestRelErr(4, a, ideal)));
    PetscCall(KNCircuitSetNodeCapacitances(l0, caps));
    PetscCall(Outputs(net, 0.0, 0, b));
    for (PetscInt j = 0; j < 5; j++) caps[j] = 1.0;
    PetscCall(KNCircuitSetNodeCapacitances(l0, caps));
    PetscCall(Outputs(net, 0.0, 0, c));
    PetscCall(KNTestOk(&t, (PetscBool)(KNTestRelErr(4, b, ideal) > 1e-4 && KNTestRelErr(4, c, ideal) <= 1e-14), "capacitances changed after set-up take effect and can be restored"));
  }
  PetscCall(KNNetDestroy(&ser));
  PetscCall(KNNetDestroy(&net));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
