/* KNTrainer: the object, its setters and options, and set-up (net, data, task and optimizer from the options). */
#include <petscviewer.h>
#include <kn/knrobust.h>
#include "taskimpl.h"
#include "sys/knoptions.h"

/*@C
  KNTrainerCreate - creates a trainer: task generation, optimizer AdamW (lr 1e-3), 10 epochs, batch 512, schedule
  none, seed 42, progress every 10 s

  Collective

  Level: beginner

.seealso: KNTrainerSetFromOptions(), KNTrainerSetUp(), KNTrainerTrain(), KNTrainerDestroy()
@*/
PetscErrorCode KNTrainerCreate(MPI_Comm comm, KNTrainer *trainer)
{
  KNTrainer tr;

  PetscFunctionBegin;
  KNAssertPointer(trainer, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&tr));
  tr->comm         = comm;
  tr->epochs       = 10;
  tr->batch        = 512;
  tr->test_every   = 1;
  tr->test_samples = 0;
  tr->progress     = 10.0;
  tr->seed         = 42;
  tr->save         = PETSC_TRUE;
  tr->monitor      = PETSC_TRUE;
  tr->sync_steps   = PETSC_TRUE;
  tr->aug.interp   = KN_INTERP_NEAREST; /* torchvision's default */
  tr->loss = tr->metric = tr->secondary = KN_NAN;
  tr->check.h       = 1e-5;
  tr->check.abs_err = tr->check.rel_err = KN_NAN;
  tr->run.keep      = 3;
  tr->run.signals   = PETSC_TRUE;
  tr->run.last_iter = -1;
  tr->run.lockfd    = -1;
  tr->run.best      = KN_NAN;
  tr->run.tcreate   = MPI_Wtime(); /* -kn_max_walltime counts from here */
  PetscCall(PetscStrncpy(tr->schedule, "none", sizeof(tr->schedule)));
  PetscCall(KNTaskCreate(comm, &tr->task));
  PetscCall(KNOptimizerCreate(comm, &tr->opt));
  *trainer = tr;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerDestroy - frees the trainer and drops its references to the net, task, optimizer and datasets

  Collective

  Level: beginner
