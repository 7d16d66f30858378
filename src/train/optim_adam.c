/* KNOPTIMIZERADAMW and KNOPTIMIZERADAM: torch.optim.AdamW / torch.optim.Adam (amsgrad off, single-tensor semantics). */
#include "optimimpl.h"

static PetscErrorCode KNOptimizerSetUp_Adam(KNOptimizer opt, Vec tmpl)
{
  PetscFunctionBegin;
  PetscCall(KNOptimizerMoment_Private(tmpl, &opt->m));
  PetscCall(KNOptimizerMoment_Private(tmpl, &opt->v));
  PetscFunctionReturn(KN_SUCCESS);
}

/*
  One Adam step at t = opt->step on the local entries, with g = clip * grad:
    decoupled (AdamW): theta *= 1 - lr wd;        else (Adam): g += wd theta
    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
    theta -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
*/
static PetscErrorCode AdamUpdate(KNOptimizer opt, PetscBool decoupled, Vec theta, Vec grad, PetscReal clip)
{
  const PetscReal  lr = opt->lr, b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps, wd = KNOptimizerWeightDecay_Private(opt);
  const PetscReal  t = (PetscReal)opt->step, step_size = lr / (1.0 - PetscPowReal(b1, t)), bc2s = PetscSqrtReal(1.0 - PetscPowReal(b2, t));
  const PetscReal *g;
  PetscReal       *th, *m, *v;
  PetscInt         n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(theta, &n));
  PetscCall(VecGetArrayRead(grad, &g));
  PetscCall(VecGetArray(theta, &th));
  PetscCall(VecGetArray(opt->m, &m));
  PetscCall(VecGetArray(opt->v, &v));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal gi = clip * g[i];

    if (decoupled) th[i] *= 1.0 - lr * wd;
    else gi += wd * th[i];
    m[i] = b1 * m[i] + (1.0 - b1) * gi;
    v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
    th[i] -= step_size * m[i] / (PetscSqrtReal(v[i]) / bc2s + eps);
  }
  PetscCall(VecRestoreArray(opt->v, &v));
  PetscCall(VecRestoreArray(opt->m, &m));
  PetscCall(VecRestoreArray(theta, &th));
  PetscCall(VecRestoreArrayRead(grad, &g));
  PetscCall(PetscLogFlops(14.0 * n));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNOptimizerStep_AdamW(KNOptimizer opt, Vec theta, Vec grad, PetscReal clip)
{
  PetscFunctionBegin;
  PetscCall(AdamUpdate(opt, PETSC_TRUE, theta, grad, clip));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNOptimizerStep_Adam(KNOptimizer opt, Vec theta, Vec grad, PetscReal clip)
{
  PetscFunctionBegin;
  PetscCall(AdamUpdate(opt, PETSC_FALSE, theta, grad, clip));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNOptimizerCreate_AdamW(KNOptimizer opt)
{
  PetscFunctionBegin;
  opt->ops.setup  = KNOptimizerSetUp_Adam;
  opt->ops.step   = KNOptimizerStep_AdamW;
  opt->wd_default = 0.01;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNOptimizerCreate_Adam(KNOptimizer opt)
{
  PetscFunctionBegin;
  opt->ops.setup  = KNOptimizerSetUp_Adam;
  opt->ops.step   = KNOptimizerStep_Adam;
  opt->wd_default = 0.0;
  PetscFunctionReturn(KN_SUCCESS);
}
