static char help[] = "A layer solve that stops before its end time (a step limit) is an error naming the layer, the time reached and the steps: forward, recompute for the adjoint, and the adjoint itself.\n";

#include "kntestfiles.h"
#include "kntestutil.h"

int main(int argc, char **argv)
{
  KNTest    t;
  KNCircuit c;
  TS        ts;
  Vec       X0, X, L, G, th;
  PetscBool kept;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestSmallCircuit(&c));
  PetscCall(KNCircuitGetTS(c, &ts));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNTestFillVec(th, 3, 0.5));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(KNCircuitCreateStateVec(c, &X0));
  PetscCall(KNTestFillVec(X0, 5, 1.0));
  PetscCall(VecDuplicate(X0, &X));
  PetscCall(VecDuplicate(X0, &L));
  PetscCall(VecDuplicate(th, &G));

  PetscCall(VecCopy(X0, X));
  PetscCall(KNCircuitSolve(c, X));
  PetscCall(KNTestOk(&t, PETSC_TRUE, "the full solve (100 fixed steps) succeeds"));
  PetscCall(TSSetMaxSteps(ts, 100));
  PetscCall(VecCopy(X0, X));
  PetscCall(KNCircuitSolve(c, X));
  PetscCall(KNTestOk(&t, PETSC_TRUE, "a step limit equal to the steps the layer needs is not an error (the end time is reached)"));

  PetscCall(TSSetMaxSteps(ts, 3));
  PetscCall(VecCopy(X0, X));
  EXPECT_ERROR(&t, PETSC_ERR_NOT_CONVERGED, "Layer L7: the time integration stopped at t = 0.03 of 1. after 3 steps: the step limit -ts_max_steps 3", KNCircuitSolve(c, X), "forward: -ts_max_steps 3 stops the layer early: an error naming the layer, the time and the steps");
  PetscCall(VecCopy(X0, X));
  EXPECT_ERROR(&t, PETSC_ERR_NOT_CONVERGED, "Layer L7: the time integration stopped at t = 0.03 of 1. after 3 steps", KNCircuitSolveWithTrajectory(c, X, PETSC_MAX_REAL, &kept), "the loss pass that keeps the trajectory: the same error");
  PetscCall(VecCopy(X0, X));
  PetscCall(VecSet(L, 1.0));
  PetscCall(VecSet(G, 0.0));
  EXPECT_ERROR(&t, PETSC_ERR_NOT_CONVERGED, "Layer L7: the time integration stopped at t = 0.03 of 1. after 3 steps", KNCircuitSolveAdjoint(c, X, L, G), "the forward recompute for the adjoint: the same error");

  PetscCall(TSSetMaxSteps(ts, 1000000));
  PetscCall(VecCopy(X0, X));
  PetscCall(KNCircuitSolveWithTrajectory(c, X, PETSC_MAX_REAL, &kept));
  PetscCall(TSAdjointSetSteps(ts, 40));
  PetscCall(VecSet(L, 1.0));
  PetscCall(VecSet(G, 0.0));
  EXPECT_ERROR(&t, PETSC_ERR_NOT_CONVERGED, "Layer L7: the adjoint stopped at t = 0.6 after 40 of the 100 steps", KNCircuitAdjointSolve(c, L, G), "the adjoint stopped after 40 of 100 steps: an error naming the layer, the time and the steps");

  PetscCall(VecDestroy(&X0));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&L));
  PetscCall(VecDestroy(&G));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
