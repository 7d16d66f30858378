static char help[] = "SPICE export: every device law through ngspice matches knet's solver; layers with node addition and truncation;\n"
                     "the hardware scale a = 1e-15 gives the same voltages; ngspice missing or failing is a clear error; device charge.\n";

#define _POSIX_C_SOURCE 200809L
#include "kntestnet.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *Laws[] = {KNDEVICESHIFTTANH2, KNDEVICESHIFTTANH1, KNDEVICESHIFTRELU1, KNDEVICESHIFTLEAKYRELU1, KNDEVICESHIFTRELU2, KNDEVICESHIFTLEAKYRELU2,
                             KNDEVICERELUDIFF,   KNDEVICETANHDIFF,   KNDEVICERELU3P,     KNDEVICETANH3P,          KNDEVICECONDUCTANCE, KNDEVICECURRENTSOURCE};

/* A net of layers with N[i] nodes and E[i] random edges (duration 0.5 each), batch 1, hardware scale a. */
static PetscErrorCode CreateNet(KNDeviceType type, PetscInt D, const PetscInt N[], const PetscInt E[], PetscReal a, PetscInt64 seed, KNNet *net)
{
  PetscFunctionBeginUser;
  PetscCall(KNNetCreate(PETSC_COMM_WORLD, net));
  for (PetscInt i = 0; i < D; i++) {
    KNGraph  g;
    KNDevice d;
    PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, N[i], E[i], seed + i, &g));
    PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
    PetscCall(KNDeviceSetType(d, type));
    PetscCall(KNNetAddLayer(*net, g, d, 0.5));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNDeviceDestroy(&d));
  }
  PetscCall(KNNetSetBatchSize(*net, 1));
  PetscCall(KNNetSetFromOptions(*net));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscCall(KNNetGetLayer(*net, i, &c));
    PetscCall(KNCircuitSetHardwareScale(c, a));
  }
  PetscCall(KNNetSetUp(*net));
  PetscCall(KNTestNetRandomParameters(*net, seed, 0.9));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Exports with scale a into dir, runs ngspice; vs (ngspice) and vk (knet) get every layer's final voltages. */
