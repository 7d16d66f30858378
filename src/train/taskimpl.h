/* Private KNTask and KNTrainer data. */
#pragma once

#include <math.h>
#include <kn/kntrainer.h>

#define KN_NAN ((PetscReal)NAN)

typedef struct {
  /* configures a net for the task (readout; checks node counts); data may be NULL for tasks without data */
  PetscErrorCode (*setupnet)(KNTask, KNNet, KNDataset);
  /* one batch of m <= B samples (x: m*nin features, y: m*nout targets; density: x, y NULL and the base points are
     drawn from (seed, stream, draw)); adds to the tally; grad != NULL: KNNetBackward() into grad */
  PetscErrorCode (*batch)(KNTask, KNNet, PetscInt, const PetscReal[], const PetscReal[], PetscInt64, PetscInt64, Vec, KNTaskTally *);
} KNTaskOps;

struct _p_KNTask {
  MPI_Comm    comm;
  char       *type, *prefix;
  KNTaskOps   ops;
  const char *metric;           /* name of the metric column, e.g. "nll" */
  PetscBool   flow, needs_data; /* flow net; trained from a dataset (all but density) */
  char        potential[64];    /* density: the energy */
  PetscInt    nout_user;        /* -kn_task_outputs (0: from the data) */
  PetscInt    nin, nout;        /* features and readout size, set by setupnet */
  PetscInt64  seed;
  /* work arrays for a batch of B samples */
  PetscInt   wB, wnin, wnout;
  PetscReal *in, *out, *dout, *lp, *dlp;
};

PETSC_INTERN PetscErrorCode KNTaskCreate_Regression(KNTask);
PETSC_INTERN PetscErrorCode KNTaskCreate_Classification(KNTask);
PETSC_INTERN PetscErrorCode KNTaskCreate_Generation(KNTask);
PETSC_INTERN PetscErrorCode KNTaskCreate_Density(KNTask);

/* (Re)allocates the work arrays for batch B and the task's nin features and nout outputs. */
PETSC_INTERN PetscErrorCode KNTaskWork_Private(KNTask, PetscInt);
/* Number of nodes of every layer: *N of layer 0 and whether all layers have the same count. */
PETSC_INTERN PetscErrorCode KNTaskNetNodes_Private(KNNet, PetscInt *, PetscInt *, PetscBool *);

struct _p_KNTrainer {
  MPI_Comm    comm;
  char       *prefix;
  KNNet       net;
  KNTask      task;
  KNOptimizer opt;
  KNDataset   train, test;
  PetscInt    epochs, batch, max_iter, test_every, test_samples;
  char        schedule[64], rundir[PETSC_MAX_PATH_LEN];
  PetscReal   lr0, progress;
  PetscInt64  seed;
  PetscBool   setupcalled, net_given, save, monitor;
  KNImageAugment aug;     /* training-time image augmentation (rotation, shift) */
  PetscInt       augshape; /* entries given in -kn_train_augment_image */
  Vec         theta, grad;
  /* progress of the run */
  PetscInt  epoch, iter;
  PetscReal loss, metric, secondary, seconds;
};

PETSC_INTERN PetscErrorCode KNTrainerMakeRunDirectory_Private(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerWriteOptions_Private(KNTrainer);
