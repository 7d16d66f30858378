/* KNRobustness: the DAC/ADC quantisers, and the Monte Carlo of a task metric on the ideal net and under N hardware draws. */
#include <petscviewer.h>
#include "robustimpl.h"

/*@C
  KNQuantize - uniform quantiser with 2^bits levels spanning [lo, hi] (a DAC or ADC of that full range): values are
  clipped to [lo, hi] and rounded to the nearest level lo + (hi - lo) k/(2^bits - 1), k = 0..2^bits - 1

  Not Collective

  Notes:
  One bit gives {lo, hi}; 8 bits over [0, 1] reproduce 8-bit pixels v/255 exactly. bits = 0 leaves x unchanged.

  Level: intermediate
@*/
PetscErrorCode KNQuantize(PetscInt bits, PetscReal lo, PetscReal hi, PetscInt n, PetscReal x[])
{
  PetscReal levels;

  PetscFunctionBegin;
  if (!bits) PetscFunctionReturn(KN_SUCCESS);
  PetscCheck(bits > 0 && bits <= 52, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Quantisation needs 1 to 52 bits, got %" PetscInt_FMT, bits);
  PetscCheck(hi > lo, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "The quantiser range [%g, %g] is empty", (double)lo, (double)hi);
  levels = PetscPowReal(2.0, (PetscReal)bits) - 1.0;
  for (PetscInt i = 0; i < n; i++) {
    PetscReal v = PetscMin(PetscMax(x[i], lo), hi), k = PetscFloorReal((v - lo) / (hi - lo) * levels + 0.5);
    x[i] = lo + (hi - lo) * (k / levels);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNRobustnessQuantizeInputs(KNRobustness r, PetscInt n, PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(KNQuantize(r->in_bits, r->in_lo, r->in_hi, n, x));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Uses the given range, or the one found by the last ideal run of KNRobustnessEvaluate(). */
PetscErrorCode KNRobustnessQuantizeOutputs(KNRobustness r, PetscInt n, PetscReal y[])
{
  PetscReal R = r->out_range > 0 ? r->out_range : r->out_used;

  PetscFunctionBegin;
  if (!r->out_bits) PetscFunctionReturn(KN_SUCCESS);
  PetscCheck(R > 0, r->comm, PETSC_ERR_ARG_WRONGSTATE, "The output ADC has no range: give -kn_mc_output_range R or run KNRobustnessEvaluate() (the ideal run sets it)");
  PetscCall(KNQuantize(r->out_bits, -R, R, n, y));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank of the label among the logits, ties broken by index (a stable descending sort, as argmax of a digital
   readout picks the first maximum): with quantised logits ties are common and must not count as hits. */
static PetscInt LabelRank(PetscInt K, const PetscReal z[], PetscInt c)
{
  PetscInt rank = 0;

  for (PetscInt k = 0; k < K; k++) rank += z[k] > z[c] || (z[k] == z[c] && k < c);
  return rank;
}

/* Adds one batch of m outputs to the tally: MSE (regression), or cross entropy, top-1 and top-5 (classification). */
static PetscErrorCode TallyBatch(KNRobustness r, PetscBool cls, PetscInt m, PetscInt K, const PetscReal out[], const PetscReal y[], KNTaskTally *t)
{
  PetscReal L;
  PetscInt  t1 = 0, t5 = 0;

  PetscFunctionBegin;
  if (cls) {
    PetscCall(KNLossCrossEntropy(m, K, out, y, &L, NULL, &t1, &t5));
    if (r->out_bits) {
      t1 = t5 = 0;
      for (PetscInt b = 0; b < m; b++) {
        PetscInt rank = LabelRank(K, out + b * K, (PetscInt)y[b]); /* the label was checked by KNLossCrossEntropy() */
        t1 += rank < 1, t5 += rank < 5;
      }
    }
  } else PetscCall(KNLossMSE(m, K, out, y, &L, NULL));
  t->n += m, t->loss += L * (PetscReal)m, t->top1 += t1, t->top5 += t5;
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  The supervised metric with the DAC on the inputs and the ADC on the readout (quant), or ideal while recording
  the largest |output| (maxabs): the same batches as KNTaskEvaluate(), zero padding included.
*/
static PetscErrorCode EvaluateSupervised(KNRobustness r, KNTask task, KNNet net, KNDataset ds, PetscBool quant, PetscReal *maxabs, KNTaskTally *t)
{
  KNTaskType       type;
  PetscBool        cls, reg;
  PetscInt         B, K, n, nf, nt;
  const PetscReal *x, *y;
  PetscReal       *in, *out;

  PetscFunctionBegin;
  PetscCall(KNTaskGetType(task, &type));
  PetscCall(PetscStrcmp(type, KNTASKCLASSIFICATION, &cls));
  PetscCall(PetscStrcmp(type, KNTASKREGRESSION, &reg));
  PetscCheck(cls || reg, r->comm, PETSC_ERR_SUP, "DAC/ADC quantisation (-kn_mc_input_bits, -kn_mc_output_bits) is for regression and classification, not the %s task", type);
  PetscCheck(ds, r->comm, PETSC_ERR_ARG_NULL, "The %s task is evaluated on a dataset", type);
  PetscCall(PetscMemzero(t, sizeof(*t)));
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNDatasetGetSizes(ds, &n, &nf, &nt));
  PetscCall(KNDatasetGetData(ds, &x, &y));
  PetscCall(PetscMalloc2(B * PetscMax(nf, 1), &in, B * K, &out));
  if (maxabs) *maxabs = 0;
  for (PetscInt s = 0; s < n; s += B) {
    PetscInt m = PetscMin(B, n - s);
    PetscCall(PetscArrayzero(in, B * nf));
    PetscCall(PetscArraycpy(in, x + s * nf, m * nf));
    if (quant) PetscCall(KNRobustnessQuantizeInputs(r, m * nf, in));
    PetscCall(KNNetForward(net, nf, in, PETSC_FALSE));
    PetscCall(KNNetGetOutput(net, out));
    if (maxabs)
      for (PetscInt i = 0; i < m * K; i++) *maxabs = PetscMax(*maxabs, PetscAbsReal(out[i]));
    if (quant) PetscCall(KNRobustnessQuantizeOutputs(r, m * K, out));
    PetscCall(TallyBatch(r, cls, m, K, out, y + s * nt, t));
  }
  PetscCall(PetscFree2(in, out));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One pass over the data: the task's own evaluation unless quantisers act or the ADC range is being measured. */
static PetscErrorCode EvaluateOnce(KNRobustness r, KNTask task, KNNet net, KNDataset ds, PetscInt n, PetscBool quant, PetscReal *maxabs, KNTaskTally *t)
{
  PetscFunctionBegin;
  if (quant || maxabs) PetscCall(EvaluateSupervised(r, task, net, ds, quant, maxabs, t));
  else PetscCall(KNTaskEvaluate(task, net, ds, n, 0, t));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The ideal run: its tally, metric and (ADC with range 0) the largest |output| as the ADC full range. */
static PetscErrorCode EvaluateIdeal(KNRobustness r, KNTask task, KNNet net, KNDataset ds, PetscInt n, KNTaskTally *t)
{
  PetscReal   maxabs = 0;
  PetscBool   measure = (PetscBool)(r->out_bits && r->out_range == 0);
  const char *name;

  PetscFunctionBegin;
  PetscCall(EvaluateOnce(r, task, net, ds, n, PETSC_FALSE, measure ? &maxabs : NULL, t));
  PetscCall(KNTaskTallyGetMetric(task, t, NULL, &r->ideal));
  PetscCall(KNTaskGetMetricName(task, &name));
  PetscCall(PetscStrncpy(r->metric_name, name, sizeof(r->metric_name)));
  r->out_used = r->out_range > 0 ? r->out_range : maxabs;
  PetscCheck(!r->out_bits || r->out_used > 0, r->comm, PETSC_ERR_ARG_OUTOFRANGE, "Every ideal output is 0, so the ADC range cannot be taken from them: give -kn_mc_output_range R");
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessEvaluate - the task metric of the ideal net, then of N hardware draws (KNRobustnessApply() with
  k = 0..N-1, the quantisers, KNRobustnessRestore())

  Collective

  Input Parameters:
+ r - the hardware description
. task - the task, after KNTaskSetUpNet()
. net - the set-up (ideal) net; it is ideal again on return
. data - the samples (NULL for density)
- n - density: number of base samples (as KNTaskEvaluate(); every draw sees the same ones)

  Output Parameter:
. ideal - the tally of the ideal run (or NULL); with ideal hardware and no draws this is exactly KNTaskEvaluate()

  Notes:
  The number of draws is KNRobustnessSetNumDraws() (-kn_mc), or 1 if it is 0 and something is non-ideal. Without
  quantisers a draw is evaluated by KNTaskEvaluate() on the perturbed net, so with every sigma 0 each draw equals
  the ideal metric bit for bit. Quantisers need regression or classification; under the ADC, top-1/top-5 break ties
  between equal logits by index (the first maximum wins), never in the label's favour.
  The results are read with KNRobustnessGetResult() and printed by KNRobustnessView().

  Level: beginner

.seealso: KNRobustnessSetFromOptions(), KNTaskEvaluate()
@*/
PetscErrorCode KNRobustnessEvaluate(KNRobustness r, KNTask task, KNNet net, KNDataset data, PetscInt n, KNTaskTally *ideal)
{
  KNTaskTally t;
  PetscBool   perfect, quant = (PetscBool)(r->in_bits || r->out_bits);
  PetscInt    N = r->N;
  PetscReal   t0 = MPI_Wtime();

  PetscFunctionBegin;
  PetscCall(KNRobustnessIsIdeal(r, &perfect));
  if (!N && !perfect) N = 1;
  PetscCall(EvaluateIdeal(r, task, net, data, n, &t));
  if (ideal) *ideal = t;
  PetscCall(PetscFree(r->metric));
  PetscCall(PetscMalloc1(N + 1, &r->metric));
  r->ndone = 0;
  for (PetscInt k = 0; k < N; k++) {
    PetscReal tk = MPI_Wtime(), loss;
    PetscCall(KNRobustnessApply(r, net, k));
    PetscCall(EvaluateOnce(r, task, net, data, n, quant, NULL, &t));
    PetscCall(KNRobustnessRestore(r, net));
    PetscCall(KNTaskTallyGetMetric(task, &t, &loss, &r->metric[k]));
    r->ndone = k + 1;
    if (r->monitor) PetscCall(PetscPrintf(r->comm, "  Monte Carlo draw %" PetscInt_FMT "/%" PetscInt_FMT ": %s %.6f, mean loss %.6f (%.1f s)\n", k + 1, N, r->metric_name, (double)r->metric[k], (double)loss, MPI_Wtime() - tk));
  }
  r->seconds = MPI_Wtime() - t0;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessGetResult - the last KNRobustnessEvaluate(): draws, ideal metric, and the mean, sample standard
  deviation (N - 1 in the denominator; 0 for one draw), minimum and maximum over the draws (NaN without draws)

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNRobustnessGetResult(KNRobustness r, PetscInt *N, PetscReal *ideal, PetscReal *mean, PetscReal *std, PetscReal *min, PetscReal *max)
{
  PetscReal s = 0, ss = 0, lo = PETSC_MAX_REAL, hi = PETSC_MIN_REAL, mu = (PetscReal)NAN;
  PetscInt  n = r->ndone;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < n; k++) s += r->metric[k], lo = PetscMin(lo, r->metric[k]), hi = PetscMax(hi, r->metric[k]);
  if (n) mu = s / (PetscReal)n;
  for (PetscInt k = 0; k < n; k++) ss += (r->metric[k] - mu) * (r->metric[k] - mu);
  if (N) *N = n;
  if (ideal) *ideal = r->ideal;
  if (mean) *mean = mu;
  if (std) *std = n > 1 ? PetscSqrtReal(ss / (PetscReal)(n - 1)) : (n ? 0 : (PetscReal)NAN);
  if (min) *min = n ? lo : (PetscReal)NAN;
  if (max) *max = n ? hi : (PetscReal)NAN;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNRobustnessGetDrawMetrics(KNRobustness r, PetscInt *N, const PetscReal **metric)
{
  PetscFunctionBegin;
  if (N) *N = r->ndone;
  if (metric) *metric = r->metric;
  PetscFunctionReturn(KN_SUCCESS);
}

/* "8 bits over [0, 1]" or "ideal" */
static void QuantText(char buf[], size_t len, PetscInt bits, PetscReal lo, PetscReal hi)
{
  if (bits) snprintf(buf, len, "%d bits over [%g, %g]", (int)bits, (double)lo, (double)hi);
  else snprintf(buf, len, "ideal");
}

/*@C
  KNRobustnessView - the hardware description and, after KNRobustnessEvaluate() with draws, the metric's ideal
  value, mean, standard deviation, minimum, maximum and the value of every draw; prints nothing for ideal hardware
  without draws

  Collective

  Level: beginner
@*/
PetscErrorCode KNRobustnessView(KNRobustness r, PetscViewer viewer)
{
  PetscBool perfect;
  PetscReal mu, sd, lo, hi, R = r->out_range > 0 ? r->out_range : r->out_used;
  PetscInt  n;
  char      qin[96], qout[96], line[512];

  PetscFunctionBegin;
  PetscCall(KNRobustnessIsIdeal(r, &perfect));
  if (perfect && !r->ndone) PetscFunctionReturn(KN_SUCCESS);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(r->comm, &viewer));
  QuantText(qin, sizeof(qin), r->in_bits, r->in_lo, r->in_hi);
  QuantText(qout, sizeof(qout), r->out_bits, -R, R);
  /* plain C formatting: PETSc's printf would turn %g into "0." */
  snprintf(line, sizeof(line), "KNRobustness: device mismatch %g, capacitor mismatch %g, boundary noise %g V, input DAC %s, output ADC %s%s, seed %lld", (double)r->sdev, (double)r->scap, (double)r->snoise, qin, qout,
           r->out_bits && r->out_range == 0 ? (R > 0 ? " (max |output| of the ideal run)" : " (range from the ideal run)") : "", (long long)r->seed);
  PetscCall(PetscViewerASCIIPrintf(viewer, "%s\n", line));
  PetscCall(KNRobustnessGetResult(r, &n, NULL, &mu, &sd, &lo, &hi));
  if (!n) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscViewerASCIIPrintf(viewer, "Monte Carlo %s over %" PetscInt_FMT " draws: mean %.6f, std %.6f, min %.6f, max %.6f (ideal %.6f; %.1f s)\n", r->metric_name, n, (double)mu, (double)sd, (double)lo, (double)hi, (double)r->ideal, (double)r->seconds));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  draws:"));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
  for (PetscInt k = 0; k < n; k++) PetscCall(PetscViewerASCIIPrintf(viewer, " %.6f", (double)r->metric[k]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
  PetscFunctionReturn(KN_SUCCESS);
}
