/* Private KNTask and KNTrainer data. */
#pragma once

#include <math.h>
#include <kn/kntrainer.h>
#include <kn/kngrid.h>

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
  PetscInt    anneal;           /* density: -kn_task_density_anneal N (0: off) */
  PetscInt    nout_user;        /* -kn_task_outputs (0: from the data) */
  PetscInt    nin, nout;        /* features and readout size, set by setupnet */
  PetscInt64  seed;
  PetscInt    mtotal;           /* samples of the whole batch whose mean the loss is (a data group's slice is part of it; 0: m) */
  /* work arrays for a batch of B samples */
  PetscInt   wB, wnin, wnout;
  PetscReal *in, *out, *dout, *lp, *dlp;
};

PETSC_INTERN PetscErrorCode KNTaskCreate_Regression(KNTask);
PETSC_INTERN PetscErrorCode KNTaskCreate_Classification(KNTask);
PETSC_INTERN PetscErrorCode KNTaskCreate_Generation(KNTask);
PETSC_INTERN PetscErrorCode KNTaskCreate_Density(KNTask);

/* (Re)allocates the work arrays for batch B and the task's nin features and nout outputs. */
PETSC_INTERN PetscErrorCode KNTaskPaddingSweep_Private(KNTask, KNNet, Vec);
PETSC_INTERN PetscErrorCode KNTaskWork_Private(KNTask, PetscInt);
/* Loss seeds dout[0..n) and dlp[0..nlp) of a slice of m samples: from the mean over m to the mean over task->mtotal. */
PETSC_INTERN PetscErrorCode KNTaskScaleSeeds_Private(KNTask, PetscInt, PetscInt, PetscReal[], PetscInt, PetscReal[]);
/* Number of nodes of every layer: *N of layer 0 and whether all layers have the same count. */
PETSC_INTERN PetscErrorCode KNTaskNetNodes_Private(KNNet, PetscInt *, PetscInt *, PetscBool *);

/* Long runs (trainer_ckpt.c, trainer_longrun.c): checkpoints, resume, signals and the wall-time limit. */
typedef struct {
  PetscInt            every, keep;       /* checkpoint every k steps (0: off); keep the newest k files */
  PetscReal           seconds, walltime; /* checkpoint every s seconds (0: off); stop with a checkpoint before this (0: off) */
  PetscBool           signals;           /* SIGUSR1/SIGTERM/SIGINT: stop mid-batch (discarded) or at the boundary, with a checkpoint */
  char                dir[PETSC_MAX_PATH_LEN], resume[PETSC_MAX_PATH_LEN], last[PETSC_MAX_PATH_LEN];
  PetscReal           tcreate, tlast, tstep, tprev, tckpt; /* clock: creation, last checkpoint, step estimate, last boundary, last write */
  PetscInt            epoch, batch;      /* position: batches done in epoch (written into checkpoints) */
  KNTaskTally         tally;             /* the tally of those batches */
  PetscInt            last_iter;         /* step of the newest checkpoint written or read (-1: none) */
  PetscReal           seconds0, best;    /* training time before the resume; best test metric so far */
  PetscBool           resumed, installed;
  PetscBool           overwrite, checked; /* -kn_run_overwrite; the run directory was checked (KNTrainerCheckRunDirectory_Private()) */
  int                 signal;            /* the signal that stopped the run */
  char                midbatch[256];     /* a signal stopped a batch in its solves: where (empty: at a boundary) */
  int                 lockfd;            /* rank 0: the flock()ed RUN/.knet.lock while training, else -1 */
  KNTrainerStopReason reason;
} KNTrainerLongRun;

