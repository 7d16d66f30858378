/* bench_step: wall time of one TRAINING STEP (forward sweep + loss + adjoint gradient of one mini-batch + the AdamW
   update) for five workloads, side by side with quoted PyTorch (torchdiffeq) figures. Each workload is built from the
   options database through the library's public API as `knet train` builds it (KNTaskSetFromOptions,
   KNDatasetCreateFromOptions, KNNetCreateFromOptions, the trainer's data-group grid KNGridChooseGroups, KNTaskSetUpNet,
   KNNetInitializeFromOptions, KNOptimizer) and a step is what the trainer does per batch: KNTaskComputeBatchSlice on
   this group's slice, KNGridSumVec of the gradient, KNOptimizerStep, KNNetSetParameters.
     friedman   regression on Friedman1 (min-max scaled, 4096 samples, test 0.4), 1 FC layer of 12 nodes with ground,
                repeat [1,1], relu_diff (528 parameters), T = 1, batch 64
     twomoons   generation (CNF) on twomoon, 4 layers of T = 0.5, FC(3, [5,5]) with ground, shift_tanh2, batch 512
     sparse5dp  a random circuit, 1e4 nodes, 1e5 edges (-kn_topology_seed 7), tanh_3p, 1 layer T = 1, batch 64: a
                regression task whose inputs set ALL nodes (v0 ~ N(0,1)) and whose readout is ALL nodes against
                targets ~ N(0,1), loss MSE = ||v(T) - y||^2 / (B N); B samples in memory, the same batch every step
     sparserk4  the same circuit, RK4 (-ts_rk_type 4 -ts_adapt_type none), 10 fixed steps (-ts_dt 0.1)
     fashion    configs/fashion-mnist.yaml: 2 mix layers (C1 28x28 k4 F50 [1,1], T = 1) of shift_relu1, cross entropy,
                batch 512 (skipped with a message if Debian's dataset-fashion-mnist files are missing)
   friedman, twomoons and sparse5dp use dopri5 (-ts_type rk -ts_rk_type 5dp) with rtol = atol = 1e-3 and the library's
   automatic first step (Hairer's rule, as torchdiffeq without first_step; the quoted PyTorch NFE counts fit that, the
   configs' -ts_dt 1e-3 -ts_adapt_dt_min 1e-6 take about twice the steps); fashion uses its config's TS options.
   Workload W reads its options with the prefix W_ (e.g. -sparse5dp_ts_rtol 1e-4, -twomoons_kn_data_groups 1,
   -friedman_kn_device_type shift_relu1): the defaults above are set only where the user gave none. Each workload runs
   in its own log stage (-log_view splits by workload).
   Per workload: one warm-up step, then -repeats K timed steps (barrier before and after each): median and min ms per
   step; RHS evaluations, J^T products and TS steps per training step (KNNetGetStats differences; the RHS count includes
   any forward re-integration the adjoint sweep does); ns per edge-sample of one RHS and of one (fused J^T, Jp^T)
   product = core-seconds of the KNRHSEval / KNJacTranspose events summed over the ranks / (calls x edges x samples,
   padding included). Figures only: time never decides the exit status. */
#include <unistd.h>
#include "benchutil.h"

typedef struct {
  const char        *name, *about;
  const char *const *opts; /* (name, value) pairs without the prefix */
  PetscInt           nopts;
  PetscBool          synthetic; /* sparse circuits: random samples in memory */
  double             torch_ms;  /* lower quoted PyTorch figure (0: none) */
  const char        *torch;     /* the quoted figures as given */
} Workload;

#define TS5DP "ts_type", "rk", "ts_rk_type", "5dp", "ts_rtol", "1e-3", "ts_atol", "1e-3"
#define SPARSE \
  "kn_task_type", "regression", "kn_layers", "1", "kn_layer_T", "1.0", "kn_topology_type", "random", "kn_topology_num_node", "10000", "kn_topology_num_edges", "100000", "kn_topology_seed", "7", "kn_device_type", "tanh_3p", "kn_init", "kaiming", "kn_seed", "42", "kn_optim_type", "adamw", "kn_optim_lr", "1e-3", "kn_train_batch_size", "64"
