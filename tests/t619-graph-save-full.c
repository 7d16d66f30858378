static char help[] = "KNGraphSave to an HDF5 file on a full disk (a real 96 KiB tmpfs; needs root): a clear error, no crash at PetscFinalize, the old file unchanged, no temporary files; with the space check skipped (KN_TEST_NO_SPACE_CHECK) the disk fills during the write, with the same outcome.\n";

#include "kntestfiles.h"
#include <stdio.h>
#include <unistd.h>

/* rank 0 mounts a tmpfs of size KiB on dir; every rank learns whether it worked */
static PetscErrorCode Mount(const char dir[], int kib, PetscBool *ok)
{
  char        cmd[2 * PETSC_MAX_PATH_LEN];
  PetscMPIInt rank;
  int         good = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=%dk tmpfs '%s' 2> /dev/null", kib, dir));
  if (!rank) good = geteuid() == 0 && system(cmd) == 0;
  PetscCallMPI(MPI_Bcast(&good, 1, MPI_INT, 0, PETSC_COMM_WORLD));
  *ok = good ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Checksum(const char path[], char sum[17])
{
  KNGraph g;

  PetscFunctionBeginUser;
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &g));
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscBool NoTemporaries(const char dir[])
{
  char path[PETSC_MAX_PATH_LEN + 32];

  (void)PetscSNPrintf(path, sizeof(path), "%s/edges.h5.tmp", dir);
  if (!access(path, F_OK)) return PETSC_FALSE;
  (void)PetscSNPrintf(path, sizeof(path), "%s/edges.h5.tmp.reserve", dir);
  return access(path, F_OK) ? PETSC_TRUE : PETSC_FALSE;
}

int main(int argc, char **argv)
{
  KNTest    t;
  KNGraph   small, big;
  char      dir[PETSC_MAX_PATH_LEN], file[PETSC_MAX_PATH_LEN + 16], sum0[17], sum1[17], cmd[PETSC_MAX_PATH_LEN + 32];
  PetscBool mounted = PETSC_FALSE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t619", dir, sizeof(dir)));
  PetscCall(Mount(dir, 96, &mounted));
  if (!mounted) {
    PetscCall(KNTestOk(&t, PETSC_TRUE, "KNGraphSave on a full disk # SKIP cannot mount a tmpfs here (not root)"));
  } else {
    PetscCall(PetscSNPrintf(file, sizeof(file), "%s/edges.h5:/", dir));
    PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 20, 100, 1, &small));
    PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 2000, 20000, 2, &big)); /* 320 KB of ids: does not fit */
    PetscCall(KNGraphSave(small, file));
    PetscCall(Checksum(file, sum0));
    EXPECT_ERROR(&t, PETSC_ERR_FILE_WRITE, "No space left on device", KNGraphSave(big, file), "an edge list larger than the free space: the space check refuses it");
    PetscCall(Checksum(file, sum1));
    PetscCall(KNTestOk(&t, (PetscBool)(!strcmp(sum0, sum1) && NoTemporaries(dir)), "the old file is unchanged (edge checksum %s), no temporary files", sum1));
    setenv("KN_TEST_NO_SPACE_CHECK", "1", 1);
    EXPECT_ERROR(&t, PETSC_ERR_FILE_WRITE, "failed", KNGraphSave(big, file), "the disk fills during the write: a clear error");
    unsetenv("KN_TEST_NO_SPACE_CHECK");
    PetscCall(Checksum(file, sum1));
    PetscCall(KNTestOk(&t, (PetscBool)(!strcmp(sum0, sum1) && NoTemporaries(dir)), "again the old file is unchanged and no temporary file is left (and PetscFinalize below must not crash)"));
    PetscCall(KNGraphDestroy(&small));
    PetscCall(KNGraphDestroy(&big));
    PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "umount '%s'", dir));
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    {
      PetscMPIInt rank;
      PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
      if (!rank && system(cmd)) PetscCall(PetscPrintf(PETSC_COMM_SELF, "# could not unmount %s\n", dir));
    }
  }
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, dir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
