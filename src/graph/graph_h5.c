/* HDF5 edge lists: integer datasets src and dst in a group, read and written collectively through MPI-IO (sys/knh5.h),
   every rank its own block of the edges (KNGraphBlock()): no rank holds more than its block (plus, while reading, an
   int64 buffer of 2^20 ids, so that ids beyond PetscInt are reported as they are). */
#include "sys/knh5.h"
#include "graphimpl.h"
#include <errno.h>
#include <unistd.h>

/* Metadata reads are identical on every rank (each rank reads the same header bytes), so the errors below are raised on
   comm by every rank alike; data-dependent checks are agreed over comm first. */
#define KNH5Check(ret, comm, code, ...) PetscCheck((ret) >= 0, comm, code, __VA_ARGS__)

/* Shape and type of the edge-list dataset name: integers, shape (n) or (n, 1), backed by the file's bytes. */
static PetscErrorCode DescribeIds(MPI_Comm comm, hid_t gid, const char where[], const char name[], int *ndims, hsize_t *n)
{
  KNH5Handles    h = {0};
  hid_t          did, sid, tid;
  hsize_t        dims[2] = {0, 0};
  H5T_class_t    cls;
  double         declared = 0, stored = 0;
  int            bad;

  PetscFunctionBegin;
  PetscCheck(H5Lexists(gid, name, H5P_DEFAULT) > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s has no dataset \"%s\" (an HDF5 edge list needs integer datasets src and dst)", where, name);
  did = KNH5Keep(&h, H5Dopen2(gid, name, H5P_DEFAULT), H5Dclose);
  tid = did < 0 ? -1 : KNH5Keep(&h, H5Dget_type(did), H5Tclose);
  sid = did < 0 ? -1 : KNH5Keep(&h, H5Dget_space(did), H5Sclose);
  cls = tid < 0 ? H5T_NO_CLASS : H5Tget_class(tid);
  *ndims = sid < 0 ? -1 : H5Sget_simple_extent_ndims(sid);
  if (*ndims >= 1 && *ndims <= 2) (void)H5Sget_simple_extent_dims(sid, dims, NULL);
  bad = did >= 0 && cls == H5T_INTEGER && (*ndims == 1 || (*ndims == 2 && dims[1] == 1)) ? KNH5CheckStorage_Private(did, (size_t)dims[0], &declared, &stored) : 0;
  KNH5CloseAll(&h);
  KNH5Check(did, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open dataset %s", where, name);
  PetscCheck(cls == H5T_INTEGER, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold integers (node ids)", where, name);
  PetscCheck(*ndims == 1 || (*ndims == 2 && dims[1] == 1), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must be 1-D (it has %d dimensions)", where, name, *ndims);
  PetscCall(KNGraphCheckIntRange_Private(comm, (PetscInt64)dims[0], "HDF5 edge list: number of edges"));
  PetscCheck(!bad, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s declares %llu node ids (%.0f bytes) but the file holds only %.0f bytes of them (truncated or tampered file)", where, name, (unsigned long long)dims[0], declared, stored);
  *n = dims[0];
  PetscFunctionReturn(KN_SUCCESS);
}

/* Optional scalar integer attribute; *found is PETSC_FALSE if absent. */
static PetscErrorCode ReadIntAttr(MPI_Comm comm, hid_t gid, const char where[], const char name[], PetscInt64 *v, PetscBool *found)
{
  hid_t  aid;
  herr_t st;

  PetscFunctionBegin;
  *found = H5Aexists(gid, name) > 0 ? PETSC_TRUE : PETSC_FALSE;
  if (!*found) PetscFunctionReturn(KN_SUCCESS);
  aid = H5Aopen(gid, name, H5P_DEFAULT);
  KNH5Check(aid, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open attribute %s", where, name);
  st = H5Aread(aid, H5T_NATIVE_INT64, v);
  (void)H5Aclose(aid);
  KNH5Check(st, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute %s must be an integer scalar", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* This rank's block [e0, e0 + n) of dataset name into v (int64); a failure on any rank fails every rank. */
static PetscErrorCode ReadBlock(MPI_Comm comm, hid_t gid, const char where[], const char name[], int ndims, PetscInt e0, PetscInt n, PetscInt64 v[])
{
  hsize_t        start[2] = {(hsize_t)e0, 0}, count[2] = {(hsize_t)n, 1};
  PetscErrorCode ierr;
  int            bad;

  PetscFunctionBegin;
  ierr = KNH5ReadSlab_Private(comm, gid, where, name, H5T_NATIVE_INT64, ndims, start, count, v);
  bad  = ierr ? 1 : 0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
  PetscCall(ierr);
  PetscCheck(!bad, comm, PETSC_ERR_FILE_READ, "%s: reading dataset %s failed on another rank (corrupt file?)", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Range of one id (0..lim): the first bad edge of the block, as a global index, is kept in bad[0] (INT64_MAX: none). */
static inline void CheckId(PetscInt64 e, PetscInt64 v, PetscInt64 lim, PetscInt64 bad[2])
{
  if ((v < 0 || v > lim) && e < bad[0]) bad[0] = e, bad[1] = v;
}

/* The first bad edge over all ranks (kind 0: id out of range, 1: ground to ground) as the same error everywhere. */
static PetscErrorCode AgreeBadEdge(MPI_Comm comm, const char where[], const char name[], PetscInt64 lim, PetscBool nodes, PetscInt64 bad[2], int kind)
{
  struct {
    PetscInt64 e, v;
  } in = {bad[0], bad[1]}, out;

  PetscFunctionBegin;
  /* the lowest edge index wins; the value travels with it (both int64: MPI_MINLOC needs a pair type, so two steps) */
  PetscCallMPI(MPI_Allreduce(&in.e, &out.e, 1, MPIU_INT64, MPI_MIN, comm));
  if (out.e == INT64_MAX) PetscFunctionReturn(KN_SUCCESS);
  in.v = in.e == out.e ? in.v : INT64_MIN;
  PetscCallMPI(MPI_Allreduce(&in.v, &out.v, 1, MPIU_INT64, MPI_MAX, comm));
  PetscCheck(kind != 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: edge %" PetscInt64_FMT " has %s node id %" PetscInt64_FMT " outside 0..%" PetscInt64_FMT "%s", where, out.e, name, out.v, lim, nodes ? " (attribute num_state_nodes)" : "");
  SETERRQ(comm, PETSC_ERR_FILE_UNEXPECTED, "%s: edge %" PetscInt64_FMT " connects ground to ground", where, out.e);
}

#define KN_H5_ID_CHUNK (1 << 20) /* ids read per collective transfer: the int64 buffer stays 8 MiB */

/* Reads and checks ids k (0: src, 1: dst) of this rank's block [e0, e0 + n) into ids[], KN_H5_ID_CHUNK at a time through
   v (every rank makes the same number, nchunks, of collective reads: empty ones at the end of a shorter block). */
static PetscErrorCode ReadIds(MPI_Comm comm, hid_t gid, const char where[], int k, int nd, PetscInt e0, PetscInt n, PetscInt nchunks, PetscInt64 lim, PetscBool nodes, PetscInt64 v[], PetscInt ids[], PetscInt64 *mx)
{
  const char *name   = k ? "dst" : "src";
  PetscInt64  bad[2] = {INT64_MAX, 0};

  PetscFunctionBegin;
  for (PetscInt c = 0; c < nchunks; c++) {
    PetscInt c0 = PetscMin(c * KN_H5_ID_CHUNK, n), cn = PetscMin(KN_H5_ID_CHUNK, n - c0);

    PetscCall(ReadBlock(comm, gid, where, name, nd, e0 + c0, cn, v));
    for (PetscInt e = 0; e < cn; e++) CheckId((PetscInt64)e0 + c0 + e, v[e], lim, bad);
    PetscCall(AgreeBadEdge(comm, where, name, lim, nodes, bad, 0));
    for (PetscInt e = 0; e < cn; e++) ids[c0 + e] = (PetscInt)v[e], *mx = PetscMax(*mx, v[e]);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads and checks this rank's block of src and dst into new PetscInt arrays (freed again on an error). */
static PetscErrorCode ReadEdges(MPI_Comm comm, hid_t gid, const char where[], const int nd[2], PetscInt E, PetscInt64 nodes, PetscInt *maxid, PetscInt **src, PetscInt **dst)
{
  PetscMPIInt    rank, size;
  PetscInt       e0, n, nchunks;
  PetscInt64    *v, lim = nodes >= 0 ? nodes : (PetscInt64)PETSC_MAX_INT - 1, bad[2] = {INT64_MAX, 0}, mx = 0;
  PetscInt      *ids[2];
  PetscErrorCode ierr = KN_SUCCESS;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  KNGraphBlock(E, rank, size, &e0, &n);
  nchunks = (n + KN_H5_ID_CHUNK - 1) / KN_H5_ID_CHUNK;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &nchunks, 1, MPIU_INT, MPI_MAX, comm));
  PetscCall(PetscMalloc1(PetscMin(n, KN_H5_ID_CHUNK), &v));
  PetscCall(PetscMalloc2(n, &ids[0], n, &ids[1]));
  for (int k = 0; k < 2 && !ierr; k++) ierr = ReadIds(comm, gid, where, k, nd[k], e0, n, nchunks, lim, (PetscBool)(nodes >= 0), v, ids[k], &mx);
  PetscCall(PetscFree(v));
  for (PetscInt e = 0; e < n && !ierr; e++)
    if (!ids[0][e] && !ids[1][e] && e0 + e < bad[0]) bad[0] = e0 + e;
  if (!ierr) ierr = AgreeBadEdge(comm, where, "", lim, PETSC_FALSE, bad, 1);
  if (ierr) PetscCall(PetscFree2(ids[0], ids[1]));
  PetscCall(ierr);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &mx, 1, MPIU_INT64, MPI_MAX, comm));
  *maxid = (PetscInt)mx;
  *src = ids[0], *dst = ids[1];
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadGroup(MPI_Comm comm, hid_t gid, const char where[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  hsize_t    ns, nd;
  int        dims[2];
  PetscInt64 nodes = -1;
  PetscInt   maxid = 0;
  PetscBool  found;

  PetscFunctionBegin;
  PetscCall(ReadIntAttr(comm, gid, where, "num_state_nodes", &nodes, &found));
  PetscCheck(!found || (nodes >= 0 && nodes < PETSC_MAX_INT), comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute num_state_nodes = %" PetscInt64_FMT " is out of range", where, nodes);
  if (!found) nodes = -1;
  PetscCall(DescribeIds(comm, gid, where, "src", &dims[0], &ns));
  PetscCall(DescribeIds(comm, gid, where, "dst", &dims[1], &nd));
  PetscCheck(nd == ns, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: datasets src and dst differ in length (%llu and %llu)", where, (unsigned long long)ns, (unsigned long long)nd);
  PetscCall(ReadEdges(comm, gid, where, dims, (PetscInt)ns, nodes, &maxid, src, dst));
  *N = (PetscInt)(nodes >= 0 ? nodes : maxid);
  *E = (PetscInt)ns;
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNGraphReadHDF5_Private - this rank's block (KNGraphBlock()) of the edge list in group of file, and N and E; collective. */
PetscErrorCode KNGraphReadHDF5_Private(MPI_Comm comm, const char file[], const char group[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  char           where[2 * PETSC_MAX_PATH_LEN];
  KNH5Quiet      q;
  hid_t          fid, gid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "HDF5 file %s, group %s", file, group));
  KNH5QuietBegin(&q);
  ierr = KNH5OpenFile_Private(comm, file, "topology file", &fid);
  if (ierr) KNH5QuietEnd(&q);
  PetscCall(ierr);
  gid = H5Lexists(fid, group, H5P_DEFAULT) > 0 || !strcmp(group, "/") ? H5Gopen2(fid, group, H5P_DEFAULT) : -1;
  ierr = gid < 0 ? PETSC_ERR_FILE_UNEXPECTED : ReadGroup(comm, gid, where, N, E, src, dst);
  if (gid >= 0) (void)H5Gclose(gid);
  (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  KNH5Check(gid, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: no such group", where);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* A scalar attribute, string (variable-length) or int64; every rank writes the same value (collective). */
static PetscErrorCode WriteAttr(MPI_Comm comm, hid_t gid, const char where[], const char name[], const char *str, PetscInt64 ival)
{
  hid_t  sid, tid, aid;
  herr_t st = -1;

  PetscFunctionBegin;
  sid = H5Screate(H5S_SCALAR);
  tid = str ? H5Tcopy(H5T_C_S1) : H5Tcopy(H5T_STD_I64LE);
  if (str && tid >= 0) (void)H5Tset_size(tid, H5T_VARIABLE);
  aid = (sid < 0 || tid < 0) ? -1 : H5Acreate2(gid, name, tid, sid, H5P_DEFAULT, H5P_DEFAULT);
  if (aid >= 0) st = str ? H5Awrite(aid, tid, &str) : H5Awrite(aid, H5T_NATIVE_INT64, &ival);
  if (aid >= 0) (void)H5Aclose(aid);
  if (tid >= 0) (void)H5Tclose(tid);
  if (sid >= 0) (void)H5Sclose(sid);
  KNH5Check(st, comm, PETSC_ERR_FILE_WRITE, "%s: writing attribute %s failed", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* src and dst as int64 [E], each rank its block as a hyperslab straight from the PetscInt arrays (HDF5 converts through
   its small conversion buffer: no int64 copy of the block), then the attributes. */
static PetscErrorCode WriteGroup(KNGraph g, hid_t gid, const char where[])
{
  hsize_t dims[1] = {(hsize_t)g->E}, start[1] = {(hsize_t)g->estart}, count[1] = {(hsize_t)g->nlocal};
  hid_t   mtype   = sizeof(PetscInt) == 8 ? H5T_NATIVE_INT64 : H5T_NATIVE_INT32;
  char    sum[17];

  PetscFunctionBegin;
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNH5WriteSlab_Private(g->comm, gid, where, "src", H5T_STD_I64LE, mtype, 1, dims, start, count, g->src));
  PetscCall(KNH5WriteSlab_Private(g->comm, gid, where, "dst", H5T_STD_I64LE, mtype, 1, dims, start, count, g->dst));
  PetscCall(WriteAttr(g->comm, gid, where, "num_state_nodes", NULL, g->N));
  PetscCall(WriteAttr(g->comm, gid, where, "num_edges", NULL, g->E));
  PetscCall(WriteAttr(g->comm, gid, where, "edges_fnv1a64", sum, 0));
  if (g->description) PetscCall(WriteAttr(g->comm, gid, where, "topology", g->description, 0));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Opens the file to write group into, on comm: a new file (group "/", or a missing file) is created as tmp, to be renamed
   onto file when complete; otherwise file itself is opened to add the group. *fid, *gid: -1 where that failed (an
   error only if the file cannot be created; the caller releases what it holds, then raises). */
static PetscErrorCode OpenForWrite(MPI_Comm comm, const char file[], const char tmp[], const char group[], PetscBool fresh, hid_t *fid, hid_t *gid)
{
  PetscBool root = strcmp(group, "/") ? PETSC_FALSE : PETSC_TRUE;
  hid_t     lcpl;

  PetscFunctionBegin;
  *gid = -1;
  if (fresh) PetscCall(KNH5CreateFile_Private(comm, tmp, fid));
  else PetscCall(KNH5OpenFileForWrite_Private(comm, file, fid));
  if (*fid >= 0 && root) *gid = H5Gopen2(*fid, "/", H5P_DEFAULT);
  else if (*fid >= 0 && H5Lexists(*fid, group, H5P_DEFAULT) <= 0) {
    lcpl = H5Pcreate(H5P_LINK_CREATE);
    (void)H5Pset_create_intermediate_group(lcpl, 1);
    *gid = H5Gcreate2(*fid, group, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    (void)H5Pclose(lcpl);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: the directory of file ("." if none) and whether file exists; the same answer on every rank. */
static PetscErrorCode Target(MPI_Comm comm, const char file[], char dir[], size_t len, PetscBool *exists)
{
  PetscMPIInt rank;
  char       *slash;
  int         e = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) e = access(file, F_OK) == 0;
  PetscCallMPI(MPI_Bcast(&e, 1, MPI_INT, 0, comm));
  *exists = e ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscStrncpy(dir, file, len));
  slash = strrchr(dir, '/');
  if (slash) *(slash == dir ? slash + 1 : slash) = 0;
  else PetscCall(PetscStrncpy(dir, ".", len));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: puts a complete new file in place (rename) or removes a failed one; the rename's errno on every rank. */
static PetscErrorCode Commit(MPI_Comm comm, const char tmp[], const char file[], PetscBool good, int *err)
{
  PetscMPIInt rank;

  PetscFunctionBegin;
  *err = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && good && rename(tmp, file)) *err = errno ? errno : EIO;
  if (!rank && (!good || *err)) (void)unlink(tmp);
  PetscCallMPI(MPI_Bcast(err, 1, MPI_INT, 0, comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNGraphWriteHDF5_Private - group "/" creates (replaces) the file; any other group is added to the file (created if
   missing) and must be new; collective, every rank writes its block of src and dst as a hyperslab (no gather).
   A new file is written as "<file>.tmp" and renamed into place when complete; the space is reserved first and the
   file closed with KNH5CloseFile_Private() (knh5size.h: a full disk is a clean error, never a crash at exit). */
PetscErrorCode KNGraphWriteHDF5_Private(KNGraph g, const char file[], const char group[])
{
  MPI_Comm       comm = g->comm;
  char           where[2 * PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8], dir[PETSC_MAX_PATH_LEN];
  PetscBool      root = strcmp(group, "/") ? PETSC_FALSE : PETSC_TRUE, exists = PETSC_FALSE, fresh, opened, ok = PETSC_FALSE;
  KNH5Quiet      q;
  KNH5Reserve    r;
  hid_t          fid = -1, gid = -1;
  PetscErrorCode ierr, cerr;
  int            rc = 0;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "HDF5 file %s, group %s", file, group));
  PetscCall(Target(comm, file, dir, sizeof(dir), &exists));
  fresh = (PetscBool)(root || !exists);
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", file));
  PetscCall(KNH5ReserveSpace_Private(comm, where, fresh ? tmp : file, dir, 16.0 * (double)g->E, 32768.0 + (g->description ? (double)strlen(g->description) : 0.0), &r));
  KNH5QuietBegin(&q);
  ierr   = OpenForWrite(comm, file, tmp, group, fresh, &fid, &gid);
  opened = (PetscBool)(fid >= 0);
  if (!ierr && gid >= 0) ierr = WriteGroup(g, gid, where);
  if (gid >= 0) (void)H5Gclose(gid);
  /* an added group cannot be undone: only a new (temporary) file is emptied when the write failed */
  cerr = KNH5CloseFile_Private(comm, &fid, fresh ? tmp : file, &r, (PetscBool)(fresh && (ierr || gid < 0)), &ok);
  if (fresh && opened) PetscCall(Commit(comm, tmp, file, (PetscBool)(!cerr && ok && !ierr && gid >= 0), &rc));
  KNH5ReleaseSpace_Private(&r);
  KNH5QuietEnd(&q);
  PetscCall(cerr);
  PetscCall(ierr);
  KNH5Check(opened ? 0 : -1, comm, PETSC_ERR_FILE_OPEN, "Cannot open HDF5 file %s for writing", file);
  KNH5Check(gid, comm, PETSC_ERR_FILE_WRITE, "%s: cannot create the group (it may exist already)", where);
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "%s: writing failed when the file was flushed and closed (file system full or quota exceeded?)%s", where, fresh ? "; nothing was written" : "");
  PetscCheck(!rc, comm, PETSC_ERR_FILE_WRITE, "Cannot rename %s onto %s: %s; nothing was written", tmp, file, strerror(rc));
  PetscFunctionReturn(KN_SUCCESS);
}
