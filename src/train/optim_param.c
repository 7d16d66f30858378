/* KNOptimizer hyper-parameters and state accessors (for the trainer, schedules and checkpoints). */
#include "optimimpl.h"

/*@C
  KNOptimizerSetLearningRate - sets the learning rate (schedules call it once per epoch, see KNScheduleLR())

  Logically Collective

  Options Database Key:
. -kn_optim_lr <lr> - the learning rate

  Level: beginner
@*/
PetscErrorCode KNOptimizerSetLearningRate(KNOptimizer opt, PetscReal lr)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(lr >= 0 && !PetscIsInfOrNanReal(lr), opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "Learning rate %g must be a finite number >= 0 (-kn_optim_lr)", (double)lr);
  opt->lr = lr;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetLearningRate - the current learning rate

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNOptimizerGetLearningRate(KNOptimizer opt, PetscReal *lr)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  *lr = opt->lr;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetBetas - Adam(W) moment decay rates beta1, beta2 in [0, 1)

  Logically Collective

  Options Database Keys:
+ -kn_optim_beta1 <0.9> - first moment
- -kn_optim_beta2 <0.999> - second moment

  Level: intermediate
@*/
PetscErrorCode KNOptimizerSetBetas(KNOptimizer opt, PetscReal beta1, PetscReal beta2)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "Adam betas (%g, %g) must lie in [0, 1) (-kn_optim_beta1, -kn_optim_beta2)", (double)beta1, (double)beta2);
  opt->beta1 = beta1;
  opt->beta2 = beta2;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetEpsilon - Adam(W) epsilon, added to sqrt(v_hat) in the denominator

  Logically Collective

  Options Database Key:
. -kn_optim_eps <1e-8> - epsilon

  Level: intermediate
@*/
PetscErrorCode KNOptimizerSetEpsilon(KNOptimizer opt, PetscReal eps)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(eps >= 0, opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "Adam epsilon %g must be >= 0 (-kn_optim_eps)", (double)eps);
  opt->eps = eps;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetWeightDecay - weight decay: decoupled for AdamW (theta *= 1 - lr wd), L2 added to the gradient otherwise

  Logically Collective

  Options Database Key:
. -kn_optim_weight_decay <wd> - default 0.01 for adamw, 0 for adam and sgd (PyTorch's defaults)

  Level: intermediate
@*/
PetscErrorCode KNOptimizerSetWeightDecay(KNOptimizer opt, PetscReal wd)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(wd >= 0, opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "Weight decay %g must be >= 0 (-kn_optim_weight_decay)", (double)wd);
  opt->wd     = wd;
  opt->wd_set = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetWeightDecay - the weight decay in force (the type's default unless set)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNOptimizerGetWeightDecay(KNOptimizer opt, PetscReal *wd)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  *wd = KNOptimizerWeightDecay_Private(opt);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetMomentum - SGD momentum mu >= 0 (PyTorch: buf = mu buf + g, no dampening, not Nesterov)

  Logically Collective

  Options Database Key:
. -kn_optim_momentum <0> - momentum

  Level: intermediate
@*/
PetscErrorCode KNOptimizerSetMomentum(KNOptimizer opt, PetscReal mu)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(mu >= 0, opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "SGD momentum %g must be >= 0 (-kn_optim_momentum)", (double)mu);
  opt->momentum = mu;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetClipNorm - clips the gradient to global 2-norm at most c before each update (0 = off)

  Logically Collective

  Options Database Key:
. -kn_optim_clip <0> - maximum gradient norm

  Level: intermediate
@*/
PetscErrorCode KNOptimizerSetClipNorm(KNOptimizer opt, PetscReal c)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(c >= 0, opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "Gradient clipping norm %g must be >= 0, 0 = off (-kn_optim_clip)", (double)c);
  opt->clip = c;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetHyperParameters - all hyper-parameters (each output may be NULL), e.g. for a checkpoint's /optim group

  Not Collective

  Output Parameters:
+ lr - learning rate
. beta1, beta2 - Adam moment decays
. eps - Adam epsilon
. wd - weight decay in force
. momentum - SGD momentum
- clip - gradient clipping norm (0 = off)

  Level: intermediate
@*/
PetscErrorCode KNOptimizerGetHyperParameters(KNOptimizer opt, PetscReal *lr, PetscReal *beta1, PetscReal *beta2, PetscReal *eps, PetscReal *wd, PetscReal *momentum, PetscReal *clip)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  if (lr) *lr = opt->lr;
  if (beta1) *beta1 = opt->beta1;
  if (beta2) *beta2 = opt->beta2;
  if (eps) *eps = opt->eps;
  if (wd) *wd = KNOptimizerWeightDecay_Private(opt);
  if (momentum) *momentum = opt->momentum;
  if (clip) *clip = opt->clip;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetStep - number of completed steps (Adam's bias-correction exponent of the last step)

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNOptimizerGetStep(KNOptimizer opt, PetscInt *step)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  *step = opt->step;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetStep - restores the step count when restarting from a checkpoint (after KNOptimizerSetUp() and after
  copying the saved moments into the Vecs of KNOptimizerGetMoments())

  Logically Collective

  Level: advanced
@*/
PetscErrorCode KNOptimizerSetStep(KNOptimizer opt, PetscInt step)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(step >= 0, opt->comm, PETSC_ERR_ARG_OUTOFRANGE, "Optimizer step %" PetscInt_FMT " must be >= 0", step);
  PetscCheck(opt->setupcalled, opt->comm, PETSC_ERR_ARG_WRONGSTATE, "Call KNOptimizerSetUp() before KNOptimizerSetStep(): set-up resets the step count");
  opt->step = step;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetMoments - the optimizer's state Vecs (owned by the optimizer; write into them to restore a checkpoint)

  Not Collective

  Output Parameters:
+ m - Adam(W): first moment exp_avg; SGD: momentum buffer (NULL when the momentum is 0) (or pass NULL)
- v - Adam(W): second moment exp_avg_sq; SGD: NULL (or pass NULL)

  Notes:
  Valid after KNOptimizerSetUp() (or the first KNOptimizerStep()); same layout as the parameters.

  Level: intermediate
@*/
PetscErrorCode KNOptimizerGetMoments(KNOptimizer opt, Vec *m, Vec *v)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCheck(opt->setupcalled, opt->comm, PETSC_ERR_ARG_WRONGSTATE, "The moments exist after KNOptimizerSetUp()");
  if (m) *m = opt->m;
  if (v) *v = opt->v;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetGradientNorm - the global 2-norm of the gradient passed to the last KNOptimizerStep(), before clipping

  Not Collective

  Level: intermediate
@*/
PetscErrorCode KNOptimizerGetGradientNorm(KNOptimizer opt, PetscReal *gnorm)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  *gnorm = opt->gnorm;
  PetscFunctionReturn(KN_SUCCESS);
}
