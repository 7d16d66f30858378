static char help[] = "Synthetic datasets: sizes, determinism (seed, rank count) and sample moments of every generator.\n";

#include "kntest.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

#define NS 20000

typedef struct {
  const char *name;
  PetscInt    nfeat, ntarget, nclass;
} Gen;

static const Gen gens[] = {
  {"twomoon", 2, 1, 2},   {"circle", 2, 1, 2},       {"swissroll", 2, 1, 0}, {"2spirals", 2, 1, 2}, {"pinwheel", 2, 1, 5},
  {"8gaussians", 2, 1, 8}, {"checkerboard", 2, 0, 0}, {"rings", 2, 1, 4},     {"gauss", 2, 0, 0},    {"friedman1", 5, 1, 0},
};

/* Per-column mean and standard deviation (population) of the features. */
static void Moments(KNDataset ds, PetscReal mean[], PetscReal sd[])
{
  const PetscReal *x;
  PetscInt         n, F;

  (void)KNDatasetGetSizes(ds, &n, &F, NULL);
  (void)KNDatasetGetData(ds, &x, NULL);
  for (PetscInt k = 0; k < F; k++) {
    PetscReal s = 0, s2 = 0;
    for (PetscInt i = 0; i < n; i++) s += x[i * F + k];
    mean[k] = s / n;
    for (PetscInt i = 0; i < n; i++) s2 += PetscSqr(x[i * F + k] - mean[k]);
    sd[k] = PetscSqrtReal(s2 / n);
  }
}

static PetscBool Near2(const PetscReal a[2], PetscReal a0, PetscReal a1, PetscReal tol)
{
  return (PetscBool)(PetscAbsReal(a[0] - a0) < tol && PetscAbsReal(a[1] - a1) < tol);
}

/* Sizes, class labels, same seed => same bits (on every rank), other seed => other data. */
static PetscErrorCode TestBasics(KNTest *t, const Gen *g)
{
  KNDataset        a, b, c;
  PetscInt         n, F, T, C, n0 = 1001;
  const PetscReal *xa, *xb, *xc, *ya;
  PetscBool        same, labels = PETSC_TRUE;
  const char      *name;
  PetscReal        sum[2] = {0, 0}, mn[2], mx[2];

  PetscFunctionBeginUser;
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, g->name, n0, 42, &a));
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, g->name, n0, 42, &b));
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, g->name, n0, 43, &c));
  PetscCall(KNDatasetGetSizes(a, &n, &F, &T));
  PetscCall(KNDatasetGetNumClasses(a, &C));
  PetscCall(KNDatasetGetName(a, &name));
  PetscCall(PetscStrcmp(name, g->name, &same));
  PetscCall(KNDatasetGetData(a, &xa, &ya));
  PetscCall(KNDatasetGetData(b, &xb, NULL));
  PetscCall(KNDatasetGetData(c, &xc, NULL));
  for (PetscInt i = 0; i < n && C; i++) labels = (PetscBool)(labels && ya[i] >= 0 && ya[i] < C && ya[i] == PetscFloorReal(ya[i]));
  PetscCall(KNTestOk(t, (PetscBool)(same && n == n0 && F == g->nfeat && T == g->ntarget && C == g->nclass && labels), "%s: %" PetscInt_FMT " samples x %" PetscInt_FMT " features, %" PetscInt_FMT " targets, %" PetscInt_FMT " classes", g->name, n, F, T, C));
  PetscCall(PetscArraycmp(xa, xb, n * F, &same));
  for (PetscInt i = 0; i < n * F; i++) sum[0] += PetscAbsReal(xa[i] - xc[i]), sum[1] += xa[i] * (1 + i % 7);
  PetscCallMPI(MPI_Allreduce(&sum[1], &mn[0], 1, MPIU_REAL, MPIU_MIN, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(&sum[1], &mx[0], 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, (PetscBool)(same && sum[0] > 0 && mn[0] == mx[0]), "%s: seed 42 twice gives identical data (on every rank), seed 43 differs", g->name));
  PetscCall(KNDatasetDestroy(&a));
  PetscCall(KNDatasetDestroy(&b));
  PetscCall(KNDatasetDestroy(&c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Moments of the sklearn-style sets: twomoon (spec 12: mean (0.50, 0.26), std (0.85, 0.51)), circle, gauss, 8gaussians. */
static PetscErrorCode TestMoments(KNTest *t)
{
  KNDataset ds;
  PetscReal m[2], s[2];
  /* circle: E x^2 = (1 + 0.25)/4 + 0.06^2; 8gaussians: (16 * 0.5 + 0.25)/1.414^2; checkerboard: 2 sqrt(4/3) */
  const PetscReal sc = PetscSqrtReal(1.25 / 4 + 0.0036), s8 = PetscSqrtReal(8.25) / 1.414, scb = 2 * PetscSqrtReal(4.0 / 3);

  PetscFunctionBeginUser;
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "twomoon", NS, 42, &ds));
  Moments(ds, m, s);
  PetscCall(KNTestOk(t, (PetscBool)(Near2(m, 0.5, 0.25, 0.03) && Near2(s, 0.87, 0.50, 0.03)), "twomoon: mean (%.3f, %.3f) ~ (0.5, 0.25), std (%.3f, %.3f) ~ (0.87, 0.50)", (double)m[0], (double)m[1], (double)s[0], (double)s[1]));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "circle", NS, 42, &ds));
  Moments(ds, m, s);
  PetscCall(KNTestOk(t, (PetscBool)(Near2(m, 0, 0, 0.03) && Near2(s, sc, sc, 0.03)), "circle: mean (%.3f, %.3f) ~ 0, std (%.3f, %.3f) ~ %.3f", (double)m[0], (double)m[1], (double)s[0], (double)s[1], (double)sc));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "gauss", NS, 42, &ds));
  Moments(ds, m, s);
  PetscCall(KNTestOk(t, (PetscBool)(Near2(m, -1, -1, 0.03) && Near2(s, 1, 1, 0.03)), "gauss: mean (%.3f, %.3f) ~ -1, std (%.3f, %.3f) ~ 1", (double)m[0], (double)m[1], (double)s[0], (double)s[1]));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "8gaussians", NS, 42, &ds));
  Moments(ds, m, s);
  PetscCall(KNTestOk(t, (PetscBool)(Near2(m, 0, 0, 0.05) && Near2(s, s8, s8, 0.03)), "8gaussians: mean (%.3f, %.3f) ~ 0, std (%.3f, %.3f) ~ %.3f", (double)m[0], (double)m[1], (double)s[0], (double)s[1], (double)s8));
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "checkerboard", NS, 42, &ds));
  Moments(ds, m, s);
  PetscCall(KNTestOk(t, (PetscBool)(Near2(m, 0, 0, 0.05) && Near2(s, scb, scb, 0.03)), "checkerboard: mean (%.3f, %.3f) ~ 0, std (%.3f, %.3f) ~ %.3f", (double)m[0], (double)m[1], (double)s[0], (double)s[1], (double)scb));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;
  char   names[512];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) PetscCall(TestBasics(&t, &gens[i]));
  PetscCall(TestMoments(&t));
  PetscCall(KNDatasetGetSyntheticNames(names, sizeof(names)));
  {
    KNDataset ds = NULL;
    EXPECT_ERROR(&t, PETSC_ERR_ARG_UNKNOWN_TYPE, KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "moons", 10, 1, &ds), "an unknown generator is an error listing %s", names);
    EXPECT_ERROR(&t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "twomoon", 0, 1, &ds), "n = 0 samples is an error");
  }
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
