/* knet sample MODEL.h5 -kn_samples N [-kn_output FILE]: samples of a trained flow, z ~ N(0, I) pushed forward. */
#include "knet.h"

typedef struct {
  char      output[PETSC_MAX_PATH_LEN];
  PetscInt  n, batch, seed;
  PetscBool has_output;
} SampleOptions;

static PetscErrorCode ProcessOptions(MPI_Comm comm, SampleOptions *o)
{
  PetscBool set;

  PetscFunctionBegin;
  o->n = 1000, o->batch = 512, o->seed = 22; /* the reference's inference seed */
  o->output[0] = 0;
  PetscOptionsBegin(comm, NULL, "knet sample options", "knet");
  PetscCall(PetscOptionsBoundedInt("-kn_samples", "Number of samples", "KNFlowSample", o->n, &o->n, &set, 1));
  PetscCall(PetscOptionsString("-kn_output", "CSV file for the samples and their log-density (default: print to stdout)", "knet sample", o->output, o->output, sizeof(o->output), &o->has_output));
  PetscCall(PetscOptionsBoundedInt("-kn_batch_size", "Samples integrated together (they share adaptive steps)", "knet sample", o->batch, &o->batch, NULL, 1));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the base samples z ~ N(0, I)", "KNFlowSample", o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(KN_SUCCESS);
}

/* "v1,...,vK,logq" */
static PetscErrorCode MakeHeader(KNNet net, char **header)
{
  PetscInt        K;
  const PetscInt *nodes;
  size_t          len = 0, cap;

  PetscFunctionBegin;
  PetscCall(KNNetGetReadout(net, &K, &nodes));
  cap = 16 * (size_t)(K + 2);
  PetscCall(PetscMalloc1(cap, header));
  for (PetscInt k = 0; k < K; k++) len += (size_t)snprintf(*header + len, cap - len, "v%" PetscInt_FMT ",", nodes[k]);
  snprintf(*header + len, cap - len, "logq");
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetSample(int argc, char **argv)
{
  MPI_Comm      comm = PETSC_COMM_WORLD;
  SampleOptions o;
  KNNet          net;
  KNTrajectory   traj;
  KNModelRecords rec;
  PetscInt      K;
  PetscReal    *x, *lq, *y;
  char         *header;
  PetscBool     help;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help && (argc < 1 || argv[0][0] == '-')) {
    PetscCall(ProcessOptions(comm, &o));
    PetscCall(KNTrajectoryCreateFromOptions(NULL, NULL));
    PetscCall(KNetHelpNet(comm));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_ARG_WRONG, "usage: knet sample MODEL.h5 -kn_samples N [-kn_output FILE]");
  PetscCall(ProcessOptions(comm, &o));
  PetscCall(KNModelRecordsLoad(comm, argv[0], &rec));
  PetscCall(KNetUseStoredOptions(comm, "sample", argv[0], &rec, KNetSolverPrefixes));
  PetscCall(KNetLoadModel(comm, argv[0], PetscMin(o.batch, o.n), PETSC_TRUE, &net));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(PetscMalloc3(o.n * K, &x, o.n, &lq, o.n * (K + 1), &y));
  PetscCall(KNTrajectoryCreateFromOptions(net, &traj)); /* -kn_trajectory: the generation stages of chosen samples */
  PetscCall(KNetCheckOptions(comm));
  PetscCall(KNetSayReadout(comm, "sample", argv[0], &rec, net));
  PetscCall(KNFlowSample(net, o.n, (PetscInt64)o.seed, x, lq));
  if (rec.nfeat == K) { /* samples in the data's units: x = lo + (hi - lo) x', log q(x) = log q'(x') - log|det| */
    PetscReal ld = KNetMinMaxLogDet(K, rec.feature_min, rec.feature_max);
    KNetMinMax(PETSC_FALSE, o.n, K, K, rec.feature_min, rec.feature_max, x);
    for (PetscInt i = 0; i < o.n; i++) lq[i] -= ld;
    PetscCall(PetscPrintf(comm, "knet sample: samples un-scaled with the min-max scaling stored in %s (log q in the data's units)\n", argv[0]));
  }
  if (traj) {
    PetscCall(KNTrajectoryWrite(traj, NULL));
    PetscCall(KNTrajectoryDestroy(&traj));
  }
  for (PetscInt i = 0; i < o.n; i++) {
    PetscCall(PetscArraycpy(y + i * (K + 1), x + i * K, K));
    y[i * (K + 1) + K] = lq[i];
  }
  PetscCall(MakeHeader(net, &header));
  if (o.has_output) {
    PetscCall(KNetWriteCSV(comm, o.output, header, o.n, K + 1, y));
    PetscCall(PetscPrintf(comm, "knet sample: %" PetscInt_FMT " samples -> %s (%" PetscInt_FMT " columns: %s)\n", o.n, o.output, K + 1, header));
  } else {
    PetscCall(PetscPrintf(comm, "%s\n", header));
    for (PetscInt i = 0; i < o.n; i++)
      for (PetscInt j = 0; j <= K; j++) PetscCall(PetscPrintf(comm, "%.10g%s", (double)y[i * (K + 1) + j], j < K ? "," : "\n"));
  }
  PetscCall(PetscFree(header));
  PetscCall(PetscFree3(x, lq, y));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNModelRecordsReset(&rec));
  PetscFunctionReturn(KN_SUCCESS);
}
