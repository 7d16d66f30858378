/* knet eval MODEL -kn_input FILE: push inputs through a model and write the final voltages. */
#include <string.h>
#include "knet.h"

typedef struct {
  char      input[PETSC_MAX_PATH_LEN], dataset[256], output[PETSC_MAX_PATH_LEN];
  PetscInt  batch;
  PetscBool flow, reverse, has_output, minmax, has_input;
} EvalOptions;

static PetscErrorCode ProcessOptions(MPI_Comm comm, EvalOptions *o)
{
  PetscBool set;

  PetscFunctionBegin;
  o->batch = 256, o->flow = PETSC_FALSE, o->reverse = PETSC_FALSE, o->minmax = PETSC_TRUE;
  o->input[0] = o->output[0] = 0;
  PetscCall(PetscStrncpy(o->dataset, "x", sizeof(o->dataset)));
  PetscOptionsBegin(comm, NULL, "knet eval options", "knet");
  PetscCall(PetscOptionsString("-kn_input", "Inputs: CSV/text (one sample per row, optional header) or HDF5 (.h5)", "knet eval", o->input, o->input, sizeof(o->input), &set));
  PetscCall(PetscOptionsString("-kn_input_dataset", "Dataset name inside an HDF5 input (samples x features)", "knet eval", o->dataset, o->dataset, sizeof(o->dataset), NULL));
  PetscCall(PetscOptionsString("-kn_output", "CSV file for the outputs (default: print to stdout)", "knet eval", o->output, o->output, sizeof(o->output), &o->has_output));
  PetscCall(PetscOptionsInt("-kn_batch_size", "Samples integrated together (they share adaptive steps)", "knet eval", o->batch, &o->batch, NULL));
  PetscCall(PetscOptionsBool("-kn_flow", "Track the log-density term -int tr(df/dv) dt and output it as the last column", "KNNetSetFlow", o->flow, &o->flow, NULL));
  PetscCall(PetscOptionsBool("-kn_reverse", "Traverse the layers last to first, backwards in time (flows: data -> latent)", "KNNetForward", o->reverse, &o->reverse, NULL));
  PetscCall(PetscOptionsBool("-kn_data_minmax", "Apply the model's stored min-max scaling: raw inputs in, outputs in the data's units (false: values as the net sees them)", "KNModelRecordsLoad", o->minmax, &o->minmax, NULL));
  PetscOptionsEnd();
  o->has_input = set;
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    PetscCheck(set || help, comm, PETSC_ERR_ARG_WRONG, "knet eval needs -kn_input FILE (CSV or HDF5), or -kn_task_type TYPE with data options (a model that records its task needs neither)");
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

/* Which of the stored scaling applies: features scale the inputs (supervised nets, and flows traversed data ->
   latent), targets (or, for a flow traversed latent -> data, the features) un-scale the outputs. Says what it does. */
static PetscErrorCode ChooseScaling(MPI_Comm comm, const EvalOptions *o, const KNModelRecords *r, PetscInt nin, PetscInt K, PetscBool *in, const PetscReal **olo, const PetscReal **ohi)
{
  PetscBool flow, o1, *out = &o1;

  PetscFunctionBegin;
  *in = *out = PETSC_FALSE;
  *olo = *ohi = NULL;
  if (!r->nfeat) PetscFunctionReturn(KN_SUCCESS);
  if (!o->minmax) {
    PetscCall(PetscPrintf(comm, "knet eval: -kn_data_minmax false: the model's stored min-max scaling is not applied (inputs and outputs as the net sees them)\n"));
    PetscFunctionReturn(KN_SUCCESS);
  }
  flow = (PetscBool)(!strcmp(r->task, KNTASKGENERATION) || !strcmp(r->task, KNTASKDENSITY));
  *in  = (PetscBool)(!flow || o->reverse);
  *out = flow ? (PetscBool)(!o->reverse && K == r->nfeat) : (PetscBool)(r->ntarget && K == r->ntarget);
  PetscCheck(!*in || nin == r->nfeat, comm, PETSC_ERR_ARG_SIZ, "knet eval: %s has %" PetscInt_FMT " columns but the model's stored min-max scaling is for %" PetscInt_FMT " features (raw inputs, one column per feature; -kn_data_minmax false: inputs already scaled)", o->input, nin, r->nfeat);
  PetscCall(PetscPrintf(comm, "knet eval: min-max scaling stored in the model (fitted on the training set): %s%s%s (-kn_data_minmax false: off)\n", *in ? "inputs scaled" : "", *in && *out ? ", " : "", *out ? "outputs un-scaled to the data's units" : (*in ? "" : "not needed here")));
  if (*out) *olo = flow ? r->feature_min : r->target_min, *ohi = flow ? r->feature_max : r->target_max;
  PetscFunctionReturn(KN_SUCCESS);
}

/* The forward (or reverse) sweeps over the n inputs x, B at a time, into y (cols per row: K outputs [, logp]). */
static PetscErrorCode RunBatches(KNNet net, const EvalOptions *o, PetscInt n, PetscInt nin, PetscInt B, PetscInt K, const PetscReal x[], PetscReal y[])
{
  PetscInt   cols = K + (o->flow ? 1 : 0);
  PetscReal *in, *out, *lp;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(B * nin, &in, B * K, &out, B, &lp));
  for (PetscInt s = 0; s < n; s += B) {
    PetscInt m = PetscMin(B, n - s);
    PetscCall(PetscArrayzero(in, B * nin)); /* a short last batch is padded with zero samples */
    PetscCall(PetscArraycpy(in, x + s * nin, m * nin));
    PetscCall(KNNetForward(net, nin, in, o->reverse));
    PetscCall(KNNetGetOutput(net, out));
    if (o->flow) PetscCall(KNNetGetLogDensity(net, lp));
    for (PetscInt b = 0; b < m; b++) {
      PetscCall(PetscArraycpy(y + (s + b) * cols, out + b * K, K));
      if (o->flow) y[(s + b) * cols + K] = lp[b];
    }
  }
  PetscCall(PetscFree3(in, out, lp));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteOutputs(MPI_Comm comm, KNNet net, const EvalOptions *o, PetscInt n, PetscInt cols, const PetscReal y[])
{
  char *header;

  PetscFunctionBegin;
  PetscCall(MakeHeader(net, o->flow, &header));
  if (o->has_output) {
    PetscCall(KNetWriteCSV(comm, o->output, header, n, cols, y));
    PetscCall(PetscPrintf(comm, "knet eval: %" PetscInt_FMT " samples -> %s (%" PetscInt_FMT " columns)\n", n, o->output, cols));
  } else {
    PetscCall(PetscPrintf(comm, "%s\n", header));
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < cols; j++) PetscCall(PetscPrintf(comm, "%.10g%s", (double)y[i * cols + j], j + 1 < cols ? "," : "\n"));
  }
  PetscCall(PetscFree(header));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The task metric path: -kn_task_type given, or no -kn_input and a model that records its task. */
static PetscErrorCode WantsTask(int argc, char **argv, const KNModelRecords *r, PetscBool *task)
{
  PetscBool input;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_task_type", task));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_input", &input));
  if (!*task && !input && r && r->task[0]) *task = PETSC_TRUE;
  (void)argc, (void)argv;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetEval(int argc, char **argv)
{
  MPI_Comm       comm = PETSC_COMM_WORLD;
  EvalOptions    o;
  KNModelRecords rec;
  KNNet          net;
  KNTrajectory   traj;
  PetscInt       n, nin, K, B, cols;
  PetscReal     *x, *y;
  PetscBool      task, help, sin;
  const PetscReal *olo, *ohi;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  PetscCall(WantsTask(argc, argv, NULL, &task));
  if (task || (!help && argc >= 1 && argv[0][0] != '-')) { /* the records decide when the options do not */
    PetscCall(PetscMemzero(&rec, sizeof(rec)));
    if (argc >= 1 && argv[0][0] != '-') PetscCall(KNModelRecordsLoad(comm, argv[0], &rec));
    PetscCall(WantsTask(argc, argv, &rec, &task));
    if (task) { /* the task metric instead of the voltages */
      PetscCall(KNetEvalTask(argc, argv, &rec));
      PetscCall(KNModelRecordsReset(&rec));
      PetscFunctionReturn(KN_SUCCESS);
    }
  } else if (help && (argc < 1 || argv[0][0] == '-')) {
    PetscCall(ProcessOptions(PETSC_COMM_WORLD, &o));
    PetscCall(KNTrajectoryCreateFromOptions(NULL, NULL));
    PetscCall(KNetHelpNet(PETSC_COMM_WORLD));
    PetscFunctionReturn(KN_SUCCESS);
  } else PetscCall(PetscMemzero(&rec, sizeof(rec)));
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_ARG_WRONG, "usage: knet eval MODEL.h5 -kn_input FILE [-kn_output FILE]");
  PetscCall(ProcessOptions(comm, &o));
  PetscCall(KNetUseStoredOptions(comm, "eval", argv[0], &rec, KNetSolverPrefixes));
  PetscCall(KNetReadMatrix(comm, o.input, o.dataset, &n, &nin, &x));
  B = PetscMin(o.batch, n);
  PetscCall(KNNetLoad(comm, argv[0], B, o.flow, &net));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNTrajectoryCreateFromOptions(net, &traj)); /* -kn_trajectory: v(t) of chosen inputs */
  PetscCall(KNetCheckOptions(comm));
  PetscCall(KNetSayReadout(comm, "eval", argv[0], &rec, net));
  PetscCall(ChooseScaling(comm, &o, &rec, nin, K, &sin, &olo, &ohi));
  if (sin) KNetMinMax(PETSC_TRUE, n, nin, nin, rec.feature_min, rec.feature_max, x);
  cols = K + (o.flow ? 1 : 0);
  PetscCall(PetscMalloc1(n * cols, &y));
  PetscCall(RunBatches(net, &o, n, nin, B, K, x, y));
  if (olo) KNetMinMax(PETSC_FALSE, n, K, cols, olo, ohi, y);
  if (traj) {
    PetscCall(KNTrajectoryWrite(traj, NULL));
    PetscCall(KNTrajectoryDestroy(&traj));
  }
  PetscCall(WriteOutputs(comm, net, &o, n, cols, y));
  PetscCall(PetscFree(y));
  PetscCall(PetscFree(x));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNModelRecordsReset(&rec));
  PetscFunctionReturn(KN_SUCCESS);
}
