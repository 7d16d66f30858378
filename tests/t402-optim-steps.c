static char help[] = "KNOptimizer: AdamW, Adam and SGD steps against hand-computed PyTorch values; clipping, options, restart, errors.\n";

#include "kntestutil.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

/* A Vec of global size n on comm, entry i = f[i] (every rank passes all n values). */
static PetscErrorCode VecFromArray(MPI_Comm comm, PetscInt n, const PetscReal f[], Vec *v)
{
  PetscInt   lo, hi;
  PetscReal *a;

  PetscFunctionBeginUser;
  PetscCall(VecCreateMPI(comm, PETSC_DECIDE, n, v));
  PetscCall(VecGetOwnershipRange(*v, &lo, &hi));
  PetscCall(VecGetArray(*v, &a));
  for (PetscInt i = lo; i < hi; i++) a[i - lo] = f[i];
  PetscCall(VecRestoreArray(*v, &a));
  PetscFunctionReturn(KN_SUCCESS);
}

/* max_i |v[i] - f[i]| over all ranks. */
static PetscErrorCode VecMaxDiff(Vec v, const PetscReal f[], PetscReal *d)
{
  PetscInt         lo, hi;
  const PetscReal *a;
  PetscReal        m = 0;

  PetscFunctionBeginUser;
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  PetscCall(VecGetArrayRead(v, &a));
  for (PetscInt i = lo; i < hi; i++) m = PetscMax(m, PetscAbsReal(a[i - lo] - f[i]));
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscCallMPI(MPI_Allreduce(&m, d, 1, MPIU_REAL, MPI_MAX, PetscObjectComm((PetscObject)v)));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Three steps on the scalar theta0 = 1 with gradients 0.5, 0.25, -1 and lr 0.1; returns theta after each step. */
static PetscErrorCode ScalarRun(KNOptimizerType type, PetscReal wd, PetscReal mu, PetscReal th[3])
{
  const PetscReal g[3] = {0.5, 0.25, -1.0};
  KNOptimizer     opt;
  Vec             x, G;

  PetscFunctionBeginUser;
  PetscCall(KNOptimizerCreate(PETSC_COMM_SELF, &opt));
  PetscCall(KNOptimizerSetType(opt, type));
  PetscCall(KNOptimizerSetLearningRate(opt, 0.1));
  PetscCall(KNOptimizerSetWeightDecay(opt, wd));
  PetscCall(KNOptimizerSetMomentum(opt, mu));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, 1, &x));
  PetscCall(VecDuplicate(x, &G));
  PetscCall(VecSet(x, 1.0));
  for (PetscInt k = 0; k < 3; k++) {
    PetscCall(VecSet(G, g[k]));
    PetscCall(KNOptimizerStep(opt, x, G));
    PetscCall(VecGetValues(x, 1, (PetscInt[]){0}, &th[k]));
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&G));
  PetscCall(KNOptimizerDestroy(&opt));
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  Hand values (theta0 = 1, g = 0.5, 0.25, -1, lr = 0.1, betas 0.9/0.999, eps 1e-8):
  AdamW wd 0.01, step 1: theta = 1 (1 - 0.001) - 0.1 * 0.5/(0.5 + 1e-8) = 0.899000002
    step 2: theta = 0.899000002 * 0.999 - 0.1 (0.07/0.19) / (sqrt(0.00031225/0.001999) + 1e-8) = 0.80488304047546...
    (m2 = 0.9*0.05 + 0.1*0.25 = 0.07, v2 = 0.999*0.00025 + 0.001*0.0625 = 0.00031225)
  Adam wd 0.1 (L2), step 1: g = 0.5 + 0.1 = 0.6, theta = 1 - 0.1 * 0.6/(0.6 + 1e-8) = 0.90000000166666...
  SGD wd 0.1, momentum 0.9: step 1: d = 0.6, buf = 0.6, theta = 0.94;
    step 2: d = 0.25 + 0.094 = 0.344, buf = 0.54 + 0.344 = 0.884, theta = 0.8516;
    step 3: d = -1 + 0.08516 = -0.91484, buf = 0.7956 - 0.91484 = -0.11924, theta = 0.863524
  (step 3 of the Adam variants: the same recursion, values from an independent float64 evaluation.)
