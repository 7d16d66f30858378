/* -kn_train_check_gradient K: the first batch's adjoint gradient against central differences of the batch loss,
   through the whole training path (data slice, task, net, loss, group sums), so a wrong sign or scaling anywhere
   between the loss and dL/dtheta shows up in a real run, not only in unit tests. */
#include "taskimpl.h"

/* Mean loss of the batch at parameters theta (the same on every group); tr->grad is overwritten. */
static PetscErrorCode BatchLoss(KNTrainer tr, Vec theta, PetscInt m, PetscInt start, PetscInt count, const PetscReal x[], const PetscReal y[], PetscReal *L)
{
  KNTaskTally t;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&t, sizeof(t)));
  PetscCall(KNNetSetParameters(tr->net, theta));
  PetscCall(KNTrainerBatchGradient_Private(tr, m, start, count, x, y, &t));
  *L = t.loss / (PetscReal)t.n;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Entry i of a parameter Vec on every rank of its communicator. */
static PetscErrorCode GetEntry(Vec v, PetscInt i, PetscReal *value)
{
  PetscInt    lo, hi;
  PetscReal   mine = 0;
  MPI_Comm    comm;
  const PetscScalar *a;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)v, &comm));
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  PetscCall(VecGetArrayRead(v, &a));
  if (i >= lo && i < hi) mine = PetscRealPart(a[i - lo]);
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscCall(MPIU_Allreduce(&mine, value, 1, MPIU_REAL, MPIU_SUM, comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* theta + delta e_i */
static PetscErrorCode Shifted(Vec theta, PetscInt i, PetscReal delta, Vec out)
{
  PetscInt lo, hi;

  PetscFunctionBegin;
  PetscCall(VecCopy(theta, out));
  PetscCall(VecGetOwnershipRange(out, &lo, &hi));
  if (i >= lo && i < hi) PetscCall(VecSetValue(out, i, delta, ADD_VALUES));
  PetscCall(VecAssemblyBegin(out));
  PetscCall(VecAssemblyEnd(out));
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  Checks tr->grad (already the batch's gradient) on K parameters spread evenly over the net, and prints one line.
  The net's parameters and tr->grad are restored afterwards, so training continues as if nothing happened.
*/
PetscErrorCode KNTrainerCheckGradient_Private(KNTrainer tr, PetscInt m, PetscInt start, PetscInt count, const PetscReal x[], const PetscReal y[])
{
  const PetscInt  K = tr->check.count;
  const PetscReal h = tr->check.h;
  PetscInt        P;
  PetscReal       gmax, err = 0;
  Vec             g, th;

  PetscFunctionBegin;
  PetscCall(VecDuplicate(tr->grad, &g));
  PetscCall(VecCopy(tr->grad, g));
  PetscCall(VecDuplicate(tr->theta, &th));
  PetscCall(VecGetSize(g, &P));
  PetscCall(VecNorm(g, NORM_INFINITY, &gmax));
  for (PetscInt k = 0; k < PetscMin(K, P); k++) {
    PetscInt  i = (PetscInt)(((PetscInt64)2 * k + 1) * P / (2 * PetscMin(K, P))); /* the middle of the k-th of K stretches */
    PetscReal gi, Lp, Lm;

    PetscCall(GetEntry(g, i, &gi));
    PetscCall(Shifted(tr->theta, i, h, th));
    PetscCall(BatchLoss(tr, th, m, start, count, x, y, &Lp));
    PetscCall(Shifted(tr->theta, i, -h, th));
    PetscCall(BatchLoss(tr, th, m, start, count, x, y, &Lm));
    err = PetscMax(err, PetscAbsReal((Lp - Lm) / (2 * h) - gi));
  }
  PetscCall(KNNetSetParameters(tr->net, tr->theta));
  PetscCall(VecCopy(g, tr->grad));
  PetscCall(VecDestroy(&g));
  PetscCall(VecDestroy(&th));
  tr->check.abs_err = err;
  tr->check.rel_err = err / (gmax > 0 ? gmax : 1);
  if (tr->monitor) PetscCall(PetscPrintf(tr->comm, "knet train: gradient check on the first batch, %" PetscInt_FMT " of %" PetscInt_FMT " parameters against central differences (h %g): max |FD - adjoint| %.3e, relative to max |gradient| %.3e: %.3e%s\n", PetscMin(K, P), P, (double)h, (double)err, (double)gmax, (double)tr->check.rel_err,
                        tr->check.rel_err > 1e-4 ? " (large: with adaptive steps the loss is only piecewise smooth in theta; check with -ts_adapt_type none)" : ""));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerGetGradientCheck - the result of -kn_train_check_gradient K: the largest |FD - adjoint| over the checked
  parameters and that error relative to the largest gradient entry (NaN if no check ran)

  Not Collective

  Level: intermediate

.seealso: KNTrainerSetFromOptions()
@*/
PetscErrorCode KNTrainerGetGradientCheck(KNTrainer tr, PetscReal *abs_err, PetscReal *rel_err)
{
  PetscFunctionBegin;
  if (abs_err) *abs_err = tr->check.abs_err;
  if (rel_err) *rel_err = tr->check.rel_err;
  PetscFunctionReturn(KN_SUCCESS);
}
