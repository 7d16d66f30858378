/* knet eval MODEL -kn_input FILE: push inputs through a model and write the final voltages. */
#include "knet.h"

typedef struct {
  char      input[PETSC_MAX_PATH_LEN], dataset[256], output[PETSC_MAX_PATH_LEN];
  PetscInt  batch;
  PetscBool flow, reverse, has_output;
} EvalOptions;

static PetscErrorCode ProcessOptions(MPI_Comm comm, EvalOptions *o)
{
  PetscBool set;

  PetscFunctionBegin;
  o->batch = 256, o->flow = PETSC_FALSE, o->reverse = PETSC_FALSE;
  o->input[0] = o->output[0] = 0;
  PetscCall(PetscStrncpy(o->dataset, "x", sizeof(o->dataset)));
  PetscOptionsBegin(comm, NULL, "knet eval options", "knet");
  PetscCall(PetscOptionsString("-kn_input", "Inputs: CSV/text (one sample per row, optional header) or HDF5 (.h5)", "knet eval", o->input, o->input, sizeof(o->input), &set));
  PetscCall(PetscOptionsString("-kn_input_dataset", "Dataset name inside an HDF5 input (samples x features)", "knet eval", o->dataset, o->dataset, sizeof(o->dataset), NULL));
  PetscCall(PetscOptionsString("-kn_output", "CSV file for the outputs (default: print to stdout)", "knet eval", o->output, o->output, sizeof(o->output), &o->has_output));
  PetscCall(PetscOptionsInt("-kn_batch_size", "Samples integrated together (they share adaptive steps)", "knet eval", o->batch, &o->batch, NULL));
  PetscCall(PetscOptionsBool("-kn_flow", "Track the log-density term -int tr(df/dv) dt and output it as the last column", "KNNetSetFlow", o->flow, &o->flow, NULL));
  PetscCall(PetscOptionsBool("-kn_reverse", "Traverse the layers last to first, backwards in time (flows: data -> latent)", "KNNetForward", o->reverse, &o->reverse, NULL));
  PetscOptionsEnd();
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    PetscCheck(set || help, comm, PETSC_ERR_ARG_WRONG, "knet eval needs -kn_input FILE (CSV or HDF5)");
  }
  PetscCheck(o->batch >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_batch_size must be at least 1, got %" PetscInt_FMT, o->batch);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode MakeHeader(KNNet net, PetscBool flow, char **header)
{
  PetscInt        K;
  const PetscInt *nodes;
  size_t          len = 0, cap;

  PetscFunctionBegin;
  PetscCall(KNNetGetReadout(net, &K, &nodes));
  cap = 16 * (size_t)(K + 2);
  PetscCall(PetscMalloc1(cap, header));
  for (PetscInt k = 0; k < K; k++) len += (size_t)snprintf(*header + len, cap - len, "%sv%" PetscInt_FMT, k ? "," : "", nodes[k]);
  if (flow) snprintf(*header + len, cap - len, ",logp");
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetEval(int argc, char **argv)
{
  MPI_Comm    comm = PETSC_COMM_WORLD;
  EvalOptions o;
  KNNet        net;
  KNTrajectory traj;
  PetscInt     n, nin, K, B, cols;
  PetscReal  *x, *y, *in, *out, *lp;
  char       *header;

  PetscFunctionBegin;
  {
    PetscBool task;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_task_type", &task));
    if (task) { /* the task metric instead of the voltages */
      PetscCall(KNetEvalTask(argc, argv));
      PetscFunctionReturn(KN_SUCCESS);
    }
  }
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    if (help && (argc < 1 || argv[0][0] == '-')) {
      PetscCall(ProcessOptions(PETSC_COMM_WORLD, &o));
      PetscCall(KNTrajectoryCreateFromOptions(NULL, NULL));
      PetscCall(KNetHelpNet(PETSC_COMM_WORLD));
      PetscFunctionReturn(KN_SUCCESS);
    }
  }
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_ARG_WRONG, "usage: knet eval MODEL.h5 -kn_input FILE [-kn_output FILE]");
  PetscCall(ProcessOptions(comm, &o));
  PetscCall(KNetReadMatrix(comm, o.input, o.dataset, &n, &nin, &x));
  B = PetscMin(o.batch, n);
  PetscCall(KNNetLoad(comm, argv[0], B, o.flow, &net));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNTrajectoryCreateFromOptions(net, &traj)); /* -kn_trajectory: v(t) of chosen inputs */
  PetscCall(KNetCheckOptions(comm));
  cols = K + (o.flow ? 1 : 0);
  PetscCall(PetscMalloc4(B * nin, &in, B * K, &out, B, &lp, n * cols, &y));
  for (PetscInt s = 0; s < n; s += B) {
    PetscInt m = PetscMin(B, n - s);
    PetscCall(PetscArrayzero(in, B * nin)); /* a short last batch is padded with zero samples */
    PetscCall(PetscArraycpy(in, x + s * nin, m * nin));
    PetscCall(KNNetForward(net, nin, in, o.reverse));
    PetscCall(KNNetGetOutput(net, out));
    if (o.flow) PetscCall(KNNetGetLogDensity(net, lp));
    for (PetscInt b = 0; b < m; b++) {
      PetscCall(PetscArraycpy(y + (s + b) * cols, out + b * K, K));
      if (o.flow) y[(s + b) * cols + K] = lp[b];
    }
  }
  if (traj) {
    PetscCall(KNTrajectoryWrite(traj, NULL));
    PetscCall(KNTrajectoryDestroy(&traj));
  }
  PetscCall(MakeHeader(net, o.flow, &header));
  if (o.has_output) {
    PetscCall(KNetWriteCSV(comm, o.output, header, n, cols, y));
    PetscCall(PetscPrintf(comm, "knet eval: %" PetscInt_FMT " samples -> %s (%" PetscInt_FMT " columns)\n", n, o.output, cols));
  } else {
    PetscCall(PetscPrintf(comm, "%s\n", header));
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < cols; j++) PetscCall(PetscPrintf(comm, "%.10g%s", (double)y[i * cols + j], j + 1 < cols ? "," : "\n"));
  }
  PetscCall(PetscFree(header));
  PetscCall(PetscFree4(in, out, lp, y));
  PetscCall(PetscFree(x));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}
