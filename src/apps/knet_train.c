/* knet train [-options_file configs/X.yaml] [options]: trains a KirchhoffNet; with no options at all, a quick demo. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "knet.h"

/* The quick demo (configs/quick-demo.yaml): the reference twomoon flow (spec 8.1) with fewer epochs. */
static const char demo_options[] = "-kn_task_type generation -kn_data twomoon -kn_data_size 4096 "
                                   "-kn_layers 2 -kn_layer_T 0.5 -kn_topology_type fc -kn_topology_num_node 3 -kn_topology_repeat 25,25 "
                                   "-kn_device_type shift_tanh2 -kn_init kaiming -kn_seed 42 "
                                   "-kn_optim_type adamw -kn_optim_lr 1e-3 -kn_train_batch_size 512 -kn_train_epochs 250 "
                                   "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6";

static PetscErrorCode DemoBanner(MPI_Comm comm, int argc, char **argv)
{
  PetscFunctionBegin;
  if (!argc) PetscCall(PetscPrintf(comm, "knet train: no options given, running the quick demo (same as -options_file configs/quick-demo.yaml):\n"));
  else {
    PetscCall(PetscPrintf(comm, "knet train: no -options_file and no option naming the net, task or data: the quick demo (configs/quick-demo.yaml) with"));
    for (int i = 0; i < argc; i++) PetscCall(PetscPrintf(comm, " %s", argv[i]));
    PetscCall(PetscPrintf(comm, " on top:\n"));
  }
  PetscCall(PetscPrintf(comm, "  a continuous normalizing flow learns the two-moons density: 2 layers of FC(3, [25,25]) shift_tanh2\n"
                              "  circuits (1800 parameters), AdamW lr 1e-3, batch 512, dopri5 tol 1e-4, 250 epochs of 8 batches (about a minute on 2 cores, a few on one).\n"
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

/* Puts options into the database beneath those already there (which keep their values). */
static PetscErrorCode InsertBeneath(const char base[])
{
  PetscOptions o;
  char        *cur, *all;

  PetscFunctionBegin;
  PetscCall(PetscOptionsCreate(&o));
  PetscCall(PetscOptionsInsertString(o, base));
  PetscCall(PetscOptionsGetAll(NULL, &cur));
  PetscCall(PetscOptionsInsertString(o, cur));
  PetscCall(PetscOptionsGetAll(o, &all));
  PetscCall(PetscOptionsInsertString(NULL, all));
  PetscCall(PetscOptionsDestroy(&o));
  PetscCall(PetscFree(cur));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Whether the options given name the net, the task or the data (otherwise, without a config, the demo is the base). */
static PetscBool GivesModel(int argc, char **argv)
{
  static const char *const model[] = {"-kn_task_", "-kn_data", "-kn_topology_", "-kn_layers", "-kn_layer_", "-kn_t_end", "-kn_device_", "-kn_readout", "-kn_capacitance", "-kn_net_", "-layer_", NULL};

  for (int i = 0; i < argc; i++)
    for (int k = 0; model[k]; k++)
      if (!strncmp(argv[i], model[k], strlen(model[k])) && strncmp(argv[i], "-kn_data_groups", 15)) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscBool GivesConfig(int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (!strncmp(argv[i], "-options_file", 13)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* What knet train builds: the stored options of a resumed run, the demo (no options, or none that names the model,
   and no config), or the options given. Says which. */
static PetscErrorCode ChooseOptions(MPI_Comm comm, int argc, char **argv, PetscBool *demo)
{
  char      source[PETSC_MAX_PATH_LEN];
  PetscBool help;

  PetscFunctionBegin;
  *demo = PETSC_FALSE;
  PetscCall(KNTrainerInsertStoredOptions(comm, NULL, source, sizeof(source)));
  if (source[0]) {
    PetscCall(PetscPrintf(comm, "knet train: -kn_resume: the run's options are those stored in %s (the options given now take precedence)\n", source));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help || GivesConfig(argc, argv)) PetscFunctionReturn(KN_SUCCESS);
  if (GivesModel(argc, argv)) {
    PetscCall(PetscPrintf(comm, "knet train: no -options_file: the net, task and data come from the options given and knet's defaults (see KNNet below); "
                                "without options that name them, knet train trains the quick demo\n"));
    PetscFunctionReturn(KN_SUCCESS);
  }
  *demo = PETSC_TRUE;
  PetscCall(InsertBeneath(demo_options));
  PetscCall(DemoBanner(comm, argc, argv));
  PetscFunctionReturn(KN_SUCCESS);
}

/* How the ranks were started, as the resume command should repeat it: Open MPI's mpiexec (its daemon's URI is in the
   environment), srun (a SLURM job step without mpiexec), or nothing (a plain 1-rank run). */
static const char *Launcher(PetscMPIInt size)
{
  if (getenv("OMPI_MCA_orte_hnp_uri") || getenv("PRTE_LAUNCHED")) return "mpiexec";
  if (getenv("SLURM_STEP_ID") && getenv("SLURM_PROCID")) return "srun";
  return size > 1 ? "mpiexec" : NULL;
}

/* The command that continues the run: the run directory holds everything else (KNTrainerInsertStoredOptions()). */
static PetscErrorCode PrintResumeCommand(KNTrainer tr)
{
  const char *dir;
  char        prog[PETSC_MAX_PATH_LEN] = "knet";
  PetscMPIInt size;
  PetscBool   plain = PETSC_TRUE;
  PetscInt    maxit = 0;

  PetscFunctionBegin;
  PetscCall(KNTrainerGetRunDirectory(tr, &dir));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-kn_train_max_iterations", &maxit, NULL));
  PetscCall(PetscGetProgramName(prog, sizeof(prog)));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  for (const char *c = dir; *c; c++)
    if (!(isalnum((unsigned char)*c) || strchr("_./-+:@%", *c))) plain = PETSC_FALSE;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "knet train: to continue (on any number of ranks): "));
  if (Launcher(size)) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s -n %d ", Launcher(size), size));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s train -kn_run_dir %s%s%s -kn_resume auto", prog, plain ? "" : "'", dir, plain ? "" : "'"));
  if (maxit) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " -kn_train_max_iterations %" PetscInt_FMT, maxit)); /* a limit of this invocation, not stored */
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* After a checkpoint-and-stop (SIGUSR1/SIGTERM, -kn_max_walltime) knet train exits with KN_EXIT_CHECKPOINTED (85): job
   scripts requeue on it (jobs/train.sbatch). The usual end of main() is done here first. */
static PetscErrorCode ExitCheckpointed(KNTrainer *tr)
{
  PetscFunctionBegin;
  PetscCall(PrintResumeCommand(*tr));
  PetscCall(KNTrainerDestroy(tr));
  PetscCall(KNetCheckOptionsAtEnd(PETSC_COMM_WORLD));
  PetscCall(PetscFinalize());
  MPI_Finalize(); /* main() started MPI */
  exit(KN_EXIT_CHECKPOINTED);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetTrain(int argc, char **argv)
{
  MPI_Comm            comm = PETSC_COMM_WORLD;
  KNTrainer           tr;
  KNTrainerStopReason reason;
  PetscBool           help, sig = PETSC_TRUE, demo;

  PetscFunctionBegin;
  PetscCheck(argc == 0 || argv[0][0] == '-', comm, PETSC_ERR_ARG_WRONG, "knet train takes no positional arguments (got '%s'); usage: knet train [-options_file configs/X.yaml] [options]", argv[0]);
  PetscCall(ChooseOptions(comm, argc, argv, &demo));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-kn_checkpoint_signals", &sig, NULL));
  if (!help && sig) PetscCall(KNSignalsInstall()); /* now, so that a signal during the set-up is not lost */
  PetscCall(KNTrainerCreate(comm, &tr));
  PetscCall(KNTrainerSetFromOptions(tr));
  PetscCall(KNTrainerSetUp(tr));
  PetscCall(KNetCheckOptions(comm)); /* a misspelled option stops here, before the run directory exists */
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
