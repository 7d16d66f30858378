static char help[] = "Model files: KNNetSave on all ranks, KNNetLoad on all ranks (bitwise equal parameters and outputs) and on 1 rank; h5py checks the layout.\n";

#define _POSIX_C_SOURCE 200809L
#include "kntestnet.h"
#include <hdf5.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[PETSC_MAX_PATH_LEN];

/* What a net computes: graph-order parameters and a forward sweep (outputs, final voltages, log-densities). */
typedef struct {
  PetscInt   np, nout, nv;
  PetscReal *theta, *out, *v, lp[4];
} Snapshot;

static PetscErrorCode SnapshotFree(Snapshot *s)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(s->theta));
  PetscCall(PetscFree(s->out));
  PetscCall(PetscFree(s->v));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Take(KNNet net, PetscBool flow, Snapshot *s)
{
  Vec       P;
  KNCircuit c;
  PetscInt  B, K, nin;
  PetscReal in[12];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscCall(KNNetGetNumLayers(net, &K));
  PetscCall(KNNetGetLayer(net, flow ? K - 1 : 0, &c)); /* flows sweep the last layer first */
  PetscCall(KNCircuitGetSizes(c, &nin, NULL, NULL));
  nin = PetscMin(nin, 3);
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNTestNetParametersGraphOrder(net, P, &s->np, &s->theta));
  PetscCall(VecDestroy(&P));
  PetscCall(KNNetGetBatchSize(net, &B));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = 0.7 * KNTestRand(9, i);
  PetscCall(KNNetForward(net, nin, in, flow));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  s->nout = B * K;
  PetscCall(PetscMalloc1(s->nout, &s->out));
  PetscCall(KNNetGetOutput(net, s->out));
  PetscCall(KNNetGetFinalVoltages(net, &s->nv, &s->v));
  s->nv *= B;
  if (flow) PetscCall(KNNetGetLogDensity(net, s->lp));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscBool Same(PetscInt n, const PetscReal a[], PetscInt m, const PetscReal b[])
{
  return (PetscBool)(n == m && !memcmp(a, b, (size_t)n * sizeof(PetscReal)));
}

/* Bitwise (tol = 0) or relative max-norm comparison of two snapshots. */
static PetscBool Match(const Snapshot *a, const Snapshot *b, PetscReal tol, PetscReal *err)
{
  PetscBool ok = Same(a->np, a->theta, b->np, b->theta);

  *err = 0;
  if (!ok || a->nout != b->nout || a->nv != b->nv) return PETSC_FALSE;
  if (tol == 0) return (PetscBool)(Same(a->nout, a->out, b->nout, b->out) && Same(a->nv, a->v, b->nv, b->v) && Same(4, a->lp, 4, b->lp));
  *err = PetscMax(KNTestRelErr(a->nout, a->out, b->out), KNTestRelErr(a->nv, a->v, b->v));
  *err = PetscMax(*err, KNTestRelErr(4, a->lp, b->lp));
  return (PetscBool)(*err <= tol);
}

/* The loaded net reads out the same nodes as the original (KNNetSetReadout() works after set-up). */
static PetscErrorCode CopyReadout(KNNet from, KNNet to)
{
  PetscInt        K;
  const PetscInt *nodes;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetReadout(from, &K, &nodes));
  PetscCall(KNNetSetReadout(to, K, nodes));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Runs the h5py layout check from rank 0; the exit status is shared with every rank. */
static PetscErrorCode CheckH5py(KNTest *t, const char file[])
{
  PetscMPIInt rank;
  int         rc = 0, skip = 0;
  const char *root = getenv("KN_SOURCE_ROOT");

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!root || access("/usr/bin/python3", X_OK)) skip = 1;
  else if (rank == 0) {
    char cmd[3 * PETSC_MAX_PATH_LEN];
    PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/tests/check_model_h5py.py %s", root, file));
    rc = system(cmd);
  }
  PetscCallMPI(MPI_Bcast(&rc, 1, MPI_INT, 0, PETSC_COMM_WORLD));
  if (skip) PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP h5py check of %s (no KN_SOURCE_ROOT or /usr/bin/python3)", file));
  else PetscCall(KNTestOk(t, (PetscBool)(rc == 0), "h5py reads %s: format str, int64/float64 datasets, shapes, attributes, FNV-1a checksum (exit status %d)", file, rc));
  PetscFunctionReturn(KN_SUCCESS);
}

