/* KNTrajectoryWrite: the recorded v(t) as HDF5 (rank 0 writes "<file>.tmp" and renames it into place). */
#define _POSIX_C_SOURCE 200809L
#include "trajimpl.h"
#include <math.h>
#include <unistd.h>

/* Collective writes of data that rank 0 holds: the other ranks take part with empty selections. */
static PetscErrorCode WriteRoot(KNTrajectory tj, hid_t loc, const char where[], const char name[], hid_t ftype, hid_t mtype, int nd, const hsize_t dims[], const void *buf)
{
  hsize_t z[3] = {0, 0, 0}, none[3] = {0, 0, 0};

  PetscFunctionBegin;
  PetscCall(KNH5WriteSlab_Private(tj->comm, loc, where, name, ftype, mtype, nd, dims, z, tj->rank ? none : dims, buf));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Datasets t [nt], v [nt, ns, nn] and nodes [nn] of one layer group. */
static PetscErrorCode WriteLayer(KNTrajectory tj, hid_t fid, const char file[], PetscInt i)
{
  KNTrajLayer   *L = &tj->layer[i];
  char           name[32], where[PETSC_MAX_PATH_LEN + 64];
  hsize_t        d3[3] = {(hsize_t)L->nt, (hsize_t)tj->ns, (hsize_t)L->nn};
  PetscInt64    *ids;
  hid_t          gid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNIOLayerName_Private(i, name, sizeof(name)));
  PetscCall(PetscSNPrintf(where, sizeof(where), "trajectory file %s, group %s", file, name));
  PetscCall(KNH5CreateGroup_Private(tj->comm, fid, where, name, &gid));
  PetscCall(PetscMalloc1(L->nn + 1, &ids));
  for (PetscInt k = 0; k < L->nn; k++) ids[k] = L->nodes[k];
  ierr = KNH5WriteAttrReal_Private(tj->comm, gid, where, "T", L->T);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(tj->comm, gid, where, "sweep_position", L->position);
  if (!ierr) ierr = WriteRoot(tj, gid, where, "t", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d3, L->t);
  if (!ierr) ierr = WriteRoot(tj, gid, where, "v", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, d3, L->v);
  if (!ierr) ierr = WriteRoot(tj, gid, where, "nodes", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, d3 + 2, ids);
  PetscCall(PetscFree(ids));
  (void)H5Gclose(gid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The whole file into tmp (collective, MPI-IO; rank 0 holds the data), closed with every HDF5 object released. */
static PetscErrorCode WriteFile(KNTrajectory tj, const char tmp[], const char file[], KNH5Reserve *r, PetscBool *created)
{
  char           where[PETSC_MAX_PATH_LEN + 32];
  hsize_t        ns = (hsize_t)tj->ns;
  PetscInt64    *ids;
  hid_t          fid = -1;
  PetscBool      ok;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "trajectory file %s", file));
  PetscCall(PetscMalloc1(tj->ns, &ids));
  for (PetscInt s = 0; s < tj->ns; s++) ids[s] = tj->samples[s];
  ierr = KNH5CreateFile_Private(tj->comm, tmp, &fid);
  if (!ierr) *created = PETSC_TRUE;
  if (!ierr) ierr = KNH5WriteAttrString_Private(tj->comm, fid, where, "format", KN_TRAJECTORY_FORMAT);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(tj->comm, fid, where, "format_version", KN_TRAJECTORY_FORMAT_VERSION);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(tj->comm, fid, where, "layers", tj->D);
  if (!ierr) ierr = KNH5WriteAttrString_Private(tj->comm, fid, where, "times", tj->ntimes ? "given" : "steps");
  if (!ierr) ierr = WriteRoot(tj, fid, where, "samples", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &ns, ids);
  for (PetscInt i = 0; i < tj->D && !ierr; i++) ierr = WriteLayer(tj, fid, file, i);
  PetscCall(PetscFree(ids));
  PetscCall(KNH5CloseFile_Private(tj->comm, &fid, tmp, r, ierr ? PETSC_TRUE : PETSC_FALSE, &ok));
  PetscCall(ierr);
  PetscCheck(ok, tj->comm, PETSC_ERR_FILE_WRITE, "Writing %s failed when it was flushed and closed (file system full or quota exceeded?)", tmp);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The bytes of the recorded data (rank 0's, broadcast) and a bound on the metadata (8 KiB a layer, 32 KiB more). */
static PetscErrorCode FileBytes(KNTrajectory tj, double *raw, double *meta)
{
  PetscFunctionBegin;
  *raw = 8.0 * (double)tj->ns;
  for (PetscInt i = 0; i < tj->D && !tj->rank; i++) *raw += 8.0 * ((double)tj->layer[i].nt * (1.0 + (double)tj->ns * (double)tj->layer[i].nn) + (double)tj->layer[i].nn);
  PetscCallMPI(MPI_Bcast(raw, 1, MPI_DOUBLE, 0, tj->comm));
  *meta = 32768.0 + 8192.0 * (double)tj->D;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: recorded samples that no sweep held (their values are NaN), as a count. */
static PetscInt Missing(KNTrajectory tj)
{
  PetscInt miss = 0;

  for (PetscInt s = 0; s < tj->ns; s++) {
    KNTrajLayer *L = &tj->layer[0];
    if (!L->nt || (L->nn && isnan(L->v[s * L->nn]))) miss++;
  }
  return miss;
}

/*@C
  KNTrajectoryWrite - writes what was recorded (see kncheckpoint.h for the layout) to file (NULL: -kn_trajectory's)

  Collective

  Notes:
  Rank 0 holds the recorded values; the file is written collectively to "<file>.tmp" and renamed into place, so a
  reader never sees a partial file. Samples that no sweep held (an index beyond the number of samples) are an error.

  Level: intermediate

.seealso: KNTrajectoryCreateFromOptions(), KNTrajectoryBegin()
@*/
PetscErrorCode KNTrajectoryWrite(KNTrajectory tj, const char file[])
{
  char           dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], what[PETSC_MAX_PATH_LEN + 16];
  KNH5Quiet      q;
  KNH5Reserve    r;
  double         raw = 0, meta = 0;
  PetscBool      created = PETSC_FALSE;
  int            miss = 0, st[2] = {0, 0};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  if (!file) file = tj->file;
  PetscCheck(file && file[0], tj->comm, PETSC_ERR_ARG_WRONG, "KNTrajectoryWrite() needs a file name");
  if (!tj->rank) miss = (int)Missing(tj);
  PetscCallMPI(MPI_Bcast(&miss, 1, MPI_INT, 0, tj->comm));
  PetscCheck(!miss, tj->comm, PETSC_ERR_ARG_OUTOFRANGE, "%d of the %" PetscInt_FMT " trajectory samples were never pushed through the net (-kn_trajectory_samples beyond the number of samples?); %s was not written", miss, tj->ns, file);
  PetscCall(KNIOCheckTarget_Private(tj->comm, "trajectory", file, dir, tmp, sizeof(tmp)));
  PetscCall(FileBytes(tj, &raw, &meta));
  PetscCall(PetscSNPrintf(what, sizeof(what), "trajectory %s", file));
  PetscCall(KNH5ReserveSpace_Private(tj->comm, what, tmp, dir, raw, meta, &r));
  KNH5QuietBegin(&q);
  ierr = WriteFile(tj, tmp, file, &r, &created);
  KNH5QuietEnd(&q);
  KNH5ReleaseSpace_Private(&r);
  st[0] = ierr ? 1 : 0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, st, 1, MPI_INT, MPI_MAX, tj->comm));
  if (!tj->rank && !st[0]) st[1] = KNIOCommitFile_Private(tmp, file, dir);
  if (!tj->rank && (st[0] || st[1]) && created) (void)unlink(tmp);
  PetscCallMPI(MPI_Bcast(&st[1], 1, MPI_INT, 0, tj->comm));
  PetscCall(ierr);
  PetscCheck(!st[0], tj->comm, PETSC_ERR_FILE_WRITE, "Writing the trajectory file %s failed on another rank", file);
  PetscCheck(!st[1], tj->comm, PETSC_ERR_FILE_WRITE, "Cannot rename %s onto %s: %s", tmp, file, strerror(st[1]));
  PetscFunctionReturn(KN_SUCCESS);
}