static const char *const o_friedman[] = {"kn_task_type", "regression", "kn_data", "friedman1", "kn_data_size", "4096", "kn_data_test_fraction", "0.4", "kn_data_minmax", "true", "kn_layers", "1", "kn_layer_T", "1.0", "kn_topology_type", "fc", "kn_topology_num_node", "12", "kn_topology_include_gnd", "true", "kn_topology_repeat", "1,1", "kn_device_type", "relu_diff", "kn_init", "kaiming", "kn_seed", "42", "kn_optim_type", "adamw", "kn_optim_lr", "5e-4", "kn_train_batch_size", "64", TS5DP};
static const char *const o_twomoons[] = {"kn_task_type", "generation", "kn_data", "twomoon", "kn_data_size", "4096", "kn_layers", "4", "kn_layer_T", "0.5", "kn_topology_type", "fc", "kn_topology_num_node", "3", "kn_topology_include_gnd", "true", "kn_topology_repeat", "5,5", "kn_device_type", "shift_tanh2", "kn_init", "kaiming", "kn_seed", "42", "kn_optim_type", "adamw", "kn_optim_lr", "1e-3", "kn_train_batch_size", "512", TS5DP};
static const char *const o_sparse5dp[] = {SPARSE, TS5DP};
static const char *const o_sparserk4[] = {SPARSE, "ts_type", "rk", "ts_rk_type", "4", "ts_adapt_type", "none", "ts_dt", "0.1"};
static const char *const o_fashion[]   = {"kn_task_type", "classification", "kn_task_outputs", "10", "kn_data", "fashion_mnist", "kn_t_end", "0.0,1.0,2.0", "kn_topology_type", "mix", "kn_topology_channels", "1", "kn_topology_width", "28", "kn_topology_height", "28", "kn_topology_kernel", "4", "kn_topology_proj_nodes", "50", "kn_topology_repeat", "1,1", "kn_device_type", "shift_relu1", "kn_init", "kaiming", "kn_seed", "42", "kn_optim_type", "adamw", "kn_optim_lr", "5e-4", "kn_train_batch_size", "512", "ts_type", "rk", "ts_rk_type", "5dp", "ts_rtol", "1e-3", "ts_atol", "1e-3", "ts_dt", "1e-2", "ts_adapt_dt_min", "1e-5"};

#define NOPTS(a) ((PetscInt)(sizeof(a) / sizeof(a[0]) / 2))
static const Workload workloads[] = {
  {"friedman",  "Friedman1 regression, FC(12 gnd, [1,1]) relu_diff, T 1, 5dp 1e-3",      o_friedman,  NOPTS(o_friedman),  PETSC_FALSE, 27,   "27 (20+20 NFE)"      },
  {"twomoons",  "twomoon CNF, 4 x FC(3 gnd, [5,5]) shift_tanh2, T 0.5, 5dp 1e-3",        o_twomoons,  NOPTS(o_twomoons),  PETSC_FALSE, 114,  "114-128 (56+56 NFE)" },
  {"sparse5dp", "random N 1e4 E 1e5 tanh_3p, T 1, MSE on all nodes, 5dp 1e-3",           o_sparse5dp, NOPTS(o_sparse5dp), PETSC_TRUE,  5100, "5100-5200 (14+26 NFE)"},
  {"sparserk4", "random N 1e4 E 1e5 tanh_3p, T 1, MSE on all nodes, rk4 10 steps",       o_sparserk4, NOPTS(o_sparserk4), PETSC_TRUE,  7800, "7800-8500"           },
  {"fashion",   "configs/fashion-mnist.yaml: 2 x mix(28x28 k4 F50) shift_relu1, 5dp 1e-3", o_fashion,   NOPTS(o_fashion),   PETSC_FALSE, 0,    "not quoted"          },
};
#define NW ((PetscInt)(sizeof(workloads) / sizeof(workloads[0])))
static const char fashion_images[] = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

typedef struct {
  MPI_Comm    world;
  char        prefix[64];
  KNGrid      grid;
  KNTask      task;
  KNDataset   train, test;
  KNNet       net;
  KNOptimizer opt;
  Vec         theta, grad;
  PetscInt    batch, groups, G, n, nf, nt, iter, m, start, count, *perm;
  PetscBool   sync;
  PetscReal  *x, *y;
  KNTaskTally tally;
} Bench;

