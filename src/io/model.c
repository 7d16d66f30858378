/* KNNetSave: the HDF5 model file, written collectively with parallel HDF5 to "<file>.tmp" and renamed into place. */
#define _POSIX_C_SOURCE 200809L
#include "ioimpl.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

PetscErrorCode KNIOLayerName_Private(PetscInt i, char name[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, len, "layer_%03" PetscInt_FMT, i));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The directory part of file ("." if none). */
static PetscErrorCode DirName(const char file[], char dir[], size_t len)
{
  const char *slash = strrchr(file, '/');

  PetscFunctionBegin;
  if (!slash) PetscCall(PetscStrncpy(dir, ".", len));
  else if (slash == file) PetscCall(PetscStrncpy(dir, "/", len));
  else PetscCall(PetscStrncpy(dir, file, PetscMin(len, (size_t)(slash - file) + 1)));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 checks that the directory of file exists and is writable (what: "model", "checkpoint"); every rank raises the
   same error otherwise. dir gets the directory and tmp the temporary name "<file>.tmp". */
PetscErrorCode KNIOCheckTarget_Private(MPI_Comm comm, const char what[], const char file[], char dir[], char tmp[], size_t len)
{
  PetscMPIInt rank;
  int         code[2] = {0, 0};
  size_t      n;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(file, &n));
  PetscCheck(n > 0, comm, PETSC_ERR_ARG_WRONG, "Saving the %s: empty file name", what);
  PetscCheck(n + 5 <= len, comm, PETSC_ERR_ARG_OUTOFRANGE, "Saving the %s: file name too long (%zu characters): %s", what, n, file);
  PetscCall(PetscSNPrintf(tmp, len, "%s.tmp", file));
  PetscCall(DirName(file, dir, len));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    struct stat st;

    if (stat(dir, &st)) code[0] = 1, code[1] = errno;
    else if (!S_ISDIR(st.st_mode)) code[0] = 2;
    else if (access(dir, W_OK | X_OK)) code[0] = 3, code[1] = errno;
  }
  PetscCallMPI(MPI_Bcast(code, 2, MPI_INT, 0, comm));
  PetscCheck(code[0] != 1, comm, PETSC_ERR_FILE_OPEN, "Cannot save the %s to %s: directory %s does not exist or is not accessible (%s)", what, file, dir, strerror(code[1]));
  PetscCheck(code[0] != 2, comm, PETSC_ERR_FILE_OPEN, "Cannot save the %s to %s: %s is not a directory", what, file, dir);
  PetscCheck(code[0] != 3, comm, PETSC_ERR_FILE_OPEN, "Cannot save the %s to %s: directory %s is not writable (%s)", what, file, dir, strerror(code[1]));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Every layer must be representable in format version 1 before anything is written. */
static PetscErrorCode CheckStorable(KNNet net, MPI_Comm comm, const char file[])
{
  PetscInt D;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCheck(D > 0, comm, PETSC_ERR_ARG_WRONGSTATE, "Cannot save the model to %s: the net has no layers", file);
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscReal C;
    PetscBool per_node;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetCapacitance(c, &C, &per_node));
    PetscCheck(!per_node, comm, PETSC_ERR_SUP, "Cannot save the model to %s: layer %" PetscInt_FMT " has per-node capacitances, but model format %d stores one capacitance per layer", file, i, KN_MODEL_FORMAT_VERSION);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* The layer's group: attributes, then src/dst (this rank's block of the graph, edges e0..e0+ne-1) and theta (its rows). */
