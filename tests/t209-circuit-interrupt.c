static char help[] = "An interrupt callback stops a layer solve within a few steps, forward or adjoint, on every rank even when only the last rank says stop; the error names the layer, the time and the step; the polls change no result and the circuit solves as before afterwards.\n";

#include "kntestfiles.h"
#include "kntestutil.h"

/* Loss pass (kept trajectory) and adjoint from X0 with dL/dX(T) = 1: X(T), dL/dX(0), dL/dtheta. */
static PetscErrorCode Gradient(KNCircuit c, Vec X0, Vec X, Vec L, Vec G)
{
  PetscBool kept;

  PetscFunctionBeginUser;
  PetscCall(VecCopy(X0, X));
  PetscCall(KNCircuitSolveWithTrajectory(c, X, PETSC_MAX_REAL, &kept));
  PetscCall(VecSet(L, 1.0));
  PetscCall(VecSet(G, 0.0));
  PetscCall(KNCircuitAdjointSolve(c, L, G));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Same(Vec a, Vec b, PetscBool *eq)
{
  PetscFunctionBeginUser;
  PetscCall(VecEqual(a, b, eq)); /* bit for bit */
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest          t;
  KNCircuit       c;
  Vec             X0, X, L, G, th, Xr, Lr, Gr;
  PetscBool       e1, e2, e3, kept;
  PetscMPIInt     rank, size;
  KNTestInterrupt a = {0, 0, PETSC_FALSE};

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  a.last = (PetscBool)(rank == size - 1);
  PetscCall(KNTestSmallCircuit(&c));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNTestFillVec(th, 3, 0.5));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(KNCircuitCreateStateVec(c, &X0));
  PetscCall(KNTestFillVec(X0, 5, 1.0));
  PetscCall(VecDuplicate(X0, &X));
  PetscCall(VecDuplicate(X0, &L));
  PetscCall(VecDuplicate(X0, &Xr));
  PetscCall(VecDuplicate(X0, &Lr));
  PetscCall(VecDuplicate(th, &G));
  PetscCall(VecDuplicate(th, &Gr));
  PetscCall(Gradient(c, X0, Xr, Lr, Gr)); /* no callback */

  PetscCall(KNCircuitSetInterrupt(c, KNTestInterruptPoll, &a));
  PetscCall(Gradient(c, X0, X, L, G));
  PetscCall(Same(X, Xr, &e1));
  PetscCall(Same(L, Lr, &e2));
  PetscCall(Same(G, Gr, &e3));
  PetscCall(KNTestOk(&t, (PetscBool)(e1 && e2 && e3), "a callback that never says stop: X(T), dL/dX(0) and dL/dtheta bit for bit those without one"));
  PetscCall(KNTestOkAll(&t, (PetscBool)(a.calls >= (size == 1 ? 99 + 100 : 24 + 25)), "it was polled %" PetscInt_FMT " times (forward after every step but the last, adjoint before every step; every 4th with several ranks)", a.calls));

  a.calls = 0, a.polls = 3;
  PetscCall(VecCopy(X0, X));
  EXPECT_ERROR(&t, KN_ERR_INTERRUPTED, size == 1 ? "Layer L7: the forward solve was interrupted at t = 0.03 of 1. (step 3)" : "Layer L7: the forward solve was interrupted at t = 0.12 of 1. (step 12)", KNCircuitSolve(c, X), "stop at the 3rd poll on the last rank only: the forward stops at that step on every rank, KN_ERR_INTERRUPTED names the layer, the time and the step");
  a.calls = 0;
  PetscCall(VecCopy(X0, X));
  PetscCall(VecSet(L, 1.0));
  PetscCall(VecSet(G, 0.0));
  EXPECT_ERROR(&t, KN_ERR_INTERRUPTED, "Layer L7: the forward solve was interrupted", KNCircuitSolveAdjoint(c, X, L, G), "the forward recompute of KNCircuitSolveAdjoint(): the same");

  PetscCall(KNCircuitSetInterrupt(c, NULL, NULL));
  PetscCall(VecCopy(X0, X));
  PetscCall(KNCircuitSolveWithTrajectory(c, X, PETSC_MAX_REAL, &kept));
  PetscCall(KNCircuitSetInterrupt(c, KNTestInterruptPoll, &a));
  a.calls = 0, a.polls = 2;
  PetscCall(VecSet(L, 1.0));
  PetscCall(VecSet(G, 0.0));
  EXPECT_ERROR(&t, KN_ERR_INTERRUPTED, size == 1 ? "Layer L7: the adjoint solve was interrupted at t = 0.99 of 1. (step 99)" : "Layer L7: the adjoint solve was interrupted at t = 0.96 of 1. (step 96)", KNCircuitAdjointSolve(c, L, G), "stop at the 2nd poll of the adjoint: it stops after that step, naming the layer, the time and the step");

  a.polls = 0;
  PetscCall(Gradient(c, X0, X, L, G));
  PetscCall(Same(X, Xr, &e1));
  PetscCall(Same(L, Lr, &e2));
  PetscCall(Same(G, Gr, &e3));
  PetscCall(KNTestOk(&t, (PetscBool)(e1 && e2 && e3), "after the interrupts: the loss pass and the complete adjoint (all 100 steps back) give the results of before, bit for bit"));

  PetscCall(VecDestroy(&X0));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&L));
  PetscCall(VecDestroy(&G));
  PetscCall(VecDestroy(&Xr));
  PetscCall(VecDestroy(&Lr));
  PetscCall(VecDestroy(&Gr));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
