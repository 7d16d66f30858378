static char help[] = "KNCheckpointList on empty, missing and filled directories, with src/io/checkpoint_dir.c compiled into this test under UBSan (any undefined behaviour, e.g. qsort(NULL, 0, ...), aborts the test).\n";

#include "kntestfiles.h"
#include <stdio.h>
#include <unistd.h>

static PetscErrorCode Touch(const char dir[], const char name[])
{
  char  path[PETSC_MAX_PATH_LEN];
  FILE *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, name));
  fp = fopen(path, "w");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "test: cannot create %s", path);
  (void)fclose(fp);
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  char        dir[PETSC_MAX_PATH_LEN], missing[PETSC_MAX_PATH_LEN + 16], **files, **tmps;
  PetscInt    n, ntmp;
  PetscMPIInt rank;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t612", dir, sizeof(dir)));

  PetscCall(KNCheckpointList(PETSC_COMM_WORLD, dir, &n, &files, &ntmp, &tmps));
  PetscCall(KNTestOk(&t, (PetscBool)(n == 0 && ntmp == 0), "an empty directory (a fresh run): no checkpoints, no partial files, no undefined behaviour"));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscCall(KNCheckpointListDestroy(ntmp, &tmps));

  PetscCall(PetscSNPrintf(missing, sizeof(missing), "%s/none", dir));
  PetscCall(KNCheckpointList(PETSC_COMM_WORLD, missing, &n, &files, &ntmp, &tmps));
  PetscCall(KNTestOk(&t, (PetscBool)(n == 0 && ntmp == 0), "a missing directory: empty lists"));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscCall(KNCheckpointListDestroy(ntmp, &tmps));

  if (!rank) {
    PetscCall(Touch(dir, "ckpt_00000007.h5"));
    PetscCall(Touch(dir, "other.h5"));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(KNCheckpointList(PETSC_COMM_WORLD, dir, &n, &files, &ntmp, &tmps));
  PetscCall(KNTestOk(&t, (PetscBool)(n == 1 && ntmp == 0 && KNTestContains(files[0], "ckpt_00000007.h5")), "one checkpoint (a one-element list is not sorted)"));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscCall(KNCheckpointListDestroy(ntmp, &tmps));

  if (!rank) {
    PetscCall(Touch(dir, "ckpt_00000020.h5"));
    PetscCall(Touch(dir, "ckpt_00000003.h5"));
    PetscCall(Touch(dir, "ckpt_00000030.h5.tmp"));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(KNCheckpointList(PETSC_COMM_WORLD, dir, &n, &files, &ntmp, &tmps));
  PetscCall(KNTestOk(&t, (PetscBool)(n == 3 && ntmp == 1 && KNTestContains(files[0], "ckpt_00000020.h5") && KNTestContains(files[1], "ckpt_00000007.h5") && KNTestContains(files[2], "ckpt_00000003.h5") && KNTestContains(tmps[0], "ckpt_00000030.h5.tmp")), "three checkpoints newest first and the partial one apart"));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscCall(KNCheckpointListDestroy(ntmp, &tmps));

  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, dir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
