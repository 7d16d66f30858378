/* Space for a file being written with HDF5 (src/io's model, checkpoint and trajectory writers, src/graph's edge
   lists): see knh5size.h. */
#define _POSIX_C_SOURCE 200809L
#include "knh5size.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Rank 0: reserves need bytes in path, then keeps keep of them; 0 or an errno value. */
static int Reserve(const char path[], const char dir[], double need, double keep)
{
  int            fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644), err;
  struct statvfs fs;

  if (fd < 0) return errno ? errno : EIO;
  err = posix_fallocate(fd, 0, (off_t)need);
  if (err == EOPNOTSUPP || err == EINVAL) { /* no fallocate here: check the free space, then hold keep bytes for real */
    char    zero[4096] = {0};
    ssize_t w          = 0;

    err = (!statvfs(dir, &fs) && (double)fs.f_bavail * (double)fs.f_frsize < need) ? ENOSPC : 0;
    for (double done = 0; !err && done < keep; done += (double)w)
      if ((w = write(fd, zero, sizeof(zero))) <= 0) err = errno ? errno : ENOSPC;
  } else if (!err && ftruncate(fd, (off_t)keep)) err = errno ? errno : EIO;
  if (close(fd) && !err) err = errno ? errno : EIO;
  if (err) (void)unlink(path);
  return err;
}

/*
  KNH5ReserveSpace_Private - rank 0 reserves 1.25 raw + keep bytes next to the temporary file tmp (in dir) and keeps
  keep of them until KNH5CloseFile_Private() or KNH5ReleaseSpace_Private(); what names the file in the error;
  collective
*/
PetscErrorCode KNH5ReserveSpace_Private(MPI_Comm comm, const char what[], const char tmp[], const char dir[], double raw, double keep, KNH5Reserve *r)
{
  PetscMPIInt rank;
  double      need = 1.25 * raw + keep;
  int         err  = 0;

  PetscFunctionBegin;
  r->path[0] = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    PetscCall(PetscSNPrintf(r->path, sizeof(r->path), "%s.reserve", tmp));
    err = Reserve(r->path, dir, getenv("KN_TEST_NO_SPACE_CHECK") ? keep : need, keep); /* tests: let the disk fill during the write */
    if (err) r->path[0] = 0;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "Cannot write the %s: %s (it needs about %.3g MB in %s); nothing was written", what, strerror(err), need / 1048576.0, dir);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: removes the reserve file, if one is held (not collective). */
void KNH5ReleaseSpace_Private(KNH5Reserve *r)
{
  if (r->path[0]) (void)unlink(r->path);
  r->path[0] = 0;
}

/*
  KNH5CloseFile_Private - flushes and closes *fid (written to tmp while holding the reserve r), releasing the file id on
  every path; failed tells whether writing failed on this rank; *ok whether everything reached the file on every
  rank (if not, tmp is garbage: remove it); collective

  HDF5 1.10 does not recover from a failed metadata flush (the cache keeps entries it can no longer evict, and the
  library's shutdown loops or crashes), so the flush must not run out of space: the reserve is released just before
  it, and when the file is doomed anyway (a write failed) the temporary file is emptied first as well.
*/
PetscErrorCode KNH5CloseFile_Private(MPI_Comm comm, hid_t *fid, const char tmp[], KNH5Reserve *r, PetscBool failed, PetscBool *ok)
{
  PetscMPIInt rank;
  int         st[3] = {failed ? 1 : 0, 0, 0};

  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, st, 1, MPI_INT, MPI_MAX, comm));
  if (!rank) {
    KNH5ReleaseSpace_Private(r);
    if (st[0] && *fid >= 0 && truncate(tmp, 0)) { /* nothing more to free */ }
  }
  if (*fid < 0) PetscFunctionReturn(KN_SUCCESS);
  PetscCallMPI(MPI_Barrier(comm));
  st[1] = H5Fflush(*fid, H5F_SCOPE_GLOBAL) < 0;
  st[2] = H5Fclose(*fid) < 0;
  *fid  = -1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, st, 3, MPI_INT, MPI_MAX, comm));
  *ok = (PetscBool)!(st[0] || st[1] || st[2]);
  PetscFunctionReturn(KN_SUCCESS);
}

