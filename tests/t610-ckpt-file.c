static char help[] = "KNCheckpoint files: a net, a parameter-shaped Vec and attributes written on every rank are read back bitwise, also\n"
                     "by one rank alone (graph order: rank-count independent); nothing but a .tmp exists before the commit; keep-last-k,\n"
                     "listing (newest first, partial files apart); corrupted values, truncated files, other formats and another net are\n"
                     "clear errors; KNNetLoad() reads the net of a checkpoint.\n";

#include <hdf5.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kntestnet.h"

/* ierr must be an error whose message contains needle. */
static PetscErrorCode ExpectError(KNTest *t, PetscErrorCode ierr, const char needle[], const char what[])
{
  char     *msg = NULL;
  PetscBool ok  = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (ierr) {
    (void)PetscErrorMessage(ierr, NULL, &msg);
    ok = (PetscBool)(msg && strstr(msg, needle));
  }
  PetscCall(KNTestOk(t, ok, "%s: error '%s'", what, msg ? msg : "(none)"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Graph-order parameters of the net, on every rank. */
static PetscErrorCode Params(KNNet net, Vec P, PetscInt *n, PetscReal **a)
{
  PetscFunctionBeginUser;
  PetscCall(KNTestNetParametersGraphOrder(net, P, n, a));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode WriteSeries(KNTest *t, KNNet net, Vec M, const char dir[])
{
  char        file[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  PetscMPIInt rank;
  PetscBool   only_tmp = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(t->comm, &rank));
  for (PetscInt step = 10; step <= 40; step += 10) {
    KNCheckpoint ck;
    PetscCall(KNCheckpointFileName(dir, step, file, sizeof(file)));
    PetscCall(KNCheckpointCreate(net, file, step, &ck));
    PetscCall(KNCheckpointWriteInt(ck, "train", "epoch", step / 10));
    PetscCall(KNCheckpointWriteReal(ck, "train", "loss", 0.25 * step));
    PetscCall(KNCheckpointWriteString(ck, "config", "options", "-kn_layers 3 -kn_seed 42"));
    PetscCall(KNCheckpointWriteParameterVec(ck, "optim", "m", net, M));
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", file));
    if (!rank && (access(file, F_OK) == 0 || access(tmp, F_OK) != 0)) only_tmp = PETSC_FALSE;
    PetscCall(KNCheckpointCommit(&ck));
    if (!rank && (access(file, F_OK) != 0 || access(tmp, F_OK) == 0)) only_tmp = PETSC_FALSE;
    PetscCall(KNCheckpointPrune(t->comm, dir, 2));
  }
  PetscCall(KNTestOkAll(t, only_tmp, "before each commit only ckpt_<step>.h5.tmp exists, after it only ckpt_<step>.h5"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ReadBack(KNTest *t, KNNet net, Vec M, const char file[])
{
  KNCheckpoint ck;
  Vec          Q, T;
  PetscInt64   epoch, step;
  PetscReal    loss;
  char        *opts;
  PetscBool    same, eq;
  PetscInt     n1, n2;
  PetscReal   *a, *b;

  PetscFunctionBeginUser;
  PetscCall(KNCheckpointOpen(t->comm, file, &ck));
  PetscCall(KNCheckpointCheckNet(ck, net));
  PetscCall(KNCheckpointGetStep(ck, &step));
  PetscCall(KNCheckpointReadInt(ck, "train", "epoch", &epoch));
  PetscCall(KNCheckpointReadReal(ck, "train", "loss", &loss));
  PetscCall(KNCheckpointReadString(ck, "config", "options", &opts));
  PetscCall(PetscStrcmp(opts, "-kn_layers 3 -kn_seed 42", &same));
  PetscCall(KNTestOk(t, (PetscBool)(step == 40 && epoch == 4 && loss == 10.0 && same), "attributes read back: step %" PetscInt64_FMT ", epoch %" PetscInt64_FMT ", loss %g, options '%s'", step, epoch, (double)loss, opts));
  PetscCall(PetscFree(opts));
  PetscCall(VecDuplicate(M, &Q));
  PetscCall(VecDuplicate(M, &T));
  PetscCall(KNCheckpointReadParameterVec(ck, "optim", "m", net, Q));
  PetscCall(VecEqual(Q, M, &eq));
  PetscCall(KNTestOk(t, eq, "a parameter-shaped Vec (optimizer moment) is read back bitwise, checksum verified"));
  PetscCall(KNCheckpointReadParameterVec(ck, "model", "theta", net, T));
  PetscCall(Params(net, T, &n1, &a));
  PetscCall(KNNetGetParameters(net, Q));
  PetscCall(Params(net, Q, &n2, &b));
  PetscCall(PetscArraycmp(a, b, n1, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && n1 == n2), "/model/layer_*/theta hold the net's %" PetscInt_FMT " parameters bitwise", n1));
  PetscCall(PetscFree(a));
  PetscCall(PetscFree(b));
  PetscCall(VecDestroy(&Q));
  PetscCall(VecDestroy(&T));
  PetscCall(KNCheckpointDestroy(&ck));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0 alone (a net on PETSC_COMM_SELF) reads what every rank wrote: the same graph-order values. */
static PetscErrorCode ReadOnOneRank(KNTest *t, KNNet net, Vec M, const char file[])
{
  PetscInt    n, n1 = 0;
  PetscReal  *ref, *got = NULL;
  PetscMPIInt rank;
  PetscBool   eq = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(Params(net, M, &n, &ref));
  PetscCallMPI(MPI_Comm_rank(t->comm, &rank));
  if (!rank) {
    KNNet        one;
    KNCheckpoint ck;
    Vec          Q;
    PetscCall(KNTestNetCreate(PETSC_COMM_SELF, KNDEVICESHIFTTANH2, 4, PETSC_FALSE, &one));
    PetscCall(KNNetCreateParameterVec(one, &Q));
    PetscCall(KNCheckpointOpen(PETSC_COMM_SELF, file, &ck));
    PetscCall(KNCheckpointReadParameterVec(ck, "optim", "m", one, Q));
    PetscCall(KNCheckpointDestroy(&ck));
    PetscCall(Params(one, Q, &n1, &got));
    PetscCall(PetscArraycmp(ref, got, n, &eq));
    eq = (PetscBool)(eq && n1 == n);
    PetscCall(PetscFree(got));
    PetscCall(VecDestroy(&Q));
    PetscCall(KNNetDestroy(&one));
  }
  PetscCall(KNTestOkAll(t, eq, "one rank reads the checkpoint written by all ranks: the same values in graph order"));
  PetscCall(PetscFree(ref));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: a copy of src with 8 bytes of dataset dset overwritten (or, dset NULL, truncated to 2000 bytes). */
static PetscErrorCode Damage(MPI_Comm comm, const char src[], const char dst[], const char dset[])
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    FILE  *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    char   buf[4096];
    size_t n, total = 0;
    PetscCheck(in && out, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot copy %s", src);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && (dset || total < 2000)) total += fwrite(buf, 1, dset ? n : PetscMin(n, 2000 - total), out);
    fclose(in);
    fclose(out);
    if (dset) {
      hid_t   f = H5Fopen(dst, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, dset, H5P_DEFAULT);
      haddr_t off = H5Dget_offset(d);
      FILE   *fp;
      H5Dclose(d);
      H5Fclose(f);
      fp = fopen(dst, "r+b");
      fseek(fp, (long)off + 8, SEEK_SET);
      fwrite("\xde\xad\xbe\xef\x01\x02\x03\x04", 1, 8, fp);
      fclose(fp);
    }
  }
  PetscCallMPI(MPI_Barrier(comm));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Errors(KNTest *t, KNNet net, Vec M, const char dir[], const char newest[])
{
  char           bad[PETSC_MAX_PATH_LEN], model[PETSC_MAX_PATH_LEN];
  KNCheckpoint   ck = NULL;
  KNNet          other;
  Vec            Q;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(VecDuplicate(M, &Q));
  PetscCall(PetscSNPrintf(bad, sizeof(bad), "%s/damaged.h5", dir));
  PetscCall(Damage(t->comm, newest, bad, "optim/layer_001/m"));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNCheckpointOpen(t->comm, bad, &ck);
  if (!ierr) ierr = KNCheckpointReadParameterVec(ck, "optim", "m", net, Q);
  PetscCall(PetscPopErrorHandler());
  PetscCall(KNCheckpointDestroy(&ck));
  PetscCall(ExpectError(t, ierr, "is corrupt", "8 overwritten bytes of /optim/layer_001/m are caught by the checksum"));
  PetscCall(Damage(t->comm, newest, bad, NULL));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNCheckpointOpen(t->comm, bad, &ck);
  PetscCall(PetscPopErrorHandler());
  PetscCall(ExpectError(t, ierr, "corrupt", "a truncated checkpoint does not open"));
  PetscCall(PetscSNPrintf(model, sizeof(model), "%s/model.h5", dir));
  PetscCall(KNNetSave(net, model));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNCheckpointOpen(t->comm, model, &ck);
  PetscCall(PetscPopErrorHandler());
  PetscCall(ExpectError(t, ierr, "is not a KirchhoffNet checkpoint", "a model file is not taken for a checkpoint"));
  PetscCall(KNTestNetCreate(t->comm, KNDEVICESHIFTRELU1, 4, PETSC_FALSE, &other));
  PetscCall(KNCheckpointOpen(t->comm, newest, &ck));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNCheckpointCheckNet(ck, other);
  PetscCall(PetscPopErrorHandler());
  PetscCall(KNCheckpointDestroy(&ck));
  PetscCall(ExpectError(t, ierr, "holds a different layer 0", "a net with other devices is refused by KNCheckpointCheckNet"));
  PetscCall(KNNetDestroy(&other));
  PetscCall(VecDestroy(&Q));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNNetLoad() of a checkpoint gives the net of its /model group. */
static PetscErrorCode LoadAsModel(KNTest *t, KNNet net, const char file[])
{
  KNNet     loaded;
  Vec       P, Q;
  PetscInt  n1, n2;
  PetscReal *a, *b;
  PetscBool eq;

  PetscFunctionBeginUser;
  PetscCall(KNNetLoad(t->comm, file, 4, PETSC_FALSE, &loaded));
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(KNNetCreateParameterVec(loaded, &Q));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNNetGetParameters(loaded, Q));
  PetscCall(Params(net, P, &n1, &a));
  PetscCall(Params(loaded, Q, &n2, &b));
  PetscCall(PetscArraycmp(a, b, n1, &eq));
  PetscCall(KNTestOk(t, (PetscBool)(eq && n1 == n2), "KNNetLoad() of a checkpoint loads its /model bitwise"));
  PetscCall(PetscFree(a));
  PetscCall(PetscFree(b));
  PetscCall(VecDestroy(&P));
  PetscCall(VecDestroy(&Q));
  PetscCall(KNNetDestroy(&loaded));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest      t;
  KNNet       net;
  Vec         M;
  PetscMPIInt size, rank;
  char        dir[64], partial[128];
  PetscInt    n, ntmp;
  char      **files, **tmps;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "t610-np%d", (int)size));
  if (!rank) {
    char cmd[96];
    PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf %s", dir)); /* a clean start if it is left from a run before */
    if (system(cmd)) PetscCall(PetscPrintf(PETSC_COMM_SELF, "# could not remove %s\n", dir));
    (void)mkdir(dir, 0777);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH2, 4, PETSC_FALSE, &net));
  PetscCall(KNNetCreateParameterVec(net, &M));
  PetscCall(KNTestFillVec(M, 7, 1.0));
  PetscCall(WriteSeries(&t, net, M, dir));
  PetscCall(PetscSNPrintf(partial, sizeof(partial), "%s/ckpt_00000050.h5.tmp", dir));
  if (!rank) fclose(fopen(partial, "w"));
  PetscCall(KNCheckpointList(PETSC_COMM_WORLD, dir, &n, &files, &ntmp, &tmps));
  PetscCall(KNTestOk(&t, (PetscBool)(n == 2 && strstr(files[0], "ckpt_00000040.h5") && strstr(files[1], "ckpt_00000030.h5") && ntmp == 1 && strstr(tmps[0], "ckpt_00000050.h5.tmp")), "keep 2: the list holds steps 40, 30 (newest first) and the partial file apart (%" PetscInt_FMT " files, %" PetscInt_FMT " partial)", n, ntmp));
  PetscCall(ReadBack(&t, net, M, files[0]));
  PetscCall(ReadOnOneRank(&t, net, M, files[0]));
  PetscCall(Errors(&t, net, M, dir, files[0]));
  PetscCall(LoadAsModel(&t, net, files[0]));
  PetscCall(KNCheckpointRemoveFile(PETSC_COMM_WORLD, partial));
  PetscCall(KNCheckpointListDestroy(n, &files));
  PetscCall(KNCheckpointListDestroy(ntmp, &tmps));
  PetscCall(VecDestroy(&M));
  PetscCall(KNNetDestroy(&net));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
