/* KNCheckpoint: an HDF5 checkpoint written collectively to "<file>.tmp" and renamed on commit; attributes by group. */
#define _POSIX_C_SOURCE 200809L
#include "ckptimpl.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static PetscLogEvent KN_CheckpointIO = 0;

static PetscErrorCode KNCheckpointFinalize_Private(void)
{
  PetscFunctionBegin;
  KN_CheckpointIO = 0;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode RegisterEvent(void)
{
  PetscFunctionBegin;
  PetscCall(KNInitializePackage());
  if (KN_CheckpointIO) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscLogEventRegister("KNCheckpointIO", KN_CLASSID, &KN_CheckpointIO));
  PetscCall(KNRegisterFinalize(KNCheckpointFinalize_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointWhere_Private(KNCheckpoint ck, const char group[], char where[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, len, "checkpoint %s, group /%s", ck->writing ? ck->tmp : ck->file, group && group[0] != '/' ? group : ""));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointGroup_Private(KNCheckpoint ck, const char group[], PetscBool create, hid_t *gid)
{
  PetscBool has;
  char      where[PETSC_MAX_PATH_LEN + 64], path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  *gid = -1;
  if (!group || !group[0] || !strcmp(group, "/")) {
    *gid = H5Gopen2(ck->fid, "/", H5P_DEFAULT);
    PetscCheck(*gid >= 0, ck->comm, PETSC_ERR_LIB, "HDF5 cannot open the root group of %s", ck->file);
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNCheckpointWhere_Private(ck, NULL, where, sizeof(where)));
  PetscCall(KNH5HasLink_Private(ck->fid, group, &has));
  if (has || !create) {
    PetscCall(KNH5OpenGroup_Private(ck->comm, ck->fid, where, group, gid));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscStrncpy(path, group, sizeof(path)));
  for (char *p = path; *p; p++) { /* parents first: "optim/layer_000" needs "optim" */
    hid_t parent;
    if (*p != '/') continue;
    *p = 0;
    PetscCall(KNH5HasLink_Private(ck->fid, path, &has));
    if (!has) {
      PetscCall(KNH5CreateGroup_Private(ck->comm, ck->fid, where, path, &parent));
      (void)H5Gclose(parent);
    }
    *p = '/';
  }
  PetscCall(KNH5CreateGroup_Private(ck->comm, ck->fid, where, group, gid));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Provenance in /meta: kept apart from the state so that comparisons can exclude it (h5diff --exclude-path /meta). */
static PetscErrorCode WriteMeta(KNCheckpoint ck)
{
  hid_t          gid;
  char           where[PETSC_MAX_PATH_LEN + 64], stamp[64], petsc[128], hdf5[64];
  time_t         now = time(NULL);
  unsigned       maj, min, rel;
  PetscMPIInt    size, rank;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(ck->comm, &size));
  PetscCallMPI(MPI_Comm_rank(ck->comm, &rank));
  if (!rank) strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  PetscCallMPI(MPI_Bcast(stamp, sizeof(stamp), MPI_CHAR, 0, ck->comm)); /* attributes must agree on every rank */
  PetscCall(PetscGetVersion(petsc, sizeof(petsc)));
  (void)H5get_libversion(&maj, &min, &rel);
  PetscCall(PetscSNPrintf(hdf5, sizeof(hdf5), "%u.%u.%u", maj, min, rel));
  PetscCall(KNCheckpointGroup_Private(ck, "meta", PETSC_TRUE, &gid));
  PetscCall(KNCheckpointWhere_Private(ck, "meta", where, sizeof(where)));
  ierr = KNH5WriteAttrString_Private(ck->comm, gid, where, "created_utc", stamp);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(ck->comm, gid, where, "mpi_size", size);
  if (!ierr) ierr = KNH5WriteAttrString_Private(ck->comm, gid, where, "petsc_version", petsc);
  if (!ierr) ierr = KNH5WriteAttrString_Private(ck->comm, gid, where, "hdf5_version", hdf5);
  (void)H5Gclose(gid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Root attributes, /meta and /model (the net's model layout plus theta_sum64). */
static PetscErrorCode WriteHead(KNCheckpoint ck, KNNet net)
{
  hid_t          gid;
  Vec            P;
  char           where[PETSC_MAX_PATH_LEN + 64], sum[17];
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNCheckpointWhere_Private(ck, NULL, where, sizeof(where)));
  PetscCall(KNH5WriteAttrString_Private(ck->comm, ck->fid, where, "format", KN_CHECKPOINT_FORMAT));
  PetscCall(KNH5WriteAttrInt_Private(ck->comm, ck->fid, where, "format_version", KN_CHECKPOINT_FORMAT_VERSION));
  PetscCall(KNH5WriteAttrInt_Private(ck->comm, ck->fid, where, "step", ck->step));
  PetscCall(WriteMeta(ck));
  PetscCall(KNNetCreateParameterVec(net, &P));
  ierr = KNNetGetParameters(net, P);
  if (!ierr) ierr = KNCheckpointParameterSum_Private(net, P, sum);
  PetscCall(VecDestroy(&P));
  PetscCall(ierr);
  PetscCall(KNCheckpointGroup_Private(ck, "model", PETSC_TRUE, &gid));
  PetscCall(KNCheckpointWhere_Private(ck, "model", where, sizeof(where)));
  ierr = KNIOWriteNet_Private(net, ck->comm, gid, ck->tmp);
  if (!ierr) ierr = KNH5WriteAttrString_Private(ck->comm, gid, where, "theta_sum64", sum);
  (void)H5Gclose(gid);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 reserves the space a checkpoint of net needs (theta, two moments, edge lists; metadata 16 KiB a layer and
   32 KiB more), so that a full disk or an exceeded quota is a clean error before HDF5 writes anything, and holds the
   metadata's share until the commit (h5util.h: HDF5 1.10 cannot recover from a failed flush or close). */
static PetscErrorCode ReserveSpace(KNCheckpoint c, KNNet net)
{
  PetscInt P, D, E;
  char     what[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBegin;
  PetscCall(KNIONetCounts_Private(net, &P, &E, &D));
  PetscCall(PetscSNPrintf(what, sizeof(what), "checkpoint %s", c->file));
  PetscCall(KNH5ReserveSpace_Private(c->comm, what, c->tmp, c->dir, 24.0 * (double)P + 16.0 * (double)E, 32768.0 + 16384.0 * (double)D, &c->reserve));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointCreate - starts a checkpoint file: creates "<file>.tmp" collectively and writes the format attributes,
  the provenance (/meta) and the net (/model, the model layout of KNNetSave())

  Collective

  Input Parameters:
+ net - the set-up net
. file - the final name, e.g. from KNCheckpointFileName(); its directory must exist and be writable
- step - the global step stored in the root attribute step

  Output Parameter:
. ck - the checkpoint, to be filled with KNCheckpointWrite*() and finished with KNCheckpointCommit()

  Notes:
  Nothing named file exists until KNCheckpointCommit() succeeds. KNCheckpointDestroy() of an uncommitted checkpoint
  (for instance after an error) removes the temporary file and leaves every existing checkpoint untouched. The space
  the file needs is reserved first (posix_fallocate() of a scratch file), so a full disk or quota is reported before
  anything is written.

  Level: intermediate

.seealso: KNCheckpointCommit(), KNCheckpointOpen(), KNCheckpointWriteParameterVec()
@*/
PetscErrorCode KNCheckpointCreate(KNNet net, const char file[], PetscInt64 step, KNCheckpoint *ck)
{
  KNCheckpoint   c;
  KNH5Quiet      q;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(file, 2);
  KNAssertPointer(ck, 4);
  *ck = NULL;
  PetscCall(RegisterEvent());
  PetscCall(PetscNew(&c));
  PetscCall(KNNetGetComm(net, &c->comm));
  c->fid  = -1;
  c->step = step;
  PetscCall(PetscStrncpy(c->file, file, sizeof(c->file)));
  ierr = KNIOCheckTarget_Private(c->comm, "checkpoint", file, c->dir, c->tmp, sizeof(c->tmp));
  if (!ierr) ierr = ReserveSpace(c, net);
  if (ierr) PetscCall(PetscFree(c));
  PetscCall(ierr);
  PetscCall(PetscLogEventBegin(KN_CheckpointIO, 0, 0, 0, 0));
  KNH5QuietBegin(&q);
  ierr = KNH5CreateFile_Private(c->comm, c->tmp, &c->fid);
  c->writing = PETSC_TRUE; /* from here on, destroying removes the temporary file */
  if (!ierr) ierr = WriteHead(c, net);
  KNH5QuietEnd(&q);
  PetscCall(PetscLogEventEnd(KN_CheckpointIO, 0, 0, 0, 0));
  if (ierr) PetscCall(KNCheckpointDestroy(&c));
  PetscCall(ierr);
  *ck = c;
  PetscFunctionReturn(KN_SUCCESS);
}

/* KN_TEST_CHECKPOINT_DELAY=s: sleep s seconds between the complete temporary file and its rename (tests kill here). */
static void TestDelay(void)
{
  const char *s = getenv("KN_TEST_CHECKPOINT_DELAY");
  double      d = s ? atof(s) : 0.0;

  if (d > 0) {
    struct timespec ts;
    ts.tv_sec  = (time_t)d;
    ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
    (void)nanosleep(&ts, NULL);
  }
}

/*@C
  KNCheckpointCommit - closes the temporary file, flushes it to disk and renames it onto the final name (rank 0), then
  destroys the checkpoint object

  Collective

  Notes:
  If closing (flushing) fails on any rank, for instance on a full disk, the temporary file is removed and an error
  says so; checkpoints written before are never touched.

  Level: intermediate

.seealso: KNCheckpointCreate(), KNCheckpointPrune()
@*/
PetscErrorCode KNCheckpointCommit(KNCheckpoint *ck)
{
  KNCheckpoint c;
  MPI_Comm     comm;
  PetscMPIInt  rank;
  KNH5Quiet    q;
  char         tmp[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN], file[PETSC_MAX_PATH_LEN];
  PetscBool    closed;
  int          ok, rc = 0;

  PetscFunctionBegin;
  KNAssertPointer(ck, 1);
  c = *ck;
  PetscCheck(c && c->writing, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "KNCheckpointCommit() needs a checkpoint from KNCheckpointCreate()");
  comm = c->comm;
  PetscCall(PetscLogEventBegin(KN_CheckpointIO, 0, 0, 0, 0));
  KNH5QuietBegin(&q);
  PetscCall(KNH5CloseFile_Private(c->comm, &c->fid, c->tmp, &c->reserve, PETSC_FALSE, &closed));
  KNH5QuietEnd(&q);
  ok = closed ? 1 : 0;
  PetscCallMPI(MPI_Comm_rank(c->comm, &rank));
  if (ok && !rank) {
    TestDelay();
    rc = KNIOCommitFile_Private(c->tmp, c->file, c->dir);
  }
  PetscCallMPI(MPI_Bcast(&rc, 1, MPI_INT, 0, c->comm));
  PetscCall(PetscLogEventEnd(KN_CheckpointIO, 0, 0, 0, 0));
  if (ok && !rc) c->writing = PETSC_FALSE;
  PetscCall(PetscStrncpy(tmp, c->tmp, sizeof(tmp)));
  PetscCall(PetscStrncpy(dir, c->dir, sizeof(dir)));
  PetscCall(PetscStrncpy(file, c->file, sizeof(file)));
  PetscCall(KNCheckpointDestroy(ck)); /* on failure this removes the temporary file */
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "Writing checkpoint %s failed when the file was closed (disk full or quota exceeded?); it was removed and the earlier checkpoints in %s are kept", tmp, dir);
  PetscCheck(!rc, comm, PETSC_ERR_FILE_WRITE, "Cannot rename the complete checkpoint %s onto %s: %s; the earlier checkpoints in %s are kept", tmp, file, strerror(rc), dir);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointDestroy - closes the file; for a checkpoint being written (not committed) also removes the temporary file

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCheckpointDestroy(KNCheckpoint *ck)
{
  PetscMPIInt rank;

  PetscFunctionBegin;
  if (!ck || !*ck) PetscFunctionReturn(KN_SUCCESS);
  if ((*ck)->writing) { /* an uncommitted file is garbage: empty it before its metadata is flushed (h5util.h) */
    KNH5Quiet q;
    PetscBool ok;

    KNH5QuietBegin(&q);
    PetscCall(KNH5CloseFile_Private((*ck)->comm, &(*ck)->fid, (*ck)->tmp, &(*ck)->reserve, PETSC_TRUE, &ok));
    KNH5QuietEnd(&q);
  }
  if ((*ck)->fid >= 0) (void)H5Fclose((*ck)->fid);
  if ((*ck)->writing) {
    PetscCallMPI(MPI_Comm_rank((*ck)->comm, &rank));
    if (!rank) (void)unlink((*ck)->tmp);
    PetscCallMPI(MPI_Barrier((*ck)->comm));
  }
  PetscCall(PetscFree(*ck));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Format name and version of an opened checkpoint; reads the step. */
static PetscErrorCode CheckHead(KNCheckpoint c)
{
  char         *fmt;
  char          where[PETSC_MAX_PATH_LEN + 32], found[64];
  PetscInt64    version;
  PetscBool     same;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "checkpoint %s", c->file));
  PetscCall(KNH5ReadAttrString_Private(c->comm, c->fid, where, "format", &fmt));
  PetscCall(PetscStrcmp(fmt, KN_CHECKPOINT_FORMAT, &same));
  PetscCall(PetscStrncpy(found, fmt, sizeof(found)));
  PetscCall(PetscFree(fmt));
  PetscCheck(same, c->comm, PETSC_ERR_FILE_UNEXPECTED, "%s is not a KirchhoffNet checkpoint: its format is '%s', not '%s'", c->file, found, KN_CHECKPOINT_FORMAT);
  PetscCall(KNH5ReadAttrInt_Private(c->comm, c->fid, where, "format_version", &version));
  PetscCheck(version >= 1 && version <= KN_CHECKPOINT_FORMAT_VERSION, c->comm, PETSC_ERR_FILE_UNEXPECTED, "%s has format_version %" PetscInt64_FMT "; this build reads versions 1..%d", where, version, KN_CHECKPOINT_FORMAT_VERSION);
  PetscCall(KNH5ReadAttrInt_Private(c->comm, c->fid, where, "step", &c->step));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointOpen - opens a checkpoint file for reading and checks its format and version

  Collective

  Input Parameters:
+ comm - the readers (any number of ranks, independent of the writer's)
- file - the checkpoint

  Output Parameter:
. ck - the checkpoint; read it with KNCheckpointRead*() and KNCheckpointReadParameterVec(), free it with
       KNCheckpointDestroy()

  Notes:
  A missing, truncated or non-HDF5 file, or one of another format, is an error that names the file.

  Level: intermediate

.seealso: KNCheckpointCheckNet(), KNCheckpointReadParameterVec(), KNCheckpointList()
@*/
PetscErrorCode KNCheckpointOpen(MPI_Comm comm, const char file[], KNCheckpoint *ck)
{
  KNCheckpoint   c;
  KNH5Quiet      q;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(file, 2);
  KNAssertPointer(ck, 3);
  *ck = NULL;
  PetscCall(RegisterEvent());
  PetscCall(PetscNew(&c));
  c->comm = comm;
  c->fid  = -1;
  PetscCall(PetscStrncpy(c->file, file, sizeof(c->file)));
  PetscCall(PetscLogEventBegin(KN_CheckpointIO, 0, 0, 0, 0));
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, file, "checkpoint", &c->fid);
  if (!ierr) ierr = CheckHead(c);
  KNH5QuietEnd(&q);
  PetscCall(PetscLogEventEnd(KN_CheckpointIO, 0, 0, 0, 0));
  if (ierr) PetscCall(KNCheckpointDestroy(&c));
  PetscCall(ierr);
  *ck = c;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointGetStep(KNCheckpoint ck, PetscInt64 *step)
{
  PetscFunctionBegin;
  *step = ck->step;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointGetFileName(KNCheckpoint ck, const char **file)
{
  PetscFunctionBegin;
  *file = ck->file;
  PetscFunctionReturn(KN_SUCCESS);
}
