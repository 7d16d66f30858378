static char help[] = "J^T w and Jp^T w (fused shell and COO AIJ) against finite differences of the RHS, every device law, flow and reverse.\n";

#include "kntestutil.h"

typedef struct {
  KNCircuit c;
  Vec       X, W, Y, F1, F2, theta;
} Case;

static PetscErrorCode CaseCreate(MPI_Comm comm, KNDeviceType type, PetscBool flow, PetscBool reverse, KNJacobianType jt, PetscBool gains, Case *k)
{
  KNGraph  g;
  KNDevice d;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateRandom(comm, 9, 40, 7, &g));
  PetscCall(KNDeviceCreate(comm, &d));
  PetscCall(KNDeviceSetType(d, type));
  PetscCall(KNCircuitCreate(comm, &k->c));
  PetscCall(KNCircuitSetGraph(k->c, g));
  PetscCall(KNCircuitSetDevice(k->c, d));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNCircuitSetBatchSize(k->c, 3));
  PetscCall(KNCircuitSetFlow(k->c, flow));
  PetscCall(KNCircuitSetReverse(k->c, reverse));
  PetscCall(KNCircuitSetJacobianType(k->c, jt));
  PetscCall(KNCircuitSetAdjointParamsType(k->c, KN_ADJOINT_PARAMS_STATE)); /* Y then carries Jp^T W in its parameter block */
  {
    PetscReal cap[9];
    for (PetscInt j = 0; j < 9; j++) cap[j] = 0.5 + 0.1 * j; /* unequal capacitances exercise the 1/C scaling */
    PetscCall(KNCircuitSetNodeCapacitances(k->c, cap));
  }
  PetscCall(KNCircuitSetUp(k->c));
  PetscCall(KNCircuitCreateStateVec(k->c, &k->X));
  PetscCall(VecDuplicate(k->X, &k->W));
  PetscCall(VecDuplicate(k->X, &k->Y));
  PetscCall(VecDuplicate(k->X, &k->F1));
  PetscCall(VecDuplicate(k->X, &k->F2));
  PetscCall(KNCircuitCreateParameterVec(k->c, &k->theta));
  {
    Vec g2;
    PetscCall(KNCircuitCreateGraphOrderParameterVec(k->c, &g2));
    PetscCall(KNTestFillVec(g2, 11, 0.8));
    PetscCall(KNCircuitParametersFromGraphOrder(k->c, g2, k->theta));
    PetscCall(VecDestroy(&g2));
  }
  PetscCall(KNCircuitSetParameters(k->c, k->theta));
  if (gains) { /* device mismatch: every current scaled by its own gain */
    PetscReal g[40];
    for (PetscInt e = 0; e < 40; e++) g[e] = 1.0 + 0.5 * KNTestRand(13, e);
    PetscCall(KNCircuitSetEdgeGains(k->c, g));
  }
  PetscCall(KNTestFillVec(k->X, 3, 0.9));
  PetscCall(KNTestFillVec(k->W, 5, 1.0));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CaseDestroy(Case *k)
{
  PetscFunctionBeginUser;
  PetscCall(VecDestroy(&k->X));
  PetscCall(VecDestroy(&k->W));
  PetscCall(VecDestroy(&k->Y));
  PetscCall(VecDestroy(&k->F1));
  PetscCall(VecDestroy(&k->F2));
  PetscCall(VecDestroy(&k->theta));
  PetscCall(KNCircuitDestroy(&k->c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Directional FD: (W . F(X + h e_k) - W . F(X - h e_k)) / 2h for state entry k (voltages/logp) or parameter k. */
static PetscErrorCode FDEntry(Case *k, PetscInt idx, PetscBool param, PetscReal *fd)
{
  const PetscReal h = 1e-6;
  PetscReal       f[2];
  Vec             v = param ? k->theta : k->X;

  PetscFunctionBeginUser;
  for (PetscInt s = 0; s < 2; s++) {
    PetscReal val;
    PetscCall(KNTestVecAddValue(v, idx, s ? -h : h));
    PetscCall(VecAssemblyBegin(v));
    PetscCall(VecAssemblyEnd(v));
    if (param) PetscCall(KNCircuitSetParameters(k->c, k->theta));
    PetscCall(KNCircuitComputeRHS(k->c, k->X, k->F1));
    PetscCall(VecDot(k->W, k->F1, &val));
    f[s] = val;
    PetscCall(KNTestVecAddValue(v, idx, s ? h : -h));
    PetscCall(VecAssemblyBegin(v));
    PetscCall(VecAssemblyEnd(v));
  }
  if (param) PetscCall(KNCircuitSetParameters(k->c, k->theta));
  *fd = (f[0] - f[1]) / (2 * h);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckCase(KNTest *t, KNDeviceType type, PetscBool flow, PetscBool reverse, PetscBool gains)
{
  Case             k;
  PetscInt         n, np, off, lo, hi, plo, pn, m = 0, *isparam;
  PetscReal       *ys, *yp, *fd, *ad, err, same;
  const PetscReal *y;
  Vec              Yt;

  PetscFunctionBeginUser;
  PetscCall(CaseCreate(PETSC_COMM_WORLD, type, flow, reverse, KN_JACOBIAN_SHELL, gains, &k));
  PetscCall(VecDuplicate(k.theta, &Yt));
  PetscCall(KNCircuitComputeJacobianTranspose(k.c, k.X, k.W, k.Y, Yt));
  PetscCall(VecGetLocalSize(k.theta, &pn));
  PetscCall(VecGetSize(k.X, &n));
  PetscCall(VecGetSize(k.theta, &np));
  PetscCall(VecGetOwnershipRange(k.X, &lo, &hi));
  PetscCall(VecGetOwnershipRange(k.theta, &plo, NULL));
  off = hi - lo - pn; /* the parameter block ends each rank's part of the state */
  {
    const PetscReal *yt; /* the parameter Vec output equals the state's parameter block */
    PetscReal        d = 0;
    PetscCall(VecGetArrayRead(k.Y, &y));
    PetscCall(VecGetArrayRead(Yt, &yt));
    for (PetscInt i = 0; i < pn; i++) d = PetscMax(d, PetscAbsReal(yt[i] - y[off + i]));
    PetscCall(VecRestoreArrayRead(Yt, &yt));
    PetscCall(VecRestoreArrayRead(k.Y, &y));
    PetscCallMPI(MPI_Allreduce(&d, &same, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  }
  /* the analytic product, by global state index (voltages, logp) and by parameter index, on every rank */
  PetscCall(PetscCalloc3(n, &ys, np, &yp, n, &isparam));
  PetscCall(PetscMalloc2(n, &fd, n, &ad));
  PetscCall(VecGetArrayRead(k.Y, &y));
  for (PetscInt i = 0; i < hi - lo; i++) {
    if (i < off) ys[lo + i] = y[i];
    else yp[plo + i - off] = y[i], isparam[lo + i] = 1;
  }
  PetscCall(VecRestoreArrayRead(k.Y, &y));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, ys, (PetscMPIInt)n, MPIU_REAL, MPIU_SUM, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, yp, (PetscMPIInt)np, MPIU_REAL, MPIU_SUM, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, isparam, (PetscMPIInt)n, MPIU_INT, MPI_MAX, PETSC_COMM_WORLD));
  for (PetscInt i = 0; i < n; i++)
    if (!isparam[i]) {
      PetscCall(FDEntry(&k, i, PETSC_FALSE, &fd[m]));
      ad[m++] = ys[i];
    }
  for (PetscInt i = 0; i < np; i++) {
    PetscCall(FDEntry(&k, i, PETSC_TRUE, &fd[m]));
    ad[m++] = yp[i];
  }
  err = KNTestRelErr(m, ad, fd);
  PetscCall(KNTestOk(t, (PetscBool)(err < 1e-6 && same == 0), "%s flow=%d reverse=%d%s: fused J^T/Jp^T vs FD over %" PetscInt_FMT " entries, rel err %.2e", type, (int)flow, (int)reverse, gains ? " with edge gains" : "", m, (double)err));
  PetscCall(VecDestroy(&Yt));
  PetscCall(PetscFree3(ys, yp, isparam));
  PetscCall(PetscFree2(fd, ad));
  PetscCall(CaseDestroy(&k));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The COO AIJ Jacobian must equal the shell: J_aij^T w == fused product. */
static PetscErrorCode CheckAIJ(KNTest *t, KNDeviceType type, PetscBool flow, PetscBool gains)
{
  Case      k;
  TS        ts;
  Mat       J;
  Vec       Y2;
  PetscReal nrm, err;

  PetscFunctionBeginUser;
  PetscCall(CaseCreate(PETSC_COMM_WORLD, type, flow, PETSC_FALSE, KN_JACOBIAN_AIJ, gains, &k));
  PetscCall(KNCircuitComputeJacobianTranspose(k.c, k.X, k.W, k.Y, NULL));
  PetscCall(KNCircuitGetTS(k.c, &ts));
  PetscCall(TSGetRHSJacobian(ts, &J, NULL, NULL, NULL));
  PetscCall(TSComputeRHSJacobian(ts, 0.0, k.X, J, J));
  PetscCall(VecDuplicate(k.Y, &Y2));
  PetscCall(MatMultTranspose(J, k.W, Y2));
  PetscCall(VecNorm(k.Y, NORM_INFINITY, &nrm));
  PetscCall(VecAXPY(Y2, -1.0, k.Y));
  PetscCall(VecNorm(Y2, NORM_INFINITY, &err));
  PetscCall(KNTestOk(t, (PetscBool)(err <= 1e-13 * nrm), "%s flow=%d%s: COO AIJ J^T w equals the fused shell product (diff %.2e)", type, (int)flow, gains ? " with edge gains" : "", (double)(err / nrm)));
  PetscCall(VecDestroy(&Y2));
  PetscCall(CaseDestroy(&k));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest        t;
  PetscInt      ntypes;
  const char  **types;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNDeviceGetTypes(&ntypes, &types));
  for (PetscInt i = 0; i < ntypes; i++) PetscCall(CheckCase(&t, types[i], PETSC_FALSE, PETSC_FALSE, PETSC_FALSE));
  PetscCall(CheckCase(&t, KNDEVICESHIFTTANH2, PETSC_TRUE, PETSC_FALSE, PETSC_FALSE));
  PetscCall(CheckCase(&t, KNDEVICESHIFTTANH1, PETSC_TRUE, PETSC_TRUE, PETSC_FALSE));
  PetscCall(CheckCase(&t, KNDEVICESHIFTRELU1, PETSC_TRUE, PETSC_FALSE, PETSC_FALSE));
  PetscCall(CheckCase(&t, KNDEVICESHIFTTANH2, PETSC_FALSE, PETSC_FALSE, PETSC_TRUE));
  PetscCall(CheckCase(&t, KNDEVICESHIFTTANH1, PETSC_TRUE, PETSC_TRUE, PETSC_TRUE));
  PetscCall(CheckAIJ(&t, KNDEVICESHIFTTANH2, PETSC_FALSE, PETSC_FALSE));
  PetscCall(CheckAIJ(&t, KNDEVICESHIFTTANH1, PETSC_TRUE, PETSC_FALSE));
  PetscCall(CheckAIJ(&t, KNDEVICESHIFTRELU1, PETSC_TRUE, PETSC_TRUE));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
