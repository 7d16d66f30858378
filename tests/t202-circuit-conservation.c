static char help[] = "Kirchhoff conservation: with no edge touching ground, sum_j C_j v_j is constant in time.\n";

#include "kntestutil.h"

/* Sum over nodes of C_j v_j for each sample, on every rank. */
static PetscErrorCode Charge(KNCircuit c, Vec X, const PetscReal cap[], PetscInt B, PetscReal q[])
{
  PetscInt         n, lo;
  const PetscInt  *own;
  const PetscReal *x;

  PetscFunctionBeginUser;
  PetscCall(KNCircuitGetOwnedNodes(c, &n, &own));
  PetscCall(VecGetOwnershipRange(X, &lo, NULL));
  PetscCall(PetscArrayzero(q, B));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt idx, j = own[k];
    PetscCall(KNCircuitGetNodeStateIndex(c, j, &idx));
    for (PetscInt b = 0; b < B; b++) q[b] += cap[j - 1] * x[idx - lo + b];
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, q, (PetscMPIInt)B, MPIU_REAL, MPIU_SUM, PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Check(KNTest *t, KNDeviceType type, PetscBool equal_caps)
{
  const PetscInt N = 6, B = 4;
  KNGraph        g;
  KNDevice       d;
  KNCircuit      c;
  Vec            X, th;
  PetscReal      cap[6], q0[4], q1[4], err = 0, vchange;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, N, PETSC_FALSE, 1, 1, &g)); /* nodes 1..6, no ground edge */
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, type));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, &c));
  PetscCall(KNCircuitSetGraph(c, g));
  PetscCall(KNCircuitSetDevice(c, d));
  PetscCall(KNCircuitSetBatchSize(c, B));
  PetscCall(KNCircuitSetDuration(c, 2.0));
  for (PetscInt j = 0; j < N; j++) cap[j] = equal_caps ? 1.0 : 0.5 + 0.3 * j;
  PetscCall(KNCircuitSetNodeCapacitances(c, cap));
  PetscCall(KNCircuitSetUp(c));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(KNTestFillVec(X, 17, 1.0));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNTestFillVec(th, 19, 1.5));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(Charge(c, X, cap, B, q0));
  {
    Vec X0;
    PetscCall(VecDuplicate(X, &X0));
    PetscCall(VecCopy(X, X0));
    PetscCall(KNCircuitSolve(c, X));
    PetscCall(VecAXPY(X0, -1.0, X));
    PetscCall(VecNorm(X0, NORM_INFINITY, &vchange));
    PetscCall(VecDestroy(&X0));
  }
  PetscCall(Charge(c, X, cap, B, q1));
  for (PetscInt b = 0; b < B; b++) err = PetscMax(err, PetscAbsReal(q1[b] - q0[b]));
  PetscCall(KNTestOk(t, (PetscBool)(err < 1e-13 * (1 + vchange) && vchange > 1e-2), "%s, %s capacitances: charge drift %.1e while voltages moved by %.2f", type, equal_caps ? "equal" : "unequal", (double)err, (double)vchange));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Check(&t, KNDEVICESHIFTTANH2, PETSC_TRUE));
  PetscCall(Check(&t, KNDEVICESHIFTRELU1, PETSC_TRUE));
  PetscCall(Check(&t, KNDEVICETANHDIFF, PETSC_FALSE));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
