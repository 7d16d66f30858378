/* KNOptimizer: the object, type registry, options, set-up and the step driver (gradient norm, clipping, dispatch). */
#include <petscviewer.h>
#include "optimimpl.h"
#include "sys/knoptions.h"

static PetscFunctionList KNOptimizerList              = NULL;
static char              KNOptimizerNames[256]        = "";
static PetscBool         KNOptimizerRegisterAllCalled = PETSC_FALSE;

static PetscErrorCode KNOptimizerFinalize_Private(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&KNOptimizerList));
  KNOptimizerNames[0]          = 0;
  KNOptimizerRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNOptimizerAdd_Private(const char name[], PetscErrorCode (*create)(KNOptimizer))
{
  PetscErrorCode (*old)(KNOptimizer) = NULL;

  PetscFunctionBegin;
  PetscCall(PetscFunctionListFind(KNOptimizerList, name, &old));
  PetscCall(PetscFunctionListAdd(&KNOptimizerList, name, create));
  if (old) PetscFunctionReturn(KN_SUCCESS);
  if (KNOptimizerNames[0]) PetscCall(PetscStrlcat(KNOptimizerNames, ", ", sizeof(KNOptimizerNames)));
  PetscCall(PetscStrlcat(KNOptimizerNames, name, sizeof(KNOptimizerNames)));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNOptimizerRegisterAll_Private(void)
{
  PetscFunctionBegin;
  if (KNOptimizerRegisterAllCalled) PetscFunctionReturn(KN_SUCCESS);
  KNOptimizerRegisterAllCalled = PETSC_TRUE;
  PetscCall(KNOptimizerAdd_Private(KNOPTIMIZERADAMW, KNOptimizerCreate_AdamW));
  PetscCall(KNOptimizerAdd_Private(KNOPTIMIZERADAM, KNOptimizerCreate_Adam));
  PetscCall(KNOptimizerAdd_Private(KNOPTIMIZERSGD, KNOptimizerCreate_SGD));
  PetscCall(KNRegisterFinalize(KNOptimizerFinalize_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerRegister - adds an optimizer type: a constructor that sets opt->ops (setup, step) and opt->wd_default

  Not Collective

  Level: advanced

.seealso: KNOptimizerSetType()
@*/
PetscErrorCode KNOptimizerRegister(const char name[], PetscErrorCode (*create)(KNOptimizer))
{
  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  PetscCall(KNOptimizerRegisterAll_Private());
  PetscCall(KNOptimizerAdd_Private(name, create));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerCreate - creates an optimizer with the reference's defaults: AdamW, lr 1e-3, betas (0.9, 0.999),
  eps 1e-8, weight decay 0.01, no clipping

  Collective

  Input Parameter:
. comm - the communicator of the parameter Vecs

  Output Parameter:
. opt - the optimizer

  Level: beginner

.seealso: KNOptimizerSetType(), KNOptimizerSetFromOptions(), KNOptimizerStep(), KNOptimizerDestroy()
@*/
PetscErrorCode KNOptimizerCreate(MPI_Comm comm, KNOptimizer *opt)
{
  KNOptimizer o;

  PetscFunctionBegin;
  KNAssertPointer(opt, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&o));
  o->comm     = comm;
  o->lr       = 1e-3;
  o->beta1    = 0.9;
  o->beta2    = 0.999;
  o->eps      = 1e-8;
  o->momentum = 0.0;
  o->clip     = 0.0;
  PetscCall(KNOptimizerSetType(o, KNOPTIMIZERADAMW));
  *opt = o;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerDestroy - frees an optimizer and its moments, and sets the handle to NULL

  Collective

  Level: beginner
@*/
PetscErrorCode KNOptimizerDestroy(KNOptimizer *opt)
{
  PetscFunctionBegin;
  if (!opt || !*opt) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(VecDestroy(&(*opt)->m));
  PetscCall(VecDestroy(&(*opt)->v));
  PetscCall(PetscFree((*opt)->type));
  PetscCall(PetscFree((*opt)->prefix));
  PetscCall(PetscFree(*opt));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetType - selects the update rule; drops any moments and resets the step count

  Logically Collective

  Input Parameters:
+ opt - the optimizer
- type - KNOPTIMIZERADAMW, KNOPTIMIZERADAM, KNOPTIMIZERSGD or a registered type

  Options Database Key:
. -kn_optim_type <adamw,adam,sgd> - see KNOptimizerSetFromOptions()

  Notes:
  Unless KNOptimizerSetWeightDecay() was called, the weight decay follows the type's PyTorch default (AdamW 0.01, else 0).

  Level: beginner
@*/
PetscErrorCode KNOptimizerSetType(KNOptimizer opt, KNOptimizerType type)
{
  PetscErrorCode (*create)(KNOptimizer) = NULL;
  PetscBool same;

  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  KNAssertPointer(type, 2);
  PetscCall(PetscStrcmp(opt->type, type, &same));
  if (same) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNOptimizerRegisterAll_Private());
  PetscCall(PetscFunctionListFind(KNOptimizerList, type, &create));
  PetscCheck(create, opt->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown optimizer type \"%s\"; valid types (option -kn_optim_type): %s", type, KNOptimizerNames);
  PetscCall(VecDestroy(&opt->m));
  PetscCall(VecDestroy(&opt->v));
  PetscCall(PetscMemzero(&opt->ops, sizeof(opt->ops)));
  opt->wd_default  = 0;
  opt->step        = 0;
  opt->setupcalled = PETSC_FALSE;
  PetscCall((*create)(opt));
  PetscCheck(opt->ops.step && opt->ops.setup, opt->comm, PETSC_ERR_PLIB, "The constructor of optimizer type \"%s\" must set ops.setup and ops.step", type);
  PetscCall(PetscFree(opt->type));
  PetscCall(PetscStrallocpy(type, &opt->type));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerGetType - the optimizer's type name

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNOptimizerGetType(KNOptimizer opt, KNOptimizerType *type)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  *type = opt->type;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetOptionsPrefix - prefix for this optimizer's options (e.g. "enc_" reads -enc_kn_optim_lr)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNOptimizerSetOptionsPrefix(KNOptimizer opt, const char prefix[])
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCall(PetscFree(opt->prefix));
  if (prefix) PetscCall(PetscStrallocpy(prefix, &opt->prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetFromOptions - reads the optimizer's options (listed by -help)

  Collective

  Options Database Keys:
+ -kn_optim_type <adamw> - adamw, adam or sgd
. -kn_optim_lr <1e-3> - learning rate
. -kn_optim_beta1 <0.9> - Adam(W) first-moment decay
. -kn_optim_beta2 <0.999> - Adam(W) second-moment decay
. -kn_optim_eps <1e-8> - Adam(W) denominator epsilon (added after the square root)
. -kn_optim_weight_decay <type default> - AdamW: decoupled decay (default 0.01); Adam, SGD: L2 added to the gradient (default 0)
. -kn_optim_momentum <0> - SGD heavy-ball momentum
- -kn_optim_clip <0> - clip the gradient to this global 2-norm before the update (0 = off), as torch clip_grad_norm_

  Level: beginner
@*/
PetscErrorCode KNOptimizerSetFromOptions(KNOptimizer opt)
{
  char      type[64];
  PetscReal lr = opt->lr, b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps, wd = KNOptimizerWeightDecay_Private(opt), mu = opt->momentum, clip = opt->clip;
  PetscBool tset, wdset;

  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCall(KNOptimizerRegisterAll_Private());
  PetscOptionsBegin(opt->comm, opt->prefix, "KNOptimizer options", "KNOptimizer");
  PetscCall(PetscOptionsFList("-kn_optim_type", "Optimizer type", "KNOptimizerSetType", KNOptimizerList, opt->type, type, sizeof(type), &tset));
  PetscCall(PetscOptionsReal("-kn_optim_lr", "Learning rate", "KNOptimizerSetLearningRate", lr, &lr, NULL));
  PetscCall(PetscOptionsReal("-kn_optim_beta1", "Adam first-moment decay", "KNOptimizerSetBetas", b1, &b1, NULL));
  PetscCall(PetscOptionsReal("-kn_optim_beta2", "Adam second-moment decay", "KNOptimizerSetBetas", b2, &b2, NULL));
  PetscCall(PetscOptionsReal("-kn_optim_eps", "Adam denominator epsilon", "KNOptimizerSetEpsilon", eps, &eps, NULL));
  PetscCall(PetscOptionsReal("-kn_optim_weight_decay", "Weight decay (AdamW: decoupled, default 0.01; adam/sgd: L2, default 0)", "KNOptimizerSetWeightDecay", wd, &wd, &wdset));
  PetscCall(PetscOptionsReal("-kn_optim_momentum", "SGD momentum", "KNOptimizerSetMomentum", mu, &mu, NULL));
  PetscCall(PetscOptionsReal("-kn_optim_clip", "Clip the gradient to this 2-norm (0 = off)", "KNOptimizerSetClipNorm", clip, &clip, NULL));
  PetscOptionsEnd();
  if (tset) PetscCall(KNOptimizerSetType(opt, type));
  PetscCall(KNOptimizerSetLearningRate(opt, lr));
  PetscCall(KNOptimizerSetBetas(opt, b1, b2));
  PetscCall(KNOptimizerSetEpsilon(opt, eps));
  if (wdset) PetscCall(KNOptimizerSetWeightDecay(opt, wd));
  PetscCall(KNOptimizerSetMomentum(opt, mu));
  PetscCall(KNOptimizerSetClipNorm(opt, clip));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNOptimizerMoment_Private(Vec tmpl, Vec *v)
{
  PetscFunctionBegin;
  if (!*v) PetscCall(VecDuplicate(tmpl, v));
  PetscCall(VecZeroEntries(*v));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerSetUp - allocates the moments with the layout of the parameters (zeroed) and resets the step count

  Collective

  Input Parameters:
+ opt - the optimizer
- tmpl - a Vec with the parameters' layout (e.g. from KNNetCreateParameterVec())

  Notes:
  KNOptimizerStep() calls it with theta when it was not called.

  Level: beginner
@*/
PetscErrorCode KNOptimizerSetUp(KNOptimizer opt, Vec tmpl)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCall(VecDestroy(&opt->m));
  PetscCall(VecDestroy(&opt->v));
  PetscCall(opt->ops.setup(opt, tmpl));
  opt->step        = 0;
  opt->setupcalled = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerReset - zeros the moments and the step count (a fresh start with the same layout)

  Collective

  Level: intermediate
@*/
PetscErrorCode KNOptimizerReset(KNOptimizer opt)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  if (opt->m) PetscCall(VecZeroEntries(opt->m));
  if (opt->v) PetscCall(VecZeroEntries(opt->v));
  opt->step = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Global 2-norm of g by one local pass and one reduction, and whether every entry is finite (BLAS nrm2 may turn an Inf
   entry into a large finite norm). */
static PetscErrorCode GradientNorm(Vec g, PetscReal *norm, PetscBool *finite)
{
  const PetscReal *a;
  PetscReal        s[2] = {0, 0}, S[2];
  PetscInt         n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(g, &n));
  PetscCall(VecGetArrayRead(g, &a));
  for (PetscInt i = 0; i < n; i++) {
    s[0] += a[i] * a[i];
    if (PetscIsInfOrNanReal(a[i])) s[1] = 1;
  }
  PetscCall(VecRestoreArrayRead(g, &a));
  PetscCallMPI(MPI_Allreduce(s, S, 2, MPIU_REAL, MPIU_SUM, PetscObjectComm((PetscObject)g)));
  *norm   = PetscSqrtReal(S[0]);
  *finite = (PetscBool)(S[1] == 0 && !PetscIsInfOrNanReal(*norm));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerStep - one update theta <- theta - lr * (direction from grad), in place, with PyTorch semantics

  Collective

  Input Parameters:
+ opt - the optimizer
. theta - the parameters, updated in place
- grad - dL/dtheta (same layout; not modified)

  Notes:
  The global 2-norm of grad is computed every step (KNOptimizerGetGradientNorm()); with -kn_optim_clip c > 0 the
  gradient is scaled by min(1, c/(norm + 1e-6)) (torch.nn.utils.clip_grad_norm_). A non-finite gradient is an error
  and leaves theta untouched. AdamW: theta *= 1 - lr wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
  theta -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). Adam: the same with g += wd theta instead of the decay.
  SGD: g += wd theta; with momentum mu: buf = mu buf + g (buf = g at t = 1), g = buf; theta -= lr g.

  Level: beginner

.seealso: KNOptimizerSetFromOptions(), KNScheduleLR()
@*/
PetscErrorCode KNOptimizerStep(KNOptimizer opt, Vec theta, Vec grad)
{
  PetscInt  nt, ng;
  PetscReal c = 1.0;
  PetscBool finite;

  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  PetscCall(VecGetLocalSize(theta, &nt));
  PetscCall(VecGetLocalSize(grad, &ng));
  PetscCheck(nt == ng, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "theta and grad have different local sizes (%" PetscInt_FMT " and %" PetscInt_FMT ")", nt, ng);
  if (!opt->setupcalled) PetscCall(KNOptimizerSetUp(opt, theta));
  if (opt->m) {
    PetscInt nm;
    PetscCall(VecGetLocalSize(opt->m, &nm));
    PetscCheck(nm == nt, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "The optimizer was set up for %" PetscInt_FMT " local parameters but theta has %" PetscInt_FMT "; call KNOptimizerSetUp() with the new layout", nm, nt);
  }
  PetscCall(GradientNorm(grad, &opt->gnorm, &finite));
  PetscCheck(finite, opt->comm, PETSC_ERR_FP, "The gradient is not finite (or its 2-norm overflows) at optimizer step %" PetscInt_FMT "; the parameters were not updated (try a smaller learning rate, -kn_optim_clip, or tighter ODE tolerances)", opt->step + 1);
  if (opt->clip > 0) c = PetscMin(1.0, opt->clip / (opt->gnorm + 1e-6));
  opt->step++;
  PetscCall(opt->ops.step(opt, theta, grad, c));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNOptimizerView - prints the type, hyper-parameters and step count

  Collective

  Level: intermediate
@*/
PetscErrorCode KNOptimizerView(KNOptimizer opt, PetscViewer viewer)
{
  PetscFunctionBegin;
  KNAssertPointer(opt, 1);
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(opt->comm);
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNOptimizer %s: lr %g, weight decay %g, step %" PetscInt_FMT "\n", opt->type, (double)opt->lr, (double)KNOptimizerWeightDecay_Private(opt), opt->step));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  betas (%g, %g), eps %g, momentum %g, clip %g%s\n", (double)opt->beta1, (double)opt->beta2, (double)opt->eps, (double)opt->momentum, (double)opt->clip, opt->clip > 0 ? "" : " (off)"));
  PetscFunctionReturn(KN_SUCCESS);
}
