/* HDF5 edge lists: integer datasets src and dst in a group; read and written by one rank (graph_io.c broadcasts). */
#include "sys/knh5size.h"
#include "graphimpl.h"
#include <hdf5.h>
#include <unistd.h>

/* KNH5Check(ret, code, fmt, ...) - a negative hid_t/herr_t becomes a PETSc error (HDF5's own stack printing is
   switched off around every HDF5 call sequence here). */
#define KNH5Check(ret, code, ...) PetscCheck((ret) >= 0, PETSC_COMM_SELF, code, __VA_ARGS__)

typedef struct {
  H5E_auto2_t func;
  void       *data;
} KNH5Quiet;

static void KNH5QuietBegin(KNH5Quiet *q)
{
  (void)H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void KNH5QuietEnd(KNH5Quiet *q)
{
  (void)H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

/* Reads an open integer dataset with shape (n) or (n, 1) into a new int64 array. */
static PetscErrorCode KNH5ReadIntDataset(hid_t did, const char where[], const char name[], hsize_t *n, PetscInt64 **v)
{
  hid_t       sid, tid;
  H5T_class_t cls;
  int         ndims;
  hsize_t     dims[2] = {0, 0};
  herr_t      st;

  PetscFunctionBegin;
  tid = H5Dget_type(did);
  KNH5Check(tid, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot read the type of dataset %s", where, name);
  cls = H5Tget_class(tid);
  (void)H5Tclose(tid);
  PetscCheck(cls == H5T_INTEGER, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold integers (node ids)", where, name);
  sid = H5Dget_space(did);
  KNH5Check(sid, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot read the shape of dataset %s", where, name);
  ndims = H5Sget_simple_extent_ndims(sid);
  if (ndims >= 1 && ndims <= 2) (void)H5Sget_simple_extent_dims(sid, dims, NULL);
  (void)H5Sclose(sid);
  PetscCheck(ndims == 1 || (ndims == 2 && dims[1] == 1), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must be 1-D (it has %d dimensions)", where, name, ndims);
  PetscCall(KNGraphCheckIntRange_Private(PETSC_COMM_SELF, (PetscInt64)dims[0], "HDF5 edge list: number of edges"));
  {
    double declared, stored;

    PetscCheck(!KNH5CheckStorage_Private(did, (size_t)dims[0], &declared, &stored), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s declares %llu node ids (%.0f bytes) but the file holds only %.0f bytes of them (truncated or tampered file)", where, name, (unsigned long long)dims[0], declared, stored);
  }
  *n = dims[0];
  PetscCall(KNMallocChecked_Private(KNMulSize_Private((size_t)dims[0], sizeof(PetscInt64)), "an HDF5 edge list", v));
  st = dims[0] ? H5Dread(did, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, *v) : 0;
  if (st < 0) PetscCall(PetscFree(*v));
  KNH5Check(st, PETSC_ERR_FILE_READ, "%s: reading dataset %s failed (corrupt file?)", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNH5ReadIntByName(hid_t gid, const char where[], const char name[], hsize_t *n, PetscInt64 **v)
{
  htri_t         has = H5Lexists(gid, name, H5P_DEFAULT);
  hid_t          did;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCheck(has > 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s has no dataset \"%s\" (an HDF5 edge list needs integer datasets src and dst)", where, name);
  did = H5Dopen2(gid, name, H5P_DEFAULT);
  KNH5Check(did, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open dataset %s", where, name);
  ierr = KNH5ReadIntDataset(did, where, name, n, v);
  (void)H5Dclose(did);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Optional scalar integer attribute; *found is PETSC_FALSE if absent. */
static PetscErrorCode KNH5ReadIntAttr(hid_t gid, const char where[], const char name[], PetscInt64 *v, PetscBool *found)
{
  hid_t  aid;
  herr_t st;

  PetscFunctionBegin;
  *found = H5Aexists(gid, name) > 0 ? PETSC_TRUE : PETSC_FALSE;
  if (!*found) PetscFunctionReturn(KN_SUCCESS);
  aid = H5Aopen(gid, name, H5P_DEFAULT);
  KNH5Check(aid, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open attribute %s", where, name);
  st = H5Aread(aid, H5T_NATIVE_INT64, v);
  (void)H5Aclose(aid);
  KNH5Check(st, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute %s must be an integer scalar", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Checks the ids (0..nodes, or 0..PETSC_MAX_INT-1 if nodes < 0; no ground-to-ground edge); returns the largest. */
static PetscErrorCode KNH5CheckIds(const char where[], hsize_t n, const PetscInt64 s64[], const PetscInt64 d64[], PetscInt64 nodes, PetscInt64 *maxid)
{
  PetscInt64 lim = nodes >= 0 ? nodes : (PetscInt64)PETSC_MAX_INT - 1;

  PetscFunctionBegin;
  *maxid = 0;
  for (hsize_t e = 0; e < n; e++) {
    PetscCheck(s64[e] >= 0 && s64[e] <= lim && d64[e] >= 0 && d64[e] <= lim, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: edge %llu (%" PetscInt64_FMT ", %" PetscInt64_FMT ") has a node id outside 0..%" PetscInt64_FMT "%s", where,
               (unsigned long long)e, s64[e], d64[e], lim, nodes >= 0 ? " (attribute num_state_nodes)" : "");
    PetscCheck(s64[e] || d64[e], PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: edge %llu connects ground to ground", where, (unsigned long long)e);
    *maxid = PetscMax(*maxid, PetscMax(s64[e], d64[e]));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads dst (src is already read), checks both and converts them to new PetscInt arrays. */
static PetscErrorCode KNH5ReadEdges(hid_t gid, const char where[], hsize_t ns, const PetscInt64 s64[], PetscInt64 nodes, PetscInt *N, PetscInt **src, PetscInt **dst)
{
  hsize_t        nd;
  PetscInt64    *d64, maxid = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNH5ReadIntByName(gid, where, "dst", &nd, &d64));
  ierr = nd == ns ? KN_SUCCESS : PETSC_ERR_FILE_UNEXPECTED;
  if (!ierr) ierr = KNH5CheckIds(where, ns, s64, d64, nodes, &maxid);
  if (!ierr) ierr = KNGraphAllocAllEdges_Private((PetscInt64)ns, where, src, dst);
  if (!ierr) {
    for (hsize_t e = 0; e < ns; e++) {
      (*src)[e] = (PetscInt)s64[e];
      (*dst)[e] = (PetscInt)d64[e];
    }
  }
  PetscCall(PetscFree(d64));
  PetscCheck(nd == ns, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: datasets src and dst differ in length (%llu and %llu)", where, (unsigned long long)ns, (unsigned long long)nd);
  PetscCall(ierr);
  *N = (PetscInt)(nodes >= 0 ? nodes : maxid);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNH5ReadGroup(hid_t gid, const char where[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  hsize_t        ns;
  PetscInt64    *s64, nodes = -1;
  PetscBool      found;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(KNH5ReadIntAttr(gid, where, "num_state_nodes", &nodes, &found));
  PetscCheck(!found || (nodes >= 0 && nodes < PETSC_MAX_INT), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute num_state_nodes = %" PetscInt64_FMT " is out of range", where, nodes);
  if (!found) nodes = -1;
  PetscCall(KNH5ReadIntByName(gid, where, "src", &ns, &s64));
  ierr = KNH5ReadEdges(gid, where, ns, s64, nodes, N, src, dst);
  PetscCall(PetscFree(s64));
  PetscCall(ierr);
  *E = (PetscInt)ns;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNGraphReadHDF5_Private(const char file[], const char group[], PetscInt *N, PetscInt *E, PetscInt **src, PetscInt **dst)
{
  char           where[2 * PETSC_MAX_PATH_LEN];
  PetscBool      exists;
  KNH5Quiet      q;
  hid_t          fid, gid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "HDF5 file %s, group %s", file, group));
  PetscCall(PetscTestFile(file, 'r', &exists));
  PetscCheck(exists, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot open topology file %s: it does not exist or is not readable", file);
  KNH5QuietBegin(&q);
  fid = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (fid < 0) KNH5QuietEnd(&q);
  KNH5Check(fid, PETSC_ERR_FILE_UNEXPECTED, "Cannot open %s as HDF5: not an HDF5 file, or corrupt or truncated", file);
  gid = H5Lexists(fid, group, H5P_DEFAULT) > 0 || !strcmp(group, "/") ? H5Gopen2(fid, group, H5P_DEFAULT) : -1;
  if (gid < 0) {
    (void)H5Fclose(fid);
    KNH5QuietEnd(&q);
  }
  KNH5Check(gid, PETSC_ERR_FILE_UNEXPECTED, "%s: no such group", where);
  ierr = KNH5ReadGroup(gid, where, N, E, src, dst);
  (void)H5Gclose(gid);
  (void)H5Fclose(fid);
  KNH5QuietEnd(&q);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNH5WriteIds(hid_t gid, const char where[], const char name[], PetscInt n, const PetscInt ids[])
{
  hsize_t     dims[1] = {(hsize_t)n};
  hid_t       sid, did;
  herr_t      st = 0;
  PetscInt64 *v;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(n, &v));
  for (PetscInt e = 0; e < n; e++) v[e] = ids[e];
  sid = H5Screate_simple(1, dims, NULL);
  did = sid < 0 ? -1 : H5Dcreate2(gid, name, H5T_STD_I64LE, sid, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (did >= 0 && n) st = H5Dwrite(did, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  if (did >= 0) (void)H5Dclose(did);
  if (sid >= 0) (void)H5Sclose(sid);
  PetscCall(PetscFree(v));
  KNH5Check(did < 0 || st < 0 ? -1 : 0, PETSC_ERR_FILE_WRITE, "%s: writing dataset %s failed", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNH5WriteAttr(hid_t gid, const char where[], const char name[], const char *str, PetscInt64 ival)
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
  KNH5Check(st, PETSC_ERR_FILE_WRITE, "%s: writing attribute %s failed", where, name);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNH5WriteGroup(KNGraph g, const PetscInt src[], const PetscInt dst[], hid_t gid, const char where[])
{
  char sum[17];

  PetscFunctionBegin;
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNH5WriteIds(gid, where, "src", g->E, src));
  PetscCall(KNH5WriteIds(gid, where, "dst", g->E, dst));
  PetscCall(KNH5WriteAttr(gid, where, "num_state_nodes", NULL, g->N));
  PetscCall(KNH5WriteAttr(gid, where, "num_edges", NULL, g->E));
  PetscCall(KNH5WriteAttr(gid, where, "edges_fnv1a64", sum, 0));
  if (g->description) PetscCall(KNH5WriteAttr(gid, where, "topology", g->description, 0));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Opens the file to write group into: a new file (group "/", or a missing file) is created as tmp, to be renamed onto
   file when complete; otherwise file itself is opened to add the group. *gid: the group (new, or "/"). */
static void OpenForWrite(const char file[], const char tmp[], const char group[], PetscBool fresh, hid_t *fid, hid_t *gid)
{
  PetscBool root = strcmp(group, "/") ? PETSC_FALSE : PETSC_TRUE;
  hid_t     lcpl;

  *gid = -1;
  *fid = fresh ? H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT) : H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
  if (*fid >= 0 && root) *gid = H5Gopen2(*fid, "/", H5P_DEFAULT);
  else if (*fid >= 0 && H5Lexists(*fid, group, H5P_DEFAULT) <= 0) {
    lcpl = H5Pcreate(H5P_LINK_CREATE);
    (void)H5Pset_create_intermediate_group(lcpl, 1);
    *gid = H5Gcreate2(*fid, group, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    (void)H5Pclose(lcpl);
  }
}

/* group "/" creates (replaces) the file; any other group is added to the file (created if missing) and must be new.
   A new file is written as "<file>.tmp" and renamed into place when complete; the space is reserved first and the
   file closed with KNH5CloseFile_Private() (knh5size.h: a full disk is a clean error, never a crash at exit). */
PetscErrorCode KNGraphWriteHDF5_Private(KNGraph g, const PetscInt src[], const PetscInt dst[], const char file[], const char group[])
{
  char           where[2 * PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8], dir[PETSC_MAX_PATH_LEN], *slash;
  PetscBool      root = strcmp(group, "/") ? PETSC_FALSE : PETSC_TRUE, exists, fresh, opened, ok = PETSC_FALSE;
  KNH5Quiet      q;
  KNH5Reserve    r;
  hid_t          fid, gid = -1;
  PetscErrorCode ierr = KN_SUCCESS, cerr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(where, sizeof(where), "HDF5 file %s, group %s", file, group));
  PetscCall(PetscTestFile(file, 'r', &exists));
  fresh = (PetscBool)(root || !exists);
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", file));
  PetscCall(PetscStrncpy(dir, file, sizeof(dir)));
  slash = strrchr(dir, '/');
  if (slash) *(slash == dir ? slash + 1 : slash) = 0;
  else PetscCall(PetscStrncpy(dir, ".", sizeof(dir)));
  PetscCall(KNH5ReserveSpace_Private(PETSC_COMM_SELF, where, fresh ? tmp : file, dir, 16.0 * (double)g->E, 32768.0 + (g->description ? (double)strlen(g->description) : 0.0), &r));
  KNH5QuietBegin(&q);
  OpenForWrite(file, tmp, group, fresh, &fid, &gid);
  opened = (PetscBool)(fid >= 0);
  if (gid >= 0) {
    ierr = KNH5WriteGroup(g, src, dst, gid, where);
    (void)H5Gclose(gid);
  }
  /* an added group cannot be undone: only a new (temporary) file is emptied when the write failed */
  cerr = KNH5CloseFile_Private(PETSC_COMM_SELF, &fid, fresh ? tmp : file, &r, (PetscBool)(fresh && (ierr || gid < 0)), &ok);
  if (fresh && opened) {
    if (!cerr && ok && !ierr && gid >= 0 && rename(tmp, file)) ok = PETSC_FALSE;
    if (cerr || !ok || ierr || gid < 0) (void)unlink(tmp);
  }
  KNH5ReleaseSpace_Private(&r);
  KNH5QuietEnd(&q);
  PetscCall(cerr);
  KNH5Check(opened ? 0 : -1, PETSC_ERR_FILE_OPEN, "Cannot %s HDF5 file %s for writing", fresh ? "create" : "open", fresh ? tmp : file);
  KNH5Check(gid, PETSC_ERR_FILE_WRITE, "%s: cannot create the group (it may exist already)", where);
  PetscCall(ierr);
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s: writing failed when the file was flushed and closed (file system full or quota exceeded?)%s", where, fresh ? "; nothing was written" : "");
  PetscFunctionReturn(KN_SUCCESS);
}
