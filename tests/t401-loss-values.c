static char help[] = "Losses and potentials: values against hand computations, gradients against central differences (rel. err <= 1e-7).\n";

#include "kntestutil.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

/* A loss as a function of one perturbable array (the others fixed in ctx): value only. */
typedef PetscErrorCode (*LossFn)(void *ctx, const PetscReal a[], PetscReal *L);

/* max |FD - g| / max |g| over the n entries of a, central differences with step h. */
static PetscErrorCode FDCheck(LossFn f, void *ctx, PetscInt n, const PetscReal a[], const PetscReal g[], PetscReal h, PetscReal *err)
{
  PetscReal *w, *fd;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &w, n, &fd));
  PetscCall(PetscArraycpy(w, a, n));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal Lp, Lm;
    w[i] = a[i] + h;
    PetscCall(f(ctx, w, &Lp));
    w[i] = a[i] - h;
    PetscCall(f(ctx, w, &Lm));
    w[i]  = a[i];
    fd[i] = (Lp - Lm) / (2 * h);
  }
  *err = KNTestRelErr(n, fd, g);
  PetscCall(PetscFree2(w, fd));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  PetscInt         B, K;
  const PetscReal *other, *other2;
  const char      *pot;
  PetscInt         which; /* for the flow losses: 0 = perturb z/x, 1 = perturb lp */
} Ctx;

static PetscErrorCode MSEFn(void *c, const PetscReal a[], PetscReal *L)
{
  Ctx *x = (Ctx *)c;
  return KNLossMSE(x->B, x->K, a, x->other, L, NULL);
}

static PetscErrorCode CEFn(void *c, const PetscReal a[], PetscReal *L)
{
  Ctx *x = (Ctx *)c;
  return KNLossCrossEntropy(x->B, x->K, a, x->other, L, NULL, NULL, NULL);
}

static PetscErrorCode NLLFn(void *c, const PetscReal a[], PetscReal *L)
{
  Ctx *x = (Ctx *)c;
  return x->which ? KNLossFlowNLL(x->B, x->K, x->other, a, L, NULL, NULL) : KNLossFlowNLL(x->B, x->K, a, x->other, L, NULL, NULL);
}

static PetscErrorCode KLFn(void *c, const PetscReal a[], PetscReal *L)
{
  Ctx *x = (Ctx *)c;
  return x->which ? KNLossDensityKL(x->B, x->other, a, x->pot, L, NULL, NULL) : KNLossDensityKL(x->B, a, x->other, x->pot, L, NULL, NULL);
}

