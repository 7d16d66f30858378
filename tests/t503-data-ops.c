static char help[] = "KNDataset operations: permutations, batches, copies, class labels, train/test split and min-max scaling.\n";

#include <unistd.h>
#include <petscviewer.h>
#include "kntest.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

/* perm is a permutation of 0..n-1 */
static PetscBool IsPermutation(PetscInt n, const PetscInt perm[])
{
  PetscBool *seen, ok = PETSC_TRUE;

  if (PetscCalloc1(n, &seen)) return PETSC_FALSE;
  for (PetscInt i = 0; i < n; i++) {
    if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]) ok = PETSC_FALSE;
    else seen[perm[i]] = PETSC_TRUE;
  }
  (void)PetscFree(seen);
  return ok;
}

static PetscErrorCode TestPermutation(KNTest *t)
{
  const PetscInt n = 1000, E = 20000;
  PetscInt      *a, *b, *c, cnt[10] = {0}, cmin = E, cmax = 0, p10[10];
  PetscBool      same, same2;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  PetscCall(KNPermutation(n, 42, 3, a));
  PetscCall(KNPermutation(n, 42, 3, b));
  PetscCall(KNPermutation(n, 42, 4, c));
  PetscCall(PetscArraycmp(a, b, n, &same));
  PetscCall(PetscArraycmp(a, c, n, &same2));
  PetscCall(KNTestOk(t, (PetscBool)(IsPermutation(n, a) && IsPermutation(n, c) && same && !same2), "KNPermutation: a permutation of 0..999, the same for the same (seed, epoch), another for the next epoch"));
  /* the first entry over 20000 epochs of n = 10 is uniform: each value ~2000 times (sd ~42) */
  for (PetscInt e = 0; e < E; e++) {
    PetscCall(KNPermutation(10, 7, e, p10));
    cnt[p10[0]]++;
  }
  for (PetscInt k = 0; k < 10; k++) cmin = PetscMin(cmin, cnt[k]), cmax = PetscMax(cmax, cnt[k]);
  PetscCall(KNTestOk(t, (PetscBool)(cmin > 1790 && cmax < 2210), "KNPermutation is uniform: first entry counts over 20000 epochs in %" PetscInt_FMT "..%" PetscInt_FMT " (expected 2000 +- 5 sd)", cmin, cmax));
  PetscCall(KNPermutation(0, 1, 1, NULL));
  PetscCall(KNPermutation(1, 1, 1, p10));
  PetscCall(KNTestOk(t, (PetscBool)(p10[0] == 0), "KNPermutation of 0 and 1 elements"));
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(KN_SUCCESS);
}