static PetscErrorCode WriteLayerGroup(MPI_Comm comm, hid_t gid, const char where[], KNCircuit c, PetscInt e0, PetscInt ne, const PetscReal theta[])
{
  KNGraph         g;
  KNDevice        d;
  KNDeviceType    type;
  PetscInt        N, E, rows, gstart, gn;
  PetscReal       T, C;
  const PetscInt *src, *dst;
  const char     *desc;
  char            sum[17];
  PetscInt64     *ids;
  hsize_t         dims[2], start[2] = {(hsize_t)e0, 0}, count[2];
  PetscErrorCode  ierr;

  PetscFunctionBegin;
  PetscCall(KNCircuitGetGraph(c, &g));
  PetscCall(KNCircuitGetDevice(c, &d));
  PetscCall(KNDeviceGetType(d, &type));
  PetscCall(KNCircuitGetSizes(c, &N, &E, &rows));
  PetscCall(KNCircuitGetDuration(c, &T));
  PetscCall(KNCircuitGetCapacitance(c, &C, NULL));
  PetscCall(KNGraphGetLocalEdges(g, &gstart, &gn, &src, &dst));
  PetscCheck(gstart == e0 && gn == ne, PETSC_COMM_SELF, PETSC_ERR_PLIB, "Graph block [%" PetscInt_FMT ", +%" PetscInt_FMT ") and graph-order parameters [%" PetscInt_FMT ", +%" PetscInt_FMT ") differ", gstart, gn, e0, ne);
  PetscCall(KNGraphGetDescription(g, &desc));
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNH5WriteAttrString_Private(comm, gid, where, "device", type));
  PetscCall(KNH5WriteAttrReal_Private(comm, gid, where, "T", T));
  PetscCall(KNH5WriteAttrInt_Private(comm, gid, where, "num_nodes", N));
  PetscCall(KNH5WriteAttrInt_Private(comm, gid, where, "num_edges", E));
  PetscCall(KNH5WriteAttrInt_Private(comm, gid, where, "param_rows", rows));
  PetscCall(KNH5WriteAttrReal_Private(comm, gid, where, "capacitance", C));
  PetscCall(KNH5WriteAttrString_Private(comm, gid, where, "topology", desc ? desc : ""));
  PetscCall(KNH5WriteAttrString_Private(comm, gid, where, "edges_fnv1a64", sum));
  dims[0] = (hsize_t)E, dims[1] = (hsize_t)rows, count[0] = (hsize_t)ne, count[1] = (hsize_t)rows;
  PetscCall(PetscMalloc1(ne + 1, &ids));
  for (PetscInt e = 0; e < ne; e++) ids[e] = src[e];
  ierr = KNH5WriteSlab_Private(comm, gid, where, "src", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, start, count, ids);
  for (PetscInt e = 0; e < ne; e++) ids[e] = dst[e];
  if (!ierr) ierr = KNH5WriteSlab_Private(comm, gid, where, "dst", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, dims, start, count, ids);
  PetscCall(PetscFree(ids));
  PetscCall(ierr);
  PetscCall(KNH5WriteSlab_Private(comm, gid, where, "theta", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, start, count, theta));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Layer i: its parameters in graph order (evenly split in whole edges), then its group. */
static PetscErrorCode WriteLayer(KNNet net, MPI_Comm comm, hid_t fid, const char file[], Vec P, PetscInt i)
{
  KNCircuit        c;
  Vec              t, gv;
  PetscInt         lo, hi, rows;
  const PetscReal *a;
  char             name[32], where[PETSC_MAX_PATH_LEN + 64];
  hid_t            gid;
  PetscErrorCode   ierr;

  PetscFunctionBegin;
  PetscCall(KNIOLayerName_Private(i, name, sizeof(name)));
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s, group %s", file, name));
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitGetSizes(c, NULL, NULL, &rows));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &gv));
  PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
  PetscCall(KNCircuitParametersToGraphOrder(c, t, gv));
  PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
  PetscCall(VecGetOwnershipRange(gv, &lo, &hi));
  PetscCheck(lo % rows == 0 && hi % rows == 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "Graph-order parameters of layer %" PetscInt_FMT " are not split in whole edges ([%" PetscInt_FMT ", %" PetscInt_FMT ") with %" PetscInt_FMT " rows)", i, lo, hi, rows);
  ierr = KNH5CreateGroup_Private(comm, fid, where, name, &gid);
  if (!ierr) {
    PetscCall(VecGetArrayRead(gv, &a));
    ierr = WriteLayerGroup(comm, gid, where, c, lo / rows, (hi - lo) / rows, a);
    PetscCall(VecRestoreArrayRead(gv, &a));
    (void)H5Gclose(gid);
  }
  PetscCall(VecDestroy(&gv));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The model layout (root attributes and layer groups) into loc, an open file or group; collective. */