*/
static PetscErrorCode TestHandValues(KNTest *t)
{
  const PetscReal adamw[3] = {0.899000002, 0.8048830404754623, 0.824713859842936};
  const PetscReal adam[3]  = {0.9000000016666666, 0.8050097658613199, 0.8120982607786772};
  const PetscReal sgd[3]   = {0.94, 0.8516, 0.863524}, plain[3] = {0.95, 0.925, 1.025};
  PetscReal       th[3];

  PetscFunctionBeginUser;
  PetscCall(ScalarRun(KNOPTIMIZERADAMW, 0.01, 0, th));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(3, th, adamw) < 1e-14), "AdamW, 3 steps: %.16g %.16g %.16g (hand %.16g %.16g %.16g)", (double)th[0], (double)th[1], (double)th[2], (double)adamw[0], (double)adamw[1], (double)adamw[2]));
  PetscCall(ScalarRun(KNOPTIMIZERADAM, 0.1, 0, th));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(3, th, adam) < 1e-14), "Adam with L2 0.1, 3 steps: %.16g %.16g %.16g", (double)th[0], (double)th[1], (double)th[2]));
  PetscCall(ScalarRun(KNOPTIMIZERSGD, 0.1, 0.9, th));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(3, th, sgd) < 1e-14), "SGD momentum 0.9, L2 0.1, 3 steps: %.16g %.16g %.16g (hand 0.94 0.8516 0.863524)", (double)th[0], (double)th[1], (double)th[2]));
  PetscCall(ScalarRun(KNOPTIMIZERSGD, 0, 0, th));
  PetscCall(KNTestOk(t, (PetscBool)(KNTestRelErr(3, th, plain) < 1e-15), "plain SGD: theta -= 0.1 g: 0.95 0.925 1.025"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Entry-wise AdamW on a distributed Vec equals the scalar recursion evaluated per entry (layout independence). */
static PetscErrorCode TestDistributed(KNTest *t)
{
  const PetscInt n = 11;
  PetscReal      x0[11], g[11], ref[11], d;
  KNOptimizer    opt;
  Vec            X, G;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) x0[i] = KNTestRand(1, i), g[i] = KNTestRand(2, i);
  PetscCall(VecFromArray(PETSC_COMM_WORLD, n, x0, &X));
  PetscCall(VecFromArray(PETSC_COMM_WORLD, n, g, &G));
  PetscCall(KNOptimizerCreate(PETSC_COMM_WORLD, &opt));
  for (PetscInt k = 0; k < 2; k++) PetscCall(KNOptimizerStep(opt, X, G));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal th = x0[i], m = 0, v = 0;
    for (PetscInt k = 1; k <= 2; k++) {
      th *= 1 - 1e-3 * 0.01;
      m = 0.9 * m + 0.1 * g[i];
      v = 0.999 * v + 0.001 * g[i] * g[i];
      th -= 1e-3 / (1 - PetscPowReal(0.9, k)) * m / (PetscSqrtReal(v) / PetscSqrtReal(1 - PetscPowReal(0.999, k)) + 1e-8);
    }
    ref[i] = th;
  }
  PetscCall(VecMaxDiff(X, ref, &d));
  PetscCall(KNTestOk(t, (PetscBool)(d < 1e-15), "default AdamW (lr 1e-3, wd 0.01) on a distributed Vec: max diff to the per-entry recursion %.1e", (double)d));
  PetscCall(KNOptimizerDestroy(&opt));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

/* torch clip_grad_norm_: g *= min(1, c/(|g| + 1e-6)). */
static PetscErrorCode TestClip(KNTest *t)
{
  const PetscReal g[2] = {3, 4}, zero[2] = {0, 0};
  PetscReal       ref[2], d, gn;
  KNOptimizer     opt;
  Vec             X, G;

  PetscFunctionBeginUser;
  PetscCall(VecFromArray(PETSC_COMM_WORLD, 2, zero, &X));
  PetscCall(VecFromArray(PETSC_COMM_WORLD, 2, g, &G));
  PetscCall(KNOptimizerCreate(PETSC_COMM_WORLD, &opt));
  PetscCall(KNOptimizerSetType(opt, KNOPTIMIZERSGD));
  PetscCall(KNOptimizerSetLearningRate(opt, 1.0));
  PetscCall(KNOptimizerSetClipNorm(opt, 1.0));
  PetscCall(KNOptimizerStep(opt, X, G));
  PetscCall(KNOptimizerGetGradientNorm(opt, &gn));
  ref[0] = -3 / (5 + 1e-6), ref[1] = -4 / (5 + 1e-6);
  PetscCall(VecMaxDiff(X, ref, &d));
  PetscCall(KNTestOk(t, (PetscBool)(d < 1e-15 && gn == 5), "clip 1: |g| = 5 (got %g) scaled by 1/(5 + 1e-6): max diff %.1e", (double)gn, (double)d));
  PetscCall(KNOptimizerSetClipNorm(opt, 10.0));
  PetscCall(VecSet(X, 0));
  PetscCall(KNOptimizerStep(opt, X, G));
  ref[0] = -3, ref[1] = -4;
  PetscCall(VecMaxDiff(X, ref, &d));
  PetscCall(KNTestOk(t, (PetscBool)(d == 0), "clip 10 leaves a gradient of norm 5 unchanged"));
  PetscCall(KNOptimizerDestroy(&opt));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Steps 1-2, then a fresh optimizer restored from the moments and step count takes step 3: bitwise equal. */
static PetscErrorCode TestRestart(KNTest *t)
{
  const PetscInt n = 9;
  PetscReal      x0[9], g[9], d;
  KNOptimizer    a, b;
  Vec            Xa, Xb, G, ma, va, mb, vb;
  PetscInt       step;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) x0[i] = KNTestRand(3, i), g[i] = KNTestRand(4, i);
  PetscCall(VecFromArray(PETSC_COMM_WORLD, n, x0, &Xa));
  PetscCall(VecFromArray(PETSC_COMM_WORLD, n, g, &G));
  PetscCall(KNOptimizerCreate(PETSC_COMM_WORLD, &a));
  PetscCall(KNOptimizerStep(a, Xa, G));
  PetscCall(VecScale(G, -0.5));
  PetscCall(KNOptimizerStep(a, Xa, G));
  PetscCall(VecDuplicate(Xa, &Xb));
  PetscCall(VecCopy(Xa, Xb));
  PetscCall(KNOptimizerCreate(PETSC_COMM_WORLD, &b));
  PetscCall(KNOptimizerSetUp(b, Xb));
  PetscCall(KNOptimizerGetMoments(a, &ma, &va));
  PetscCall(KNOptimizerGetMoments(b, &mb, &vb));
  PetscCall(VecCopy(ma, mb));
  PetscCall(VecCopy(va, vb));
  PetscCall(KNOptimizerGetStep(a, &step));
  PetscCall(KNOptimizerSetStep(b, step));
  PetscCall(VecScale(G, 3.0));
  PetscCall(KNOptimizerStep(a, Xa, G));
  PetscCall(KNOptimizerStep(b, Xb, G));
  PetscCall(VecAXPY(Xb, -1.0, Xa));
  PetscCall(VecNorm(Xb, NORM_INFINITY, &d));
  PetscCall(KNTestOk(t, (PetscBool)(step == 2 && d == 0), "restart from moments + step count (%" PetscInt_FMT ") continues bit-identically", step));
  PetscCall(KNOptimizerDestroy(&a));
  PetscCall(KNOptimizerDestroy(&b));
  PetscCall(VecDestroy(&Xa));
  PetscCall(VecDestroy(&Xb));
  PetscCall(VecDestroy(&G));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestOptions(KNTest *t)
{
  KNOptimizer     opt;
  KNOptimizerType type;
  PetscReal       lr, b1, b2, eps, wd, mu, clip;
  PetscBool       same;

  PetscFunctionBeginUser;
  PetscCall(KNOptimizerCreate(PETSC_COMM_WORLD, &opt));
  PetscCall(KNOptimizerGetHyperParameters(opt, &lr, &b1, &b2, &eps, &wd, &mu, &clip));
  PetscCall(KNTestOk(t, (PetscBool)(lr == 1e-3 && b1 == 0.9 && b2 == 0.999 && eps == 1e-8 && wd == 0.01 && mu == 0 && clip == 0), "defaults: AdamW lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01, no clipping"));
  PetscCall(PetscOptionsInsertString(NULL, "-kn_optim_type sgd -kn_optim_lr 0.5 -kn_optim_momentum 0.9 -kn_optim_clip 2"));
  PetscCall(KNOptimizerSetFromOptions(opt));
  PetscCall(KNOptimizerGetType(opt, &type));
  PetscCall(PetscStrcmp(type, "sgd", &same));
  PetscCall(KNOptimizerGetHyperParameters(opt, &lr, NULL, NULL, NULL, &wd, &mu, &clip));
  PetscCall(KNTestOk(t, (PetscBool)(same && lr == 0.5 && mu == 0.9 && clip == 2 && wd == 0), "-kn_optim_type sgd -kn_optim_lr 0.5 -kn_optim_momentum 0.9 -kn_optim_clip 2 (weight decay follows SGD's default 0)"));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsInsertString(NULL, "-opt2_kn_optim_type adam -opt2_kn_optim_weight_decay 0.2 -opt2_kn_optim_beta1 0.8 -opt2_kn_optim_eps 1e-6"));
  PetscCall(KNOptimizerSetOptionsPrefix(opt, "opt2_"));
  PetscCall(KNOptimizerSetFromOptions(opt));
  PetscCall(KNOptimizerGetType(opt, &type));
  PetscCall(PetscStrcmp(type, "adam", &same));
  PetscCall(KNOptimizerGetHyperParameters(opt, NULL, &b1, NULL, &eps, &wd, NULL, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(same && wd == 0.2 && b1 == 0.8 && eps == 1e-6), "options with a prefix: adam, weight decay 0.2, beta1 0.8, eps 1e-6"));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsInsertString(NULL, "-kn_optim_type lbfgs"));
  PetscCall(KNOptimizerSetOptionsPrefix(opt, NULL));
  EXPECT_ERROR(t, PETSC_ERR_ARG_UNKNOWN_TYPE, KNOptimizerSetFromOptions(opt), "-kn_optim_type lbfgs is an error listing the valid types");
  PetscCall(PetscOptionsClear(NULL));
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNOptimizerSetLearningRate(opt, -1), "a negative learning rate is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNOptimizerSetBetas(opt, 1.0, 0.999), "beta1 = 1 is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNOptimizerSetClipNorm(opt, -1), "a negative clipping norm is an error");
  {
    Vec X, G;
    PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, 4, &X));
    PetscCall(VecDuplicate(X, &G));
    PetscCall(VecSet(X, 1.0));
    PetscCall(VecSet(G, PETSC_INFINITY));
    EXPECT_ERROR(t, PETSC_ERR_FP, KNOptimizerStep(opt, X, G), "a non-finite gradient is an error");
    PetscCall(VecNorm(X, NORM_INFINITY, &lr));
    PetscCall(KNTestOk(t, (PetscBool)(lr == 1.0), "... and leaves the parameters untouched"));
    PetscCall(VecDestroy(&X));
    PetscCall(VecDestroy(&G));
  }
  PetscCall(KNOptimizerDestroy(&opt));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestHandValues(&t));
  PetscCall(TestDistributed(&t));
  PetscCall(TestClip(&t));
  PetscCall(TestRestart(&t));
  PetscCall(TestOptions(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