struct _p_KNTrainer {
  MPI_Comm    comm;
  char       *prefix;
  KNNet       net;
  KNTask      task;
  KNOptimizer opt;
  KNDataset   train, test;
  PetscInt    epochs, batch, max_iter, test_every, test_samples, save_every;
  char        schedule[64], rundir[PETSC_MAX_PATH_LEN];
  PetscReal   lr0, progress;
  PetscInt64  seed;
  PetscBool   setupcalled, net_given, save, monitor;
  KNImageAugment aug;     /* training-time image augmentation (rotation, shift) */
  PetscInt       augshape; /* entries given in -kn_train_augment_image */
  Vec         theta, grad;
  KNGrid      grid;       /* -kn_data_groups: the net lives on the group's communicator, the batch is split */
  PetscInt    groups;     /* -kn_data_groups as given (0: chosen at set-up) */
  PetscBool   sync_steps; /* -kn_data_groups_sync_steps: adaptive steps chosen over all groups */
  struct {
    PetscInt  count;            /* -kn_train_check_gradient K (0: off) */
    PetscReal h;                /* -kn_train_check_gradient_h */
    PetscReal abs_err, rel_err; /* the result (NaN before the check) */
  } check;
  /* progress of the run */
  PetscInt  epoch, iter;
  PetscReal loss, metric, secondary, seconds;
  KNTrainerLongRun run;
};

#define KN_METRICS_HEADER "epoch,loss,lr,test_metric,rhs_evals,seconds"

PETSC_INTERN PetscErrorCode KNTrainerMakeRunDirectory_Private(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerLockRunDirectory_Private(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerUnlockRunDirectory_Private(KNTrainer);
PETSC_INTERN int            KNTrainerMakePath_Private(char[]);
PETSC_INTERN PetscErrorCode KNTrainerWriteOptions_Private(KNTrainer);
/* Process grid (trainer_grid.c): set-up, the group's batch, the summed gradient and tallies, files of group 0. */
PETSC_INTERN PetscErrorCode KNTrainerSetUpGrid_Private(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerGroupBatchSize_Private(KNTrainer, PetscInt *);
PETSC_INTERN PetscErrorCode KNTrainerBatchGradient_Private(KNTrainer, PetscInt, PetscInt, PetscInt, const PetscReal[], const PetscReal[], KNTaskTally *);
PETSC_INTERN PetscErrorCode KNTrainerTestTally_Private(KNTrainer, PetscInt, KNTaskTally *);
PETSC_INTERN PetscErrorCode KNTrainerSaveModel_Private(KNTrainer);
/* trainer_records.c: KNNetSaveWithRecords() of the trainer's net with its task, data scaling and option table. */
PETSC_INTERN PetscErrorCode KNTrainerSaveNet_Private(KNTrainer, const char[]);
PETSC_INTERN PetscErrorCode KNTrainerSumCount_Private(KNTrainer, PetscInt *);
PETSC_INTERN PetscErrorCode KNTrainerCheckGradient_Private(KNTrainer, PetscInt, PetscInt, PetscInt, const PetscReal[], const PetscReal[]);
/* Long runs: options, start (checkpoint directory, resume, signals), the hook at every batch boundary, the end. */
PETSC_INTERN PetscErrorCode KNTrainerSetFromOptions_LongRun(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerPrepareRunDirectory_LongRun(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerStart_LongRun(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerBoundary_LongRun(KNTrainer, PetscInt, PetscInt, const KNTaskTally *, PetscBool *);
PETSC_INTERN PetscErrorCode KNTrainerInterrupted_LongRun(KNTrainer, PetscInt, PetscInt, const KNTaskTally *, const char[], PetscBool *);
PETSC_INTERN PetscErrorCode KNTrainerEnd_LongRun(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerView_LongRun(KNTrainer, PetscViewer);
PETSC_INTERN PetscErrorCode KNTrainerMakeCheckpointDirectory_Private(KNTrainer, PetscBool);
PETSC_INTERN PetscErrorCode KNTrainerCheckRunDirectory_Private(KNTrainer);
PETSC_INTERN PetscErrorCode KNTrainerCheckNothingToResume_Private(KNTrainer);
