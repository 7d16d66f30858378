static char help[] = "Adaptive steps are rank independent for every law: the error norms are summed in node order, so ReLU laws take the "
                     "same steps near their kinks on any rank count and v(T), dL/dv(0) and dL/dtheta are bitwise those of 1 rank.\n";

#include <string.h>
#include "kntestutil.h"

typedef struct {
  PetscInt   steps, rejects, n, np;
  PetscReal *v, *lam, *g; /* v(T) and dL/dv(0) by original node (n = N*B entries), dL/dtheta in graph order (np) */
} Result;

/* The values of a state Vec at every node, by original id, on every rank (a sum of disjoint arrays: exact). */
static PetscErrorCode GatherNodes(KNCircuit c, Vec X, PetscInt N, PetscInt B, PetscReal out[])
{
  PetscInt         n, lo;
  const PetscInt  *own;
  const PetscReal *x;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(out, N * B));
  PetscCall(KNCircuitGetOwnedNodes(c, &n, &own));
  PetscCall(VecGetOwnershipRange(X, &lo, NULL));
  PetscCall(VecGetArrayRead(X, &x));
  for (PetscInt k = 0; k < n; k++) {
    PetscInt idx;
    PetscCall(KNCircuitGetNodeStateIndex(c, own[k], &idx));
    for (PetscInt b = 0; b < B; b++) out[(own[k] - 1) * B + b] = x[idx - lo + b];
  }
  PetscCall(VecRestoreArrayRead(X, &x));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, out, (PetscMPIInt)(N * B), MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)X)));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Forward solve and adjoint of L = sum v(T) w of a random circuit of 60 nodes and 400 edges on comm. */
