/* Learning: tasks (regression, classification, generation, density matching) and the trainer loop. */
#pragma once

#include <kn/knnet.h>
#include <kn/kndataset.h>
#include <kn/knloss.h>
#include <kn/knoptim.h>

/*S
  KNTask - what a KirchhoffNet learns (spec section 7): turns a mini-batch into a loss, a metric and, through
  KNNetBackward(), the parameter gradient.

  Types (-kn_task_type):
+ regression     - MSE (torch MSELoss) between the readout (default: the last ntarget nodes) and the targets
. classification - cross entropy on the last K node voltages as logits (K = classes); metrics top-1 and top-5
. generation     - continuous normalizing flow (spec 7.4): data integrated backwards (reversed sweep) to the base
                   N(0, I) of the first layer's dimension; loss and metric = NLL in nats (KNLossFlowNLL())
- density        - reverse KL (spec 7.5): z0 ~ N(0, I) drawn fresh per batch from the counter-based RNG, forward
                   sweep, loss and metric = mean(lp + U(x)) (KNLossDensityKL()) for -kn_task_potential potential1..4

  A batch of m samples is pushed through a net of batch size B >= m: the rest of the batch is padded with zero
  samples that take no part in the loss or the gradient.
S*/
typedef struct _p_KNTask *KNTask;

typedef const char *KNTaskType;
#define KNTASKREGRESSION     "regression"
#define KNTASKCLASSIFICATION "classification"
#define KNTASKGENERATION     "generation"
#define KNTASKDENSITY        "density"

/* Sums over the samples of one or more batches; KNTaskTallyGetMetric() turns them into the task's metric. */
typedef struct {
  PetscInt  n;          /* samples */
  PetscReal loss;       /* sum over samples of the per-sample loss (mean loss = loss/n) */
  PetscInt  top1, top5; /* classification: samples whose label is the largest logit / among the 5 largest */
} KNTaskTally;

/* Counter-based RNG streams of the tasks (offsets of KN_STREAM_USER). */
#define KN_STREAM_TASK_BASE   (KN_STREAM_USER + 1) /* density: training draws z0 */
#define KN_STREAM_TASK_TEST   (KN_STREAM_USER + 2) /* density: the fixed held-out draws */
#define KN_STREAM_TASK_SAMPLE (KN_STREAM_USER + 3) /* KNFlowSample() */

