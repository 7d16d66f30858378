static char help[] = "Threads share each RHS and J^T pass by sample panels: results are bitwise those of one thread.\n";

#include <string.h>
#include "kntestutil.h"

typedef struct {
  KNDeviceType type;
  PetscBool    flow, gains;
  PetscInt     B;
} Case;

/* A fully connected circuit of 48 nodes (1128 edges): enough work per pass for two threads. */
static PetscErrorCode CreateCircuit(const Case *k, PetscInt threads, KNGraph g, KNDevice d, KNCircuit *c)
{
  PetscInt E;

  PetscFunctionBeginUser;
  PetscCall(KNSetNumThreads(threads));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, c));
  PetscCall(KNCircuitSetGraph(*c, g));
  PetscCall(KNCircuitSetDevice(*c, d));
  PetscCall(KNCircuitSetBatchSize(*c, k->B));
  PetscCall(KNCircuitSetFlow(*c, k->flow));
  PetscCall(KNCircuitSetUp(*c));
  PetscCall(KNGraphGetSizes(g, NULL, &E));
  if (k->gains) {
    PetscReal *gain;

    PetscCall(PetscMalloc1(E, &gain));
    for (PetscInt e = 0; e < E; e++) gain[e] = 1.0 + 0.2 * KNTestRand(5, e);
    PetscCall(KNCircuitSetEdgeGains(*c, gain));
    PetscCall(PetscFree(gain));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* F = RHS(X), Y = J(X)^T W and Z = Jp(X)^T W of a circuit with the given threads, on the same X, W and theta. */
static PetscErrorCode Products(const Case *k, PetscInt threads, KNGraph g, KNDevice d, PetscInt *used, Vec *F, Vec *Y, Vec *Z)
{
  KNCircuit c;
  Vec       X, W, th;

  PetscFunctionBeginUser;
  PetscCall(CreateCircuit(k, threads, g, d, &c));
  PetscCall(KNCircuitGetThreads(c, used, NULL));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(KNTestFillVec(X, 17, 1.0));
  PetscCall(VecDuplicate(X, &W));
  PetscCall(KNTestFillVec(W, 23, 1.0));
  PetscCall(VecDuplicate(X, F));
  PetscCall(VecDuplicate(X, Y));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNTestFillVec(th, 19, 1.5));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(VecDuplicate(th, Z));
  PetscCall(KNCircuitComputeRHS(c, X, *F));
  PetscCall(KNCircuitComputeJacobianTranspose(c, X, W, *Y, *Z));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&W));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Bitwise equality of two Vecs with the same layout, on every rank. */
static PetscErrorCode Same(Vec a, Vec b, PetscBool *same)
{
  const PetscReal *x, *y;
  PetscInt         n;
  PetscMPIInt      local, all;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(a, &n));
  PetscCall(VecGetArrayRead(a, &x));
  PetscCall(VecGetArrayRead(b, &y));
  local = memcmp(x, y, sizeof(PetscReal) * (size_t)n) == 0;
  PetscCall(VecRestoreArrayRead(a, &x));
  PetscCall(VecRestoreArrayRead(b, &y));
  PetscCallMPI(MPI_Allreduce(&local, &all, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  *same = all ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Check(KNTest *t, const Case *k)
{
  KNGraph   g;
  KNDevice  d;
  Vec       F1, Y1, Z1, F2, Y2, Z2;
  PetscInt  used1, used2;
  PetscBool sf, sy, sz;
  PetscReal nz;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 48, PETSC_FALSE, 1, 1, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, k->type));
  PetscCall(Products(k, 1, g, d, &used1, &F1, &Y1, &Z1));
  PetscCall(Products(k, 2, g, d, &used2, &F2, &Y2, &Z2));
  PetscCall(Same(F1, F2, &sf));
  PetscCall(Same(Y1, Y2, &sy));
  PetscCall(Same(Z1, Z2, &sz));
  PetscCall(VecNorm(Z1, NORM_INFINITY, &nz));
  PetscCall(KNTestOk(t, (PetscBool)(used1 == 1 && used2 == 2), "%s%s%s B %" PetscInt_FMT ": KNSetNumThreads(2) runs the passes on 2 threads (got %" PetscInt_FMT ", 1 thread: %" PetscInt_FMT ")", k->type, k->flow ? " flow" : "", k->gains ? " gains" : "", k->B, used2, used1));
  PetscCall(KNTestOk(t, (PetscBool)(sf && sy && sz && nz > 0), "%s%s%s B %" PetscInt_FMT ": RHS %s, J^T w %s, Jp^T w %s bitwise between 1 and 2 threads", k->type, k->flow ? " flow" : "", k->gains ? " gains" : "", k->B, sf ? "equal" : "DIFFER", sy ? "equal" : "DIFFER", sz ? "equal" : "DIFFER"));
  PetscCall(VecDestroy(&F1));
  PetscCall(VecDestroy(&Y1));
  PetscCall(VecDestroy(&Z1));
  PetscCall(VecDestroy(&F2));
  PetscCall(VecDestroy(&Y2));
  PetscCall(VecDestroy(&Z2));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  /* fused kernels (apply/vjp, trace/flowvjp) and the generic paths that gains select (current/partials, second) */
  const Case cases[] = {
    {KNDEVICESHIFTTANH2, PETSC_FALSE, PETSC_FALSE, 64},
    {KNDEVICESHIFTRELU1, PETSC_FALSE, PETSC_FALSE, 37},
    {KNDEVICESHIFTTANH2, PETSC_TRUE,  PETSC_FALSE, 64},
    {KNDEVICETANHDIFF,   PETSC_TRUE,  PETSC_FALSE, 37},
    {KNDEVICERELU3P,     PETSC_FALSE, PETSC_TRUE,  64},
    {KNDEVICESHIFTTANH2, PETSC_TRUE,  PETSC_TRUE,  37},
  };
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) PetscCall(Check(&t, &cases[i]));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
