/* Private KNOptimizer data: the object, its function table and the built-in constructors. */
#pragma once

#include <kn/knoptim.h>

typedef struct {
  /* allocates the moment Vecs the type needs, shaped like tmpl */
  PetscErrorCode (*setup)(KNOptimizer, Vec tmpl);
  /* one update of theta in place from grad scaled by clip (the clipping factor, 1 if off); opt->step is already t */
  PetscErrorCode (*step)(KNOptimizer, Vec theta, Vec grad, PetscReal clip);
} KNOptimizerOps;

struct _p_KNOptimizer {
  MPI_Comm       comm;
  char          *type;   /* registered type name */
  char          *prefix; /* options prefix, may be NULL */
  KNOptimizerOps ops;
  PetscReal      lr, beta1, beta2, eps, momentum, clip;
  PetscReal      wd;         /* weight decay set by the user, used when wd_set */
  PetscReal      wd_default; /* the type's default (AdamW 0.01, Adam and SGD 0, as PyTorch) */
  PetscBool      wd_set;
  PetscInt       step;  /* completed steps; the next step is step + 1 (Adam's bias-correction exponent) */
  Vec            m, v;  /* first / second moments (SGD: momentum buffer in m), NULL until needed */
  PetscReal      gnorm; /* 2-norm of the last gradient before clipping */
  PetscBool      setupcalled;
};

/* The weight decay in force. */
static inline PetscReal KNOptimizerWeightDecay_Private(KNOptimizer opt)
{
  return opt->wd_set ? opt->wd : opt->wd_default;
}

/* Duplicates tmpl into *v (if not yet allocated) and zeros it. */
PETSC_INTERN PetscErrorCode KNOptimizerMoment_Private(Vec, Vec *);

PETSC_INTERN PetscErrorCode KNOptimizerCreate_AdamW(KNOptimizer);
PETSC_INTERN PetscErrorCode KNOptimizerCreate_Adam(KNOptimizer);
PETSC_INTERN PetscErrorCode KNOptimizerCreate_SGD(KNOptimizer);
