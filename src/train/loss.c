/* Supervised losses: mean squared error (regression) and cross entropy with top-1/top-5 counts (classification). */
#include <kn/knloss.h>

/*@C
  KNLossMSE - mean squared error over all B*K entries (torch.nn.MSELoss, reduction "mean") and its gradient

  Not Collective

  Input Parameters:
+ B - batch size
. K - outputs per sample
. out - B*K predictions, out[b*K + k]
- target - B*K targets

  Output Parameters:
+ L - (1/(B K)) sum (out - target)^2
- dout - dL/dout = 2 (out - target)/(B K) (or NULL)

  Level: beginner

.seealso: KNLossCrossEntropy()
@*/
PetscErrorCode KNLossMSE(PetscInt B, PetscInt K, const PetscReal out[], const PetscReal target[], PetscReal *L, PetscReal dout[])
{
  const PetscInt n = B * K;
  PetscReal      s = 0;

  PetscFunctionBegin;
  PetscCheck(B > 0 && K > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNLossMSE needs B > 0 and K > 0 (got %" PetscInt_FMT ", %" PetscInt_FMT ")", B, K);
  KNAssertPointer(L, 5);
  for (PetscInt i = 0; i < n; i++) {
    const PetscReal r = out[i] - target[i];
    s += r * r;
    if (dout) dout[i] = 2.0 * r / (PetscReal)n;
  }
  *L = s / (PetscReal)n;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Class index c of a label stored as a double, checked to be an integer in 0..K-1. */
static PetscErrorCode LabelIndex(PetscInt b, PetscInt K, PetscReal label, PetscInt *c)
{
  PetscFunctionBegin;
  PetscCheck(label >= 0 && label < K && label == PetscFloorReal(label), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Sample %" PetscInt_FMT " of the batch has label %g, which is not a class index in 0..%" PetscInt_FMT " (are the labels and the readout size consistent?)", b, (double)label, K - 1);
  *c = (PetscInt)label;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNLossCrossEntropy - softmax cross entropy averaged over the batch (torch.nn.CrossEntropyLoss on raw logits), its
  gradient, and the number of samples whose label is in the top 1 and top 5

  Not Collective

  Input Parameters:
+ B - batch size
. K - classes (logits per sample)
. logits - B*K raw scores, logits[b*K + k] (the readout voltages)
- labels - B class indices stored as doubles, each an integer in 0..K-1

  Output Parameters:
+ L - (1/B) sum_b [ log sum_k exp(logits_bk) - logits_b,label_b ], computed with the log-sum-exp shift
. dlogits - dL/dlogits = (softmax(logits_b) - onehot(label_b))/B (or NULL)
. top1_correct - number of samples whose label has the largest logit (or NULL)
- top5_correct - number of samples whose label is among the 5 largest logits (all samples when K <= 5) (or NULL)

  Notes:
  The rank of the label is the number of logits strictly greater than its own: ties count in the label's favour.

  Level: beginner

.seealso: KNLossMSE()
@*/
PetscErrorCode KNLossCrossEntropy(PetscInt B, PetscInt K, const PetscReal logits[], const PetscReal labels[], PetscReal *L, PetscReal dlogits[], PetscInt *top1_correct, PetscInt *top5_correct)
{
  PetscReal sum = 0;
  PetscInt  top1 = 0, top5 = 0;

  PetscFunctionBegin;
  PetscCheck(B > 0 && K > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "KNLossCrossEntropy needs B > 0 and K > 0 (got %" PetscInt_FMT ", %" PetscInt_FMT ")", B, K);
  KNAssertPointer(L, 5);
  for (PetscInt b = 0; b < B; b++) {
    const PetscReal *z = logits + b * K;
    PetscReal        m = z[0], se = 0, lse;
    PetscInt         c, rank = 0;

    PetscCall(LabelIndex(b, K, labels[b], &c));
    for (PetscInt k = 1; k < K; k++) m = PetscMax(m, z[k]);
    for (PetscInt k = 0; k < K; k++) se += PetscExpReal(z[k] - m);
    lse = m + PetscLogReal(se);
    sum += lse - z[c];
    for (PetscInt k = 0; k < K; k++) rank += z[k] > z[c];
    top1 += rank < 1;
    top5 += rank < 5;
    if (dlogits)
      for (PetscInt k = 0; k < K; k++) dlogits[b * K + k] = (PetscExpReal(z[k] - m) / se - (k == c ? 1.0 : 0.0)) / (PetscReal)B;
  }
  *L = sum / (PetscReal)B;
  if (top1_correct) *top1_correct = top1;
  if (top5_correct) *top5_correct = top5;
  PetscFunctionReturn(KN_SUCCESS);
}
