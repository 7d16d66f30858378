static char help[] = "Synthetic datasets: the construction of each generator checked from its samples (labels, radii, residual noise, formula).\n";

#include "kntest.h"

#define NS 20000

/* Mean and standard deviation of n values. */
static void Stats(PetscInt n, const PetscReal a[], PetscReal *mean, PetscReal *sd)
{
  PetscReal s = 0, s2 = 0;

  for (PetscInt i = 0; i < n; i++) s += a[i];
  *mean = s / n;
  for (PetscInt i = 0; i < n; i++) s2 += PetscSqr(a[i] - *mean);
  *sd = PetscSqrtReal(s2 / n);
}

static PetscErrorCode Create(const char name[], PetscInt n, const PetscReal **x, const PetscReal **y, KNDataset *ds)
{
  PetscFunctionBeginUser;
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, name, n, 42, ds));
  PetscCall(KNDatasetGetData(*ds, x, y));
  PetscFunctionReturn(KN_SUCCESS);
}

/* swissroll: t in [1.5 pi, 4.5 pi]; 5 x - (t cos t, t sin t) is N(0, 1) noise. */
static PetscErrorCode TestSwissRoll(KNTest *t)
{
  KNDataset        ds;
  const PetscReal *x, *y;
  PetscReal       *e0, *e1, m0, s0, m1, s1;
  PetscBool        range = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(Create("swissroll", NS, &x, &y, &ds));
  PetscCall(PetscMalloc2(NS, &e0, NS, &e1));
  for (PetscInt i = 0; i < NS; i++) {
    range = (PetscBool)(range && y[i] >= 1.5 * PETSC_PI && y[i] <= 4.5 * PETSC_PI);
    e0[i] = 5 * x[2 * i] - y[i] * PetscCosReal(y[i]);
    e1[i] = 5 * x[2 * i + 1] - y[i] * PetscSinReal(y[i]);
  }
  Stats(NS, e0, &m0, &s0);
  Stats(NS, e1, &m1, &s1);
  PetscCall(KNTestOk(t, (PetscBool)(range && PetscAbsReal(m0) < 0.03 && PetscAbsReal(m1) < 0.03 && PetscAbsReal(s0 - 1) < 0.03 && PetscAbsReal(s1 - 1) < 0.03), "swissroll: t in [1.5 pi, 4.5 pi]; 5x - (t cos t, t sin t) has mean (%.3f, %.3f), std (%.3f, %.3f) ~ N(0, 1)", (double)m0, (double)m1, (double)s0, (double)s1));
  PetscCall(PetscFree2(e0, e1));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* 2spirals: row h + j is the mirror of row j up to the 0.1 N(0, 1) noise of both: their sum has std 0.1 sqrt 2. */
static PetscErrorCode Test2Spirals(KNTest *t)
{
  KNDataset        ds;
  const PetscReal *x, *y;
  const PetscInt   h = NS / 2;
  PetscReal       *s, m, sd, rmax = 0;
  PetscBool        lab = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(Create("2spirals", NS, &x, &y, &ds));
  PetscCall(PetscMalloc1(2 * h, &s));
  for (PetscInt j = 0; j < h; j++) {
    s[2 * j]     = x[2 * (h + j)] + x[2 * j];
    s[2 * j + 1] = x[2 * (h + j) + 1] + x[2 * j + 1];
    lab          = (PetscBool)(lab && y[j] == 0 && y[h + j] == 1);
    rmax         = PetscMax(rmax, PetscSqrtReal(PetscSqr(x[2 * j]) + PetscSqr(x[2 * j + 1])));
  }
  Stats(2 * h, s, &m, &sd);
  PetscCall(KNTestOk(t, (PetscBool)(lab && PetscAbsReal(m) < 0.01 && PetscAbsReal(sd - 0.1 * PetscSqrtReal(2.0)) < 0.01 && rmax < (3 * PETSC_PI + 0.71) / 3 + 0.6), "2spirals: arm 1 = -arm 0 + noise (sum: mean %.4f, std %.4f ~ 0.1414), labels 0/1 by arm, max radius %.2f", (double)m, (double)sd, (double)rmax));
  PetscCall(PetscFree(s));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* pinwheel: 102 points per class for n = 510; |x|/2 = |f| with f0 ~ 1 + 0.3 N, f1 ~ 0.1 N: mean ~ 1.005. */
static PetscErrorCode TestPinwheel(KNTest *t)
{
  KNDataset        ds;
  const PetscReal *x, *y;
  PetscInt         cnt[5] = {0, 0, 0, 0, 0};
  PetscReal       *r, m, sd;

  PetscFunctionBeginUser;
  PetscCall(Create("pinwheel", 510, &x, &y, &ds));
  for (PetscInt i = 0; i < 510; i++) cnt[(PetscInt)y[i]]++;
  PetscCall(KNDatasetDestroy(&ds));
  PetscCall(Create("pinwheel", NS, &x, &y, &ds));
  PetscCall(PetscMalloc1(NS, &r));
  for (PetscInt i = 0; i < NS; i++) r[i] = 0.5 * PetscSqrtReal(PetscSqr(x[2 * i]) + PetscSqr(x[2 * i + 1]));
  Stats(NS, r, &m, &sd);
  PetscCall(KNTestOk(t, (PetscBool)(cnt[0] == 102 && cnt[1] == 102 && cnt[2] == 102 && cnt[3] == 102 && cnt[4] == 102 && PetscAbsReal(m - 1.005) < 0.02 && PetscAbsReal(sd - 0.3) < 0.02), "pinwheel: 102 points per class at n = 510; |x|/2 has mean %.3f (~1.005), std %.3f (~0.3)", (double)m, (double)sd));
  PetscCall(PetscFree(r));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* 8gaussians: 1.414 x - 4 centre(label) is N(0, 0.5^2 I); each centre gets ~n/8 points. */
static PetscErrorCode Test8Gaussians(KNTest *t)
{
  const PetscReal  h = 1 / PetscSqrtReal(2.0), cx[8] = {1, -1, 0, 0, h, h, -h, -h}, cy[8] = {0, 0, 1, -1, h, -h, h, -h};
  KNDataset        ds;
  const PetscReal *x, *y;
  PetscReal       *e, m, sd;
  PetscInt         cnt[8] = {0}, cmin = NS, cmax = 0;

  PetscFunctionBeginUser;
  PetscCall(Create("8gaussians", NS, &x, &y, &ds));
  PetscCall(PetscMalloc1(2 * NS, &e));
  for (PetscInt i = 0; i < NS; i++) {
    PetscInt c = (PetscInt)y[i];
    cnt[c]++;
    e[2 * i]     = 1.414 * x[2 * i] - 4 * cx[c];
    e[2 * i + 1] = 1.414 * x[2 * i + 1] - 4 * cy[c];
  }
  for (PetscInt c = 0; c < 8; c++) cmin = PetscMin(cmin, cnt[c]), cmax = PetscMax(cmax, cnt[c]);
  Stats(2 * NS, e, &m, &sd);
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(m) < 0.02 && PetscAbsReal(sd - 0.5) < 0.02 && cmin > NS / 8 - 200 && cmax < NS / 8 + 200), "8gaussians: 1.414 x - 4 centre has mean %.4f, std %.4f (~0.5); points per centre %" PetscInt_FMT "..%" PetscInt_FMT, (double)m, (double)sd, cmin, cmax));
  PetscCall(PetscFree(e));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* rings: radius - 3 (1 - k/4) for ring k has rms ~ 0.08 (the noise), n/4 points per ring. */
static PetscErrorCode TestRings(KNTest *t)
{
  KNDataset        ds;
  const PetscReal *x, *y;
  PetscReal        s2 = 0;
  PetscInt         cnt[4] = {0, 0, 0, 0};

  PetscFunctionBeginUser;
  PetscCall(Create("rings", NS, &x, &y, &ds));
  for (PetscInt i = 0; i < NS; i++) {
    PetscInt k = (PetscInt)y[i];
    cnt[k]++;
    s2 += PetscSqr(PetscSqrtReal(PetscSqr(x[2 * i]) + PetscSqr(x[2 * i + 1])) - 3 * (1 - 0.25 * k));
  }
  s2 = PetscSqrtReal(s2 / NS);
  PetscCall(KNTestOk(t, (PetscBool)(cnt[0] == NS / 4 && cnt[3] == NS / 4 && PetscAbsReal(s2 - 0.08) < 0.01), "rings: radii 3, 2.25, 1.5, 0.75 with %d points each; radial rms error %.4f (~0.08 noise)", NS / 4, (double)s2));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* checkerboard: every point in [-4, 4)^2 lies in a square with floor(x/2) + floor(y/2) even. */
static PetscErrorCode TestCheckerboard(KNTest *t)
{
  KNDataset        ds;
  const PetscReal *x;
  PetscBool        ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(Create("checkerboard", NS, &x, NULL, &ds));
  for (PetscInt i = 0; i < NS; i++) {
    PetscReal a = PetscFloorReal(x[2 * i] / 2), b = PetscFloorReal(x[2 * i + 1] / 2);
    ok = (PetscBool)(ok && PetscAbsReal(x[2 * i]) <= 4 && PetscAbsReal(x[2 * i + 1]) <= 4 && PetscFmodReal(PetscAbsReal(a + b), 2) == 0);
  }
  PetscCall(KNTestOk(t, ok, "checkerboard: all points on the 8 occupied 2x2 squares of the 4x4 board on [-4, 4]^2"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* friedman1: x in [0, 1)^5 with mean 0.5 and y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 exactly. */
static PetscErrorCode TestFriedman(KNTest *t)
{
  KNDataset        ds;
  const PetscReal *x, *y;
  PetscReal        err = 0, s = 0;
  PetscBool        range = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(Create("friedman1", 4096, &x, &y, &ds));
  for (PetscInt i = 0; i < 4096; i++) {
    const PetscReal *r = x + 5 * i;
    err = PetscMax(err, PetscAbsReal(y[i] - (10 * PetscSinReal(PETSC_PI * r[0] * r[1]) + 20 * PetscSqr(r[2] - 0.5) + 10 * r[3] + 5 * r[4])));
    for (PetscInt k = 0; k < 5; k++) range = (PetscBool)(range && r[k] >= 0 && r[k] < 1), s += r[k];
  }
  s /= 5 * 4096;
  PetscCall(KNTestOk(t, (PetscBool)(err < 1e-13 && range && PetscAbsReal(s - 0.5) < 0.01), "friedman1: y = 10 sin(pi x1 x2) + 20 (x3-0.5)^2 + 10 x4 + 5 x5 (max err %.1e); x in [0,1)^5, mean %.4f", (double)err, (double)s));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestSwissRoll(&t));
  PetscCall(Test2Spirals(&t));
  PetscCall(TestPinwheel(&t));
  PetscCall(Test8Gaussians(&t));
  PetscCall(TestRings(&t));
  PetscCall(TestCheckerboard(&t));
  PetscCall(TestFriedman(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
