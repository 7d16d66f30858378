/* bench_scaling: time of one training step (forward + adjoint) for the three cases, to be run on 1, 2 and 4
   ranks (bench/run_scaling.sh prints the speedups), and how setup, step time and memory grow with the edge count.
     a) the twomoon flow: 2 FC(3,[25,25]) layers, shift_tanh2, B = 512, every rank its own slice of the batch
     b) one MNIST Proj layer (mix 1x28x28, k 4, 50 projection nodes, 230k edges), shift_relu1, B = 64, nodes split
     c) a random circuit of -c_edges edges (default 10^7) on E/10 nodes, shift_tanh2, B = 8, nodes split
     growth) random circuits of 1e5, 1e6, 1e7 edges, B = 8
   Every case uses fixed-step RK4 (-ts_dt 0.1 per unit time) so steps do not depend on the partition. Other PETSc and
   circuit options pass through, e.g. -kn_trajectory_solution_only (8 instead of 32 bytes per node-sample per RK4 step);
   -repeats 0 times the single (warm-up) step, for the largest circuits.
   Figures only: nothing here passes or fails on time. */
#include <kn.h>
#include <sys/resource.h>

static double MaxRSSMB(MPI_Comm comm)
{
  struct rusage ru;
  double        mb, mx;
  getrusage(RUSAGE_SELF, &ru);
  mb = ru.ru_maxrss / 1024.0;
  MPI_Allreduce(&mb, &mx, 1, MPI_DOUBLE, MPI_MAX, comm);
  return mx;
}

