static const char help[] = "KNGraph: invalid edges, bad files and descriptions give PETSc errors; file round trips; random graphs.\n";

#include "kntest.h"
#include <hdf5.h>

/* Runs call with errors returned instead of printed; records whether it failed (and, if code != 0, with that code). */
#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

static char tmpdir[PETSC_MAX_PATH_LEN];

static PetscErrorCode TmpPath(const char name[], char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/t003-%s", tmpdir, name));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteFile(const char path[], const char text[], size_t n)
{
  FILE *fp = fopen(path, "wb");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  PetscCheck(fwrite(text, 1, n, fp) == n, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SameGraph(KNGraph a, KNGraph b, PetscBool *same)
{
  char     sa[17], sb[17];
  PetscInt Na, Ea, Nb, Eb;

  PetscFunctionBeginUser;
  PetscCall(KNGraphGetChecksum(a, sa));
  PetscCall(KNGraphGetChecksum(b, sb));
  PetscCall(KNGraphGetSizes(a, &Na, &Ea));
  PetscCall(KNGraphGetSizes(b, &Nb, &Eb));
  *same = (PetscBool)(!strcmp(sa, sb) && Na == Nb && Ea == Eb);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestEdges(KNTest *t)
{
  KNGraph        g, h = NULL;
  const PetscInt s_out[] = {1}, d_out[] = {4}, s_neg[] = {-1}, d_neg[] = {2}, s_gg[] = {1, 0}, d_gg[] = {2, 0}, s_self[] = {2, 0}, d_self[] = {2, 1};
  PetscInt       N, E;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreate(PETSC_COMM_WORLD, &g));
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNGraphSetEdges(g, 3, 1, s_out, d_out), "edge 1 -> 4 with N = 3 is rejected");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNGraphSetEdges(g, 3, 1, s_neg, d_neg), "negative node id is rejected");
  EXPECT_ERROR(t, PETSC_ERR_ARG_WRONG, KNGraphSetEdges(g, 3, 2, s_gg, d_gg), "ground-to-ground edge is rejected");
  EXPECT_ERROR(t, 0, KNGraphSetEdges(g, -1, 0, NULL, NULL), "N < 0 is rejected");
  PetscCall(KNGraphSetEdges(g, 3, 2, s_self, d_self));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNTestOk(t, (PetscBool)(N == 3 && E == 2), "self-loop 2 -> 2 and ground edge 0 -> 1 are accepted"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&h));
  PetscCall(KNTestOk(t, (PetscBool)(g == NULL), "KNGraphDestroy nulls the handle and accepts NULL"));
  /* 100000 nodes fully connected: 2e10 edges do not fit a 32-bit PetscInt */
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 100000, PETSC_TRUE, 1, 1, &h), "fc(100000) exceeds the PetscInt edge limit");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNGraphCreateMix(PETSC_COMM_WORLD, 3, 1000, 1000, 4, 50, 1, 0, PETSC_FALSE, 1, &h), "mix(3x1000x1000, k=4) exceeds the PetscInt edge limit");
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNGraphCreateNeighbor(PETSC_COMM_WORLD, 1, 3, 3, 4, PETSC_FALSE, 1, &h), "ne kernel larger than the image without padding is rejected");
  PetscCall(KNTestOk(t, (PetscBool)(h == NULL), "failed generators leave the handle NULL"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestDescriptions(KNTest *t)
{
  const char *bad[] = {
    "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3,}}",
    "{\"name\": \"_no_such_generator\", \"args\": {}}",
    "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": \"3\"}}",
    "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3.5}}",
    "{\"name\": \"_fully_connect\", \"args\": {\"num_nodes\": 3}}",
    "{\"name\": \"_mix_connect\", \"args\": {\"num_channel\": 1, \"width\": 3, \"height\": 3, \"neighbor_size\": 2}}",
    "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3, \"repeat\": [1, 2, 3]}}",
    "{\"name\": \"_fully_connect\", \"args\": {\"num_node\": 3}} trailing",
    "{\"args\": {\"num_node\": 3}}",
    "",
    "{\"name\": \"_neighbor_index\", \"args\": {\"num_channel\": 1, \"width\": 3, \"height\": 3, \"neighbor_size\": 2, \"parallel\": 3}}",
  };
  KNGraph g = NULL, h;
  PetscBool same;

  PetscFunctionBeginUser;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) EXPECT_ERROR(t, 0, KNGraphCreateFromDescription(PETSC_COMM_WORLD, bad[i], &g), "bad description rejected: %s", bad[i]);
  PetscCall(KNTestOk(t, (PetscBool)(g == NULL), "no graph is returned for a bad description"));
  /* keys in any order, whitespace, booleans, ignored sharing, reference aliases */
  PetscCall(KNGraphCreateFromDescription(PETSC_COMM_WORLD, " {\n \"args\" : {\"repeat\":[2,1], \"include_gnd\": true, \"num_node\":3 },\"name\":\"fc\"}\n", &g));
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 2, 1, &h));
  PetscCall(SameGraph(g, h, &same));
  PetscCall(KNTestOk(t, same, "description with reordered keys and the alias fc"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&h));
  PetscCall(KNGraphCreateFromDescription(PETSC_COMM_WORLD, "{\"name\": \"_mix_connect\", \"args\": {\"num_channel\": 1, \"width\": 3, \"height\": 3, \"neighbor_size\": 2, \"fully_connect_node\": 2, \"sharing\": false, \"parallel\": 1}}", &g));
  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 3, 3, 2, 2, 1, 0, PETSC_FALSE, 1, &h));
  PetscCall(SameGraph(g, h, &same));
  PetscCall(KNTestOk(t, same, "_mix_connect defaults: repeat [1,0], kernel_repeat 1, padding false"));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNGraphDestroy(&h));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestBadFiles(KNTest *t)
{
  const char *malformed[] = {"1 2\n3 x\n", "1 2 3\n", "-1 2\n", "# nodes 2\n1 3\n", "0 0\n", "1\n", "1 2\n99999999999999 1\n"};
  char        path[PETSC_MAX_PATH_LEN], garbage[4096];
  KNGraph     g = NULL;
  hid_t       fid, sid, did;
  hsize_t     n = 3;
  long long   v[3] = {1, 2, 3};

  PetscFunctionBeginUser;
  PetscCall(TmpPath("bad.txt", path));
  for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
    PetscCall(WriteFile(path, malformed[i], strlen(malformed[i])));
    EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNGraphLoad(PETSC_COMM_WORLD, path, &g), "malformed text edge list rejected (case %d)", (int)i);
  }
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, KNGraphLoad(PETSC_COMM_WORLD, "/nonexistent/dir/edges.txt", &g), "missing text file: PETSC_ERR_FILE_OPEN");
  EXPECT_ERROR(t, PETSC_ERR_FILE_OPEN, KNGraphLoad(PETSC_COMM_WORLD, "/nonexistent/dir/edges.h5:/layer_000", &g), "missing HDF5 file: PETSC_ERR_FILE_OPEN");
  for (size_t i = 0; i < sizeof(garbage); i++) garbage[i] = (char)((i * 7919 + 13) % 251);
  PetscCall(TmpPath("corrupt.h5", path));
  PetscCall(WriteFile(path, garbage, sizeof(garbage)));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNGraphLoad(PETSC_COMM_WORLD, path, &g), "corrupt .h5 file: PETSC_ERR_FILE_UNEXPECTED, no crash");
  PetscCall(TmpPath("corrupt.txt", path));
  PetscCall(WriteFile(path, garbage, sizeof(garbage)));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNGraphLoad(PETSC_COMM_WORLD, path, &g), "binary garbage as a text edge list is rejected");
  /* a valid HDF5 file without src/dst */
  PetscCall(TmpPath("wrong.h5", path));
  fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  sid = H5Screate_simple(1, &n, NULL);
  did = H5Dcreate2(fid, "src", H5T_STD_I64LE, sid, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(fid >= 0 && sid >= 0 && did >= 0 && H5Dwrite(did, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 setup failed");
  (void)H5Dclose(did);
  (void)H5Sclose(sid);
  (void)H5Fclose(fid);
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNGraphLoad(PETSC_COMM_WORLD, path, &g), "HDF5 file with src but no dst is rejected");
  PetscCall(PetscStrlcat(path, ":/layer_007", sizeof(path)));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, KNGraphLoad(PETSC_COMM_WORLD, path, &g), "missing HDF5 group is rejected");
  PetscCall(KNTestOk(t, (PetscBool)(g == NULL), "failed loads return no graph"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestRoundTrip(KNTest *t)
{
  const char text[] = "# a hand-written edge list\r\n\n  1 2   # inline comment\n0\t3\r\n# nodes 7\n\n3 3\n";
  char       path[PETSC_MAX_PATH_LEN];
  KNGraph    g, h;
  PetscInt   N, E;
  PetscBool  same;
  const PetscInt *src, *dst;

  PetscFunctionBeginUser;
  PetscCall(TmpPath("hand.txt", path));
  PetscCall(WriteFile(path, text, strlen(text)));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &g));
  PetscCall(KNGraphGetSizes(g, &N, &E));
  PetscCall(KNGraphGetEdges(g, &src, &dst));
  PetscCall(KNTestOk(t, (PetscBool)(N == 7 && E == 3 && src[0] == 1 && dst[0] == 2 && src[1] == 0 && dst[1] == 3 && src[2] == 3 && dst[2] == 3), "text file with comments, CRLF, tabs and \"# nodes 7\" (N = %" PetscInt_FMT ", E = %" PetscInt_FMT ")", N, E));
  PetscCall(KNGraphDestroy(&g));

  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 4, 4, 2, 3, 1, 1, PETSC_FALSE, 1, &g));
  PetscCall(TmpPath("mix.txt", path));
  PetscCall(KNGraphSave(g, path));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &h));
  PetscCall(SameGraph(g, h, &same));
  PetscCall(KNTestOk(t, same, "text save/load round trip keeps N, E and the edge order"));
  PetscCall(KNGraphDestroy(&h));
  PetscCall(TmpPath("mix.h5", path));
  PetscCall(KNGraphSave(g, path));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &h));
  PetscCall(SameGraph(g, h, &same));
  PetscCall(KNTestOk(t, same, "HDF5 save/load round trip (root group)"));
  PetscCall(KNGraphDestroy(&h));
  PetscCall(KNGraphDestroy(&g));
  /* two layers in one file; N comes from num_state_nodes, which may exceed the largest id */
  PetscCall(TmpPath("layers.h5", path));
  (void)remove(path);
  {
    char           p0[PETSC_MAX_PATH_LEN], p1[PETSC_MAX_PATH_LEN];
    const PetscInt s[] = {1, 2}, d[] = {2, 0};

    PetscCall(PetscSNPrintf(p0, sizeof(p0), "%s:/layer_000", path));
    PetscCall(PetscSNPrintf(p1, sizeof(p1), "%s:/layer_001", path));
    PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 25, 25, &g));
    PetscCall(KNGraphSave(g, p0));
    PetscCall(KNGraphCreate(PETSC_COMM_WORLD, &h));
    PetscCall(KNGraphSetEdges(h, 5, 2, s, d));
    PetscCall(KNGraphSave(h, p1));
    PetscCall(KNGraphDestroy(&h));
    PetscCall(KNGraphLoad(PETSC_COMM_WORLD, p0, &h));
    PetscCall(SameGraph(g, h, &same));
    PetscCall(KNTestOk(t, same, "HDF5 group layer_000 round trip"));
    PetscCall(KNGraphDestroy(&h));
    PetscCall(KNGraphLoad(PETSC_COMM_WORLD, p1, &h));
    PetscCall(KNGraphGetSizes(h, &N, &E));
    PetscCall(KNTestOk(t, (PetscBool)(N == 5 && E == 2), "HDF5 group layer_001: N = 5 from num_state_nodes, E = 2"));
    PetscCall(KNGraphDestroy(&h));
    EXPECT_ERROR(t, PETSC_ERR_FILE_WRITE, KNGraphSave(g, p1), "saving into an existing group is refused");
    PetscCall(KNGraphDestroy(&g));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestRandom(KNTest *t)
{
  KNGraph         a, b, c;
  char            sa[17], sb[17], sc[17];
  const PetscInt *src, *dst;
  PetscInt        N, E;
  PetscBool       valid = PETSC_TRUE, same, touches_gnd = PETSC_FALSE;
  const char     *desc;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 1000, 10000, 42, &a));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 1000, 10000, 42, &b));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 1000, 10000, 43, &c));
  PetscCall(KNGraphGetChecksum(a, sa));
  PetscCall(KNGraphGetChecksum(b, sb));
  PetscCall(KNGraphGetChecksum(c, sc));
  PetscCall(KNTestOk(t, (PetscBool)!strcmp(sa, sb), "random: same seed, same graph (%s)", sa));
  PetscCall(KNTestOk(t, (PetscBool)strcmp(sa, sc), "random: different seed, different graph (%s)", sc));
  PetscCall(KNGraphGetSizes(a, &N, &E));
  PetscCall(KNGraphGetEdges(a, &src, &dst));
  for (PetscInt e = 0; e < E; e++) {
    if (src[e] == dst[e] || src[e] < 0 || src[e] > N || dst[e] < 0 || dst[e] > N) valid = PETSC_FALSE;
    if (!src[e] || !dst[e]) touches_gnd = PETSC_TRUE;
  }
  PetscCall(KNTestOk(t, (PetscBool)(valid && N == 1000 && E == 10000 && touches_gnd), "random: N = 1000, E = 10000, endpoints in 0..N, s != d, ground drawn too"));
  PetscCall(KNGraphGetDescription(a, &desc));
  PetscCall(KNGraphDestroy(&b));
  PetscCall(KNGraphCreateFromDescription(PETSC_COMM_WORLD, desc, &b));
  PetscCall(SameGraph(a, b, &same));
  PetscCall(KNTestOk(t, same, "random: description %s rebuilds it", desc));
  PetscCall(KNGraphDestroy(&a));
  PetscCall(KNGraphDestroy(&b));
  PetscCall(KNGraphDestroy(&c));
  EXPECT_ERROR(t, PETSC_ERR_ARG_OUTOFRANGE, KNGraphCreateRandom(PETSC_COMM_WORLD, 0, 5, 1, &a), "random with N = 0 is rejected");
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  const char *root = getenv("KN_BUILD_ROOT");

  PetscFunctionBeginUser;
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscStrncpy(tmpdir, root ? root : "/tmp", sizeof(tmpdir)));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(TestEdges(&t));
  PetscCall(TestDescriptions(&t));
  PetscCall(TestBadFiles(&t));
  PetscCall(TestRoundTrip(&t));
  PetscCall(TestRandom(&t));
  {
    int rc = KNTestEnd(&t);

    PetscCall(PetscFinalize());
    return rc;
  }
}
