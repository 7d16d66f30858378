static char help[] = "DAC/ADC quantisation (KNQuantize, KNRobustnessEvaluate with input/output bits): levels, clipping, 8-bit pixels\n"
                     "kept exactly; 24 bits within 1e-6 of the ideal metric, 1 bit clearly not; the ADC range defaults to the largest\n"
                     "ideal |output|; under the ADC, tied logits do not count in the label's favour; bad settings are errors.\n";

#include "kntestrobust.h"

static PetscErrorCode CheckQuantizer(KNTest *t)
{
  PetscReal a[4] = {0.2, 0.6, -3.0, 7.0}, b[5] = {0.1, 0.2, 0.5, 0.8, 0.9}, px[256], v[200], w[200], err = 0;
  PetscBool same = PETSC_TRUE, idem;

  PetscFunctionBeginUser;
  PetscCall(KNQuantize(1, 0.0, 1.0, 4, a));
  PetscCall(KNTestOk(t, (PetscBool)(a[0] == 0 && a[1] == 1 && a[2] == 0 && a[3] == 1), "1 bit over [0, 1]: levels {0, 1}, values outside clipped"));
  PetscCall(KNQuantize(2, 0.0, 1.0, 5, b));
  PetscCall(KNTestOk(t, (PetscBool)(b[0] == 0 && b[1] == 1.0 / 3 && b[2] == 2.0 / 3 && b[3] == 2.0 / 3 && b[4] == 1), "2 bits over [0, 1]: the nearest of {0, 1/3, 2/3, 1}"));
  for (PetscInt k = 0; k < 256; k++) px[k] = (PetscReal)k / 255.0;
  PetscCall(KNQuantize(8, 0.0, 1.0, 256, px));
  for (PetscInt k = 0; k < 256; k++) same = (PetscBool)(same && px[k] == (PetscReal)k / 255.0);
  PetscCall(KNTestOk(t, same, "8 bits over [0, 1] keep every 8-bit pixel k/255 exactly"));
  for (PetscInt i = 0; i < 200; i++) v[i] = w[i] = 2.5 * KNTestRand(5, i);
  PetscCall(KNQuantize(6, -2.5, 2.5, 200, v));
  for (PetscInt i = 0; i < 200; i++) err = PetscMax(err, PetscAbsReal(v[i] - w[i]));
  PetscCall(PetscArraycpy(w, v, 200));
  PetscCall(KNQuantize(6, -2.5, 2.5, 200, w));
  idem = (PetscBool)!memcmp(v, w, sizeof(v));
  PetscCall(KNTestOk(t, (PetscBool)(err <= 0.5 * 5.0 / 63 * (1 + 1e-12) && idem), "6 bits over [-2.5, 2.5]: error <= half a step (%.4f <= %.4f), idempotent", (double)err, 0.5 * 5.0 / 63));
  PetscCall(PetscArraycpy(w, v, 200));
  PetscCall(KNQuantize(0, -1.0, 1.0, 200, w));
  PetscCall(KNTestOk(t, (PetscBool)!memcmp(v, w, sizeof(v)), "0 bits leave the values untouched"));
  KN_TEST_EXPECT_ERROR(t, KNQuantize(53, 0.0, 1.0, 200, w), "53 bits");
  KN_TEST_EXPECT_ERROR(t, KNQuantize(4, 1.0, 1.0, 200, w), "an empty range");
  PetscFunctionReturn(KN_SUCCESS);
}