/* Peak RSS of every rank, on one line from rank 0 (the graph is split over the ranks, so each share should shrink). */
static PetscErrorCode PrintRSSPerRank(MPI_Comm comm)
{
  struct rusage ru;
  double        mb, *all = NULL;
  PetscMPIInt   rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  getrusage(RUSAGE_SELF, &ru);
  mb = ru.ru_maxrss / 1024.0;
  if (!rank) PetscCall(PetscMalloc1(size, &all));
  PetscCallMPI(MPI_Gather(&mb, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, comm));
  PetscCall(PetscPrintf(comm, "  peak RSS per rank (MB):"));
  for (PetscMPIInt r = 0; r < size && !rank; r++) PetscCall(PetscPrintf(PETSC_COMM_SELF, " %.0f", all[r]));
  PetscCall(PetscPrintf(comm, "\n"));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A net of D identical layers built from a graph description or a random graph, parameters ~ scale * U(-1,1). */
static PetscErrorCode BuildNet(MPI_Comm comm, const char desc[], PetscInt N, PetscInt E, PetscInt D, KNDeviceType type, PetscInt B, PetscBool flow, PetscReal T, KNNet *net)
{
  PetscFunctionBeginUser;
  PetscCall(KNNetCreate(comm, net));
  for (PetscInt i = 0; i < D; i++) {
    KNGraph  g;
    KNDevice d;
    if (desc) PetscCall(KNGraphCreateFromDescription(comm, desc, &g));
    else PetscCall(KNGraphCreateRandom(comm, N, E, 7 + i, &g));
    PetscCall(KNDeviceCreate(comm, &d));
    PetscCall(KNDeviceSetType(d, type));
    PetscCall(KNNetAddLayer(*net, g, d, T));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNDeviceDestroy(&d));
  }
  PetscCall(KNNetSetBatchSize(*net, B));
  PetscCall(KNNetSetFlow(*net, flow));
  PetscCall(KNNetSetFromOptions(*net));
  PetscCall(KNNetSetUp(*net));
  {
    Vec         P;
    PetscRandom r;
    PetscCall(KNNetCreateParameterVec(*net, &P));
    PetscCall(PetscRandomCreate(comm, &r));
    PetscCall(PetscRandomSetInterval(r, -0.5, 0.5));
    PetscCall(VecSetRandom(P, r));
    PetscCall(KNNetSetParameters(*net, P));
    PetscCall(PetscRandomDestroy(&r));
    PetscCall(VecDestroy(&P));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Best time of one step (forward sweep + backward sweep, loss = sum of outputs [+ logp]) over repeats. */
static PetscErrorCode TimeStep(KNNet net, MPI_Comm world, KNGrid grid, PetscInt nin, PetscBool reverse, PetscInt repeats, double *best)
{
  PetscInt  B, K;
  PetscReal *in, *dout, *dlogp;
  Vec       G;
  PetscBool flow = reverse;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(PetscMalloc3(B * nin, &in, B * K, &dout, B, &dlogp));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = PetscSinReal(0.1 * i);
  for (PetscInt i = 0; i < B * K; i++) dout[i] = 1.0;
  for (PetscInt b = 0; b < B; b++) dlogp[b] = 1.0;
  PetscCall(KNNetCreateParameterVec(net, &G));
  *best = 1e300;
  for (PetscInt r = 0; r <= repeats; r++) { /* r = 0 warms up */
    double t0;
    PetscCallMPI(MPI_Barrier(world));
    t0 = MPI_Wtime();
    PetscCall(KNNetForward(net, nin, in, reverse));
    PetscCall(KNNetBackward(net, dout, flow ? dlogp : NULL, G, NULL));
    if (grid) PetscCall(KNGridSumVec(grid, G));
    PetscCallMPI(MPI_Barrier(world));
    if (r || !repeats) *best = PetscMin(*best, MPI_Wtime() - t0);
  }
  PetscCall(VecDestroy(&G));
  PetscCall(PetscFree3(in, dout, dlogp));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CaseA(MPI_Comm world, PetscInt repeats)
{
  KNGrid   grid;
  MPI_Comm gcomm;
  PetscInt G, b0, nb;
  KNNet    net;
  double   t;

  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(world, &size));
  G = size;
  PetscCall(KNGridCreate(world, G, &grid));
  PetscCall(KNGridGetGroupComm(grid, &gcomm));
  PetscCall(KNGridGetBatchSlice(grid, 512, &b0, &nb));
  PetscCall(BuildNet(gcomm, "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3, \"repeat\": [25, 25]}}", 0, 0, 2, KNDEVICESHIFTTANH2, nb, PETSC_TRUE, 0.5, &net));
  PetscCall(TimeStep(net, world, grid, 2, PETSC_TRUE, repeats, &t));
  PetscCall(PetscPrintf(world, "case a  twomoon flow, 2 x FC(3,[25,25]), B 512 split over %" PetscInt_FMT " data groups: step %.4f s, max RSS %.0f MB\n", G, t, MaxRSSMB(world)));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNGridDestroy(&grid));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CaseGraph(MPI_Comm world, const char name[], const char desc[], PetscInt N, PetscInt E, KNDeviceType type, PetscInt B, PetscInt nin, PetscInt repeats)
{
  KNNet  net;
  double t0, setup, step;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(world));
  t0 = MPI_Wtime();
  PetscCall(BuildNet(world, desc, N, E, 1, type, B, PETSC_FALSE, 1.0, &net));
  setup = MPI_Wtime() - t0;
  PetscCall(TimeStep(net, world, NULL, nin, PETSC_FALSE, repeats, &step));
  {
    KNCircuit c;
    PetscInt  NN, EE;
    PetscCall(KNNetGetLayer(net, 0, &c));
    PetscCall(KNCircuitGetSizes(c, &NN, &EE, NULL));
    PetscBool so = PETSC_FALSE;
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-kn_trajectory_solution_only", &so, NULL));
    PetscCall(PetscPrintf(world, "%s  N %" PetscInt_FMT " E %" PetscInt_FMT " B %" PetscInt_FMT ": setup %.3f s, step %.4f s (%.1f ns per edge-sample), max RSS per rank %.0f MB, trajectory %s\n", name, NN, EE, B, setup, step, 1e9 * step / ((double)EE * B), MaxRSSMB(world), so ? "solution-only" : "full"));
    PetscCall(KNCircuitPartitionView(c, NULL));
    PetscCall(PrintRSSPerRank(world));
  }
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  char      which[16] = "all";
  PetscInt  repeats = 3, cedges = 10000000;
  PetscBool all, set;

  PetscCall(PetscInitialize(&argc, &argv, NULL, "bench_scaling: step times for the scaling study (figures only).\n"));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "bench_scaling options", "bench");
  PetscCall(PetscOptionsString("-case", "a, b, c, growth or all", "", which, which, sizeof(which), NULL));
  PetscCall(PetscOptionsInt("-repeats", "timed repeats after one warm-up (0: time the warm-up step alone)", "", repeats, &repeats, NULL));
  PetscCall(PetscOptionsInt("-c_edges", "edges of the large random circuit (case c)", "", cedges, &cedges, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_dt", &set));
  if (!set) PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.1"));
  all = (PetscBool)!strcmp(which, "all");
  if (all || !strcmp(which, "a")) PetscCall(CaseA(PETSC_COMM_WORLD, repeats));
  if (all || !strcmp(which, "b"))
    PetscCall(CaseGraph(PETSC_COMM_WORLD, "case b  MNIST Proj layer", "{\"name\": \"_mix_connect\", \"args\": {\"num_channel\": 1, \"width\": 28, \"height\": 28, \"neighbor_size\": 4, \"fully_connect_node\": 50, \"repeat\": [1, 1]}}", 0, 0, KNDEVICESHIFTRELU1, 64, 784, repeats));
  if (all || !strcmp(which, "c")) PetscCall(CaseGraph(PETSC_COMM_WORLD, "case c  random circuit", NULL, cedges / 10, cedges, KNDEVICESHIFTTANH2, 8, 16, PetscMin(repeats, 1)));
  if (!strcmp(which, "growth"))
    for (PetscInt E = 100000; E <= cedges; E *= 10) PetscCall(CaseGraph(PETSC_COMM_WORLD, "growth  random circuit", NULL, E / 10, E, KNDEVICESHIFTTANH2, 8, 16, 1));
  PetscCall(PetscFinalize());
  return 0;
}
