static char help[] = "knet: build, evaluate and inspect KirchhoffNets (analog circuits as neural networks, arXiv 2310.15872).\n\n"
                     "usage: knet <command> [positional arguments] [options]\n"
                     "commands:\n"
                     "  info  MODEL.h5            layers, nodes, edges, parameters, devices, edge checksums\n"
                     "  eval  MODEL.h5 -kn_input FILE [-kn_output FILE]\n"
                     "                            push inputs (CSV or HDF5) through the model, write the final voltages\n"
                     "  demo                      a self-contained run on an embedded circuit: forward, adjoint gradient, timing\n"
                     "  export-spice MODEL.h5 -kn_input FILE -kn_sample k -kn_spice_dir DIR [-kn_hw_scale a]\n"
                     "                            one ngspice netlist per layer for one input sample, and DIR/run.sh to chain them\n"
                     "  verify-spice MODEL.h5 -kn_input FILE -kn_sample k [-kn_hw_scale a] [-kn_spice_tol t]\n"
                     "                            run the netlists in ngspice, compare every layer's voltages with knet's solver\n"
                     "  (knet info MODEL.h5 -kn_hw_scale a [-kn_hw_current I0] adds capacitances, time, devices by law, charge)\n"
                     "  train [-options_file configs/X.yaml]\n"
                     "                            train a net (regression, classification, generation, density); no options: quick demo\n"
                     "  sample MODEL.h5 -kn_samples N [-kn_output FILE]\n"
                     "                            draw samples (and their log-density) from a trained flow\n"
                     "  eval MODEL.h5 -kn_task_type TYPE -kn_data NAME ...\n"
                     "                            the task metric (MSE, top-1, NLL, density loss) of a model on a dataset\n"
                     "  eval MODEL.h5 -kn_task_type TYPE -kn_data NAME -kn_mc N [-kn_mc_device_sigma s -kn_mc_input_bits b ...]\n"
                     "                            Monte Carlo of the metric under device/capacitor mismatch, noise, DAC/ADC quantisation\n"
                     "MODEL may be a model written by knet or one of the published reference weight files.\n"
                     "Every option can also come from a YAML file: -options_file run.yaml. Unknown options are an error;\n"
                     "errors print one message (add -kn_traceback for PETSc's full traceback).\n"
                     "Solver options are PETSc's: -ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6,\n"
                     "-ts_type beuler|cn needs -kn_jacobian aij. -kn_trajectory_solution_only keeps one state per step for the adjoint\n"
                     "(RK4: 8 instead of 32 bytes per node and sample per step; stages recomputed) with rk 1fe, 2a, 3, 4, beuler, cn\n"
                     "(not 3bs, 5dp, 5bs).\n";

#include "knet.h"

/* Users get the message and where it came from, not PETSc's full traceback (-kn_traceback restores it). */
static PetscErrorCode KNetErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  PetscMPIInt rank = 0;

  if (p != PETSC_ERROR_INITIAL) return n;
  if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
  if (!rank) fprintf(stderr, "knet: error: %s\n  (%s() at %s:%d)\n", mess && mess[0] ? mess : "(no message)", func, file, line);
  return n;
}

static const KNetCommand commands[] = {
  {"info", "knet info MODEL.h5", KNetInfo},
  {"eval", "knet eval MODEL.h5 -kn_input FILE [-kn_output FILE]", KNetEval},
  {"demo", "knet demo", KNetDemo},
  {"export-spice", "knet export-spice MODEL.h5 -kn_input FILE -kn_sample k -kn_spice_dir DIR [-kn_hw_scale a]", KNetExportSpice},
  {"verify-spice", "knet verify-spice MODEL.h5 -kn_input FILE -kn_sample k [-kn_hw_scale a] [-kn_spice_tol t]", KNetVerifySpice},
  {"train", "knet train [-options_file configs/X.yaml] [options]", KNetTrain},
  {"sample", "knet sample MODEL.h5 -kn_samples N [-kn_output FILE]", KNetSample},
};

int main(int argc, char **argv)
{
  const KNetCommand *cmd = NULL;
  PetscErrorCode     ierr;

  /* The subcommand and its positional arguments come first; PETSc sees the options that follow. */
  if (argc > 1 && argv[1][0] != '-')
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
      if (!strcmp(argv[1], commands[i].name)) cmd = &commands[i];
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  if (!cmd) {
    PetscBool h;
    PetscCall(PetscOptionsHasHelp(NULL, &h));
    if (!h) {
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s%s%s\n", help, argc > 1 ? "\nerror: unknown command " : "", argc > 1 ? argv[1] : ""));
      PetscCall(PetscFinalize());
      return 2;
    }
    PetscCall(PetscFinalize());
    return 0;
  }
  {
    PetscBool trace = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-kn_traceback", &trace, NULL));
    if (!trace) PetscCall(PetscPushErrorHandler(KNetErrorHandler, NULL));
  }
  ierr = cmd->run(argc - 2, argv + 2);
  if (!ierr) ierr = KNetCheckUnusedOptions(PETSC_COMM_WORLD);
  if (ierr) {
    (void)PetscFinalize();
    return 1;
  }
  PetscCall(PetscFinalize());
  return 0;
}
