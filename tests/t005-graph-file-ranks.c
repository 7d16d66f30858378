static char help[] = "Edge lists read and written collectively, every rank its own share (src/graph/graph_h5.c, graph_text.c): a\n"
                     "save/load round trip (HDF5, text) keeps every rank's block and the checksum, groups added to an HDF5 file read\n"
                     "back, a file written on any rank count is read on any other, bad ids in any rank's block are one error on every\n"
                     "rank (no hang), and hand-made text lists (comments, CRLF, lines cut by the ranks' byte ranges) give the edges\n"
                     "and the line numbers of one rank.\n"
                     "-out DIR keeps the files (t006-graph-file-cli.sh compares those of 1, 2 and 4 ranks with h5diff and h5py).\n";

#include "kntestfiles.h"
#include <hdf5.h>
#include <stdio.h>

/* The blocks of g and h agree on every rank (same N, E, checksum, and this rank's src/dst). */
static PetscErrorCode SameBlocks(KNGraph g, KNGraph h, PetscBool *same)
{
  PetscInt        Ng, Eg, Nh, Eh, sg, ng, sh, nh;
  const PetscInt *s1, *d1, *s2, *d2;
  char            c1[17], c2[17];
  PetscMPIInt     ok;

  PetscFunctionBeginUser;
  PetscCall(KNGraphGetSizes(g, &Ng, &Eg));
  PetscCall(KNGraphGetSizes(h, &Nh, &Eh));
  PetscCall(KNGraphGetLocalEdges(g, &sg, &ng, &s1, &d1));
  PetscCall(KNGraphGetLocalEdges(h, &sh, &nh, &s2, &d2));
  PetscCall(KNGraphGetChecksum(g, c1));
  PetscCall(KNGraphGetChecksum(h, c2));
  ok = Ng == Nh && Eg == Eh && sg == sh && ng == nh && !strcmp(c1, c2);
  for (PetscInt e = 0; ok && e < ng; e++) ok = s1[e] == s2[e] && d1[e] == d2[e];
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  *same = ok ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode RoundTrip(KNTest *t, KNGraph g, const char path[], const char what[])
{
  KNGraph     h;
  PetscBool   same;
  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(KNGraphSave(g, path));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &h));
  PetscCall(SameBlocks(g, h, &same));
  PetscCall(KNTestOk(t, same, "%s: saved and loaded on %d rank(s), every rank's block and the checksum are the generator's", what, size));
  PetscCall(KNGraphDestroy(&h));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A file by rank 0 alone (serial HDF5): src, dst of E edges, with one bad entry at edge `at` if bad >= 0. */