static PetscErrorCode TestMSE(KNTest *t)
{
  const PetscReal out[4] = {1, 2, 3, 4}, tg[4] = {0.5, 2.5, 2, 5}, dexp[4] = {0.25, -0.25, 0.5, -0.5};
  PetscReal       L, d[4], err;
  Ctx             c = {2, 2, tg, NULL, NULL, 0};

  PetscFunctionBeginUser;
  PetscCall(KNLossMSE(2, 2, out, tg, &L, d));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - 0.625) < 1e-15 && KNTestRelErr(4, d, dexp) < 1e-15), "MSE: (0.25+0.25+1+1)/4 = 0.625 (got %.17g), dL/dout = 2 r/(BK)", (double)L));
  PetscCall(FDCheck(MSEFn, &c, 4, out, d, 1e-5, &err));
  PetscCall(KNTestOk(t, (PetscBool)(err <= 1e-7), "MSE gradient vs central differences: %.1e", (double)err));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestCE(KNTest *t)
{
  const PetscReal z[6] = {1, 2, 3, 0.5, 0.1, -0.3}, lab[2] = {2, 1};
  const PetscReal Lexp = 0.5 * (PetscLogReal(PetscExpReal(1) + PetscExpReal(2) + PetscExpReal(3)) - 3 + PetscLogReal(PetscExpReal(0.5) + PetscExpReal(0.1) + PetscExpReal(-0.3)) - 0.1);
  const PetscReal z7[7] = {7, 6, 5, 4, 3, 2, 1}, l7a = 4, l7b = 5, big[2] = {1000, 1001}, lb = 0;
  PetscReal       L, d[7], err, dexp0;
  PetscInt        top1, top5, t1, t5;
  Ctx             c = {2, 3, lab, NULL, NULL, 0};

  PetscFunctionBeginUser;
  PetscCall(KNLossCrossEntropy(2, 3, z, lab, &L, d, &top1, &top5));
  dexp0 = (PetscExpReal(1) / (PetscExpReal(1) + PetscExpReal(2) + PetscExpReal(3))) / 2;
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - Lexp) < 1e-14 && PetscAbsReal(d[0] - dexp0) < 1e-15), "cross entropy: mean of log-sum-exp minus the label's logit = %.15g (got %.15g); dL/dz = (softmax - onehot)/B", (double)Lexp, (double)L));
  PetscCall(KNTestOk(t, (PetscBool)(top1 == 1 && top5 == 2), "cross entropy: top-1 1 of 2, top-5 2 of 2 (got %" PetscInt_FMT ", %" PetscInt_FMT ")", top1, top5));
  PetscCall(FDCheck(CEFn, &c, 6, z, d, 1e-5, &err));
  PetscCall(KNTestOk(t, (PetscBool)(err <= 1e-7), "cross entropy gradient vs central differences: %.1e", (double)err));
  PetscCall(KNLossCrossEntropy(1, 7, z7, &l7a, &L, NULL, &t1, &t5));
  PetscCall(KNLossCrossEntropy(1, 7, z7, &l7b, &L, NULL, &top1, &top5));
  PetscCall(KNTestOk(t, (PetscBool)(t1 == 0 && t5 == 1 && top1 == 0 && top5 == 0), "top-5: the 5th largest logit counts, the 6th does not"));
  PetscCall(KNLossCrossEntropy(1, 2, big, &lb, &L, d, NULL, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - PetscLogReal(1 + PetscExpReal(1))) < 1e-12 && PetscAbsReal(d[0] + d[1]) < 1e-15), "cross entropy is stable for logits ~1000 (L = log(1+e) = %.15g, got %.15g)", (double)PetscLogReal(1 + PetscExpReal(1)), (double)L));
  {
    const PetscReal bad = 3, frac = 0.5;
    EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNLossCrossEntropy(1, 3, z, &bad, &L, NULL, NULL, NULL), "cross entropy: label 3 with 3 classes is an error");
    EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNLossCrossEntropy(1, 3, z, &frac, &L, NULL, NULL, NULL), "cross entropy: label 0.5 is an error");
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestFlowNLL(KNTest *t)
{
  const PetscReal z[4] = {0.3, -0.4, 1, 2}, lp[2] = {0.2, -0.7};
  const PetscReal Lexp = 0.5 * ((0.25 / 2 + 0.2) + (5.0 / 2 - 0.7)) + PetscLogReal(2 * PETSC_PI);
  PetscReal       L, dz[4], dlp[2], logpx[2], err0, err1;
  Ctx             c0 = {2, 2, lp, NULL, NULL, 0}, c1 = {2, 2, z, NULL, NULL, 1};

  PetscFunctionBeginUser;
  PetscCall(KNLossFlowNLL(2, 2, z, lp, &L, dz, dlp));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - Lexp) < 1e-14 && dlp[0] == 0.5 && dlp[1] == 0.5 && dz[3] == 1.0), "flow NLL = mean(|z|^2/2 + log 2pi + lp) = %.15g (got %.15g), dL/dlp = 1/B, dL/dz = z/B", (double)Lexp, (double)L));
  PetscCall(FDCheck(NLLFn, &c0, 4, z, dz, 1e-5, &err0));
  PetscCall(FDCheck(NLLFn, &c1, 2, lp, dlp, 1e-5, &err1));
  PetscCall(KNTestOk(t, (PetscBool)(err0 <= 1e-7 && err1 <= 1e-7), "flow NLL gradients vs central differences: dz %.1e, dlp %.1e", (double)err0, (double)err1));
  PetscCall(KNFlowLogLikelihood(2, 2, z, lp, logpx));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(-(logpx[0] + logpx[1]) / 2 - L) < 1e-14), "KNFlowLogLikelihood: log p(x) = log N(z) - lp, and NLL = -mean log p(x)"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Hand values of the four energies at chosen points. */
