static char help[] = "KNInitParameters: statistics of every kind (10^5 entries) and identical values on 1 rank and on all ranks.\n";

#include "kntest.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

#define E_EDGES 50000
#define ROWS    2

/* Mean, variance and the fraction within one standard deviation std0 of 0 of a distributed Vec. */
static PetscErrorCode Moments(Vec v, PetscReal std0, PetscReal *mean, PetscReal *var, PetscReal *frac)
{
  const PetscReal *a;
  PetscInt         n, N;
  PetscReal        s[3] = {0, 0, 0}, S[3];

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetSize(v, &N));
  PetscCall(VecGetArrayRead(v, &a));
  for (PetscInt i = 0; i < n; i++) {
    s[0] += a[i];
    s[1] += a[i] * a[i];
    s[2] += PetscAbsReal(a[i]) < std0;
  }
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscCallMPI(MPI_Allreduce(s, S, 3, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)v)));
  *mean = S[0] / N;
  *var  = S[1] / N - PetscSqr(*mean);
  *frac = S[2] / N;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestStatistics(KNTest *t)
{
  const char     *kinds[4] = {"kaiming", "xavier", "gauss", "uniform"};
  const PetscReal vars[4]  = {2.0 / E_EDGES, 2.0 / (E_EDGES + ROWS), 1e-4, 1.0 / 12}, means[4] = {0, 0, 0, 0.5};
  Vec             v;

  PetscFunctionBeginUser;
  PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, E_EDGES * ROWS, &v));
  for (PetscInt k = 0; k < 4; k++) {
    PetscReal mean = 0, var = 0, frac = 0, sd = PetscSqrtReal(vars[k]);
    PetscCall(KNInitParameters(v, E_EDGES, ROWS, kinds[k], 42));
    PetscCall(Moments(v, sd, &mean, &var, &frac));
    /* mean within 5 standard errors; variance within 5%; normals: P(|x| < sd) = 0.6827 */
    PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(mean - means[k]) < 5 * sd / PetscSqrtReal(E_EDGES * ROWS) && PetscAbsReal(var / vars[k] - 1) < 0.05 && (k == 3 || PetscAbsReal(frac - 0.6827) < 0.01)), "%s: mean %.2e (expected %g), variance %.4e (expected %.4e, ratio %.4f), fraction within 1 sd %.4f", kinds[k], (double)mean, (double)means[k], (double)var, (double)vars[k], (double)(var / vars[k]), (double)frac));
  }
  for (PetscInt k = 0; k < 2; k++) {
    PetscReal mn, mx;
    PetscCall(KNInitParameters(v, E_EDGES, ROWS, k ? "ones" : "zeros", 42));
    PetscCall(VecMin(v, NULL, &mn));
    PetscCall(VecMax(v, NULL, &mx));
    PetscCall(KNTestOk(t, (PetscBool)(mn == k && mx == k), "%s: every entry is %d", k ? "ones" : "zeros", (int)k));
  }
  EXPECT_ERROR(t, PETSC_ERR_ARG_UNKNOWN_TYPE, KNInitParameters(v, E_EDGES, ROWS, "he", 42), "an unknown kind is an error listing the valid kinds");
  EXPECT_ERROR(t, PETSC_ERR_ARG_SIZ, KNInitParameters(v, E_EDGES, 3, "kaiming", 42), "a Vec whose size is not E * rows is an error");
  PetscCall(VecDestroy(&v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The same values on PETSC_COMM_WORLD (any rank count) as on one rank, bit for bit; another seed differs. */
static PetscErrorCode TestRanks(KNTest *t)
{
  const PetscInt N = 3 * 1001;
  Vec            par, all, ser, other;
  VecScatter     sc;
  PetscMPIInt    rank, size;
  PetscReal      d[2] = {0, 0};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, N, &par));
  PetscCall(KNInitParameters(par, 1001, 3, "kaiming", 7));
  PetscCall(VecScatterCreateToZero(par, &sc, &all));
  PetscCall(VecScatterBegin(sc, par, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, par, all, INSERT_VALUES, SCATTER_FORWARD));
  if (rank == 0) {
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, N, &ser));
    PetscCall(VecDuplicate(ser, &other));
    PetscCall(KNInitParameters(ser, 1001, 3, "kaiming", 7));
    PetscCall(KNInitParameters(other, 1001, 3, "kaiming", 8));
    PetscCall(VecAXPY(other, -1.0, ser));
    PetscCall(VecAXPY(ser, -1.0, all));
    PetscCall(VecNorm(ser, NORM_INFINITY, &d[0]));
    PetscCall(VecNorm(other, NORM_INFINITY, &d[1]));
    PetscCall(VecDestroy(&ser));
    PetscCall(VecDestroy(&other));
  }
  PetscCallMPI(MPI_Bcast(d, 2, MPIU_REAL, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)(d[0] == 0 && d[1] > 0), "kaiming on %d rank(s) equals 1 rank bit for bit (max diff %g); seed 8 differs from seed 7", (int)size, (double)d[0]));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&all));
  PetscCall(VecDestroy(&par));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestStatistics(&t));
  PetscCall(TestRanks(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
