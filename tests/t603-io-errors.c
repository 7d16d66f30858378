static char help[] = "Model files: missing, garbage, foreign and tampered files give PETSc errors (never crashes); failed saves leave the old file intact.\n";

#define _POSIX_C_SOURCE 200809L
#include "kntestnet.h"
#include <hdf5.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Runs call with errors returned instead of printed; the TAP point passes if it failed (with code, if code != 0);
   the error message follows as a TAP diagnostic line. */
#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    char          *msg_ = NULL; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
    if (ierr_) (void)PetscErrorMessage(ierr_, NULL, &msg_); \
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "#   error %d: %s\n", (int)ierr_, msg_ ? msg_ : "(none)")); \
  } while (0)

static char tmpdir[PETSC_MAX_PATH_LEN];

static void TmpPath(const char name[], char path[])
{
  (void)PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", tmpdir, name);
}

static PetscErrorCode ReadAll(const char path[], char **buf, size_t *n)
{
  FILE *fp = fopen(path, "rb");
  long  len;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "test: cannot read %s", path);
  (void)fseek(fp, 0, SEEK_END);
  len = ftell(fp);
  (void)fseek(fp, 0, SEEK_SET);
  PetscCall(PetscMalloc1(len + 1, buf));
  *n = fread(*buf, 1, (size_t)len, fp);
  (void)fclose(fp);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteAll(const char path[], const char *buf, size_t n)
{
  FILE *fp = fopen(path, "wb");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "test: cannot write %s", path);
  PetscCheck(fwrite(buf, 1, n, fp) == n, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "test: cannot write %s", path);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "test: cannot write %s", path);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CopyFile(const char from[], const char to[])
{
  char  *buf;
  size_t n;

  PetscFunctionBeginUser;
  PetscCall(ReadAll(from, &buf, &n));
  PetscCall(WriteAll(to, buf, n));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SameBytes(const char path[], const char *buf, size_t n, PetscBool *same)
{
  char  *b;
  size_t m;

  PetscFunctionBeginUser;
  PetscCall(ReadAll(path, &b, &m));
  *same = (PetscBool)(m == n && !memcmp(b, buf, n));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Tampering (serial HDF5 C API on a copy of a good file). */
typedef enum {
  T_THETA_SHAPE, T_DST_VALUE, T_DST_RANGE, T_DST_LENGTH, T_DEVICE, T_CAPACITANCE, T_DURATION, T_VERSION, T_FORMAT, T_THETA_NAN, T_LAYERS, T_ROWS, T_PUB_CHECKSUM, T_PUB_DEVICE, T_PUB_TOPOLOGY, T_PUB_THETA
} Tamper;

static herr_t ReplaceDataset(hid_t gid, const char name[], hid_t type, int nd, const hsize_t dims[], const void *buf)
{
  hid_t  sid, did;
  herr_t st;

  if (H5Ldelete(gid, name, H5P_DEFAULT) < 0) return -1;
  sid = H5Screate_simple(nd, dims, NULL);
  did = H5Dcreate2(gid, name, type, sid, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  st  = H5Dwrite(did, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  (void)H5Dclose(did);
  (void)H5Sclose(sid);
  return st;
}

static herr_t ReplaceAttr(hid_t loc, const char name[], hid_t type, const void *buf)
{
  hid_t  sid, aid;
  herr_t st;

  if (H5Adelete(loc, name) < 0) return -1;
  sid = H5Screate(H5S_SCALAR);
  aid = H5Acreate2(loc, name, type, sid, H5P_DEFAULT, H5P_DEFAULT);
  st  = H5Awrite(aid, type, buf);
  (void)H5Aclose(aid);
  (void)H5Sclose(sid);
  return st;
}

static herr_t ReplaceString(hid_t loc, const char name[], const char *s)
{
  hid_t  tid = H5Tcopy(H5T_C_S1);
  herr_t st;

  (void)H5Tset_size(tid, H5T_VARIABLE);
  (void)H5Tset_cset(tid, H5T_CSET_UTF8);
  st = ReplaceAttr(loc, name, tid, &s);
  (void)H5Tclose(tid);
  return st;
}

/* Layer 1 of a model file (layer 0 of a published one) gets one defect. */
static herr_t ApplyTamper(hid_t fid, hid_t gid, Tamper what)
{
  hid_t   did = H5Dopen2(gid, what >= T_PUB_CHECKSUM ? "theta" : "dst", H5P_DEFAULT), sid = H5Dget_space(did);
  hsize_t dims[2] = {0, 0};
  double  x;
  int64_t i;
  herr_t  st = -1;

  (void)H5Sget_simple_extent_dims(sid, dims, NULL);
  (void)H5Sclose(sid);
  if (what == T_DST_VALUE || what == T_DST_RANGE || what == T_DST_LENGTH) {
    int64_t *v = (int64_t *)calloc(dims[0], sizeof(int64_t));
    (void)H5Dread(did, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    (void)H5Dclose(did);
    if (what == T_DST_VALUE) v[3] = v[3] >= 2 ? v[3] - 1 : v[3] + 1; /* a valid node id, but not the saved edge */
    if (what == T_DST_RANGE) v[0] = 999;
    if (what == T_DST_LENGTH) dims[0]--;
    st = ReplaceDataset(gid, "dst", H5T_NATIVE_INT64, 1, dims, v);
    free(v);
    return st;
  }
  (void)H5Dclose(did);
  switch (what) {
  case T_THETA_SHAPE:
  case T_PUB_THETA: { /* model: dims = dst's [E] -> theta [E+1, 3]; published: dims = theta's (rows, E) -> (rows, E-1) */
    hsize_t d2[2] = {what == T_PUB_THETA ? dims[0] : dims[0] + 1, what == T_PUB_THETA ? dims[1] - 1 : 3};
    double *z     = (double *)calloc(d2[0] * d2[1], sizeof(double));
    st            = ReplaceDataset(gid, "theta", H5T_NATIVE_DOUBLE, 2, d2, z);
    free(z);
    return st;
  }
  case T_THETA_NAN: {
    hid_t  td = H5Dopen2(gid, "theta", H5P_DEFAULT), fs = H5Dget_space(td), ms;
    hsize_t one[2] = {1, 1}, at[2] = {2, 1};
    x  = NAN;
    ms = H5Screate_simple(2, one, NULL);
    (void)H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, NULL, one, NULL);
    st = H5Dwrite(td, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &x);
    (void)H5Sclose(ms);
    (void)H5Sclose(fs);
    (void)H5Dclose(td);
    return st;
  }
  case T_DEVICE: return ReplaceString(gid, "device", "no_such_device");
  case T_CAPACITANCE: return (x = -1.0, ReplaceAttr(gid, "capacitance", H5T_NATIVE_DOUBLE, &x));
  case T_DURATION: return (x = 0.0, ReplaceAttr(gid, "T", H5T_NATIVE_DOUBLE, &x));
  case T_VERSION: return (i = 2, ReplaceAttr(fid, "format_version", H5T_NATIVE_INT64, &i));
  case T_FORMAT: return ReplaceString(fid, "format", "kirchhoffnet-checkpoint");
  case T_LAYERS: return (i = 4, ReplaceAttr(fid, "layers", H5T_NATIVE_INT64, &i));
  case T_ROWS: return (i = 2, ReplaceAttr(gid, "param_rows", H5T_NATIVE_INT64, &i));
  case T_PUB_CHECKSUM: return ReplaceString(gid, "edges_fnv1a64", "0123456789abcdef");
  case T_PUB_DEVICE: return ReplaceString(fid, "device", "NoSuchDevice");
  case T_PUB_TOPOLOGY: return ReplaceString(gid, "topology", "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3, \"repeat\": [25, 24]}}");
  default: return -1;
  }
}

static PetscErrorCode MakeTampered(const char good[], const char bad[], Tamper what)
{
  hid_t  fid, gid;
  herr_t st;

  PetscFunctionBeginUser;
  PetscCall(CopyFile(good, bad));
  fid = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
  gid = H5Gopen2(fid, what >= T_PUB_CHECKSUM ? "layer_000" : "layer_001", H5P_DEFAULT);
  st  = ApplyTamper(fid, gid, what);
  (void)H5Gclose(gid);
  (void)H5Fclose(fid);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "test: tampering %d of %s failed", (int)what, bad);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode LoadTampered(KNTest *t, const char good[], Tamper what, const char name[], const char desc[])
{
  char  bad[PETSC_MAX_PATH_LEN];
  KNNet net = (KNNet)0x1;

  PetscFunctionBeginUser;
  TmpPath(name, bad);
  PetscCall(MakeTampered(good, bad, what));
  EXPECT_ERROR(t, 0, KNNetLoad(PETSC_COMM_WORLD, bad, 2, PETSC_FALSE, &net), "%s is an error", desc);
  PetscCall(KNTestOk(t, (PetscBool)(net == NULL), "  ... and no net is returned"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Fixed-length string attributes of width n, ASCII, with the given padding (h5py writes numpy bytes this way). */
static herr_t ReplaceFixedString(hid_t loc, const char name[], const char *s, size_t n, H5T_str_t pad)
{
  hid_t  tid = H5Tcopy(H5T_C_S1);
  char   buf[64];
  herr_t st;

  memset(buf, pad == H5T_STR_SPACEPAD ? ' ' : 0, sizeof(buf));
  memcpy(buf, s, strlen(s));
  (void)H5Tset_size(tid, n);
  (void)H5Tset_strpad(tid, pad);
  st = ReplaceAttr(loc, name, tid, buf);
  (void)H5Tclose(tid);
  return st;
}

/* Not an error: string attributes stored fixed-length (null-terminated, null-padded or space-padded) read the same. */
static PetscErrorCode FixedStrings(KNTest *t, const char good[])
{
  char      path[PETSC_MAX_PATH_LEN], sum[17];
  hid_t     fid, gid;
  herr_t    st;
  KNNet     net;
  KNCircuit c;
  KNGraph   g;

  PetscFunctionBeginUser;
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, good, 2, PETSC_FALSE, &net));
  PetscCall(KNNetGetLayer(net, 1, &c));
  PetscCall(KNCircuitGetGraph(c, &g));
  PetscCall(KNGraphGetChecksum(g, sum));
  PetscCall(KNNetDestroy(&net));
  TmpPath("fixed-strings.h5", path);
  PetscCall(CopyFile(good, path));
  fid = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  gid = H5Gopen2(fid, "layer_001", H5P_DEFAULT);
  st  = ReplaceFixedString(fid, "format", KN_MODEL_FORMAT, 32, H5T_STR_NULLTERM);
  if (st >= 0) st = ReplaceFixedString(gid, "device", KNDEVICESHIFTTANH2, 20, H5T_STR_SPACEPAD);
  if (st >= 0) st = ReplaceFixedString(gid, "edges_fnv1a64", sum, 16, H5T_STR_NULLPAD); /* exactly 16 bytes, no NUL */
  (void)H5Gclose(gid);
  (void)H5Fclose(fid);
  PetscCheck(st >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "test: rewriting string attributes of %s failed", path);
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, path, 2, PETSC_FALSE, &net));
  PetscCall(KNTestOk(t, (PetscBool)(net != NULL), "fixed-length strings load: format (null-terminated), device (space-padded), edges_fnv1a64 (16 bytes, no terminator)"));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode FileErrors(KNTest *t)
{
  char  path[PETSC_MAX_PATH_LEN];
  KNNet net;
  hid_t fid;

  PetscFunctionBeginUser;
  TmpPath("missing.h5", path);
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, KNNetLoad(PETSC_COMM_WORLD, path, 2, PETSC_FALSE, &net), "missing file is an error (PETSC_ERR_FILE_OPEN)");
  TmpPath("garbage.h5", path);
  PetscCall(WriteAll(path, "this is not an HDF5 file\n", 25));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNNetLoad(PETSC_COMM_WORLD, path, 2, PETSC_FALSE, &net), "garbage file is an error (not HDF5)");
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, KNNetLoad(PETSC_COMM_WORLD, tmpdir, 2, PETSC_FALSE, &net), "a directory is an error");
  TmpPath("foreign.h5", path);
  fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  (void)H5Fclose(fid);
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNNetLoad(PETSC_COMM_WORLD, path, 2, PETSC_FALSE, &net), "an HDF5 file without the format attribute is an error");
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNNetImportPublished(PETSC_COMM_WORLD, path, 2, PETSC_FALSE, &net), "KNNetImportPublished of a foreign HDF5 file is an error");
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNPublishedSetSolverOptions(PETSC_COMM_WORLD, path), "KNPublishedSetSolverOptions of a foreign HDF5 file is an error");
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TamperErrors(KNTest *t, const char good[])
{
  PetscFunctionBeginUser;
  PetscCall(LoadTampered(t, good, T_THETA_SHAPE, "theta-shape.h5", "theta of shape [E+1, 3]"));
  PetscCall(LoadTampered(t, good, T_DST_VALUE, "dst-value.h5", "an edited dst value (edge checksum mismatch)"));
  PetscCall(LoadTampered(t, good, T_DST_RANGE, "dst-range.h5", "a dst value outside 0..num_nodes"));
  PetscCall(LoadTampered(t, good, T_DST_LENGTH, "dst-length.h5", "dst shorter than src"));
  PetscCall(LoadTampered(t, good, T_DEVICE, "device.h5", "an unknown device type"));
  PetscCall(LoadTampered(t, good, T_CAPACITANCE, "capacitance.h5", "a negative capacitance"));
  PetscCall(LoadTampered(t, good, T_DURATION, "duration.h5", "a zero duration T"));
  PetscCall(LoadTampered(t, good, T_VERSION, "version.h5", "format_version 2 (newer writer)"));
  PetscCall(LoadTampered(t, good, T_FORMAT, "format.h5", "a different format string"));
  PetscCall(LoadTampered(t, good, T_THETA_NAN, "nan.h5", "a NaN in theta"));
  PetscCall(LoadTampered(t, good, T_LAYERS, "layers.h5", "layers = 4 with 3 groups"));
  PetscCall(LoadTampered(t, good, T_ROWS, "rows.h5", "param_rows disagreeing with the device"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode PublishedErrors(KNTest *t)
{
  const char *dir = getenv("KN_PUBLISHED_DIR");
  char        good[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!dir) {
    PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP published-file errors: KN_PUBLISHED_DIR is not set"));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscSNPrintf(good, sizeof(good), "%s/twomoon.h5", dir));
  PetscCall(LoadTampered(t, good, T_PUB_CHECKSUM, "pub-checksum.h5", "published file: wrong edges_fnv1a64"));
  PetscCall(LoadTampered(t, good, T_PUB_DEVICE, "pub-device.h5", "published file: unknown reference device class"));
  PetscCall(LoadTampered(t, good, T_PUB_TOPOLOGY, "pub-topology.h5", "published file: topology with a different edge count"));
  PetscCall(LoadTampered(t, good, T_PUB_THETA, "pub-theta.h5", "published file: theta of shape (3, E-1)"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Failed saves: no directory, a file as directory, a directory in the way of the temporary file or of the target. */
static PetscErrorCode SaveErrors(KNTest *t, KNNet net, const char good[])
{
  char      path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8], *old;
  size_t    n;
  PetscBool same;
  struct stat st;

  PetscFunctionBeginUser;
  PetscCall(ReadAll(good, &old, &n));
  TmpPath("no-such-dir/x.h5", path);
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, KNNetSave(net, path), "saving into a missing directory is an error");
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/x.h5", good));
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, KNNetSave(net, path), "saving under a regular file (<model>/x.h5) is an error");
  PetscCall(SameBytes(good, old, n, &same));
  PetscCall(KNTestOk(t, same, "  ... and the model file is byte-identical"));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", good));
  PetscCheck(!mkdir(tmp, 0755), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "test: mkdir %s", tmp);
  EXPECT_ERROR(t, 0, KNNetSave(net, good), "saving over a model when <model>.tmp cannot be created fails");
  PetscCall(SameBytes(good, old, n, &same));
  PetscCall(KNTestOk(t, (PetscBool)(same && !stat(tmp, &st) && S_ISDIR(st.st_mode)), "  ... the old model is byte-identical and the foreign <model>.tmp directory is left alone"));
  (void)rmdir(tmp);
  TmpPath("target-dir.h5", path);
  PetscCheck(!mkdir(path, 0755), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "test: mkdir %s", path);
  EXPECT_ERROR(t, PETSC_ERR_FILE_WRITE, KNNetSave(net, path), "saving onto a directory named like the file fails at the rename");
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  PetscCall(KNTestOk(t, (PetscBool)(!stat(path, &st) && S_ISDIR(st.st_mode) && access(tmp, F_OK)), "  ... the directory is untouched and the temporary file was removed"));
  (void)rmdir(path);
  PetscCall(PetscFree(old));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Nets that cannot be saved: not set up, per-node capacitances. */
static PetscErrorCode UnsavableNets(KNTest *t)
{
  KNNet     net;
  KNGraph   g;
  KNDevice  d;
  KNCircuit c;
  PetscReal C[3] = {1.0, 2.0, 3.0};
  char      path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  TmpPath("unsavable.h5", path);
  PetscCall(KNNetCreate(PETSC_COMM_WORLD, &net));
  EXPECT_ERROR(t, PETSC_ERR_ARG_WRONGSTATE, KNNetSave(net, path), "saving a net without layers is an error");
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 1, 1, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICETANHDIFF));
  PetscCall(KNNetAddLayer(net, g, d, 0.5));
  EXPECT_ERROR(t, PETSC_ERR_ARG_WRONGSTATE, KNNetSave(net, path), "saving a net before KNNetSetUp() is an error");
  PetscCall(KNNetGetLayer(net, 0, &c));
  PetscCall(KNCircuitSetNodeCapacitances(c, C));
  PetscCall(KNNetSetUp(net));
  EXPECT_ERROR(t, PETSC_ERR_SUP, KNNetSave(net, path), "saving per-node capacitances (not in format 1) is an error");
  PetscCall(KNTestOk(t, (PetscBool)(access(path, F_OK) != 0), "  ... and no file was written"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;
  KNNet  net, l;
  char   good[PETSC_MAX_PATH_LEN], cmd[PETSC_MAX_PATH_LEN + 16];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(PetscStrncpy(tmpdir, "/tmp/kn-t603-XXXXXX", sizeof(tmpdir)));
  PetscCheck(mkdtemp(tmpdir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create a temporary directory");
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, 2, PETSC_FALSE, &net));
  TmpPath("good.h5", good);
  PetscCall(KNNetSave(net, good));
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, good, 2, PETSC_FALSE, &l));
  PetscCall(KNTestOk(&t, PETSC_TRUE, "the untampered model loads"));
  PetscCall(KNNetDestroy(&l));
  PetscCall(FileErrors(&t));
  PetscCall(TamperErrors(&t, good));
  PetscCall(FixedStrings(&t, good));
  PetscCall(PublishedErrors(&t));
  PetscCall(SaveErrors(&t, net, good));
  PetscCall(UnsavableNets(&t));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNTestOk(&t, (PetscBool)(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0), "no HDF5 objects left open after the error paths"));
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir));
  if (system(cmd)) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# could not remove %s\n", tmpdir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
