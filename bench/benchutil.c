/* Small helpers shared by the benchmarks in bench/ (see benchutil.h). */
#include <stdlib.h>
#include "benchutil.h"

PetscErrorCode BenchSetDefaultOptions(const char prefix[], const char *const pairs[], PetscInt npairs)
{
  char name[256];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < npairs; i++) {
    PetscBool set;

    PetscCall(PetscSNPrintf(name, sizeof(name), "-%s%s", prefix ? prefix : "", pairs[2 * i]));
    PetscCall(PetscOptionsHasName(NULL, NULL, name, &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, name, pairs[2 * i + 1]));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode BenchEnsureLogging(void)
{
  PetscBool active;

  PetscFunctionBeginUser;
  PetscCall(PetscLogIsActive(&active));
  if (!active) PetscCall(PetscLogDefaultBegin());
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode BenchEventCoreTime(MPI_Comm comm, PetscLogStage stage, PetscLogEvent ev, double *sec, PetscInt *count)
{
  PetscEventPerfInfo info;
  double             t;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&info, sizeof(info)));
  PetscCall(PetscLogEventGetPerfInfo(stage, ev, &info));
  t = info.time;
  PetscCallMPI(MPI_Allreduce(&t, sec, 1, MPI_DOUBLE, MPI_SUM, comm));
  if (count) *count = info.count;
  PetscFunctionReturn(KN_SUCCESS);
}

static int CompareDouble(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double BenchMedian(PetscInt n, double v[])
{
  if (n < 1) return 0;
  qsort(v, (size_t)n, sizeof(double), CompareDouble);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
