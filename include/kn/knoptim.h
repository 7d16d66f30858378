/* KNOptimizer (AdamW, Adam, SGD with PyTorch semantics), learning-rate schedules and parameter initialisation. */
#pragma once

#include <petscvec.h>
#include <kn/knsys.h>

/*S
  KNOptimizer - a first-order optimizer acting in place on a distributed parameter Vec. Its state (step count and
  moment Vecs with the layout of the parameters) is what a checkpoint must hold: KNOptimizerGetMoments(),
  KNOptimizerGetStep(), KNOptimizerSetStep().
S*/
typedef struct _p_KNOptimizer *KNOptimizer;

typedef const char *KNOptimizerType;
#define KNOPTIMIZERADAMW "adamw" /* torch.optim.AdamW: decoupled weight decay (default, as the reference) */
#define KNOPTIMIZERADAM  "adam"  /* torch.optim.Adam: weight decay added to the gradient (L2) */
#define KNOPTIMIZERSGD   "sgd"   /* torch.optim.SGD: optional heavy-ball momentum, L2 weight decay */

PETSC_EXTERN PetscErrorCode KNOptimizerCreate(MPI_Comm, KNOptimizer *);
PETSC_EXTERN PetscErrorCode KNOptimizerDestroy(KNOptimizer *);
PETSC_EXTERN PetscErrorCode KNOptimizerSetType(KNOptimizer, KNOptimizerType);
PETSC_EXTERN PetscErrorCode KNOptimizerGetType(KNOptimizer, KNOptimizerType *);
PETSC_EXTERN PetscErrorCode KNOptimizerRegister(const char[], PetscErrorCode (*)(KNOptimizer));
PETSC_EXTERN PetscErrorCode KNOptimizerSetOptionsPrefix(KNOptimizer, const char[]);
PETSC_EXTERN PetscErrorCode KNOptimizerSetFromOptions(KNOptimizer);
PETSC_EXTERN PetscErrorCode KNOptimizerSetUp(KNOptimizer, Vec);
PETSC_EXTERN PetscErrorCode KNOptimizerStep(KNOptimizer, Vec, Vec);
PETSC_EXTERN PetscErrorCode KNOptimizerReset(KNOptimizer);
PETSC_EXTERN PetscErrorCode KNOptimizerView(KNOptimizer, PetscViewer);

PETSC_EXTERN PetscErrorCode KNOptimizerSetLearningRate(KNOptimizer, PetscReal);
PETSC_EXTERN PetscErrorCode KNOptimizerGetLearningRate(KNOptimizer, PetscReal *);
PETSC_EXTERN PetscErrorCode KNOptimizerSetBetas(KNOptimizer, PetscReal, PetscReal);
PETSC_EXTERN PetscErrorCode KNOptimizerSetEpsilon(KNOptimizer, PetscReal);
PETSC_EXTERN PetscErrorCode KNOptimizerSetWeightDecay(KNOptimizer, PetscReal);
PETSC_EXTERN PetscErrorCode KNOptimizerGetWeightDecay(KNOptimizer, PetscReal *);
PETSC_EXTERN PetscErrorCode KNOptimizerSetMomentum(KNOptimizer, PetscReal);
PETSC_EXTERN PetscErrorCode KNOptimizerSetClipNorm(KNOptimizer, PetscReal);
PETSC_EXTERN PetscErrorCode KNOptimizerGetHyperParameters(KNOptimizer, PetscReal *, PetscReal *, PetscReal *, PetscReal *, PetscReal *, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KNOptimizerGetStep(KNOptimizer, PetscInt *);
PETSC_EXTERN PetscErrorCode KNOptimizerSetStep(KNOptimizer, PetscInt);
PETSC_EXTERN PetscErrorCode KNOptimizerGetMoments(KNOptimizer, Vec *, Vec *);
PETSC_EXTERN PetscErrorCode KNOptimizerGetGradientNorm(KNOptimizer, PetscReal *);

/* Learning-rate schedules (reference strings): "none", "steplr_S_G", "cosinelr_T_E". */
PETSC_EXTERN PetscErrorCode KNScheduleLR(const char[], PetscReal, PetscInt, PetscReal *);

/* Parameter initialisation by global index (rank-count independent): kaiming, gauss, uniform, xavier, zeros, ones. */
PETSC_EXTERN PetscErrorCode KNInitParameters(Vec, PetscInt, PetscInt, const char[], PetscInt64);
