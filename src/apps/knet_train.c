/* knet train [-options_file configs/X.yaml] [options]: trains a KirchhoffNet; with no options at all, a quick demo. */
#include <stdlib.h>
#include "knet.h"

/* The quick demo (configs/quick-demo.yaml): the reference twomoon flow (spec 8.1) with fewer epochs. */
static const char demo_options[] = "-kn_task_type generation -kn_data twomoon -kn_data_size 4096 "
                                   "-kn_layers 2 -kn_layer_T 0.5 -kn_topology_type fc -kn_topology_num_node 3 -kn_topology_repeat 25,25 "
                                   "-kn_device_type shift_tanh2 -kn_init kaiming -kn_seed 42 "
                                   "-kn_optim_type adamw -kn_optim_lr 1e-3 -kn_train_batch_size 512 -kn_train_epochs 250 "
                                   "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6";

static PetscErrorCode DemoBanner(MPI_Comm comm)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(comm, "knet train: no options given, running the quick demo (same as -options_file configs/quick-demo.yaml):\n"
                              "  a continuous normalizing flow learns the two-moons density: 2 layers of FC(3, [25,25]) shift_tanh2\n"
                              "  circuits (1800 parameters), AdamW lr 1e-3, batch 512, dopri5 tol 1e-4, 250 epochs of 8 batches (a few minutes on one core).\n"
                              "  The loss is the NLL in nats (the reference reaches 1.01 after 5000 epochs).\n"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode DemoSummary(KNTrainer tr)
{
  PetscReal   loss, sec;
  PetscInt    epochs;
  const char *dir;

  PetscFunctionBegin;
  PetscCall(KNTrainerGetResult(tr, &epochs, &loss, NULL, &sec));
  PetscCall(KNTrainerGetRunDirectory(tr, &dir));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "knet train demo: final NLL %.4f nats after %" PetscInt_FMT " epochs in %.1f s; the model is %s/model.h5\n", (double)loss, epochs, (double)sec, dir));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  next: knet sample %s/model.h5 -kn_samples 1000 -kn_output samples.csv\n"
                                          "        knet eval %s/model.h5 -kn_task_type generation -kn_data twomoon -kn_data_size 5000\n", dir, dir));
  PetscFunctionReturn(KN_SUCCESS);
}

/* After a checkpoint-and-stop (SIGUSR1/SIGTERM, -kn_max_walltime) knet train exits with KN_EXIT_CHECKPOINTED (85): job
   scripts requeue on it (jobs/train.sbatch). The usual end of main() is done here first. */
static PetscErrorCode ExitCheckpointed(KNTrainer *tr)
{
  PetscFunctionBegin;
  PetscCall(KNTrainerDestroy(tr));
  PetscCall(KNetCheckUnusedOptions(PETSC_COMM_WORLD));
  PetscCall(PetscFinalize());
  exit(KN_EXIT_CHECKPOINTED);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetTrain(int argc, char **argv)
{
  MPI_Comm            comm = PETSC_COMM_WORLD;
  KNTrainer           tr;
  KNTrainerStopReason reason;
  PetscBool           help, sig = PETSC_TRUE, demo = (PetscBool)(argc == 0);

  PetscFunctionBegin;
  PetscCheck(argc == 0 || argv[0][0] == '-', comm, PETSC_ERR_ARG_WRONG, "knet train takes no positional arguments (got '%s'); usage: knet train [-options_file configs/X.yaml] [options]", argv[0]);
  if (demo) {
    PetscCall(PetscOptionsInsertString(NULL, demo_options));
    PetscCall(DemoBanner(comm));
  }
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-kn_checkpoint_signals", &sig, NULL));
  if (!help && sig) PetscCall(KNSignalsInstall()); /* now, so that a signal during the set-up is not lost */
  PetscCall(KNTrainerCreate(comm, &tr));
  PetscCall(KNTrainerSetFromOptions(tr));
  PetscCall(KNTrainerSetUp(tr));
  if (!help) {
    PetscCall(KNTrainerView(tr, NULL));
    PetscCall(KNTrainerTrain(tr));
    PetscCall(KNTrainerGetStopReason(tr, &reason, NULL));
    if (reason == KN_TRAINER_STOPPED_SIGNAL || reason == KN_TRAINER_STOPPED_WALLTIME) PetscCall(ExitCheckpointed(&tr));
    if (demo) PetscCall(DemoSummary(tr));
  }
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}