PetscErrorCode KNIOWriteNet_Private(KNNet net, MPI_Comm comm, hid_t loc, const char file[])
{
  Vec            P;
  PetscInt       D;
  KNCircuit      c0;
  PetscBool      flow;
  char           where[PETSC_MAX_PATH_LEN + 32];
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetLayer(net, 0, &c0));
  PetscCall(KNCircuitGetFlow(c0, &flow));
  PetscCall(KNNetCreateParameterVec(net, &P)); /* errors unless the net is set up */
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(PetscSNPrintf(where, sizeof(where), "model file %s", file));
  ierr = KNH5WriteAttrString_Private(comm, loc, where, "format", KN_MODEL_FORMAT);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(comm, loc, where, "format_version", KN_MODEL_FORMAT_VERSION);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(comm, loc, where, "layers", D);
  if (!ierr) ierr = KNH5WriteAttrInt_Private(comm, loc, where, "flow", flow ? 1 : 0);
  for (PetscInt i = 0; i < D && !ierr; i++) ierr = WriteLayer(net, comm, loc, file, P, i);
  PetscCall(VecDestroy(&P));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The sizes a file of net is made of: parameters P, edges E over all layers and layers D (the space reservations). */
PetscErrorCode KNIONetCounts_Private(KNNet net, PetscInt *P, PetscInt *E, PetscInt *D)
{
  PetscFunctionBegin;
  PetscCall(KNNetGetNumParameters(net, P));
  PetscCall(KNNetGetNumLayers(net, D));
  *E = 0;
  for (PetscInt i = 0; i < *D; i++) {
    KNCircuit c;
    PetscInt  e;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, NULL, &e, NULL));
    *E += e;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Writes the whole model into the (new) file tmp and closes it (releasing every HDF5 object and the reserve r on every
   path); *created tells whether tmp was created (and must be removed on failure). */
static PetscErrorCode WriteModel(KNNet net, MPI_Comm comm, const char tmp[], const char file[], const KNModelRecords *rec, KNH5Reserve *r, PetscBool *created)
{
  hid_t          fid = -1;
  PetscBool      ok;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  ierr = KNH5CreateFile_Private(comm, tmp, &fid);
  if (!ierr) {
    *created = PETSC_TRUE;
    ierr     = KNIOWriteNet_Private(net, comm, fid, file);
    if (!ierr) ierr = KNIOWriteRecords_Private(net, comm, fid, file, rec);
  }
  PetscCall(KNH5CloseFile_Private(comm, &fid, tmp, r, ierr ? PETSC_TRUE : PETSC_FALSE, &ok));
  PetscCall(ierr);
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "Writing %s failed when it was flushed and closed (file system full or quota exceeded?)", tmp);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: flush tmp to disk, rename it onto file, flush the directory entry; returns 0 or an errno value. */
int KNIOCommitFile_Private(const char tmp[], const char file[], const char dir[])
{
  int fd = open(tmp, O_RDONLY);

  if (fd >= 0) {
    (void)fsync(fd);
    (void)close(fd);
  }
  if (rename(tmp, file)) return errno ? errno : EIO;
  fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    (void)fsync(fd);
    (void)close(fd);
  }
  return 0;
}

