static char help_text[] = "knet: build, evaluate and inspect KirchhoffNets (analog circuits as neural networks, arXiv 2310.15872).\n\n"
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
                     "Every option can also come from a YAML file: -options_file run.yaml (the command line overrides it).\n"
                     "Options are checked before any work: an unknown or misspelled option, an option without its value, an integer\n"
                     "out of range, a duplicate YAML key or a stray word stops knet with one line (exit 1; -kn_traceback: PETSc's traceback).\n"
                     "knet CMD -help lists the command's options; knet CMD -help all adds every PETSc option. knet -version.\n"
                     "Solver options are PETSc's: -ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6,\n"
                     "-ts_type beuler|cn needs -kn_jacobian aij. -kn_trajectory_solution_only keeps one state per step for the adjoint\n"
                     "(RK4: 8 instead of 32 bytes per node and sample per step; stages recomputed) with rk 1fe, 2a, 3, 4, beuler, cn\n"
                     "(not 3bs, 5dp, 5bs).\n";

#include "knet.h"

#if !defined(KNET_VERSION)
  #define KNET_VERSION "unknown"
#endif

static const char *command_name = "knet";

/* One line per error: "knet CMD: message" (-kn_traceback restores PETSc's full traceback). */
static PetscErrorCode KNetErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  PetscMPIInt rank = 0;

  if (p != PETSC_ERROR_INITIAL) return n;
  if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
  if (!rank) fprintf(stderr, "%s: %s\n", command_name, mess && mess[0] ? mess : "error (no message; rerun with -kn_traceback)");
  return n;
}

static const KNetCommand commands[] = {
  {"info", "knet info MODEL.h5 [-kn_hw_scale a -kn_hw_current I0]", KNetInfo, 1},
  {"eval", "knet eval MODEL.h5 -kn_input FILE [-kn_output FILE] | knet eval MODEL.h5 -kn_task_type TYPE -kn_data NAME", KNetEval, 1},
  {"demo", "knet demo", KNetDemo, 0},
  {"export-spice", "knet export-spice MODEL.h5 -kn_input FILE -kn_sample k -kn_spice_dir DIR [-kn_hw_scale a]", KNetExportSpice, 1},
  {"verify-spice", "knet verify-spice MODEL.h5 -kn_input FILE -kn_sample k [-kn_hw_scale a] [-kn_spice_tol t]", KNetVerifySpice, 1},
  {"train", "knet train [-options_file configs/X.yaml] [options]", KNetTrain, 0},
  {"sample", "knet sample MODEL.h5 -kn_samples N [-kn_output FILE]", KNetSample, 1},
};

/* Exit before PETSc starts: the message (if any) once, from rank 0, and the same code on every rank. */
static int Leave(int rank, int code, const char text[], FILE *fp)
{
  if (!rank && text) fputs(text, fp);
  MPI_Finalize();
  return code;
}

static int Run(const KNetCommand *cmd, int argc, char **argv, int help, int helparg)
{
  PetscErrorCode ierr;
  PetscBool      trace = PETSC_FALSE;

  /* a concise -help is knet's (PETSc must not print its general help at start-up); the "all" of -help all too */
  if (helparg > 0) {
    for (int i = helparg; i + 1 < argc; i++) argv[i] = argv[i + 1];
    argc--;
  }
  ierr = PetscInitialize(&argc, &argv, NULL, help_text);
  if (ierr) return 1;
  KNetSetCommand(cmd);
  ierr = PetscOptionsGetBool(NULL, NULL, "-kn_traceback", &trace, NULL);
  if (!trace && !ierr) ierr = PetscPushErrorHandler(KNetErrorHandler, NULL);
  if (!ierr && help == 1) ierr = KNetPrintHelp(PETSC_COMM_WORLD, cmd->usage);
  else if (!ierr && help == 2) ierr = cmd->run(0, argv + argc);
  else if (!ierr) ierr = cmd->run(argc - 2, argv + 2);
  if (!ierr && !help) ierr = KNetCheckOptionsAtEnd(PETSC_COMM_WORLD); /* and what PETSc reads during the work */
  (void)PetscFinalize();
  return ierr ? 1 : 0;
}

int main(int argc, char **argv)
{
  const KNetCommand *cmd = NULL;
  int                rank, help, helparg, npos = 0;
  char               msg[4352], line[4608];

  MPI_Init(&argc, &argv); /* before PetscInitialize(): bad arguments and options files end here, on every rank */
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc < 2 || KNetIsHelpKey(argv[1]) || !strcmp(argv[1], "help") || !strcmp(argv[1], "-help")) return Leave(rank, 0, help_text, stdout);
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-version") || !strcmp(argv[i], "--version") || (i == 1 && !strcmp(argv[i], "version"))) {
      snprintf(line, sizeof(line), "knet %s (libkirchhoffnet; PETSc %d.%d.%d)\n", KNET_VERSION, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR);
      return Leave(rank, 0, line, stdout);
    }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (!strcmp(argv[1], commands[i].name)) cmd = &commands[i];
  if (!cmd) {
    snprintf(line, sizeof(line), "knet: unknown command '%s' (commands: info, eval, sample, train, demo, export-spice, verify-spice; knet help)\n", argv[1]);
    return Leave(rank, 2, line, stderr);
  }
  {
    static char name[64];
    snprintf(name, sizeof(name), "knet %s", cmd->name);
    command_name = name;
  }
  while (npos < cmd->nargs && 2 + npos < argc && !KNetIsKey(argv[2 + npos])) npos++;
  { /* the options files are read on rank 0 (as PETSc does), its verdict holds for every rank */
    int bad = KNetScanArgs(argc, argv, 2 + npos, cmd->name, rank == 0, &help, &helparg, msg, sizeof(msg));
    (void)MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (bad) {
      snprintf(line, sizeof(line), "%s: %s\n", command_name, msg);
      return Leave(rank, 1, line, stderr);
    }
  }
  {
    int code = Run(cmd, argc, argv, help, helparg);
    MPI_Finalize();
    return code;
  }
}
