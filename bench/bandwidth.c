/* STREAM-style bandwidth probe and RHS traffic model. Written for this project (not the STREAM source). */
#include <stdint.h>
#include "bandwidth.h"

#define KN_BW_TRIALS 7
#define KN_BW_LANES  64 /* independent partial sums: enough adds in flight that a cache-resident read is not latency-bound */

/* Keeps results alive so the compiler cannot drop the probe loops. */
static volatile double KNBandwidthSink;

static void Triad(size_t n, PetscReal *restrict a, const PetscReal *restrict b, const PetscReal *restrict c, PetscReal s)
{
  for (size_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
}

static PetscReal ReadSum(size_t n, const PetscReal *restrict a)
{
  PetscReal acc[KN_BW_LANES] = {0}, sum = 0;
  size_t    i;

  for (i = 0; i + KN_BW_LANES <= n; i += KN_BW_LANES)
    for (size_t l = 0; l < KN_BW_LANES; l++) acc[l] += a[i + l];
  for (; i < n; i++) acc[0] += a[i];
  for (size_t l = 0; l < KN_BW_LANES; l++) sum += acc[l];
  return sum;
}

/* First 64-byte boundary at or after p: PetscMalloc aligns to 16 bytes only, and a misaligned 64-byte vector load
   spans two cache lines, which made the cache-resident rates bimodal from run to run. */
static PetscReal *Align64(PetscReal *p)
{
  return (PetscReal *)(((uintptr_t)p + 63) & ~(uintptr_t)63);
}

/* Called through volatile pointers: opaque calls, so repeated sweeps over the same arrays cannot be hoisted or merged. */
static void (*volatile TriadFn)(size_t, PetscReal *restrict, const PetscReal *restrict, const PetscReal *restrict, PetscReal) = Triad;
static PetscReal (*volatile ReadSumFn)(size_t, const PetscReal *restrict) = ReadSum;

PetscErrorCode KNMeasureBandwidth(size_t bytes_per_array, double *triad_GBs, double *read_GBs)
{
  const size_t n = bytes_per_array / sizeof(PetscReal);
  /* Small arrays are swept many times per trial so that one trial lasts long enough to time (>= ~1 GB moved). */
  const size_t inner = PetscMax((size_t)1, ((size_t)1 << 30) / PetscMax(bytes_per_array, (size_t)1));
  double       best_triad = PETSC_MAX_REAL, best_read = PETSC_MAX_REAL;
  PetscReal   *base, *a, *b, *c;

  PetscFunctionBeginUser;
  PetscCheck(n >= KN_BW_LANES, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Arrays of %zu bytes are too small to probe", bytes_per_array);
  PetscCall(PetscMalloc1(3 * n + 24, &base));
  a = Align64(base);
  b = Align64(a + n);
  c = Align64(b + n);
  /* First touch outside the timed region: page faults are not bandwidth. */
  for (size_t i = 0; i < n; i++) {
    a[i] = 0;
    b[i] = 1.0 + 1e-3 * (PetscReal)(i % 1000);
    c[i] = 2.0 - 1e-3 * (PetscReal)(i % 777);
  }
  for (PetscInt trial = 0; trial < KN_BW_TRIALS; trial++) {
    double    t0, t1;
    PetscReal sum = 0;

    t0 = MPI_Wtime();
    for (size_t r = 0; r < inner; r++) TriadFn(n, a, b, c, 3.0 + 1e-9 * (PetscReal)r);
    t1         = MPI_Wtime();
    best_triad = PetscMin(best_triad, t1 - t0);
    KNBandwidthSink += a[n / 2];

    t0 = MPI_Wtime();
    for (size_t r = 0; r < inner; r++) sum += ReadSumFn(n, b);
    t1        = MPI_Wtime();
    best_read = PetscMin(best_read, t1 - t0);
    KNBandwidthSink += sum;
  }
  if (triad_GBs) *triad_GBs = 3.0 * (double)(n * sizeof(PetscReal)) * (double)inner / best_triad * 1e-9;
  if (read_GBs) *read_GBs = (double)(n * sizeof(PetscReal)) * (double)inner / best_read * 1e-9;
  PetscCall(PetscFree(base));
  PetscFunctionReturn(0);
}

PetscErrorCode KNRHSTraffic(PetscInt N, PetscInt E, PetscInt B, double *dram_bytes, double *gather_bytes)
{
  const double state = (double)N * (double)B * sizeof(PetscReal);
  const double edges = (double)E * (2.0 * sizeof(PetscInt) + 3.0 * sizeof(PetscReal));

  PetscFunctionBeginUser;
  PetscCheck(N > 0 && E > 0 && B > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "N, E, B must be positive");
  if (dram_bytes) *dram_bytes = 2.0 * state + edges;
  if (gather_bytes) *gather_bytes = 6.0 * sizeof(PetscReal) * (double)E * (double)B + edges;
  PetscFunctionReturn(0);
}

double KNRHSBoundNs(double bytes, double GBs, PetscInt E, PetscInt B)
{
  return bytes / GBs / ((double)E * (double)B); /* bytes / (1e9 B/s) = ns */
}