/* h5diff (hdf5-tools): same groups, datasets, attributes and values. Not a byte comparison: HDF5 leaves unused
   space inside metadata blocks uninitialised, so equal files written on different rank counts may differ there. */
static PetscErrorCode SameContent(const char a[], const char b[], PetscBool *same, PetscBool *skip)
{
  char cmd[3 * PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  *skip = (PetscBool)(access("/usr/bin/h5diff", X_OK) != 0);
  *same = PETSC_TRUE;
  if (*skip) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "/usr/bin/h5diff -q %s %s", a, b));
  *same = (PetscBool)(system(cmd) == 0);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TmpPath(const char name[], char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", tmpdir, name));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Saves net, loads it on all ranks and on rank 0 alone, compares; returns the file name. */
static PetscErrorCode RoundTrip(KNTest *t, KNNet net, PetscBool flow, const char name[], char file[])
{
  KNNet       l;
  Snapshot    a, b;
  PetscMPIInt rank, size;
  PetscInt    B;
  PetscReal   err[2] = {0, 0};
  PetscBool   ok, same, skip = PETSC_FALSE, tmpgone;
  char        tmp[PETSC_MAX_PATH_LEN + 8];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(TmpPath(name, file));
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(Take(net, flow, &a));
  PetscCall(KNNetSave(net, file));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", file));
  tmpgone = (PetscBool)(access(tmp, F_OK) != 0);
  PetscCall(KNTestOkAll(t, tmpgone, "%s: saved on %d ranks, no temporary file left", name, size));
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, file, B, flow, &l));
  PetscCall(CopyReadout(net, l));
  PetscCall(Take(l, flow, &b));
  ok = Match(&a, &b, 0, &err[0]);
  PetscCall(KNTestOkAll(t, ok, "%s: loaded on %d ranks: %" PetscInt_FMT " parameters (graph order), outputs, final voltages%s bitwise equal", name, size, a.np, flow ? ", log-densities" : ""));
  PetscCall(SnapshotFree(&b));
  PetscCall(KNNetDestroy(&l));
  ok = same = PETSC_TRUE;
  if (rank == 0) { /* a file written on n ranks reads on 1, and saved again from 1 rank it is the same file */
    PetscCall(KNNetLoad(PETSC_COMM_SELF, file, B, flow, &l));
    PetscCall(CopyReadout(net, l));
    PetscCall(Take(l, flow, &b));
    ok = Match(&a, &b, 1e-12, &err[1]);
    PetscCall(SnapshotFree(&b));
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.1", file));
    PetscCall(KNNetSave(l, tmp));
    PetscCall(SameContent(file, tmp, &same, &skip));
    (void)unlink(tmp);
    PetscCall(KNNetDestroy(&l));
  }
  PetscCall(KNTestOkAll(t, ok, "%s: loaded on 1 rank: parameters bitwise equal, outputs within 1e-12 of %d ranks (rel. diff %.1e)", name, size, (double)err[1]));
  PetscCallMPI(MPI_Bcast(&skip, 1, MPIU_BOOL, 0, PETSC_COMM_WORLD));
  if (skip) PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP %s: no /usr/bin/h5diff", name));
  else PetscCall(KNTestOkAll(t, same, "%s: saved again from the 1-rank net: h5diff finds no difference to the file written on %d ranks", name, size));
  PetscCall(SnapshotFree(&a));
  PetscCall(CheckH5py(t, file));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Two layers with different devices (3 and 2 rows) and capacitances, described topologies. */