@*/
PetscErrorCode KNTrainerDestroy(KNTrainer *trainer)
{
  KNTrainer tr;

  PetscFunctionBegin;
  if (!trainer || !*trainer) PetscFunctionReturn(KN_SUCCESS);
  tr = *trainer;
  if (tr->run.installed) PetscCall(KNSignalsRestore()); /* KNTrainerTrain() ended by an error */
  PetscCall(KNTrainerUnlockRunDirectory_Private(tr));
  if (!tr->net_given) PetscCall(KNNetDestroy(&tr->net));
  PetscCall(KNTaskDestroy(&tr->task));
  PetscCall(KNOptimizerDestroy(&tr->opt));
  PetscCall(KNDatasetDestroy(&tr->train));
  PetscCall(KNDatasetDestroy(&tr->test));
  PetscCall(VecDestroy(&tr->theta));
  PetscCall(VecDestroy(&tr->grad));
  PetscCall(KNGridDestroy(&tr->grid));
  PetscCall(PetscFree(tr->prefix));
  PetscCall(PetscFree(*trainer));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerSetOptionsPrefix(KNTrainer tr, const char prefix[])
{
  PetscFunctionBegin;
  PetscCall(PetscFree(tr->prefix));
  if (prefix) PetscCall(PetscStrallocpy(prefix, &tr->prefix));
  PetscCall(KNTaskSetOptionsPrefix(tr->task, prefix));
  PetscCall(KNOptimizerSetOptionsPrefix(tr->opt, prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetNet - trains this set-up net (it keeps its parameters and batch size) instead of one built from the
  options; the caller keeps ownership and destroys it after the trainer

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrainerSetNet(KNTrainer tr, KNNet net)
{
  PetscFunctionBegin;
  PetscCheck(!tr->setupcalled, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the net before KNTrainerSetUp()");
  tr->net       = net;
  tr->net_given = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerGetNet(KNTrainer tr, KNNet *net)
{
  PetscFunctionBegin;
  *net = tr->net;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetTask - replaces the trainer's task (the trainer takes ownership of it)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrainerSetTask(KNTrainer tr, KNTask task)
{
  PetscFunctionBegin;
  PetscCheck(!tr->setupcalled, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the task before KNTrainerSetUp()");
  PetscCall(KNTaskDestroy(&tr->task));
  tr->task = task;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerGetTask(KNTrainer tr, KNTask *task)
{
  PetscFunctionBegin;
  *task = tr->task;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerGetOptimizer(KNTrainer tr, KNOptimizer *opt)
{
  PetscFunctionBegin;
  *opt = tr->opt;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetDatasets - the training set and an optional test set (the trainer takes ownership of both)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrainerSetDatasets(KNTrainer tr, KNDataset train, KNDataset test)
{
  PetscFunctionBegin;
  PetscCheck(!tr->setupcalled, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "Set the datasets before KNTrainerSetUp()");
  PetscCall(KNDatasetDestroy(&tr->train));
  PetscCall(KNDatasetDestroy(&tr->test));
  tr->train = train, tr->test = test;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerSetEpochs(KNTrainer tr, PetscInt epochs)
{
  PetscFunctionBegin;
  PetscCheck(epochs >= 0, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "Epochs %" PetscInt_FMT " must be >= 0", epochs);
  tr->epochs = epochs;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerSetBatchSize(KNTrainer tr, PetscInt B)
{
  PetscFunctionBegin;
  PetscCheck(B >= 1, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "Batch size %" PetscInt_FMT " must be >= 1", B);
  tr->batch = B;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetMaxIterations - stop after this many optimizer steps in total (0: no limit)

  Logically Collective

  Level: intermediate
@*/
PetscErrorCode KNTrainerSetMaxIterations(KNTrainer tr, PetscInt n)
{
  PetscFunctionBegin;
  PetscCheck(n >= 0, tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "Maximum iterations %" PetscInt_FMT " must be >= 0 (0: no limit)", n);
  tr->max_iter = n;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetSchedule - learning-rate schedule stepped once per epoch: none, steplr_S_G or cosinelr_T_E (KNScheduleLR())

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNTrainerSetSchedule(KNTrainer tr, const char spec[])
{
  PetscReal lr;

  PetscFunctionBegin;
  PetscCall(KNScheduleLR(spec, 1.0, 0, &lr)); /* validates the string */
  PetscCall(PetscStrncpy(tr->schedule, spec, sizeof(tr->schedule)));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerSetSeed(KNTrainer tr, PetscInt64 seed)
{
  PetscFunctionBegin;
  tr->seed = seed;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetRunDirectory - where model.h5, metrics.csv and options.txt go (created by KNTrainerTrain(); default
  runs/<date>-<time>)

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNTrainerSetRunDirectory(KNTrainer tr, const char dir[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(tr->rundir, dir, sizeof(tr->rundir)));
  tr->run.checked = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTrainerGetRunDirectory(KNTrainer tr, const char **dir)
{
  PetscFunctionBegin;
  *dir = tr->rundir;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerGetResult - state after KNTrainerTrain(): epochs done, last epoch's mean training loss, last test metric
  (NaN if none was computed) and the training wall time in seconds

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNTrainerGetResult(KNTrainer tr, PetscInt *epochs, PetscReal *loss, PetscReal *metric, PetscReal *seconds)
{
  PetscFunctionBegin;
  if (epochs) *epochs = tr->epoch;
  if (loss) *loss = tr->loss;
  if (metric) *metric = tr->metric;
  if (seconds) *seconds = tr->seconds;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetFromOptions - reads the trainer's, the task's and the optimizer's options

  Collective

  Options Database Keys:
+ -kn_train_epochs <10> - epochs (density: one fresh batch per epoch)
. -kn_train_batch_size <512> - samples per optimizer step
. -kn_train_max_iterations <0> - stop after this many steps in total (0: no limit)
. -kn_train_schedule <none> - none, steplr_S_G, cosinelr_T_E; stepped once per epoch
. -kn_train_test_every <1> - evaluate the test metric every k epochs (0: only after the last)
. -kn_train_test_samples <B> - density: held-out base samples of the test metric
. -kn_train_progress <10> - seconds between progress lines within an epoch (0: per epoch only)
. -kn_train_save <true> - write model.h5 at the end
. -kn_train_save_every <0> - also write model.h5 every k epochs (atomic replace; 0: only at the end)
. -kn_train_monitor <true> - print the progress lines and the final summary
. -kn_train_augment_degrees <0> - images: random rotation in [-d, d] degrees per sample and step (mnist: 15)
. -kn_train_augment_translate <0> - images: random whole-pixel shift up to this fraction of the size (mnist: 0.1)
. -kn_train_augment_image <C,H,W> - the image shape (default from the features: 784 = 1,28,28; 3072 = 3,32,32; 64 = 1,8,8)
. -kn_train_check_gradient <K> - check the first batch's gradient on K parameters against central differences
. -kn_train_check_gradient_h <1e-5> - the finite-difference step of that check
. -kn_data_groups <G> - split the ranks into G data groups, each with the whole model and 1/G of every mini-batch;
  the ranks of a group split the nodes (G must divide the ranks; default: chosen from the largest layer, printed)
. -kn_data_groups_sync_steps <true> - adaptive time steps (-ts_adapt_type basic) are chosen from the error over all
  groups (TSAdapt kngroups), so any G gives the steps, and results, of one group; false: each group adapts to its slice
. -kn_run_dir <runs/DATE-TIME> - the run directory
. -kn_run_overwrite <false> - start anew in a run directory that holds a run (else refused; see KNTrainerSetRunOverwrite())
. -kn_seed <42> - the run's seed
. -kn_checkpoint_every <0>, -kn_checkpoint_seconds <0>, -kn_checkpoint_keep <3>, -kn_checkpoint_dir <run dir/ckpt>,
  -kn_checkpoint_signals <true>, -kn_resume <auto|FILE>, -kn_max_walltime <0> - long runs, see KNTrainerSetResume()
- and KNTrainerWriteCheckpoint()

  Level: beginner

.seealso: KNTaskSetFromOptions(), KNOptimizerSetFromOptions()
@*/
PetscErrorCode KNTrainerSetFromOptions(KNTrainer tr)
{
  PetscInt  seed = (PetscInt)tr->seed;
  char      sched[64];
  PetscInt  shape[3] = {1, 1, 1}, nshape = 3;
  PetscBool set, sset;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(sched, tr->schedule, sizeof(sched)));
  PetscOptionsBegin(tr->comm, tr->prefix, "KirchhoffNet trainer options", "KNTrainer");
  PetscCall(PetscOptionsBoundedInt("-kn_train_epochs", "Epochs (density matching: one fresh batch each)", "KNTrainerSetEpochs", tr->epochs, &tr->epochs, NULL, 0));
  PetscCall(PetscOptionsBoundedInt("-kn_train_batch_size", "Samples per optimizer step", "KNTrainerSetBatchSize", tr->batch, &tr->batch, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_train_max_iterations", "Stop after this many optimizer steps in total (0: no limit)", "KNTrainerSetMaxIterations", tr->max_iter, &tr->max_iter, NULL, 0));
  PetscCall(PetscOptionsString("-kn_train_schedule", "Learning-rate schedule stepped per epoch: none, steplr_S_G, cosinelr_T_E", "KNTrainerSetSchedule", sched, sched, sizeof(sched), &sset));
  PetscCall(PetscOptionsBoundedInt("-kn_train_test_every", "Test metric every k epochs (0: only after the last)", "KNTrainerTrain", tr->test_every, &tr->test_every, NULL, 0));
  PetscCall(PetscOptionsBoundedInt("-kn_train_test_samples", "Density: held-out base samples of the test metric (0: the batch size)", "KNTrainerTrain", tr->test_samples, &tr->test_samples, NULL, 0));
  PetscCall(PetscOptionsReal("-kn_train_progress", "Seconds between progress lines within an epoch (0: per epoch only)", "KNTrainerTrain", tr->progress, &tr->progress, NULL));
  PetscCall(PetscOptionsBool("-kn_train_monitor", "Print a progress line per epoch and the final summary", "KNTrainerTrain", tr->monitor, &tr->monitor, NULL));
  PetscCall(PetscOptionsBool("-kn_train_save", "Write the final model to <run dir>/model.h5", "KNTrainerTrain", tr->save, &tr->save, NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_train_save_every", "Also write model.h5 every k epochs (0: only at the end)", "KNTrainerTrain", tr->save_every, &tr->save_every, NULL, 0));
  PetscCall(PetscOptionsReal("-kn_train_augment_degrees", "Images: random rotation range in degrees (0: off)", "KNDatasetAugmentImages", tr->aug.degrees, &tr->aug.degrees, NULL));
  PetscCall(PetscOptionsReal("-kn_train_augment_translate", "Images: random shift range as a fraction of the size (0: off)", "KNDatasetAugmentImages", tr->aug.translate, &tr->aug.translate, NULL));
  PetscCall(PetscOptionsIntArray("-kn_train_augment_image", "Images: shape C,H,W (default from the number of features)", "KNDatasetAugmentImages", shape, &nshape, &set));
  if (set) tr->augshape = nshape, tr->aug.C = shape[0], tr->aug.H = shape[1], tr->aug.W = shape[2];
  PetscCall(PetscOptionsBoundedInt("-kn_data_groups", "Data groups G (each holds the model and 1/G of every batch; G must divide the ranks; 0: chosen from the topology)", "KNGridCreate", tr->groups, &tr->groups, NULL, 0));
  PetscCall(PetscOptionsBool("-kn_data_groups_sync_steps", "Adaptive steps chosen from the error over all data groups (false: each group adapts to its own slice; results then depend on G)", "KNNetSetStepComm", tr->sync_steps, &tr->sync_steps, NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_train_check_gradient", "Check the first batch's gradient on K parameters against central differences and print the error (0: off)", "KNTrainerGetGradientCheck", tr->check.count, &tr->check.count, NULL, 0));
  PetscCall(PetscOptionsReal("-kn_train_check_gradient_h", "Step of those central differences", "KNTrainerGetGradientCheck", tr->check.h, &tr->check.h, NULL));
  PetscCall(PetscOptionsString("-kn_run_dir", "Run directory for model.h5, metrics.csv, options.txt (default runs/DATE-TIME)", "KNTrainerSetRunDirectory", tr->rundir, tr->rundir, sizeof(tr->rundir), NULL));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the run (initialisation, data, shuffles, base draws)", "KNTrainerSetSeed", seed, &seed, NULL));
  PetscOptionsEnd();
  PetscCheck(!tr->augshape || tr->augshape == 3, tr->comm, PETSC_ERR_ARG_WRONG, "-kn_train_augment_image needs three integers C,H,W (e.g. 1,28,28)");
  PetscCheck(tr->check.h > 0 && !PetscIsInfOrNanReal(tr->check.h), tr->comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_train_check_gradient_h %g must be a finite number > 0", (double)tr->check.h);
  if (sset) PetscCall(KNTrainerSetSchedule(tr, sched));
  tr->seed = seed;
  PetscCall(KNTrainerSetFromOptions_LongRun(tr));
  { /* -kn_train_mc_*: every epoch reads them (RunEpoch()); read here as well, so they are checked before any work */
    KNRobustness rob;
    PetscCall(KNRobustnessCreateFromOptions(tr->comm, tr->prefix, PETSC_TRUE, tr->seed, &rob));
    PetscCall(KNRobustnessDestroy(&rob));
  }
  PetscCall(KNTaskSetFromOptions(tr->task));
  PetscCall(KNOptimizerSetFromOptions(tr->opt));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Net from the options: layers, batch, flow, task readout, -kn_readout_last etc., set-up, initial parameters. */
static PetscErrorCode BuildNet(KNTrainer tr)
{
  PetscBool flow;
  PetscInt  B;

  PetscFunctionBegin;
  PetscCall(KNTaskGetFlow(tr->task, &flow));
  PetscCall(KNTrainerGroupBatchSize_Private(tr, &B)); /* the net (made by KNTrainerSetUpGrid_Private()) holds a group's slice */
  PetscCall(KNNetSetBatchSize(tr->net, B));
  PetscCall(KNNetSetFlow(tr->net, flow));
  PetscCall(KNTaskSetUpNet(tr->task, tr->net, tr->train));
  PetscCall(KNNetSetFromOptions(tr->net));
  PetscCall(KNNetSetUp(tr->net));
  PetscCall(KNNetInitializeFromOptions(tr->net, tr->prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Image shape for augmentation: given, or guessed from the features (MNIST, CIFAR, sklearn digits). */
static PetscErrorCode SetUpAugment(KNTrainer tr)
{
  PetscInt n, nf, nt;

  PetscFunctionBegin;
  if (tr->aug.degrees == 0 && tr->aug.translate == 0) PetscFunctionReturn(KN_SUCCESS);
  PetscCheck(tr->train, tr->comm, PETSC_ERR_ARG_WRONGSTATE, "Image augmentation needs a training set of images");
  PetscCall(KNDatasetGetSizes(tr->train, &n, &nf, &nt));
  if (!tr->augshape) {
    tr->aug.C = nf == 3072 ? 3 : 1;
    tr->aug.H = tr->aug.W = nf == 3072 ? 32 : nf == 784 ? 28 : nf == 64 ? 8 : 0;
  }
  PetscCheck(tr->aug.H > 0 && tr->aug.C * tr->aug.H * tr->aug.W == nf, tr->comm, PETSC_ERR_ARG_SIZ, "Image augmentation: %" PetscInt_FMT " features are not images of shape %" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT "; give -kn_train_augment_image C,H,W", nf, tr->aug.C, tr->aug.H, tr->aug.W);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerSetUp - creates what was not given: the datasets (KNDatasetCreateFromOptions()), the net
  (KNNetCreateFromOptions(), initialised by KNNetInitializeFromOptions()), and sets up the task and the optimizer

  Collective

  Level: beginner

.seealso: KNTrainerTrain()
@*/
PetscErrorCode KNTrainerSetUp(KNTrainer tr)
{
  KNTaskType type;
  PetscBool  density;

  PetscFunctionBegin;
  if (tr->setupcalled) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNTrainerCheckRunDirectory_Private(tr)); /* before the data and the net: an occupied run directory fails at once */
  PetscCall(KNTaskSetSeed(tr->task, tr->seed));
  PetscCall(KNTaskGetType(tr->task, &type));
  PetscCall(PetscStrcmp(type, KNTASKDENSITY, &density));
  if (!tr->train && !density) PetscCall(KNDatasetCreateFromOptions(tr->comm, tr->prefix, tr->task, &tr->train, &tr->test));
  if (tr->net_given) PetscCall(KNNetGetBatchSize(tr->net, &tr->batch));
  PetscCall(KNTrainerSetUpGrid_Private(tr));
  if (!tr->net_given) PetscCall(BuildNet(tr));
  else PetscCall(KNTaskSetUpNet(tr->task, tr->net, tr->train));
  PetscCall(SetUpAugment(tr));
  PetscCall(KNNetCreateParameterVec(tr->net, &tr->theta));
  PetscCall(VecDuplicate(tr->theta, &tr->grad));
  PetscCall(KNNetGetParameters(tr->net, tr->theta));
  PetscCall(KNOptimizerSetUp(tr->opt, tr->theta));
  PetscCall(KNOptimizerGetLearningRate(tr->opt, &tr->lr0));
  if (!tr->test_samples) tr->test_samples = tr->batch;
  tr->setupcalled = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNTrainerView - prints the task, the data, the net and the optimizer

  Collective

  Level: beginner
@*/
PetscErrorCode KNTrainerView(KNTrainer tr, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(tr->comm, &viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "KNTrainer: %" PetscInt_FMT " epochs, batch %" PetscInt_FMT ", schedule %s, seed %" PetscInt64_FMT "%s%s\n", tr->epochs, tr->batch, tr->schedule, tr->seed, tr->rundir[0] ? ", run directory " : "", tr->rundir));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  if (tr->grid) PetscCall(KNGridView(tr->grid, viewer));
  PetscCall(KNTrainerView_LongRun(tr, viewer));
  PetscCall(KNTaskView(tr->task, viewer));
  if (tr->train) PetscCall(KNDatasetView(tr->train, viewer));
  if (tr->test) PetscCall(KNDatasetView(tr->test, viewer));
  if (tr->net) PetscCall(KNNetView(tr->net, viewer));
  PetscCall(KNOptimizerView(tr->opt, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(KN_SUCCESS);
}
