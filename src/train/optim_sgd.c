/* KNOPTIMIZERSGD: torch.optim.SGD (L2 weight decay, heavy-ball momentum without dampening, not Nesterov). */
#include "optimimpl.h"

static PetscErrorCode KNOptimizerSetUp_SGD(KNOptimizer opt, Vec tmpl)
{
  PetscFunctionBegin;
  if (opt->momentum != 0) PetscCall(KNOptimizerMoment_Private(tmpl, &opt->m));
  PetscFunctionReturn(KN_SUCCESS);
}

/* g = clip grad + wd theta; with momentum: buf = mu buf + g (a zero buffer makes buf = g at t = 1), g = buf; theta -= lr g. */
static PetscErrorCode KNOptimizerStep_SGD(KNOptimizer opt, Vec theta, Vec grad, PetscReal clip)
{
  const PetscReal  lr = opt->lr, mu = opt->momentum, wd = KNOptimizerWeightDecay_Private(opt);
  const PetscReal *g;
  PetscReal       *th, *buf = NULL;
  PetscInt         n;

  PetscFunctionBegin;
  if (mu != 0 && !opt->m) PetscCall(KNOptimizerMoment_Private(theta, &opt->m)); /* momentum switched on after set-up */
  PetscCall(VecGetLocalSize(theta, &n));
  PetscCall(VecGetArrayRead(grad, &g));
  PetscCall(VecGetArray(theta, &th));
  if (mu != 0) PetscCall(VecGetArray(opt->m, &buf));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal d = clip * g[i] + wd * th[i];

    if (buf) d = buf[i] = mu * buf[i] + d;
    th[i] -= lr * d;
  }
  if (buf) PetscCall(VecRestoreArray(opt->m, &buf));
  PetscCall(VecRestoreArray(theta, &th));
  PetscCall(VecRestoreArrayRead(grad, &g));
  PetscCall(PetscLogFlops(6.0 * n));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNOptimizerCreate_SGD(KNOptimizer opt)
{
  PetscFunctionBegin;
  opt->ops.setup  = KNOptimizerSetUp_SGD;
  opt->ops.step   = KNOptimizerStep_SGD;
  opt->wd_default = 0.0;
  PetscFunctionReturn(KN_SUCCESS);
}
