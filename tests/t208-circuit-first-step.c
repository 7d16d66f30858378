static char help[] = "The automatic first step's f(y0) is dopri5's first stage: a layer solve costs 2 + 6 RHS per step attempt, as torchdiffeq's.\n";

#include "kntestutil.h"

/* Solves an FC(8) circuit (ground edges included) with the default dopri5 and automatic first step. */
static PetscErrorCode Solve(PetscBool flow, KNCircuitStats *st, Vec *X)
{
  KNGraph   g;
  KNDevice  d;
  KNCircuit c;
  Vec       th;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 8, PETSC_TRUE, 1, 1, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, &c));
  PetscCall(KNCircuitSetGraph(c, g));
  PetscCall(KNCircuitSetDevice(c, d));
  PetscCall(KNCircuitSetBatchSize(c, 5));
  PetscCall(KNCircuitSetFlow(c, flow));
  PetscCall(KNCircuitSetDuration(c, 1.0));
  PetscCall(KNCircuitSetUp(c));
  PetscCall(KNCircuitCreateStateVec(c, X));
  PetscCall(KNTestFillVec(*X, 17, 1.0));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNTestFillVec(th, 19, 1.5));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(KNCircuitSolve(c, *X));
  PetscCall(KNCircuitGetStats(c, st));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Check(KNTest *t, PetscBool flow)
{
  KNCircuitStats st;
  Vec            X;

  PetscFunctionBeginUser;
  PetscCall(Solve(flow, &st, &X));
  PetscCall(KNTestOk(t, (PetscBool)(st.steps > 1 && st.rhs_evals == 2 + 6 * (st.steps + st.rejects)), "%s: %" PetscInt_FMT " RHS for %" PetscInt_FMT " steps and %" PetscInt_FMT " rejections (2 for the first step, of which f(y0) is also the first stage, then 6 per attempt)", flow ? "flow" : "forward", st.rhs_evals, st.steps, st.rejects));
  PetscCall(VecDestroy(&X));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Check(&t, PETSC_FALSE));
  PetscCall(Check(&t, PETSC_TRUE));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