static PetscErrorCode WriteIds(const char path[], PetscInt E, PetscInt at, long long bad_src, long long bad_dst)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) {
    hsize_t    n   = (hsize_t)E;
    hid_t      fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), sid = H5Screate_simple(1, &n, NULL);
    long long *v;

    PetscCall(PetscMalloc1(E, &v));
    for (int k = 0; k < 2; k++) {
      hid_t did = H5Dcreate2(fid, k ? "dst" : "src", H5T_STD_I64LE, sid, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      for (PetscInt e = 0; e < E; e++) v[e] = 1 + (e + k) % 50;
      if (at >= 0) v[at] = k ? bad_dst : bad_src;
      PetscCheck(did >= 0 && H5Dwrite(did, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 setup failed");
      (void)H5Dclose(did);
    }
    (void)H5Sclose(sid);
    (void)H5Fclose(fid);
    PetscCall(PetscFree(v));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Bad ids in the last rank's block (and ground to ground in the middle): the same error everywhere, naming the edge. */
static PetscErrorCode BadBlocks(KNTest *t, const char dir[])
{
  char    path[PETSC_MAX_PATH_LEN];
  KNGraph g = NULL;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/bad.h5", dir));
  PetscCall(WriteIds(path, 1001, 1000, 7, -3));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "edge 1000 has dst node id -3", KNGraphLoad(PETSC_COMM_WORLD, path, &g), "a negative id in the last edge (the last rank's block): one error on every rank, naming edge 1000");
  PetscCall(WriteIds(path, 1001, 500, 0, 0));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "edge 500 connects ground to ground", KNGraphLoad(PETSC_COMM_WORLD, path, &g), "edge 500 ground to ground: one error on every rank");
  PetscCall(WriteIds(path, 1001, 3, 99999999999LL, 1));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "edge 3 has src node id 99999999999", KNGraphLoad(PETSC_COMM_WORLD, path, &g), "an id beyond PetscInt in rank 0's block: one error on every rank");
  PetscCall(WriteIds(path, 1001, -1, 0, 0));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &g));
  {
    PetscInt N, E;
    PetscCall(KNGraphGetSizes(g, &N, &E));
    PetscCall(KNTestOk(t, (PetscBool)(N == 50 && E == 1001), "a file written by serial HDF5 (rank 0 alone) loads collectively: N = %" PetscInt_FMT " (largest id), E = %" PetscInt_FMT, N, E));
  }
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 writes text to path; every rank waits for it. */
static PetscErrorCode WriteText(const char path[], const char text[])
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) {
    FILE *fp = fopen(path, "wb");
    PetscCheck(fp && fputs(text, fp) >= 0 && !fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A hand-made list of n lines: comments, blank and CRLF lines, tabs, inline comments and "# nodes 90" in the middle,
   so that the ranks' byte ranges start and end inside lines of every kind; edge e is (e % 89 + 1, e % 7). Line `bad`
   (1-based; 0: none) is replaced by text. Returns the edge count. */
static PetscErrorCode HandText(PetscInt n, PetscInt bad, const char badtext[], char **text, PetscInt *E)
{
  size_t cap = 64 * (size_t)n + 64, len = 0;
  char  *b;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(cap, &b));
  *E = 0;
  for (PetscInt l = 1; l <= n; l++) {
    if (l == bad) len += (size_t)snprintf(b + len, cap - len, "%s\n", badtext);
    else if (l == n / 2) len += (size_t)snprintf(b + len, cap - len, "# nodes 90\n");
    else if (l % 11 == 0) len += (size_t)snprintf(b + len, cap - len, "# a comment line long enough to hold a rank boundary %d\n", (int)l);
    else if (l % 13 == 0) len += (size_t)snprintf(b + len, cap - len, "%s", l % 2 ? "\r\n" : "   \n");
    else {
      len += (size_t)snprintf(b + len, cap - len, l % 3 ? "%d %d%s\n" : "\t%d\t %d   # inline%s\r\n", (int)(*E % 89 + 1), (int)(*E % 7), l % 5 ? "" : " ");
      (*E)++;
    }
  }
  *text = b;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Text edge lists read in two passes over byte ranges: the edges and line numbers of one rank, on any rank count. */
static PetscErrorCode TextFiles(KNTest *t, const char dir[])
{
  char            path[PETSC_MAX_PATH_LEN], *text;
  KNGraph         g = NULL;
  PetscInt        N, E, n, e0, nl;
  const PetscInt *src, *dst;
  PetscBool       ok = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/hand.txt", dir));
  PetscCall(HandText(3001, 0, NULL, &text, &E));
  PetscCall(WriteText(path, text));
  PetscCall(PetscFree(text));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &g));
  PetscCall(KNGraphGetSizes(g, &N, &n));
  PetscCall(KNGraphGetLocalEdges(g, &e0, &nl, &src, &dst));
  for (PetscInt e = 0; e < nl; e++) ok = (PetscBool)(ok && src[e] == (e0 + e) % 89 + 1 && dst[e] == (e0 + e) % 7);
  PetscCall(KNTestOkAll(t, (PetscBool)(ok && N == 90 && n == E), "a hand-made text list (CRLF, tabs, comments, \"# nodes 90\" mid-file): N = %" PetscInt_FMT ", %" PetscInt_FMT " of %" PetscInt_FMT " edges, every rank's block in file order", N, n, E));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(HandText(3001, 2900, "3 x", &text, &E));
  PetscCall(WriteText(path, text));
  PetscCall(PetscFree(text));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "hand.txt:2900: malformed line", KNGraphLoad(PETSC_COMM_WORLD, path, &g), "a malformed line 2900 (the last rank's range): one error on every rank with the file's line number");
  PetscCall(HandText(3001, 17, "# nodes 91", &text, &E));
  PetscCall(WriteText(path, text));
  PetscCall(PetscFree(text));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "\"# nodes\" given twice", KNGraphLoad(PETSC_COMM_WORLD, path, &g), "\"# nodes 91\" at line 17 and \"# nodes 90\" at line 1500: refused on every rank");
  PetscCall(HandText(3001, 2999, "95 1", &text, &E));
  PetscCall(WriteText(path, text));
  PetscCall(PetscFree(text));
  EXPECT_ERROR(t, PETSC_ERR_FILE_UNEXPECTED, "hand.txt:2999: node id 95 exceeds \"# nodes 90\"", KNGraphLoad(PETSC_COMM_WORLD, path, &g), "node id 95 at line 2999 beyond \"# nodes 90\" of line 1500: refused, naming the line");
  PetscCall(WriteText(path, "1 2"));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &g));
  PetscCall(KNGraphGetSizes(g, &N, &n));
  PetscCall(KNTestOk(t, (PetscBool)(N == 2 && n == 1), "a 3-byte file without a newline (fewer bytes than 4 ranks): N = %" PetscInt_FMT ", E = %" PetscInt_FMT, N, n));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(WriteText(path, ""));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &g));
  PetscCall(KNGraphGetSizes(g, &N, &n));
  PetscCall(KNTestOk(t, (PetscBool)(N == 0 && n == 0), "an empty file: no edges"));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  KNGraph     rnd, mix, fc, h;
  char        dir[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN + 32], shared[PETSC_MAX_PATH_LEN + 32];
  PetscBool   keep, same, exists;
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-out", dir, sizeof(dir), &keep));
  if (!keep) PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t005", dir, sizeof(dir)));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 1001, 10007, 5, &rnd)); /* 10007 is prime: uneven blocks on 2 and 4 ranks */
  PetscCall(KNGraphCreateMix(PETSC_COMM_WORLD, 1, 4, 4, 2, 3, 1, 1, PETSC_FALSE, 1, &mix));
  PetscCall(KNGraphCreateFullyConnected(PETSC_COMM_WORLD, 3, PETSC_TRUE, 1, 1, &fc));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/random_np%d.h5", dir, size));
  PetscCall(RoundTrip(&t, rnd, path, "random, 10007 edges"));
  {
    KNGraph big; /* more than 2^20 ids per rank on 1 and 2 ranks: graph_h5.c reads in chunks of 2^20 */

    PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 5000, 2 * (1 << 20) + 7, 6, &big));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/big_np%d.h5", dir, size));
    PetscCall(RoundTrip(&t, big, path, "random, 2^21 + 7 edges (chunked reads, uneven chunk counts)"));
    PetscCall(KNGraphDestroy(&big));
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/random_np%d.txt", dir, size));
  PetscCall(RoundTrip(&t, rnd, path, "random, 10007 edges, text"));
  /* two layers in one file: "/" creates it, the other groups are added, one nested */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layers_np%d.h5", dir, size));
  PetscCall(RoundTrip(&t, mix, path, "mix 1x4x4 (root group)"));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layers_np%d.h5:/layer_001", dir, size));
  PetscCall(RoundTrip(&t, rnd, path, "random added as /layer_001"));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layers_np%d.h5:/more/layer_002", dir, size));
  PetscCall(RoundTrip(&t, fc, path, "fc added as /more/layer_002 (intermediate group created)"));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layers_np%d.h5:/layer_001", dir, size));
  EXPECT_ERROR(&t, PETSC_ERR_FILE_WRITE, "cannot create the group", KNGraphSave(mix, path), "a group that exists already is refused on every rank");
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layers_np%d.h5", dir, size));
  PetscCall(KNGraphLoad(PETSC_COMM_WORLD, path, &h));
  PetscCall(SameBlocks(mix, h, &same));
  PetscCall(KNTestOk(&t, same, "the root group is still the mix graph after the refused save"));
  PetscCall(KNGraphDestroy(&h));
  /* a file kept from a run on another rank count (t006 runs 1 rank first) reads the same here */
  for (int k = 0; k < 2; k++) {
    PetscCall(PetscSNPrintf(shared, sizeof(shared), "%s/random_np1.%s", dir, k ? "txt" : "h5"));
    PetscCall(PetscTestFile(shared, 'r', &exists));
    if (!exists || size == 1) continue;
    PetscCall(KNGraphLoad(PETSC_COMM_WORLD, shared, &h));
    PetscCall(SameBlocks(rnd, h, &same));
    PetscCall(KNTestOk(&t, same, "the %s file written on 1 rank loads on %d ranks into the generator's blocks", k ? "text" : "HDF5", size));
    PetscCall(KNGraphDestroy(&h));
  }
  PetscCall(BadBlocks(&t, dir));
  PetscCall(TextFiles(&t, dir));
  PetscCall(KNGraphDestroy(&rnd));
  PetscCall(KNGraphDestroy(&mix));
  PetscCall(KNGraphDestroy(&fc));
  if (!keep) PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, dir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