static PetscErrorCode TestPotentialValues(KNTest *t)
{
  const PetscReal p1[4] = {2, 0, 0, 1}, p2[2] = {1, 0.5}, p3[2] = {0, 0}, p4[2] = {1, 0};
  const PetscReal w2    = 3 * PetscExpReal(-0.5 * PetscSqr(1 / 0.6));
  const PetscReal e1a   = -PetscLogReal(1 + PetscExpReal(-0.5 * PetscSqr(4 / 0.6)));
  const PetscReal e1b   = 3.125 + 0.5 * PetscSqr(2 / 0.6) - PetscLogReal(2.0);
  const PetscReal e3    = -PetscLogReal(1 + PetscExpReal(-0.5 * PetscSqr(w2 / 0.35)));
  const PetscReal e4    = -PetscLogReal(PetscExpReal(-3.125) + PetscExpReal(-0.5 * PetscSqr(0.5 / 0.35)));
  PetscReal       U[2];

  PetscFunctionBeginUser;
  PetscCall(KNPotentialEvaluate("potential1", 2, p1, U, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(U[0] - e1a) < 1e-15 && PetscAbsReal(U[1] - e1b) < 1e-13), "potential1 at (2,0) and (0,1): %.15g, %.15g (hand %.15g, %.15g)", (double)U[0], (double)U[1], (double)e1a, (double)e1b));
  PetscCall(KNPotentialEvaluate("potential2", 1, p2, U, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(U[0] - 0.78125) < 1e-14), "potential2 at (1, 0.5) = ((0.5 - sin(pi/2))/0.4)^2/2 = 0.78125 (got %.15g)", (double)U[0]));
  PetscCall(KNPotentialEvaluate("potential3", 1, p3, U, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(U[0] - e3) < 1e-14), "potential3 at (0, 0) = -log(1 + exp(-(w2/0.35)^2/2)), w2 = 3 exp(-(1/0.6)^2/2): %.15g (got %.15g)", (double)e3, (double)U[0]));
  PetscCall(KNPotentialEvaluate("potential4", 1, p4, U, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(U[0] - e4) < 1e-14), "potential4 at (1, 0): w1 = 1, w3 = 1.5: %.15g (got %.15g)", (double)e4, (double)U[0]));
  PetscFunctionReturn(KN_SUCCESS);
}

/* log Z of potential1 by the midpoint rule on [-8, 8]^2 (spec: 1.8775), and the loss at KL = 0 (0.9604). */
static PetscErrorCode TestPotential1Normaliser(KNTest *t)
{
  const PetscInt  n = 800;
  const PetscReal h = 16.0 / n;
  PetscReal      *z, *U, Z = 0, logZ;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(2 * n, &z, n, &U));
  for (PetscInt i = 0; i < n; i++) {
    for (PetscInt j = 0; j < n; j++) {
      z[2 * j]     = -8 + (i + 0.5) * h;
      z[2 * j + 1] = -8 + (j + 0.5) * h;
    }
    PetscCall(KNPotentialEvaluate("potential1", n, z, U, NULL));
    for (PetscInt j = 0; j < n; j++) Z += PetscExpReal(-U[j]) * h * h;
  }
  logZ = PetscLogReal(Z);
  PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(logZ - 1.8775) < 5e-4), "potential1: log Z = %.5f by quadrature (spec 1.8775); optimum loss 1 + log 2pi - log Z = %.4f (spec 0.9604)", (double)logZ, (double)(1 + PetscLogReal(2 * PETSC_PI) - logZ)));
  PetscCall(PetscFree2(z, U));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestDensityKL(KNTest *t)
{
  const char *names[4] = {"potential1", "potential2", "potential3", "potential4"};
  PetscReal   x[10], lp[5];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < 10; i++) x[i] = 2.5 * KNTestRand(7, i);
  for (PetscInt i = 0; i < 5; i++) lp[i] = KNTestRand(8, i);
  for (PetscInt p = 0; p < 4; p++) {
    PetscReal L, U[5], dx[10], dlp[5], e0 = 0, e1 = 0, s = 0;
    Ctx       c0 = {5, 2, lp, NULL, names[p], 0}, c1 = {5, 2, x, NULL, names[p], 1};

    PetscCall(KNLossDensityKL(5, x, lp, names[p], &L, dx, dlp));
    PetscCall(KNPotentialEvaluate(names[p], 5, x, U, NULL));
    for (PetscInt b = 0; b < 5; b++) s += (lp[b] + U[b]) / 5;
    PetscCall(FDCheck(KLFn, &c0, 10, x, dx, 1e-5, &e0));
    PetscCall(FDCheck(KLFn, &c1, 5, lp, dlp, 1e-5, &e1));
    PetscCall(KNTestOk(t, (PetscBool)(PetscAbsReal(L - s) < 1e-14 && e0 <= 1e-7 && e1 <= 1e-7), "density KL with %s: L = mean(lp + U(x)); gradients vs central differences: dx %.1e, dlp %.1e", names[p], (double)e0, (double)e1));
  }
  {
    PetscReal L;
    EXPECT_ERROR(t, PETSC_ERR_ARG_UNKNOWN_TYPE, KNLossDensityKL(5, x, lp, "potential9", &L, NULL, NULL), "an unknown potential is an error that lists the valid names");
  }
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestMSE(&t));
  PetscCall(TestCE(&t));
  PetscCall(TestFlowNLL(&t));
  PetscCall(TestPotentialValues(&t));
  PetscCall(TestPotential1Normaliser(&t));
  PetscCall(TestDensityKL(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