static PetscErrorCode Run(MPI_Comm comm, KNDeviceType type, Result *r)
{
  const PetscInt N = 60, E = 400, B = 8;
  KNGraph        g;
  KNDevice       d;
  KNCircuit      c;
  Vec            X, L, G, th, Gg;
  KNCircuitStats st;
  PetscInt       rows;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateRandom(comm, N, E, 7, &g));
  PetscCall(KNDeviceCreate(comm, &d));
  PetscCall(KNDeviceSetType(d, type));
  PetscCall(KNCircuitCreate(comm, &c));
  PetscCall(KNCircuitSetGraph(c, g));
  PetscCall(KNCircuitSetDevice(c, d));
  PetscCall(KNCircuitSetBatchSize(c, B));
  PetscCall(KNCircuitSetDuration(c, 2.0));
  PetscCall(KNCircuitSetFromOptions(c));
  PetscCall(KNCircuitSetUp(c));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &Gg));
  PetscCall(KNCircuitGetSizes(c, NULL, NULL, &rows));
  {
    PetscInt lo, hi; /* the same parameters in graph order on any rank count */
    PetscCall(VecGetOwnershipRange(Gg, &lo, &hi));
    for (PetscInt i = lo; i < hi; i++) PetscCall(VecSetValue(Gg, i, 1.2 * KNTestRand(19, i), INSERT_VALUES));
    PetscCall(VecAssemblyBegin(Gg));
    PetscCall(VecAssemblyEnd(Gg));
  }
  PetscCall(KNCircuitParametersFromGraphOrder(c, Gg, th));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(VecDuplicate(X, &L));
  PetscCall(VecSet(X, 0));
  PetscCall(VecSet(L, 0));
  {
    PetscInt n, lo;
    const PetscInt *own;
    PetscCall(KNCircuitGetOwnedNodes(c, &n, &own));
    PetscCall(VecGetOwnershipRange(X, &lo, NULL));
    for (PetscInt k = 0; k < n; k++) {
      PetscInt idx;
      PetscCall(KNCircuitGetNodeStateIndex(c, own[k], &idx));
      for (PetscInt b = 0; b < B; b++) {
        PetscCall(VecSetValue(X, idx + b, KNTestRand(17, (own[k] - 1) * B + b), INSERT_VALUES));
        PetscCall(VecSetValue(L, idx + b, KNTestRand(23, (own[k] - 1) * B + b), INSERT_VALUES));
      }
    }
    PetscCall(VecAssemblyBegin(X));
    PetscCall(VecAssemblyEnd(X));
    PetscCall(VecAssemblyBegin(L));
    PetscCall(VecAssemblyEnd(L));
  }
  PetscCall(KNCircuitCreateParameterVec(c, &G));
  PetscCall(VecSet(G, 0));
  PetscCall(KNCircuitSolveAdjoint(c, X, L, G));
  PetscCall(KNCircuitGetStats(c, &st));
  r->steps = st.steps, r->rejects = st.rejects, r->n = N * B, r->np = rows * E;
  PetscCall(PetscMalloc3(r->n, &r->v, r->n, &r->lam, r->np, &r->g));
  PetscCall(GatherNodes(c, X, N, B, r->v));
  PetscCall(GatherNodes(c, L, N, B, r->lam));
  PetscCall(KNCircuitParametersToGraphOrder(c, G, Gg));
  {
    VecScatter sc;
    Vec        all;
    const PetscReal *a;
    PetscCall(VecScatterCreateToAll(Gg, &sc, &all));
    PetscCall(VecScatterBegin(sc, Gg, all, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(sc, Gg, all, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecGetArrayRead(all, &a));
    PetscCall(PetscArraycpy(r->g, a, r->np));
    PetscCall(VecRestoreArrayRead(all, &a));
    PetscCall(VecScatterDestroy(&sc));
    PetscCall(VecDestroy(&all));
  }
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&L));
  PetscCall(VecDestroy(&G));
  PetscCall(VecDestroy(&th));
  PetscCall(VecDestroy(&Gg));
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Compare(KNTest *t, KNDeviceType type)
{
  PetscMPIInt rank, size;
  Result      par, ser;
  PetscInt    ok[3] = {0, 0, 0};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(Run(PETSC_COMM_WORLD, type, &par));
  if (rank == 0) {
    PetscCall(Run(PETSC_COMM_SELF, type, &ser));
    ok[0] = par.steps == ser.steps && par.rejects == ser.rejects;
    ok[1] = !memcmp(par.v, ser.v, sizeof(PetscReal) * par.n);
    ok[2] = !memcmp(par.lam, ser.lam, sizeof(PetscReal) * par.n) && !memcmp(par.g, ser.g, sizeof(PetscReal) * par.np);
    PetscCall(KNTestOk(t, PETSC_TRUE, "%s: %" PetscInt_FMT " steps, %" PetscInt_FMT " rejected on %d ranks; %" PetscInt_FMT ", %" PetscInt_FMT " on 1 (max rel diff v(T) %.1e, dL/dtheta %.1e)", type, par.steps, par.rejects, size, ser.steps, ser.rejects, (double)KNTestRelErr(par.n, par.v, ser.v), (double)KNTestRelErr(par.np, par.g, ser.g)));
    PetscCall(PetscFree3(ser.v, ser.lam, ser.g));
  } else PetscCall(KNTestOk(t, PETSC_TRUE, "(rank 0 reports)"));
  PetscCallMPI(MPI_Bcast(ok, 3, MPIU_INT, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)ok[0], "%s: the same accepted and rejected steps as 1 rank", type));
  PetscCall(KNTestOk(t, (PetscBool)ok[1], "%s: v(T) bitwise that of 1 rank", type));
  PetscCall(KNTestOk(t, (PetscBool)ok[2], "%s: dL/dv(0) and dL/dtheta bitwise those of 1 rank", type));
  PetscCall(PetscFree3(par.v, par.lam, par.g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsInsertString(NULL, "-ts_rtol 1e-7 -ts_atol 1e-7")); /* many steps: many chances to cross a kink */
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Compare(&t, KNDEVICERELUDIFF));
  PetscCall(Compare(&t, KNDEVICERELU3P));
  PetscCall(Compare(&t, KNDEVICESHIFTTANH2));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