/*@C
  KNNetSave - writes a set-up net (topologies, device laws, durations, capacitances, parameters) to an HDF5 model file

  Collective

  Input Parameters:
+ net - the net (after KNNetSetUp())
- filename - the model file; its directory must exist and be writable

  Notes:
  The file is written collectively with parallel HDF5 (MPI-IO) to "<filename>.tmp" in the same directory, closed,
  flushed and then renamed onto filename by rank 0, so a reader never sees a partial file and, if anything fails,
  an existing filename is left untouched and the temporary file is removed. The space the file needs is
  reserved first, so a full disk or quota is reported before anything is written; if the disk fills during the
  write, the error says so and every HDF5 object is still released. The layout (format
  "kirchhoffnet-model", version 1) is described in include/kn/knio.h; parameters are stored in graph (file) edge
  order as theta[E, rows], so a file written on any number of ranks loads on any other number.
  Per-node capacitances (KNCircuitSetNodeCapacitances()) cannot be stored in format 1 and are an error.

  Level: beginner

.seealso: KNNetSaveWithRecords(), KNNetLoad(), KNNetImportPublished()
@*/
PetscErrorCode KNNetSave(KNNet net, const char filename[])
{
  PetscFunctionBegin;
  PetscCall(KNNetSaveWithRecords(net, filename, NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetSaveWithRecords - KNNetSave() plus the records that make the file usable on its own: the task, the data
  scaling and the effective options (the knet version, git commit and readout are written by KNNetSave() too)

  Collective

  Input Parameters:
+ net - the net (after KNNetSetUp())
. filename - the model file
- r - the records (NULL, or fields left empty: not written); see KNModelRecords and include/kn/knio.h

  Level: intermediate

.seealso: KNNetSave(), KNModelRecordsLoad()
@*/
PetscErrorCode KNNetSaveWithRecords(KNNet net, const char filename[], const KNModelRecords *rec)
{
  MPI_Comm       comm;
  PetscMPIInt    rank;
  char           dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], what[PETSC_MAX_PATH_LEN + 8];
  KNH5Quiet      q;
  KNH5Reserve    r;
  double         raw = 0, meta = 0, recs = 0;
  PetscInt       P, E, D;
  PetscBool      created = PETSC_FALSE;
  int            st[2], rc = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  KNAssertPointer(net, 1);
  KNAssertPointer(filename, 2);
  PetscCall(KNNetGetComm(net, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(KNIOCheckTarget_Private(comm, "model", filename, dir, tmp, sizeof(tmp)));
  PetscCall(CheckStorable(net, comm, filename));
  PetscCall(KNIONetCounts_Private(net, &P, &E, &D));
  PetscCall(KNIORecordsBytes_Private(net, rec, &recs));
  raw  = 8.0 * (double)P + 16.0 * (double)E + recs; /* theta, src/dst and the records; metadata at most 8 KiB a layer */
  meta = 32768.0 + 8192.0 * (double)D;
  PetscCall(PetscSNPrintf(what, sizeof(what), "model %s", filename));
  PetscCall(KNH5ReserveSpace_Private(comm, what, tmp, dir, raw, meta, &r));
  PetscCall(PetscLogEventBegin(KN_ModelIO, 0, 0, 0, 0));
  KNH5QuietBegin(&q);
  ierr = WriteModel(net, comm, tmp, filename, rec, &r, &created);
  KNH5QuietEnd(&q);
  KNH5ReleaseSpace_Private(&r);
  st[0] = ierr ? 1 : 0, st[1] = created ? 1 : 0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, st, 2, MPI_INT, MPI_MAX, comm)); /* agree, in case a failure was local */
  if (rank == 0 && !st[0]) rc = KNIOCommitFile_Private(tmp, filename, dir);
  if (rank == 0 && (st[0] || rc) && st[1]) (void)unlink(tmp);
  PetscCallMPI(MPI_Bcast(&rc, 1, MPI_INT, 0, comm));
  PetscCall(PetscLogEventEnd(KN_ModelIO, 0, 0, 0, 0));
  PetscCall(ierr);
  PetscCheck(!st[0], comm, PETSC_ERR_FILE_WRITE, "Saving the model to %s failed on another rank; %s is unchanged and the temporary file was removed", filename, filename);
  PetscCheck(!rc, comm, PETSC_ERR_FILE_WRITE, "Cannot rename %s onto %s: %s; %s is unchanged and the temporary file was removed", tmp, filename, strerror(rc), filename);
  PetscFunctionReturn(KN_SUCCESS);
}
