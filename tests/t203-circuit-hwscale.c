static char help[] = "Paper Eq. (9): scaling every capacitance and the time by a (a = 1e-15: fF and fs) leaves v(T) and the gradients unchanged.\n";

#include "kntestutil.h"

/* v(T) and dL/dtheta (L = sum v(T)^2 / 2) of one layer at hardware scale a. */
static PetscErrorCode Run(PetscReal a, PetscBool flow, Vec *vT, Vec *grad)
{
  KNGraph   g;
  KNDevice  d;
  KNCircuit c;
  Vec       X, L, th;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 8, 40, 3, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH1));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, &c));
  PetscCall(KNCircuitSetGraph(c, g));
  PetscCall(KNCircuitSetDevice(c, d));
  PetscCall(KNCircuitSetBatchSize(c, 3));
  PetscCall(KNCircuitSetFlow(c, flow));
  PetscCall(KNCircuitSetHardwareScale(c, a));
  PetscCall(KNCircuitSetUp(c));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNTestFillVec(th, 5, 1.0));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(KNTestFillVec(X, 7, 1.0));
  PetscCall(VecDuplicate(X, &L));
  PetscCall(VecDuplicate(X, vT));
  PetscCall(VecCopy(X, *vT));
  PetscCall(KNCircuitSolve(c, *vT));
  PetscCall(VecCopy(*vT, L)); /* dL/dX(T) = X(T) */
  PetscCall(VecDuplicate(th, grad));
  PetscCall(VecZeroEntries(*grad));
  PetscCall(KNCircuitSolveAdjoint(c, X, L, *grad));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&L));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Compare(KNTest *t, const char opts[], PetscBool flow)
{
  Vec       v1, g1, v2, g2;
  PetscReal nv, ng, dv, dg;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscCall(Run(1.0, flow, &v1, &g1));
  PetscCall(Run(1e-15, flow, &v2, &g2));
  PetscCall(VecNorm(v1, NORM_INFINITY, &nv));
  PetscCall(VecNorm(g1, NORM_INFINITY, &ng));
  PetscCall(VecAXPY(v2, -1.0, v1));
  PetscCall(VecAXPY(g2, -1.0, g1));
  PetscCall(VecNorm(v2, NORM_INFINITY, &dv));
  PetscCall(VecNorm(g2, NORM_INFINITY, &dg));
  PetscCall(KNTestOk(t, (PetscBool)(dv <= 1e-10 * nv && dg <= 1e-10 * ng), "%s%s: a = 1e-15 vs a = 1: v(T) rel diff %.1e, dL/dtheta rel diff %.1e", opts, flow ? " flow" : "", (double)(dv / nv), (double)(dg / ng)));
  PetscCall(VecDestroy(&v1));
  PetscCall(VecDestroy(&g1));
  PetscCall(VecDestroy(&v2));
  PetscCall(VecDestroy(&g2));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Compare(&t, "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05", PETSC_FALSE));
  PetscCall(Compare(&t, "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-9 -ts_atol 1e-9 -ts_dt 0.01", PETSC_FALSE));
  PetscCall(Compare(&t, "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-9 -ts_atol 1e-9 -ts_dt 0.01", PETSC_TRUE));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
