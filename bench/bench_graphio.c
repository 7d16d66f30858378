/* bench_graphio: memory of one topology-file operation on a large random graph, per rank (issue 14, item 4).
     -phase save   builds the random graph (each rank generates only its block) and writes it with KNGraphSave()
     -phase load   reads it back with KNGraphLoad()
     -phase gains  puts one Monte Carlo device-mismatch draw on a one-layer net of the graph (KNRobustnessApply())
   Options: -e <edges, default 10^7> (on e/10 nodes), -file <path, default /tmp/knet_bench_graph.h5; a name not ending
   in .h5 is a text edge list>. Each phase is its own process, since the peak RSS is a high-water mark: run
   bench/run_graphio.sh, which starts the phases on 1 and 2 ranks under /usr/bin/time -v. Prints, per rank, the RSS
   before the phase, the peak during it (gains: the heap in use after the draw, mallinfo2), and (peak - before)/E in bytes per edge. Figures only. */
#include <kn.h>
#include <malloc.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

/* Current resident set in MB (/proc/self/statm), 0 if unknown. */
static double RSSNowMB(void)
{
  FILE  *fp = fopen("/proc/self/statm", "r");
  long   pages = 0, res = 0;
  double mb    = 0;

  if (fp && fscanf(fp, "%ld %ld", &pages, &res) == 2) mb = (double)res * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
  if (fp) (void)fclose(fp);
  return mb;
}

/* Heap bytes in use (MB): freed pages stay resident, so the RSS misses an allocation that reuses them. */
static double HeapMB(void)
{
  struct mallinfo2 mi = mallinfo2();

  return (double)(mi.uordblks + mi.hblkhd) / 1048576.0;
}

static double RSSPeakMB(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* One line per rank from rank 0: before, peak (or, if after > 0, the RSS after), bytes per edge of the phase. */
static PetscErrorCode Report(MPI_Comm comm, const char phase[], PetscInt E, double before, double after)
{
  double      mine[2] = {before, after > 0 ? after : RSSPeakMB()}, *all = NULL;
  PetscMPIInt rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (!rank) PetscCall(PetscMalloc1(2 * size, &all));
  PetscCallMPI(MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, comm));
  for (PetscMPIInt r = 0; r < size && !rank; r++) {
    double b = all[2 * r], p = all[2 * r + 1];
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s E %" PetscInt_FMT " ranks %d rank %d: %s before %.1f MB, %s %.1f MB, phase %.2f bytes/edge\n", phase, E, size, r, after > 0 ? "heap" : "RSS", b, after > 0 ? "after" : "peak", p, (p - b) * 1048576.0 / (double)PetscMax(E, 1)));
  }
  PetscCall(PetscFree(all));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One Monte Carlo draw of device mismatch on a one-layer net of g (the gains of every edge of the layer). */
static PetscErrorCode Gains(MPI_Comm comm, KNGraph g, PetscInt E)
{
  KNNet        net;
  KNDevice     d;
  KNRobustness r;
  double       before;

  PetscFunctionBeginUser;
  PetscCall(KNNetCreate(comm, &net));
  PetscCall(KNDeviceCreate(comm, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
  PetscCall(KNNetAddLayer(net, g, d, 1.0));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNNetSetBatchSize(net, 1));
  PetscCall(KNNetSetUp(net));
  PetscCall(KNRobustnessCreate(comm, &r));
  PetscCall(KNRobustnessSetDeviceMismatch(r, 0.1));
  before = HeapMB();
  PetscCall(KNRobustnessApply(r, net, 0));
  PetscCall(Report(comm, "gains (heap)", E, before, HeapMB())); /* the set-up's peak hides the draw's: count what it keeps */
  PetscCall(KNRobustnessRestore(r, net));
  PetscCall(KNRobustnessDestroy(&r));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  PetscInt  E = 10000000;
  char      file[PETSC_MAX_PATH_LEN] = "/tmp/knet_bench_graph.h5", phase[16] = "save";
  KNGraph   g;
  double    before;
  PetscBool load, save, gains;

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-e", &E, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-file", file, sizeof(file), NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phase", phase, sizeof(phase), NULL));
  PetscCall(PetscStrcmp(phase, "load", &load));
  PetscCall(PetscStrcmp(phase, "save", &save));
  PetscCall(PetscStrcmp(phase, "gains", &gains));
  PetscCheck(load || save || gains, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-phase must be save, load or gains, got %s", phase);
  if (load) {
    before = RSSNowMB();
    PetscCall(KNGraphLoad(PETSC_COMM_WORLD, file, &g));
    PetscCall(Report(PETSC_COMM_WORLD, "load", E, before, 0));
  } else {
    PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, PetscMax(E / 10, 1), E, 7, &g));
    before = RSSNowMB();
    if (save) PetscCall(KNGraphSave(g, file));
    if (save) PetscCall(Report(PETSC_COMM_WORLD, "save", E, before, 0));
    if (gains) PetscCall(Gains(PETSC_COMM_WORLD, g, E));
  }
  PetscCall(KNGraphDestroy(&g));
  PetscCall(PetscFinalize());
  return 0;
}