static PetscErrorCode Compare(KNNet net, PetscReal a, const char dir[], PetscReal **vs, PetscReal **vk, PetscReal *err)
{
  KNCircuit  c0;
  PetscInt   N0, n;
  PetscReal *in;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetLayer(net, 0, &c0));
  PetscCall(KNCircuitGetSizes(c0, &N0, NULL, NULL));
  PetscCall(KNNetGetNumLayerVoltages(net, &n));
  PetscCall(PetscMalloc1(N0, &in));
  for (PetscInt j = 0; j < N0; j++) in[j] = j + 1 < N0 ? KNTestRand(11, j) : 0.0; /* the last node starts at 0 V */
  PetscCall(PetscMalloc2(n, vs, n, vk));
  PetscCall(KNNetExportSpice(net, 0, in, a, dir));
  PetscCall(KNNetRunSpice(net, dir, "ngspice", *vs));
  PetscCall(KNNetGetLayerVoltages(net, N0 - 1, in, *vk));
  *err = 0;
  for (PetscInt k = 0; k < n; k++) *err = PetscMax(*err, PetscAbsReal((*vs)[k] - (*vk)[k]));
  PetscCall(PetscFree(in));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestLaws(KNTest *t, const char dir[])
{
  const PetscInt N[1] = {4}, E[1] = {8};

  PetscFunctionBeginUser;
  for (size_t l = 0; l < sizeof(Laws) / sizeof(Laws[0]); l++) {
    KNNet      net;
    PetscReal *vs, *vk, err;
    PetscCall(CreateNet(Laws[l], 1, N, E, 1.0, 7 + (PetscInt64)l, &net));
    PetscCall(Compare(net, 1.0, dir, &vs, &vk, &err));
    PetscCall(KNTestOk(t, err <= 1e-5, "%s: 4 nodes, 8 edges, T = 0.5: ngspice vs knet max|dv| = %.2e <= 1e-5", Laws[l], (double)err));
    PetscCall(PetscFree2(vs, vk));
    PetscCall(KNNetDestroy(&net));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* 3 -> 5 nodes (two added), and the shared 5 -> 7 -> 4 test net (added, then dropped); a = 1e-15 gives the same. */
static PetscErrorCode TestLayers(KNTest *t, const char dir[])
{
  const PetscInt N[2] = {3, 5}, E[2] = {8, 12};
  KNNet          net, small;
  PetscReal     *vs, *vk, *ws, *wk, err, err2, same = 0, fwd = 0, *out;
  PetscInt       n, Nf;

  PetscFunctionBeginUser;
  PetscCall(CreateNet(KNDEVICESHIFTTANH2, 2, N, E, 1.0, 40, &net));
  PetscCall(Compare(net, 1.0, dir, &vs, &vk, &err));
  PetscCall(KNTestOk(t, err <= 1e-5, "2 layers, 3 -> 5 nodes: every layer's ngspice voltages match knet, max|dv| = %.2e", (double)err));
  PetscCall(KNNetDestroy(&net));
  PetscCall(CreateNet(KNDEVICESHIFTTANH2, 2, N, E, 1e-15, 40, &small));
  PetscCall(Compare(small, 1e-15, dir, &ws, &wk, &err2));
  PetscCall(KNNetGetNumLayerVoltages(small, &n));
  for (PetscInt k = 0; k < n; k++) same = PetscMax(same, PetscAbsReal(ws[k] - vs[k]));
  PetscCall(KNTestOk(t, err2 <= 1e-5 && same <= 1e-9, "a = 1e-15 (fF, fs): ngspice vs knet %.2e, vs the a = 1 netlist %.2e", (double)err2, (double)same));
  PetscCall(PetscFree2(ws, wk));
  PetscCall(KNNetDestroy(&small));
  PetscCall(PetscFree2(vs, vk));

  PetscCall(KNTestNetCreate(PETSC_COMM_WORLD, KNDEVICESHIFTTANH1, 1, PETSC_FALSE, &net));
  PetscCall(Compare(net, 1.0, dir, &vs, &vk, &err));
  PetscCall(KNTestOk(t, err <= 1e-5, "3 layers, 5 -> 7 -> 4 nodes (added at 0 V, then dropped): max|dv| = %.2e", (double)err));
  {
    PetscReal in[4];
    for (PetscInt j = 0; j < 4; j++) in[j] = KNTestRand(11, j);
    PetscCall(KNNetForward(net, 4, in, PETSC_FALSE));
    PetscCall(KNNetGetFinalVoltages(net, &Nf, &out));
    PetscCall(KNNetGetNumLayerVoltages(net, &n));
    for (PetscInt j = 0; j < Nf; j++) fwd = PetscMax(fwd, PetscAbsReal(out[j] - vk[n - Nf + j]));
    PetscCall(PetscFree(out));
  }
  PetscCall(KNTestOk(t, fwd == 0, "KNNetGetLayerVoltages' last layer equals KNNetForward exactly (%.1e)", (double)fwd));
  PetscCall(PetscFree2(vs, vk));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Runs KNNetRunSpice expecting an error whose message contains want (and, if given, also2). */
static PetscErrorCode ExpectError(KNTest *t, KNNet net, const char dir[], const char prog[], const char want[], const char also2[], const char what[])
{
  PetscErrorCode ierr;
  PetscReal      v[64];
  const char    *text;
  char          *msg = NULL;
  int            ok;

  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNNetRunSpice(net, dir, prog, v);
  PetscCall(PetscPopErrorHandler());
  if (ierr) PetscCall(PetscErrorMessage(ierr, &text, &msg));
  ok = ierr && msg && strstr(msg, want) && (!also2 || strstr(msg, also2)); /* rank 0 raised the error, the others got its code */
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, PETSC_COMM_WORLD));
  PetscCall(KNTestOk(t, ok ? PETSC_TRUE : PETSC_FALSE, "%s: \"%s\"", what, msg ? msg : "(no error)"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode TestErrors(KNTest *t, const char dir[], const char empty[], PetscBool found)
{
  const PetscInt N[1] = {4}, E[1] = {8};
  KNNet          net;
  PetscReal      in[4] = {0.1, 0.2, 0.3, 0.4};
  char           path[PETSC_MAX_PATH_LEN], *saved;
  FILE          *fp;

  PetscFunctionBeginUser;
  PetscCall(CreateNet(KNDEVICETANHDIFF, 1, N, E, 1.0, 3, &net));
  PetscCall(KNNetExportSpice(net, 0, in, 1.0, dir));
  PetscCall(PetscStrallocpy(getenv("PATH"), &saved));
  setenv("PATH", empty, 1);
  PetscCall(ExpectError(t, net, dir, "ngspice", "ngspice not found: install the ngspice package", NULL, "ngspice not in PATH is a clear error"));
  setenv("PATH", saved, 1);
  PetscCall(PetscFree(saved));
  if (!found) {
    PetscCall(KNTestOk(t, PETSC_TRUE, "# SKIP ngspice is not installed: no corrupt-netlist run"));
    PetscCall(KNNetDestroy(&net));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layer_000.cir", dir));
  fp = fopen(path, "w");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  fprintf(fp, "* corrupt\nB1 n1 0 I = tanh(\n.tran 1 1\n.end\n");
  fclose(fp);
  PetscCall(ExpectError(t, net, dir, "ngspice", "layer 0", "layer_000.log", "a corrupt netlist: the error names the layer and its log"));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Expressions as text, a ground endpoint, and an exactly known charge: current sources move |t0| per unit time. */
static PetscErrorCode TestExpressionsAndCharge(KNTest *t)
{
  KNDevice        d;
  const PetscReal th[3] = {0.5, -2.0, 0.25};
  char            buf[256];
  const PetscInt  N[1] = {4}, E[1] = {8};
  KNNet           net;
  PetscReal       in[4] = {0.3, -0.2, 0.1, 0.0}, S, exact = 0, S15;
  PetscInt        used;
  const PetscInt *src, *dst;
  Vec             P;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTRELU1));
  PetscCall(KNDeviceGetSpiceExpression(d, th, 1, 2, buf, sizeof(buf)));
  PetscCall(KNTestOk(t, !strcmp(buf, "(-2)*max((V(n1)-V(n2)) - 0.5, 0)"), "shift_relu1 expression: %s", buf));
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTLEAKYRELU2));
  PetscCall(KNDeviceGetSpiceExpression(d, th, 0, 3, buf, sizeof(buf)));
  PetscCall(KNTestOk(t, !strcmp(buf, "max((-2)*V(n3) + 0.25, 0.01*((-2)*V(n3) + 0.25))"), "shift_leaky_relu2 with a ground source: %s", buf));
  PetscCall(KNDeviceDestroy(&d));

  PetscCall(CreateNet(KNDEVICECURRENTSOURCE, 1, N, E, 1.0, 5, &net));
  PetscCall(KNNetComputeDeviceCharge(net, 4, in, 50, &S, &used));
  {
    KNCircuit c;
    KNGraph   g;
    PetscInt  n;
    PetscReal *theta;
    PetscCall(KNNetGetLayer(net, 0, &c));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNGraphGetEdges(g, &src, &dst));
    PetscCall(KNNetCreateParameterVec(net, &P));
    PetscCall(KNNetGetParameters(net, P));
    PetscCall(KNTestNetParametersGraphOrder(net, P, &n, &theta));
    for (PetscInt e = 0; e < 8; e++) exact += src[e] != dst[e] ? 0.5 * PetscAbsReal(theta[e]) : 0;
    PetscCall(KNGraphRestoreEdges(g, &src, &dst));
    PetscCall(PetscFree(theta));
    PetscCall(VecDestroy(&P));
  }
  PetscCall(KNNetDestroy(&net));
  PetscCall(CreateNet(KNDEVICECURRENTSOURCE, 1, N, E, 1e-15, 5, &net));
  PetscCall(KNNetComputeDeviceCharge(net, 4, in, 50, &S15, &used));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNTestOk(t, PetscAbsReal(S - exact) <= 1e-12 * exact && PetscAbsReal(S15 - S) <= 1e-9 * S && used >= 50, "charge of current sources: S = %.15g = T sum|t0| = %.15g, same at a = 1e-15 (%.15g), %" PetscInt_FMT " intervals", (double)S, (double)exact, (double)S15, used));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest    t;
  PetscBool found;
  char      dir[] = "/tmp/kn-t801-XXXXXX", empty[PETSC_MAX_PATH_LEN], prog[PETSC_MAX_PATH_LEN], cmd[3 * PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsInsertString(NULL, "-ts_rtol 1e-10 -ts_atol 1e-10"));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCheck(mkdtemp(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "mkdtemp failed");
  PetscCall(PetscSNPrintf(empty, sizeof(empty), "%s/empty", dir));
  PetscCheck(mkdir(empty, 0755) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "mkdir failed");
  PetscCall(KNSpiceFindProgram("ngspice", prog, sizeof(prog), &found));
  PetscCall(TestExpressionsAndCharge(&t));
  if (found) {
    PetscCall(TestLaws(&t, dir));
    PetscCall(TestLayers(&t, dir));
  } else PetscCall(KNTestOk(&t, PETSC_TRUE, "# SKIP ngspice is not installed: no ngspice comparisons"));
  PetscCall(TestErrors(&t, dir, empty, found));
  PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf '%s'", dir));
  if (system(cmd)) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# could not remove %s\n", dir));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
