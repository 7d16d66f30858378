/* Helpers for the training tests: run a KNTrainer from an option string and read back its metrics.csv. */
#pragma once

#include "kntestutil.h"

#define KN_TEST_MAX_EPOCHS 64

typedef struct {
  PetscInt  rows;                       /* data rows of metrics.csv */
  PetscBool header_ok;                  /* the first line is the documented header */
  PetscReal loss[KN_TEST_MAX_EPOCHS];   /* column loss */
  PetscReal test[KN_TEST_MAX_EPOCHS];   /* column test_metric (NaN when not computed) */
  PetscInt  epoch[KN_TEST_MAX_EPOCHS];  /* column epoch */
} KNTestMetrics;

/* Reads <dir>/metrics.csv (every rank reads the same file). */
static inline PetscErrorCode KNTestReadMetrics(const char dir[], KNTestMetrics *m)
{
  char  path[PETSC_MAX_PATH_LEN], line[512];
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(m, sizeof(*m)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/metrics.csv", dir));
  fp = fopen(path, "r");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open %s", path);
  if (fgets(line, sizeof(line), fp)) m->header_ok = (PetscBool)!strcmp(line, "epoch,loss,lr,test_metric,rhs_evals,seconds\n");
  while (m->rows < KN_TEST_MAX_EPOCHS && fgets(line, sizeof(line), fp)) {
    long   e, rhs;
    double loss, lr, test, sec;
    char   tbuf[64];
    if (sscanf(line, "%ld,%lf,%lf,%63[^,],%ld,%lf", &e, &loss, &lr, tbuf, &rhs, &sec) != 6) break;
    test             = strtod(tbuf, NULL);
    m->epoch[m->rows] = (PetscInt)e;
    m->loss[m->rows]  = (PetscReal)loss;
    m->test[m->rows]  = (PetscReal)test;
    m->rows++;
  }
  fclose(fp);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Trains with the given options (added to a cleared database) in run directory <dir>; returns the trainer. The
   directories are fixed names, so a run of the tests again starts them anew (-kn_run_overwrite). */
static inline PetscErrorCode KNTestTrain(MPI_Comm comm, const char options[], const char dir[], KNTrainer *tr)
{
  char opt[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsInsertString(NULL, options));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "-kn_run_dir %s -kn_train_monitor 0 -kn_run_overwrite", dir));
  PetscCall(PetscOptionsInsertString(NULL, opt));
  PetscCall(KNTrainerCreate(comm, tr));
  PetscCall(KNTrainerSetFromOptions(*tr));
  PetscCall(KNTrainerTrain(*tr));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Mean of a[i0..i1). */
static inline PetscReal KNTestMean(const PetscReal a[], PetscInt i0, PetscInt i1)
{
  PetscReal s = 0;
  for (PetscInt i = i0; i < i1; i++) s += a[i];
  return s / (PetscReal)(i1 - i0);
}