/* Metric with input/output bits (output range 0: from the ideal run); also returns the ideal metric and the ADC range. */
static PetscErrorCode QuantMetric(KNTask task, KNNet net, KNDataset ds, PetscInt ib, PetscInt ob, PetscReal *ideal, PetscReal *metric, PetscReal *R)
{
  KNRobustness r;
  PetscReal    big = 1e30;

  PetscFunctionBeginUser;
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  PetscCall(KNRobustnessSetInputQuantization(r, ib, 0.0, 1.0));
  PetscCall(KNRobustnessSetOutputQuantization(r, ob, 0.0));
  PetscCall(KNRobustnessEvaluate(r, task, net, ds, 0, NULL));
  PetscCall(KNRobustnessGetResult(r, NULL, ideal, metric, NULL, NULL, NULL));
  if (R) PetscCall(KNRobustnessQuantizeOutputs(r, 1, &big)); /* clipped to the top level +R */
  if (R) *R = big;
  PetscCall(KNRobustnessDestroy(&r));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Largest |output| of the ideal net over the data (batches of B, as the evaluation). */
static PetscErrorCode MaxAbsOutput(KNNet net, KNDataset ds, PetscReal *m)
{
  const PetscReal *x;
  PetscReal        in[12], out[8];
  PetscInt         n;

  PetscFunctionBeginUser;
  PetscCall(KNDatasetGetSizes(ds, &n, NULL, NULL));
  PetscCall(KNDatasetGetData(ds, &x, NULL));
  *m = 0;
  for (PetscInt s = 0; s < n; s += 4) {
    PetscInt b = PetscMin(4, n - s);
    PetscCall(PetscArrayzero(in, 12));
    PetscCall(PetscArraycpy(in, x + 3 * s, 3 * b));
    PetscCall(KNNetForward(net, 3, in, PETSC_FALSE));
    PetscCall(KNNetGetOutput(net, out));
    for (PetscInt i = 0; i < 2 * b; i++) *m = PetscMax(*m, PetscAbsReal(out[i]));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckRegression(KNTest *t)
{
  KNTask    task;
  KNDataset ds;
  KNNet     net;
  PetscReal ideal, m24, m1, m8, R, maxabs = 0;

  PetscFunctionBeginUser;
  PetscCall(KNTestRobustProblem(PETSC_COMM_WORLD, KNTASKREGRESSION, KNDEVICESHIFTTANH2, 4, 10, PETSC_TRUE, &task, &ds, &net));
  PetscCall(QuantMetric(task, net, ds, 24, 24, &ideal, &m24, &R));
  PetscCall(MaxAbsOutput(net, ds, &maxabs));
  PetscCall(KNTestOk(t, (PetscBool)(KNRelDiff(m24, ideal, 0) <= 1e-6), "24-bit DAC and ADC: mse %.10g within 1e-6 of the ideal %.10g (rel %.1e)", (double)m24, (double)ideal, (double)KNRelDiff(m24, ideal, 0)));
  PetscCall(KNTestOk(t, (PetscBool)(R == maxabs), "the ADC full range defaults to the largest ideal |output| (%.6g = %.6g)", (double)R, (double)maxabs));
  PetscCall(QuantMetric(task, net, ds, 1, 1, &ideal, &m1, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(KNRelDiff(m1, ideal, 0) > 0.1), "1-bit DAC and ADC: mse %.6g, clearly not the ideal %.6g", (double)m1, (double)ideal));
  PetscCall(QuantMetric(task, net, ds, 8, 0, &ideal, &m8, NULL));
  PetscCall(KNTestOk(t, (PetscBool)!memcmp(&m8, &ideal, sizeof(m8)), "an 8-bit DAC on 8-bit pixels reproduces the ideal metric bit for bit (%.17g)", (double)m8));
  PetscCall(KNTestRobustProblemDestroy(&task, &ds, &net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A 1-bit ADC keeps the sign of each logit: logits of one sign tie, and a tie goes to class 0 (the first logit),
   never to the label. */
static PetscErrorCode CheckTies(KNTest *t)
{
  KNTask           task;
  KNDataset        ds;
  KNNet            net;
  KNRobustness     r;
  const PetscReal *x, *y;
  PetscReal        in[12], out[8], metric;
  PetscInt         n, hits = 0, ties = 0;

  PetscFunctionBeginUser;
  PetscCall(KNTestRobustProblem(PETSC_COMM_WORLD, KNTASKCLASSIFICATION, KNDEVICESHIFTTANH2, 4, 40, PETSC_FALSE, &task, &ds, &net));
  PetscCall(KNDatasetGetSizes(ds, &n, NULL, NULL));
  PetscCall(KNDatasetGetData(ds, &x, &y));
  PetscCall(KNTestNetRandomParameters(net, 2, 0.9)); /* parameters with logits of equal sign for about half the samples */
  for (PetscInt s = 0; s < n; s += 4) {
    PetscCall(PetscArraycpy(in, x + 3 * s, 12));
    PetscCall(KNNetForward(net, 3, in, PETSC_FALSE));
    PetscCall(KNNetGetOutput(net, out));
    for (PetscInt b = 0; b < 4; b++) {
      PetscBool p0 = (PetscBool)(out[2 * b] >= 0), p1 = (PetscBool)(out[2 * b + 1] >= 0);
      ties += p0 == p1;
      hits += (p1 && !p0 ? 1 : 0) == (PetscInt)y[s + b];
    }
  }
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  PetscCall(KNRobustnessSetOutputQuantization(r, 1, 0));
  PetscCall(KNRobustnessEvaluate(r, task, net, ds, 0, NULL));
  PetscCall(KNRobustnessGetResult(r, NULL, NULL, &metric, NULL, NULL, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(ties > 0 && metric == (PetscReal)hits / (PetscReal)n), "1-bit ADC: top-1 %.4f = %" PetscInt_FMT "/%" PetscInt_FMT " with ties (%" PetscInt_FMT ") resolved to the first logit", (double)metric, hits, n, ties));
  PetscCall(KNRobustnessDestroy(&r));
  PetscCall(KNTestRobustProblemDestroy(&task, &ds, &net));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckErrors(KNTest *t)
{
  KNRobustness r;

  PetscFunctionBeginUser;
  PetscCall(KNRobustnessCreate(PETSC_COMM_WORLD, &r));
  KN_TEST_EXPECT_ERROR(t, KNRobustnessSetInputQuantization(r, 60, 0.0, 1.0), "60 input bits");
  KN_TEST_EXPECT_ERROR(t, KNRobustnessSetInputQuantization(r, 4, 1.0, 0.0), "an input range with lo > hi");
  KN_TEST_EXPECT_ERROR(t, KNRobustnessSetOutputQuantization(r, 4, -1.0), "a negative output range");
  KN_TEST_EXPECT_ERROR(t, KNRobustnessSetDeviceMismatch(r, -0.1), "a negative device sigma");
  KN_TEST_EXPECT_ERROR(t, KNRobustnessSetBoundaryNoise(r, (PetscReal)NAN), "a NaN noise sigma");
  PetscCall(KNRobustnessSetOutputQuantization(r, 4, 0.0));
  {
    PetscReal v = 0.3;
    KN_TEST_EXPECT_ERROR(t, KNRobustnessQuantizeOutputs(r, 1, &v), "the ADC without a range before any ideal run");
  }
  PetscCall(KNRobustnessDestroy(&r));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscOptionsInsertString(NULL, KN_TEST_FIXED_RK4));
  PetscCall(CheckQuantizer(&t));
  PetscCall(CheckRegression(&t));
  PetscCall(CheckTies(&t));
  PetscCall(CheckErrors(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