static PetscErrorCode MixedNet(MPI_Comm comm, KNNet *net)
{
  KNGraph   g[2];
  KNDevice  d[2];
  KNCircuit c;

  PetscFunctionBeginUser;
  PetscCall(KNNetCreate(comm, net));
  PetscCall(KNGraphCreateFullyConnected(comm, 3, PETSC_TRUE, 2, 1, &g[0]));
  PetscCall(KNGraphCreateChain(comm, 5, PETSC_TRUE, 2, &g[1]));
  for (PetscInt i = 0; i < 2; i++) {
    PetscCall(KNDeviceCreate(comm, &d[i]));
    PetscCall(KNDeviceSetType(d[i], i ? KNDEVICESHIFTRELU1 : KNDEVICESHIFTTANH2));
    PetscCall(KNNetAddLayer(*net, g[i], d[i], 0.25 + 0.5 * i));
    PetscCall(KNGraphDestroy(&g[i]));
    PetscCall(KNDeviceDestroy(&d[i]));
  }
  PetscCall(KNNetGetLayer(*net, 0, &c));
  PetscCall(KNCircuitSetCapacitance(c, 2.5));
  PetscCall(KNNetGetLayer(*net, 1, &c));
  PetscCall(KNCircuitSetCapacitance(c, 0.5));
  PetscCall(KNNetSetBatchSize(*net, 3));
  PetscCall(KNNetSetFromOptions(*net));
  PetscCall(KNNetSetUp(*net));
  PetscCall(KNTestNetRandomParameters(*net, 7, 0.8));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Saving over an existing model replaces it (atomically); the new content loads back. */
static PetscErrorCode Overwrite(KNTest *t, KNNet net, const char file[])
{
  KNNet     l;
  Snapshot  a, b;
  PetscInt  B;
  PetscReal err;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(Take(net, PETSC_FALSE, &a));
  PetscCall(KNNetSave(net, file));
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, file, B, PETSC_FALSE, &l));
  PetscCall(CopyReadout(net, l));
  PetscCall(Take(l, PETSC_FALSE, &b));
  PetscCall(KNTestOkAll(t, Match(&a, &b, 0, &err), "saving over an existing model replaces it: the new net loads back bitwise"));
  PetscCall(SnapshotFree(&a));
  PetscCall(SnapshotFree(&b));
  PetscCall(KNNetDestroy(&l));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode MakeTmpDir(void)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank == 0) {
    PetscCall(PetscStrncpy(tmpdir, "/tmp/kn-t601-XXXXXX", sizeof(tmpdir)));
    PetscCheck(mkdtemp(tmpdir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create a temporary directory");
  }
  PetscCallMPI(MPI_Bcast(tmpdir, sizeof(tmpdir), MPI_CHAR, 0, PETSC_COMM_WORLD));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Cleanup(const char *files[], PetscInt n)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank == 0) {
    for (PetscInt i = 0; i < n; i++) (void)unlink(files[i]);
    (void)rmdir(tmpdir);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  KNNet       net;
  char        f[3][PETSC_MAX_PATH_LEN];
  const char *files[3] = {f[0], f[1], f[2]};

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  /* fixed steps: adaptive step selection may pick different steps on 1 and n ranks (error norms are parallel
     reductions), which would hide what this test is about, the file round trip */
  PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 5dp -ts_adapt_type none -ts_dt 0.01"));
  PetscCall(MakeTmpDir());

  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, 2, PETSC_FALSE, &net));
  PetscCall(RoundTrip(&t, net, PETSC_FALSE, "layers3.h5", f[0]));
  PetscCall(KNNetDestroy(&net));

  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH1, 2, PETSC_TRUE, &net));
  PetscCall(RoundTrip(&t, net, PETSC_TRUE, "flow.h5", f[1]));
  PetscCall(KNNetDestroy(&net));

  PetscCall(MixedNet(PETSC_COMM_WORLD, &net));
  PetscCall(RoundTrip(&t, net, PETSC_FALSE, "mixed.h5", f[2]));
  PetscCall(Overwrite(&t, net, f[0]));
  PetscCall(KNNetDestroy(&net));

  PetscCall(KNTestOkAll(&t, (PetscBool)(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0), "no HDF5 objects left open"));
  PetscCall(Cleanup(files, 3));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