/* Nodes and edges of the largest layer of a net (as the trainer's grid choice looks at it). */
/* The layer with the most edges: its sizes, and the threads its edge loops run on (NULL: not wanted). */
static PetscErrorCode LargestLayer(KNNet net, PetscInt *N, PetscInt *E, PetscInt *threads)
{
  PetscInt D, big = 0;

  PetscFunctionBeginUser;
  *N = *E = 0;
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscInt  n, e;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &n, &e, NULL));
    if (e > *E) *N = n, *E = e, big = i;
  }
  if (threads) {
    KNCircuit c;
    PetscCall(KNNetGetLayer(net, big, &c));
    PetscCall(KNCircuitGetThreads(c, threads, NULL));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* sparse circuits: n = batch samples, inputs = targets = all N nodes, N(0,1) from the counter-based RNG. */
static PetscErrorCode SyntheticData(Bench *b, PetscInt N, PetscInt64 seed)
{
  PetscReal *x, *y;
  PetscInt   n = b->batch;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n * N, &x, n * N, &y));
  for (PetscInt i = 0; i < n * N; i++) x[i] = KNRandomNormal(seed, KN_STREAM_USER + 10, i), y[i] = KNRandomNormal(seed, KN_STREAM_USER + 11, i);
  PetscCall(KNDatasetCreate(b->world, &b->train));
  PetscCall(KNDatasetSetData(b->train, n, N, x, N, y));
  PetscCall(KNDatasetSetName(b->train, "bench_step random samples"));
  PetscCall(PetscFree2(x, y));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Task, data, grid, net, parameters and optimizer, in the trainer's order and with its option names. */