PETSC_EXTERN PetscErrorCode KNTaskCreate(MPI_Comm, KNTask *);
PETSC_EXTERN PetscErrorCode KNTaskDestroy(KNTask *);
PETSC_EXTERN PetscErrorCode KNTaskSetType(KNTask, KNTaskType);
PETSC_EXTERN PetscErrorCode KNTaskGetType(KNTask, KNTaskType *);
PETSC_EXTERN PetscErrorCode KNTaskRegister(const char[], PetscErrorCode (*)(KNTask));
PETSC_EXTERN PetscErrorCode KNTaskSetOptionsPrefix(KNTask, const char[]);
PETSC_EXTERN PetscErrorCode KNTaskSetFromOptions(KNTask);
PETSC_EXTERN PetscErrorCode KNTaskSetPotential(KNTask, const char[]);
PETSC_EXTERN PetscErrorCode KNTaskSetNumOutputs(KNTask, PetscInt);
PETSC_EXTERN PetscErrorCode KNTaskSetSeed(KNTask, PetscInt64);
PETSC_EXTERN PetscErrorCode KNTaskGetFlow(KNTask, PetscBool *);
PETSC_EXTERN PetscErrorCode KNTaskGetMetricName(KNTask, const char **);
PETSC_EXTERN PetscErrorCode KNTaskSetUpNet(KNTask, KNNet, KNDataset);
PETSC_EXTERN PetscErrorCode KNTaskComputeBatch(KNTask, KNNet, PetscInt, const PetscReal[], const PetscReal[], PetscInt64, Vec, KNTaskTally *);
PETSC_EXTERN PetscErrorCode KNTaskComputeBatchSlice(KNTask, KNNet, PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscInt64, Vec, KNTaskTally *);
PETSC_EXTERN PetscErrorCode KNTaskEvaluate(KNTask, KNNet, KNDataset, PetscInt, PetscInt64, KNTaskTally *);
PETSC_EXTERN PetscErrorCode KNTaskEvaluateRange(KNTask, KNNet, KNDataset, PetscInt, PetscInt, PetscInt64, KNTaskTally *);
PETSC_EXTERN PetscErrorCode KNTaskTallyGetMetric(KNTask, const KNTaskTally *, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KNTaskView(KNTask, PetscViewer);

PETSC_EXTERN PetscErrorCode KNFlowSample(KNNet, PetscInt, PetscInt64, PetscReal[], PetscReal[]);

/* Building blocks from the options database (used by KNTrainerSetUp() and the knet command line). */
PETSC_EXTERN PetscErrorCode KNNetCreateFromOptions(MPI_Comm, const char[], KNNet *);
PETSC_EXTERN PetscErrorCode KNNetInitializeFromOptions(KNNet, const char[]);
PETSC_EXTERN PetscErrorCode KNDatasetCreateFromOptions(MPI_Comm, const char[], KNTask, KNDataset *, KNDataset *);

/*S
  KNTrainer - the training loop: a net, a task, an optimizer (KNOptimizer), train/test datasets, epochs, batch size,
  learning-rate schedule (stepped once per epoch), seed and a run directory holding model.h5 (the final model),
  metrics.csv (one row per epoch) and options.txt (the effective option table).
S*/
typedef struct _p_KNTrainer *KNTrainer;

PETSC_EXTERN PetscErrorCode KNTrainerCreate(MPI_Comm, KNTrainer *);
PETSC_EXTERN PetscErrorCode KNTrainerDestroy(KNTrainer *);
PETSC_EXTERN PetscErrorCode KNTrainerSetOptionsPrefix(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerSetFromOptions(KNTrainer);
PETSC_EXTERN PetscErrorCode KNTrainerSetUp(KNTrainer);
PETSC_EXTERN PetscErrorCode KNTrainerTrain(KNTrainer);
PETSC_EXTERN PetscErrorCode KNTrainerView(KNTrainer, PetscViewer);

PETSC_EXTERN PetscErrorCode KNTrainerSetNet(KNTrainer, KNNet);
PETSC_EXTERN PetscErrorCode KNTrainerGetNet(KNTrainer, KNNet *);
PETSC_EXTERN PetscErrorCode KNTrainerSetTask(KNTrainer, KNTask);
PETSC_EXTERN PetscErrorCode KNTrainerGetTask(KNTrainer, KNTask *);
PETSC_EXTERN PetscErrorCode KNTrainerGetOptimizer(KNTrainer, KNOptimizer *);
PETSC_EXTERN PetscErrorCode KNTrainerSetDatasets(KNTrainer, KNDataset, KNDataset);
PETSC_EXTERN PetscErrorCode KNTrainerSetEpochs(KNTrainer, PetscInt);
PETSC_EXTERN PetscErrorCode KNTrainerSetBatchSize(KNTrainer, PetscInt);
PETSC_EXTERN PetscErrorCode KNTrainerSetMaxIterations(KNTrainer, PetscInt);
PETSC_EXTERN PetscErrorCode KNTrainerSetSchedule(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerSetSeed(KNTrainer, PetscInt64);
PETSC_EXTERN PetscErrorCode KNTrainerSetRunDirectory(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerGetRunDirectory(KNTrainer, const char **);
PETSC_EXTERN PetscErrorCode KNTrainerSetRunOverwrite(KNTrainer, PetscBool);
PETSC_EXTERN PetscErrorCode KNTrainerInsertStoredOptions(MPI_Comm, const char[], char[], size_t);
PETSC_EXTERN PetscErrorCode KNTrainerGetResult(KNTrainer, PetscInt *, PetscReal *, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KNTrainerGetGradientCheck(KNTrainer, PetscReal *, PetscReal *);

/* Long runs (src/train/trainer_ckpt.c, trainer_longrun.c, signals.c): checkpoints, exact resume, signals, wall time. */
#define KN_EXIT_CHECKPOINTED 85 /* knet train's exit code after a checkpoint-and-stop (signal, -kn_max_walltime): requeue */

typedef enum {
  KN_TRAINER_NOT_STOPPED,      /* not trained yet */
  KN_TRAINER_COMPLETED,        /* all epochs, or -kn_train_max_iterations, done */
  KN_TRAINER_STOPPED_SIGNAL,   /* SIGUSR1/SIGTERM/SIGINT: checkpoint written, stopped early */
  KN_TRAINER_STOPPED_WALLTIME  /* -kn_max_walltime: checkpoint written, stopped early */
} KNTrainerStopReason;

PETSC_EXTERN PetscErrorCode KNTrainerSetCheckpointInterval(KNTrainer, PetscInt, PetscReal);
PETSC_EXTERN PetscErrorCode KNTrainerSetCheckpointKeep(KNTrainer, PetscInt);
PETSC_EXTERN PetscErrorCode KNTrainerSetCheckpointDirectory(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerSetResume(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerSetMaxWalltime(KNTrainer, PetscReal);
PETSC_EXTERN PetscErrorCode KNTrainerWriteCheckpoint(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerLoadCheckpoint(KNTrainer, const char[]);
PETSC_EXTERN PetscErrorCode KNTrainerGetStopReason(KNTrainer, KNTrainerStopReason *, const char **);
PETSC_EXTERN PetscErrorCode KNSignalsInstall(void);
PETSC_EXTERN PetscErrorCode KNSignalsRestore(void);
PETSC_EXTERN PetscErrorCode KNSignalsGet(int *, PetscBool *);
PETSC_EXTERN PetscErrorCode KNSignalsInterrupt(void *, PetscBool *);
