/* Small helpers shared by the benchmarks in bench/: option defaults under a prefix, log-event times, medians. */
#pragma once

#include <kn.h>

/* Sets -<prefix><name> <value> for each (name, value) pair unless the user already gave it (user flags win). */
PetscErrorCode BenchSetDefaultOptions(const char prefix[], const char *const pairs[], PetscInt npairs);
/* Turns on PETSc's default logging (if -log_view did not) so that PetscLogEventGetPerfInfo() has figures. */
PetscErrorCode BenchEnsureLogging(void);
/* Seconds spent in event ev during stage, summed over the ranks of comm (core-seconds), and its call count on rank 0. */
PetscErrorCode BenchEventCoreTime(MPI_Comm comm, PetscLogStage stage, PetscLogEvent ev, double *sec, PetscInt *count);
/* Median of v[0..n-1] (sorts v). */
double BenchMedian(PetscInt n, double v[]);