static PetscErrorCode BenchSetUp(const Workload *w, Bench *b)
{
  const char *p = b->prefix, *why;
  PetscInt    seed = 42, N, E, Bnet;
  PetscMPIInt size;
  PetscBool   flow;

  PetscFunctionBeginUser;
  b->batch = 512, b->sync = PETSC_TRUE;
  PetscCall(KNTaskCreate(b->world, &b->task));
  PetscCall(KNTaskSetOptionsPrefix(b->task, p));
  PetscCall(KNTaskSetFromOptions(b->task));
  PetscOptionsBegin(b->world, p, "bench_step: the trainer options a training step uses", "KNTrainer");
  PetscCall(PetscOptionsBoundedInt("-kn_train_batch_size", "Samples per optimizer step", "KNTrainerSetBatchSize", b->batch, &b->batch, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_data_groups", "Data groups G (0: chosen from the topology, as knet train)", "KNGridChooseGroups", b->groups, &b->groups, NULL, 0));
  PetscCall(PetscOptionsBool("-kn_data_groups_sync_steps", "Adaptive steps chosen over all data groups", "KNNetSetStepComm", b->sync, &b->sync, NULL));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the run (initialisation, data, shuffles)", "KNTrainerSetSeed", seed, &seed, NULL));
  PetscOptionsEnd();
  PetscCall(KNTaskSetSeed(b->task, seed));
  PetscCall(KNNetCreateFromOptions(b->world, p, &b->net));
  PetscCall(KNNetSetOptionsPrefix(b->net, p)); /* KNNetCreateFromOptions() leaves its layers (their TS) unprefixed */
  PetscCall(LargestLayer(b->net, &N, &E, NULL));
  if (w->synthetic) PetscCall(SyntheticData(b, N, seed));
  else PetscCall(KNDatasetCreateFromOptions(b->world, p, b->task, &b->train, &b->test));
  PetscCall(KNGridChooseGroups(b->world, N, E, b->batch, b->groups, &b->G, &why));
  PetscCall(KNGridCreate(b->world, b->G, &b->grid));
  if (b->G > 1) { /* the net of this rank's group, on the group's communicator (KNTrainerSetUpGrid) */
    MPI_Comm group, across;
    PetscCall(KNNetDestroy(&b->net));
    PetscCall(KNGridGetGroupComm(b->grid, &group));
    PetscCall(KNNetCreateFromOptions(group, p, &b->net));
    PetscCall(KNNetSetOptionsPrefix(b->net, p));
    PetscCall(KNGridGetAcrossComm(b->grid, &across));
    if (b->sync) PetscCall(KNNetSetStepComm(b->net, across));
  }
  PetscCall(KNTaskGetFlow(b->task, &flow));
  Bnet = (b->batch + b->G - 1) / b->G;
  PetscCall(KNNetSetBatchSize(b->net, Bnet));
  PetscCall(KNNetSetFlow(b->net, flow));
  PetscCall(KNTaskSetUpNet(b->task, b->net, b->train));
  PetscCall(KNNetSetFromOptions(b->net));
  PetscCall(KNNetSetUp(b->net));
  PetscCall(KNNetInitializeFromOptions(b->net, p));
  PetscCall(KNNetCreateParameterVec(b->net, &b->theta));
  PetscCall(VecDuplicate(b->theta, &b->grad));
  PetscCall(KNNetGetParameters(b->net, b->theta));
  PetscCall(KNOptimizerCreate(b->world, &b->opt));
  PetscCall(KNOptimizerSetOptionsPrefix(b->opt, p));
  PetscCall(KNOptimizerSetFromOptions(b->opt));
  PetscCall(KNOptimizerSetUp(b->opt, b->theta));
  PetscCall(KNDatasetGetSizes(b->train, &b->n, &b->nf, &b->nt));
  PetscCheck(b->n >= 1, b->world, PETSC_ERR_ARG_SIZ, "%s: the training set is empty", w->name);
  PetscCall(PetscMalloc3(b->n, &b->perm, Bnet * b->nf, &b->x, Bnet * PetscMax(b->nt, 1), &b->y));
  PetscCall(KNPermutation(b->n, seed, 0, b->perm));
  PetscCallMPI(MPI_Comm_size(b->world, &size));
  PetscCall(PetscPrintf(b->world, "%-9s %s: %" PetscInt_FMT " data group%s x %d graph rank%s (%s)\n", w->name, w->about, b->G, b->G > 1 ? "s" : "", size / (PetscMPIInt)b->G, size / b->G > 1 ? "s" : "", why));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode BenchDestroy(Bench *b)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(b->perm, b->x, b->y));
  PetscCall(KNOptimizerDestroy(&b->opt));
  PetscCall(VecDestroy(&b->theta));
  PetscCall(VecDestroy(&b->grad));
  PetscCall(KNNetDestroy(&b->net));
  PetscCall(KNDatasetDestroy(&b->train));
  PetscCall(KNDatasetDestroy(&b->test));
  PetscCall(KNTaskDestroy(&b->task));
  PetscCall(KNGridDestroy(&b->grid));
  PetscFunctionReturn(KN_SUCCESS);
}

/* This group's slice of mini-batch iter (batches of one shuffle, cycled), as the trainer gathers it. */
static PetscErrorCode NextBatch(Bench *b)
{
  PetscInt nb = (b->n + b->batch - 1) / b->batch, k = b->iter % nb;

  PetscFunctionBeginUser;
  b->m = PetscMin(b->batch, b->n - k * b->batch);
  PetscCall(KNGridGetBatchSlice(b->grid, b->m, &b->start, &b->count));
  if (b->count) PetscCall(KNDatasetGetBatch(b->train, b->perm + k * b->batch + b->start, b->count, b->x, b->nt ? b->y : NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SliceGradient(void *ctx)
{
  Bench *b = (Bench *)ctx;

  PetscFunctionBeginUser;
  PetscCall(KNTaskComputeBatchSlice(b->task, b->net, b->count, b->m, b->x, b->nt ? b->y : NULL, (PetscInt64)b->iter * b->batch + b->start, b->grad, &b->tally));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One training step: the trainer's Step() without its gradient check and failure report. */
static PetscErrorCode TrainingStep(Bench *b)
{
  PetscFunctionBeginUser;
  PetscCall(KNGridRun(b->grid, PETSC_TRUE, SliceGradient, b));
  PetscCall(KNGridSumVec(b->grid, b->grad));
  PetscCall(KNOptimizerStep(b->opt, b->theta, b->grad));
  PetscCall(KNNetSetParameters(b->net, b->theta));
  b->iter++;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Sum over the layers of (RHS calls, J^T calls) x edges x net batch, this rank's counters; and the totals. */
static PetscErrorCode Work(KNNet net, double *wr, double *wj, KNCircuitStats *tot)
{
  PetscInt D, B;

  PetscFunctionBeginUser;
  *wr = *wj = 0;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetBatchSize(net, &B));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit      c;
    KNCircuitStats s;
    PetscInt       E;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, NULL, &E, NULL));
    PetscCall(KNCircuitGetStats(c, &s));
    *wr += (double)s.rhs_evals * E * B, *wj += (double)s.jact_mults * E * B;
  }
  PetscCall(KNNetGetStats(net, tot));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Times one workload and appends its table row to row[]. */
static PetscErrorCode RunWorkload(const Workload *w, PetscInt repeats, PetscBool help, char row[], size_t len)
{
  Bench          b;
  PetscLogStage  stage;
  KNCircuitStats s0, s1;
  double         wr0, wj0, wr1, wj1, work[2], trhs, tjt, *t, med, mn;
  PetscInt       P, D, E, N, thr;
  PetscMPIInt    size;
  char           data[64] = "", ratio[32] = "-";
  PetscBool      fmnist;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&b, sizeof(b)));
  b.world = PETSC_COMM_WORLD;
  PetscCall(PetscSNPrintf(b.prefix, sizeof(b.prefix), "%s_", w->name));
  PetscCall(BenchSetDefaultOptions(b.prefix, w->opts, w->nopts));
  PetscCall(PetscOptionsGetString(NULL, b.prefix, "-kn_data", data, sizeof(data), NULL));
  PetscCall(PetscStrcmp(data, "fashion_mnist", &fmnist));
  if (fmnist && access(fashion_images, R_OK)) {
    PetscCall(PetscPrintf(b.world, "%-9s SKIPPED: %s is missing (install Debian's dataset-fashion-mnist)\n", w->name, fashion_images));
    PetscCall(PetscSNPrintf(row, len, "%-9s skipped: no Fashion-MNIST data\n", w->name));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(BenchSetUp(w, &b));
  if (help) {
    PetscCall(BenchDestroy(&b));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCallMPI(MPI_Comm_size(b.world, &size));
  PetscCall(PetscMalloc1(repeats, &t));
  PetscCall(NextBatch(&b));
  PetscCall(TrainingStep(&b)); /* warm-up */
  PetscCall(Work(b.net, &wr0, &wj0, &s0));
  PetscCall(PetscLogStageRegister(w->name, &stage));
  PetscCall(PetscLogStagePush(stage));
  for (PetscInt r = 0; r < repeats; r++) {
    PetscCall(NextBatch(&b));
    PetscCallMPI(MPI_Barrier(b.world));
    t[r] = MPI_Wtime();
    PetscCall(TrainingStep(&b));
    PetscCallMPI(MPI_Barrier(b.world));
    t[r] = 1e3 * (MPI_Wtime() - t[r]);
  }
  PetscCall(PetscLogStagePop());
  PetscCall(Work(b.net, &wr1, &wj1, &s1));
  /* the work of every group once: each of its size/G ranks counts the group's calls */
  work[0] = (wr1 - wr0) * b.G / size, work[1] = (wj1 - wj0) * b.G / size;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, work, 2, MPI_DOUBLE, MPI_SUM, b.world));
  PetscCall(BenchEventCoreTime(b.world, stage, KN_RHSEval, &trhs, NULL));
  PetscCall(BenchEventCoreTime(b.world, stage, KN_JacobianTranspose, &tjt, NULL));
  mn = t[0];
  for (PetscInt r = 1; r < repeats; r++) mn = PetscMin(mn, t[r]);
  med = BenchMedian(repeats, t);
  PetscCall(KNNetGetNumParameters(b.net, &P));
  PetscCall(KNNetGetNumLayers(b.net, &D));
  PetscCall(LargestLayer(b.net, &N, &E, &thr));
  if (w->torch_ms > 0) PetscCall(PetscSNPrintf(ratio, sizeof(ratio), "%.1fx", w->torch_ms / med));
  PetscCall(PetscSNPrintf(row, len, "%-9s %3d %2" PetscInt_FMT "x%-2d %3" PetscInt_FMT " %4" PetscInt_FMT " %7" PetscInt_FMT "x%" PetscInt_FMT " %7" PetscInt_FMT " %10.2f %10.2f %7.1f %7.1f %6.1f %7.2f %7.2f | %-21s %8s\n", w->name, size, b.G, size / (PetscMPIInt)b.G, thr, b.batch, E, D, P, med, mn,
                          (double)(s1.rhs_evals - s0.rhs_evals) / repeats, (double)(s1.jact_mults - s0.jact_mults) / repeats, (double)(s1.steps - s0.steps) / repeats, work[0] > 0 ? 1e9 * trhs / work[0] : 0.0, work[1] > 0 ? 1e9 * tjt / work[1] : 0.0, w->torch, ratio));
  PetscCall(PetscFree(t));
  PetscCall(BenchDestroy(&b));
  PetscFunctionReturn(KN_SUCCESS);
}

static const char help_text[] = "bench_step: time of one training step (forward + loss + adjoint gradient + AdamW update), built as knet train builds it,\n"
                                "for five workloads, against quoted PyTorch figures. Figures only: time never decides the exit status.\n"
                                "  -workload W[,W...]  friedman, twomoons, sparse5dp, sparserk4, fashion, or all (default)\n"
                                "  -repeats K          timed steps after one warm-up step (default 5): median and min ms are printed\n"
                                "Workload W reads every kn/PETSc option with the prefix W_, e.g. -sparse5dp_ts_rtol 1e-4, -twomoons_kn_data_groups 1,\n"
                                "-friedman_kn_device_type shift_relu1, -sparserk4_ts_dt 0.05; the bench's defaults (see the source's header and the\n"
                                "option listing below) apply only where none is given. -log_view shows one stage per workload.\n";

int main(int argc, char **argv)
{
  char      which[256] = "all", rows[NW][512];
  PetscInt  repeats = 5, nw = NW;
  PetscBool help, any = PETSC_FALSE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help_text));
  PetscCall(BenchEnsureLogging());
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "bench_step options", "bench");
  PetscCall(PetscOptionsString("-workload", "friedman, twomoons, sparse5dp, sparserk4, fashion, a comma-separated list of them, or all", "", which, which, sizeof(which), NULL));
  PetscCall(PetscOptionsBoundedInt("-repeats", "Timed steps after one warm-up step (median and min are reported)", "", repeats, &repeats, NULL, 1));
  PetscOptionsEnd();
  for (PetscInt i = 0; i < nw; i++) {
    PetscBool all, sel = PETSC_FALSE;
    char      list[256], *tok;

    rows[i][0] = 0;
    PetscCall(PetscStrcmp(which, "all", &all));
    PetscCall(PetscStrncpy(list, which, sizeof(list)));
    for (tok = strtok(list, ","); tok && !sel; tok = strtok(NULL, ",")) PetscCall(PetscStrcmp(tok, workloads[i].name, &sel));
    if (!all && !sel) continue;
    any = PETSC_TRUE;
    PetscCall(RunWorkload(&workloads[i], repeats, help, rows[i], sizeof(rows[i])));
  }
  PetscCheck(any || help, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-workload %s: no such workload; choose friedman, twomoons, sparse5dp, sparserk4, fashion (comma-separated) or all", which);
  if (!help) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\nbench_step: ms per training step (%" PetscInt_FMT " timed after 1 warm-up); per step: RHS evals (forward + any recompute), J^T products, TS steps; ns per edge-sample\n", repeats));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "of one RHS / one fused J^T+Jp^T (event core-time / (calls x E x B)); ranks = G groups x r graph ranks; thr = threads per rank of the largest layer (-kn_threads, else OMP_NUM_THREADS, else the cores per rank; 1 when an RHS is too little work to share)\n"));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "PyTorch (quoted, measured by others on the same kind of machine) and PyTorch/knet with the lower PyTorch figure and the knet median\n"));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-9s %3s %5s %3s %4s %9s %7s %10s %10s %7s %7s %6s %7s %7s | %-21s %8s\n", "workload", "np", "GxR", "thr", "B", "E x D", "params", "median_ms", "min_ms", "RHS", "J^T", "steps", "ns_RHS", "ns_J^T", "PyTorch ms (quoted)", "PT/knet"));
    for (PetscInt i = 0; i < nw; i++)
      if (rows[i][0]) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s", rows[i]));
  }
  PetscCall(PetscFinalize());
  return 0;
}
