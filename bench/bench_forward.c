/* bench_forward: wall time of one forward sweep of a model through the C API (KNNetForward + KNNetGetOutput
   [+ KNNetGetLogDensity]), the reference for the Python package's per-call overhead (bench/python_forward.py runs
   this and the same sweeps from Python).
     bench_forward MODEL.h5 [-batch 512] [-repeats 50] [-reverse] [-flow]
   The inputs are the flow's own samples (KNFlowSample, seed 22) for a flow model, else uniform [0, 1) values drawn
   by global index (KNRandomUniform, seed 22). A published file gets its dopri5 settings (KNPublishedSetSolverOptions).
   Prints the median and minimum ms per sweep after one warm-up sweep. Figures only: never fails on time. */
#include "benchutil.h"
#include <kn/knrandom.h>

static char help[] = "Forward sweep time of a model through the C API.\n";

int main(int argc, char **argv)
{
  char      file[PETSC_MAX_PATH_LEN] = "";
  PetscInt  B = 512, R = 50, d, K;
  PetscBool reverse = PETSC_FALSE, flow = PETSC_FALSE, pub = PETSC_FALSE;
  KNNet     net;
  KNCircuit c;
  PetscReal *x, *out, *lp;
  double    *t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-model", file, sizeof(file), NULL));
  if (!file[0] && argc > 1 && argv[1][0] != '-') PetscCall(PetscStrncpy(file, argv[1], sizeof(file)));
  PetscCheck(file[0], PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "usage: bench_forward MODEL.h5 [-batch 512] [-repeats 50] [-reverse] [-flow]");
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-batch", &B, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeats", &R, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-reverse", &reverse, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-flow", &flow, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-published", &pub, NULL));
  if (pub) PetscCall(KNPublishedSetSolverOptions(PETSC_COMM_WORLD, file));
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, file, B, PETSC_TRUE, &net)); /* flow mode: KNFlowSample needs it */
  PetscCall(KNNetGetLayer(net, 0, &c));
  PetscCall(KNCircuitGetSizes(c, &d, NULL, NULL));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(PetscMalloc4(B * PetscMax(d, K), &x, B * K, &out, B, &lp, R, &t));
  if (flow) PetscCall(KNFlowSample(net, B, 22, x, NULL));
  else
    for (PetscInt i = 0; i < B * d; i++) x[i] = KNRandomUniform(22, KN_STREAM_USER, i);
  for (PetscInt r = -1; r < R; r++) {
    PetscLogDouble t0, t1;
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    PetscCall(PetscTime(&t0));
    PetscCall(KNNetForward(net, d, x, reverse));
    PetscCall(KNNetGetOutput(net, out));
    PetscCall(KNNetGetLogDensity(net, lp));
    PetscCall(PetscTime(&t1));
    if (r >= 0) t[r] = 1e3 * (t1 - t0);
  }
  {
    double mn = t[0];
    for (PetscInt r = 1; r < R; r++) mn = PetscMin(mn, t[r]);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bench_forward C: %s B %" PetscInt_FMT "%s: median %.4f ms, min %.4f ms per sweep (%" PetscInt_FMT " sweeps)\n", file, B, reverse ? " reverse" : "", BenchMedian(R, t), mn, R));
  }
  PetscCall(PetscFree4(x, out, lp, t));
  PetscCall(KNNetDestroy(&net));
  PetscCall(PetscFinalize());
  return 0;
}