/* SetData copies, GetBatch gathers rows, SetNumClasses checks the labels, View prints the name. */
static PetscErrorCode TestObject(KNTest *t)
{
  PetscReal        x[8] = {0, 1, 10, 11, 20, 21, 30, 31}, y[4] = {0, 2, 1, 2}, bx[6], by[3];
  const PetscInt   idx[3] = {3, 0, 3}, bad[1] = {4};
  const PetscReal *dx, *dy;
  KNDataset        ds;
  PetscViewer      sv;
  char             buf[512];
  const char      *found;

  PetscFunctionBeginUser;
  PetscCall(KNDatasetCreate(PETSC_COMM_WORLD, &ds));
  PetscCall(KNDatasetSetData(ds, 4, 2, x, 1, y));
  x[0] = -5;
  PetscCall(KNDatasetGetData(ds, &dx, &dy));
  PetscCall(KNTestOk(t, (PetscBool)(dx[0] == 0 && dy[1] == 2), "KNDatasetSetData copies the arrays"));
  PetscCall(KNDatasetGetBatch(ds, idx, 3, bx, by));
  PetscCall(KNTestOk(t, (PetscBool)(bx[0] == 30 && bx[1] == 31 && bx[2] == 0 && bx[3] == 1 && bx[4] == 30 && by[0] == 2 && by[1] == 0 && by[2] == 2), "KNDatasetGetBatch gathers rows 3, 0, 3 of features and targets"));
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetGetBatch(ds, bad, 1, bx, NULL), "a sample index outside 0..n-1 is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetSetNumClasses(ds, 2), "labels up to 2 with 2 classes is an error");
  PetscCall(KNDatasetSetNumClasses(ds, 3));
  PetscCall(KNDatasetSetName(ds, "tiny"));
  {
    char  path[PETSC_MAX_PATH_LEN];
    FILE *fp;
    PetscCall(PetscSNPrintf(path, sizeof(path), "/tmp/t503-view-%d.txt", (int)getpid()));
    PetscCall(PetscViewerASCIIOpen(PETSC_COMM_SELF, path, &sv));
    PetscCall(KNDatasetView(ds, sv));
    PetscCall(PetscViewerDestroy(&sv));
    fp = fopen(path, "r");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot read back %s", path);
    buf[fread(buf, 1, sizeof(buf) - 1, fp)] = 0;
    fclose(fp);
    remove(path);
    PetscCall(PetscStrstr(buf, "KNDataset tiny: 4 samples, 2 features, 1 targets (class labels 0..2)", (char **)&found));
    PetscCall(KNTestOk(t, (PetscBool)(found != NULL), "KNDatasetView prints the name, sizes and classes"));
  }
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Friedman #1 as the reference: 4096 samples, test fraction 0.4 -> 2457 / 1639; min-max fitted on train maps train to [0, 1]. */
static PetscErrorCode TestSplitScale(KNTest *t)
{
  KNDataset        ds, tr, te;
  PetscInt         ntr, nte, n;
  PetscReal        lo[5], hi[5], ylo, yhi, mn[6], mx[6], tmn = PETSC_MAX_REAL, tmx = PETSC_MIN_REAL;
  const PetscReal *x, *y;
  const char      *name;
  PetscBool        same;

  PetscFunctionBeginUser;
  PetscCall(KNDatasetCreateSynthetic(PETSC_COMM_WORLD, "friedman1", 4096, 42, &ds));
  PetscCall(KNDatasetSplit(ds, 0.4, 42, &tr, &te));
  PetscCall(KNDatasetGetSizes(tr, &ntr, NULL, NULL));
  PetscCall(KNDatasetGetSizes(te, &nte, NULL, NULL));
  PetscCall(KNDatasetGetName(tr, &name));
  PetscCall(PetscStrcmp(name, "friedman1-train", &same));
  PetscCall(KNTestOk(t, (PetscBool)(ntr == 2457 && nte == 1639 && same), "split 0.4 of 4096: %" PetscInt_FMT " train / %" PetscInt_FMT " test (reference 2457 / 1639), named %s", ntr, nte, name));
  PetscCall(KNDatasetMinMaxFit(tr, KN_DATASET_FEATURES, lo, hi));
  PetscCall(KNDatasetMinMaxFit(tr, KN_DATASET_TARGETS, &ylo, &yhi));
  for (PetscInt k = 0; k < 2; k++) {
    KNDataset d = k ? te : tr;
    PetscCall(KNDatasetMinMaxApply(d, KN_DATASET_FEATURES, lo, hi));
    PetscCall(KNDatasetMinMaxApply(d, KN_DATASET_TARGETS, &ylo, &yhi));
  }
  PetscCall(KNDatasetGetData(tr, &x, &y));
  for (PetscInt k = 0; k < 6; k++) mn[k] = PETSC_MAX_REAL, mx[k] = PETSC_MIN_REAL;
  for (PetscInt i = 0; i < ntr; i++) {
    for (PetscInt k = 0; k < 5; k++) mn[k] = PetscMin(mn[k], x[5 * i + k]), mx[k] = PetscMax(mx[k], x[5 * i + k]);
    mn[5] = PetscMin(mn[5], y[i]), mx[5] = PetscMax(mx[5], y[i]);
  }
  same = PETSC_TRUE;
  for (PetscInt k = 0; k < 6; k++) same = (PetscBool)(same && mn[k] == 0 && mx[k] == 1);
  PetscCall(KNDatasetGetData(te, &x, NULL));
  for (PetscInt i = 0; i < 5 * nte; i++) tmn = PetscMin(tmn, x[i]), tmx = PetscMax(tmx, x[i]);
  PetscCall(KNTestOk(t, (PetscBool)(same && tmn > -0.01 && tmx < 1.01), "min-max fitted on train: every train column spans exactly [0, 1]; test features in [%.4f, %.4f]", (double)tmn, (double)tmx));
  PetscCall(KNDatasetDestroy(&tr));
  PetscCall(KNDatasetDestroy(&te));
  /* the split is a partition: tag each row with its index and collect both halves */
  {
    PetscReal *tag, *seen;
    PetscBool  part = PETSC_TRUE;
    PetscCall(KNDatasetGetSizes(ds, &n, NULL, NULL));
    PetscCall(PetscMalloc1(n, &tag));
    PetscCall(PetscCalloc1(n, &seen));
    for (PetscInt i = 0; i < n; i++) tag[i] = i;
    PetscCall(KNDatasetSetData(ds, n, 1, tag, 0, NULL));
    PetscCall(KNDatasetSplit(ds, 0.3, 5, &tr, &te));
    for (PetscInt k = 0; k < 2; k++) {
      PetscInt m;
      PetscCall(KNDatasetGetSizes(k ? te : tr, &m, NULL, NULL));
      PetscCall(KNDatasetGetData(k ? te : tr, &x, NULL));
      for (PetscInt i = 0; i < m; i++) seen[(PetscInt)x[i]] += 1;
    }
    for (PetscInt i = 0; i < n; i++) part = (PetscBool)(part && seen[i] == 1);
    PetscCall(KNTestOk(t, part, "train and test partition the samples (every sample exactly once)"));
    PetscCall(PetscFree(tag));
    PetscCall(PetscFree(seen));
    PetscCall(KNDatasetDestroy(&tr));
    PetscCall(KNDatasetDestroy(&te));
  }
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNDatasetSplit(ds, 1.0, 1, &tr, &te), "a test fraction of 1 is an error");
  EXPECT_ERROR(t, PETSC_ERR_ARG_WRONGSTATE, KNDatasetMinMaxFit(ds, KN_DATASET_TARGETS, lo, hi), "scaling the targets of an unlabelled set is an error");
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A constant column is shifted, not divided by zero (sklearn's convention). */
static PetscErrorCode TestConstantColumn(KNTest *t)
{
  const PetscReal x[6] = {1, 5, 2, 5, 3, 5};
  const PetscReal *d;
  PetscReal        lo[2], hi[2];
  KNDataset        ds;

  PetscFunctionBeginUser;
  PetscCall(KNDatasetCreate(PETSC_COMM_WORLD, &ds));
  PetscCall(KNDatasetSetData(ds, 3, 2, x, 0, NULL));
  PetscCall(KNDatasetMinMaxFit(ds, KN_DATASET_FEATURES, lo, hi));
  PetscCall(KNDatasetMinMaxApply(ds, KN_DATASET_FEATURES, lo, hi));
  PetscCall(KNDatasetGetData(ds, &d, NULL));
  PetscCall(KNTestOk(t, (PetscBool)(d[0] == 0 && d[2] == 0.5 && d[4] == 1 && d[1] == 0 && d[5] == 0), "min-max: column (1,2,3) -> (0, 0.5, 1); constant column 5 -> 0"));
  PetscCall(KNDatasetDestroy(&ds));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestPermutation(&t));
  PetscCall(TestObject(&t));
  PetscCall(TestSplitScale(&t));
  PetscCall(TestConstantColumn(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
