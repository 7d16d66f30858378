/* SPICE export: every device law as an ngspice B-source expression, one netlist per layer (see include/kn/knspice.h). */
#include "spiceimpl.h"
#include <stdarg.h>
#include "sys/knoptions.h"

/* A bounded string builder: appends with snprintf, remembers an overflow. */
typedef struct {
  char  *buf;
  size_t len, pos;
} KNStr;

static void Cat(KNStr *s, const char fmt[], ...)
{
  va_list ap;
  int     n;

  if (s->pos >= s->len) return;
  va_start(ap, fmt);
  n = vsnprintf(s->buf + s->pos, s->len - s->pos, fmt, ap);
  va_end(ap);
  s->pos = n < 0 ? s->len : s->pos + (size_t)n;
}

/* A number with every digit a double holds; negative numbers in parentheses (safe after '*' or '+'). */
static void Num(KNStr *s, PetscReal x)
{
  Cat(s, x < 0 ? "(%.17g)" : "%.17g", (double)x);
}

/* c*V(n<j>) (+ ...), nothing for the ground node */
static void Term(KNStr *s, PetscReal c, PetscInt j)
{
  if (!j) return;
  Num(s, c);
  Cat(s, "*V(n%" PetscInt_FMT ") + ", j);
}

/* t0 vs + t1 vd + t2 */
static void Affine3(KNStr *s, const PetscReal th[], PetscInt vs, PetscInt vd)
{
  Term(s, th[0], vs);
  Term(s, th[1], vd);
  Num(s, th[2]);
}

/* vs - vd */
static void Diff(KNStr *s, PetscInt vs, PetscInt vd)
{
  if (vs && vd) Cat(s, "(V(n%" PetscInt_FMT ")-V(n%" PetscInt_FMT "))", vs, vd);
  else if (vs) Cat(s, "V(n%" PetscInt_FMT ")", vs);
  else if (vd) Cat(s, "(-V(n%" PetscInt_FMT "))", vd);
  else Cat(s, "0");
}

/* slope*(vs - vd) + offset */
static void DiffAffine(KNStr *s, PetscReal slope, PetscReal offset, PetscInt vs, PetscInt vd)
{
  Num(s, slope);
  Cat(s, "*");
  Diff(s, vs, vd);
  Cat(s, " + ");
  Num(s, offset);
}

/* vs - vd - t0 */
static void Shifted(KNStr *s, PetscReal t0, PetscInt vs, PetscInt vd)
{
  Diff(s, vs, vd);
  Cat(s, " - ");
  Num(s, t0);
}

typedef enum { KN_ACT_TANH, KN_ACT_RELU, KN_ACT_LEAKY } KNAct;

/* act(z) for the argument written by arg(): tanh(z), max(z, 0), max(z, 0.01*(z)) (= z for z > 0, 0.01 z otherwise). */
static void Act(KNStr *s, KNAct act, void (*arg)(KNStr *, const PetscReal[], PetscInt, PetscInt), const PetscReal th[], PetscInt vs, PetscInt vd)
{
  Cat(s, act == KN_ACT_TANH ? "tanh(" : "max(");
  arg(s, th, vs, vd);
  if (act == KN_ACT_RELU) Cat(s, ", 0");
  if (act == KN_ACT_LEAKY) {
    Cat(s, ", %.17g*(", KN_SPICE_LEAKY_SLOPE);
    arg(s, th, vs, vd);
    Cat(s, ")");
  }
  Cat(s, ")");
}

static void ArgAffine3(KNStr *s, const PetscReal th[], PetscInt vs, PetscInt vd)
{
  Affine3(s, th, vs, vd);
}

static void ArgDiffAffine(KNStr *s, const PetscReal th[], PetscInt vs, PetscInt vd)
{
  DiffAffine(s, th[1], th[0], vs, vd);
}

static void ArgShifted(KNStr *s, const PetscReal th[], PetscInt vs, PetscInt vd)
{
  Shifted(s, th[0], vs, vd);
}

/*@C
  KNDeviceGetSpiceExpression - the current of one edge as an ngspice expression in the node voltages V(n<j>)

  Not Collective

  Input Parameters:
+ d - the device (a built-in law)
. th - the edge's parameters (the device's rows, reference row order)
. vs, vd - the source and destination node ids (0 = ground, which contributes 0 V)
- len - size of buf

  Output Parameter:
. buf - the expression, e.g. tanh(0.5*V(n1) + (-0.25)*V(n2) + 0.125); every number printed with %.17g

  Notes:
  relu(z) is max(z, 0) and leaky_relu(z) is max(z, 0.01*(z)), the same values as the device kernels (the kink
  convention H(0) = 0 only matters for derivatives). A law registered with KNDeviceRegister() has no expression
  and is an error.

  Level: intermediate

.seealso: KNNetExportSpice()
@*/
PetscErrorCode KNDeviceGetSpiceExpression(KNDevice d, const PetscReal th[], PetscInt vs, PetscInt vd, char buf[], size_t len)
{
  KNDeviceType type;
  KNStr        s = {buf, len, 0};
  PetscInt     rows;
  PetscBool    m[12];

  PetscFunctionBegin;
  PetscCall(KNDeviceGetType(d, &type));
  PetscCall(KNDeviceGetNumUsedParameters(d, &rows)); /* unused rows (e.g. shift_tanh1's row 2) never enter the netlist */
  PetscCheck(type, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "The device has no type");
  for (PetscInt r = 0; r < rows; r++) PetscCheck(!PetscIsInfOrNanReal(th[r]), PETSC_COMM_SELF, PETSC_ERR_FP, "Parameter %" PetscInt_FMT " of a %s device is %g: a netlist needs finite values", r, type, (double)th[r]);
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTTANH2, &m[0]));
  PetscCall(PetscStrcmp(type, KNDEVICETANH3P, &m[1]));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTTANH1, &m[2]));
  PetscCall(PetscStrcmp(type, KNDEVICETANHDIFF, &m[3]));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTRELU1, &m[4]));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTLEAKYRELU1, &m[5]));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTRELU2, &m[6]));
  PetscCall(PetscStrcmp(type, KNDEVICERELU3P, &m[7]));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTLEAKYRELU2, &m[8]));
  PetscCall(PetscStrcmp(type, KNDEVICERELUDIFF, &m[9]));
  PetscCall(PetscStrcmp(type, KNDEVICECONDUCTANCE, &m[10]));
  PetscCall(PetscStrcmp(type, KNDEVICECURRENTSOURCE, &m[11]));
  if (m[0] || m[1]) Act(&s, KN_ACT_TANH, ArgAffine3, th, vs, vd); /* tanh(t0 vs + t1 vd + t2) */
  else if (m[2] || m[3]) Act(&s, KN_ACT_TANH, ArgDiffAffine, th, vs, vd); /* tanh(t1 (vs-vd) + t0) */
  else if (m[4] || m[5]) { /* t1 act(vs - vd - t0) */
    Num(&s, th[1]);
    Cat(&s, "*");
    Act(&s, m[4] ? KN_ACT_RELU : KN_ACT_LEAKY, ArgShifted, th, vs, vd);
  } else if (m[6] || m[7] || m[8]) Act(&s, m[8] ? KN_ACT_LEAKY : KN_ACT_RELU, ArgAffine3, th, vs, vd); /* act(t0 vs + t1 vd + t2) */
  else if (m[9]) Act(&s, KN_ACT_RELU, ArgDiffAffine, th, vs, vd); /* relu(t1 (vs-vd) + t0) */
  else if (m[10]) { /* t0 (vs - vd) */
    Num(&s, th[0]);
    Cat(&s, "*");
    Diff(&s, vs, vd);
  } else if (m[11]) Num(&s, th[0]); /* t0 */
  else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_SUP, "Device law %s has no SPICE expression (only the built-in laws can be exported)", type);
  PetscCheck(s.pos < len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "The SPICE expression of a %s device needs more than %zu characters", type, len);
  PetscFunctionReturn(KN_SUCCESS);
}

/* DIR/layer_NNN.cir of layer i: B-sources, capacitors, .include of the .ic file, .options, .tran, .meas, .control. */
static PetscErrorCode WriteNetlist(FILE *fp, const KNSpiceLayer *L, const KNSpiceSettings *o)
{
  const PetscReal a = o->a, tend = L->T * a, tmax = tend / o->steps;
  char            expr[KN_SPICE_EXPR_LEN];
  PetscInt        skipped = 0;

  PetscFunctionBegin;
  fprintf(fp, "* KirchhoffNet layer %" PetscInt_FMT " of %" PetscInt_FMT " (input sample %" PetscInt_FMT "), written by KNNetExportSpice\n", L->i, o->D, o->sample);
  fprintf(fp, "* device law %s (include/kn/kndevice.h); a positive current flows from s to d (B n+ n-: n+ through the source to n-)\n", L->type);
  fprintf(fp, "* %" PetscInt_FMT " nodes n1..n%" PetscInt_FMT " + ground 0, %" PetscInt_FMT " edges; hardware scale a = %.17g: C*a = %.17g F per node, T*a = %.17g s\n", L->N, L->N, L->E, (double)a, (double)(L->C * a), (double)tend);
  for (PetscInt e = 0; e < L->E; e++) {
    if (L->src[e] == L->dst[e]) { /* a self-loop carries no current */
      skipped++;
      continue;
    }
    PetscCall(KNDeviceGetSpiceExpression(L->device, L->theta + e * L->rows, L->src[e], L->dst[e], expr, sizeof(expr)));
    if (L->src[e]) fprintf(fp, "B%" PetscInt_FMT " n%" PetscInt_FMT, e, L->src[e]);
    else fprintf(fp, "B%" PetscInt_FMT " 0", e);
    if (L->dst[e]) fprintf(fp, " n%" PetscInt_FMT " I = %s\n", L->dst[e], expr);
    else fprintf(fp, " 0 I = %s\n", expr);
  }
  if (skipped) fprintf(fp, "* %" PetscInt_FMT " self-loop edge(s) omitted: they carry no current\n", skipped);
  for (PetscInt j = 1; j <= L->N; j++) fprintf(fp, "C%" PetscInt_FMT " n%" PetscInt_FMT " 0 %.17g\n", j, j, (double)(L->C * a));
  fprintf(fp, ".include layer_%03" PetscInt_FMT ".ic\n", L->i);
  fprintf(fp, ".options reltol=%.6g abstol=%.6g vntol=%.6g chgtol=%.6g\n", (double)o->reltol, (double)o->abstol, (double)o->vntol, (double)(1e-14 * a));
  fprintf(fp, ".tran %.17g %.17g 0 %.17g uic\n", (double)tmax, (double)tend, (double)tmax);
  for (PetscInt j = 1; j <= L->N; j++) fprintf(fp, ".meas tran kn_m%" PetscInt_FMT " FIND V(n%" PetscInt_FMT ") AT=%.17g\n", j, j, (double)tend);
  fprintf(fp, ".control\nset numdgt=17\nrun\nlet kn_last = length(time) - 1\nlet kn_t = time[kn_last]\nprint kn_t\n");
  for (PetscInt j = 1; j <= L->N; j++) fprintf(fp, "let kn_v%" PetscInt_FMT " = v(n%" PetscInt_FMT ")[kn_last]\nprint kn_v%" PetscInt_FMT "\n", j, j, j);
  fprintf(fp, "quit\n.endc\n.end\n");
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: creates dir if needed and writes every file. */
static PetscErrorCode WriteAll(const char dir[], PetscInt D, const KNSpiceLayer L[], const KNSpiceSettings *o, const PetscInt readout[], PetscInt K, const PetscReal v0[])
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(KNSpiceMakeDir_Private(dir));
  for (PetscInt i = 0; i < D; i++) {
    FILE          *fp;
    char           tmp[PETSC_MAX_PATH_LEN + 8];
    PetscErrorCode ierr;

    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layer_%03" PetscInt_FMT ".cir", dir, i));
    PetscCall(KNSpiceOpenFile_Private(path, tmp, sizeof(tmp), &fp));
    ierr = WriteNetlist(fp, &L[i], o);
    PetscCall(KNSpiceCloseFile_Private(fp, tmp, path, 0644, ierr ? PETSC_TRUE : PETSC_FALSE));
    PetscCall(ierr);
    /* layer 0 starts from the input; later layers get their .ic from the previous layer (a zero placeholder here) */
    PetscCall(KNSpiceWriteIC_Private(dir, i, L[i].N, i ? 0 : L[0].N, i ? NULL : v0, i ? "placeholder: run.sh (or knet verify-spice) rewrites it from the previous layer" : "the input sample"));
  }
  PetscCall(KNSpiceWriteDriver_Private(dir, D, L, readout, K));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Graph-order parameters of layer i, gathered on rank 0 (*all has size 0 elsewhere). */
static PetscErrorCode GatherTheta(KNNet net, Vec P, PetscInt i, Vec *all)
{
  KNCircuit  c;
  Vec        t, g;
  VecScatter sc;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(net, i, &c));
  PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
  PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
  PetscCall(KNCircuitParametersToGraphOrder(c, t, g));
  PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
  PetscCall(VecScatterCreateToZero(g, &sc, all));
  PetscCall(VecScatterBegin(sc, g, *all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, g, *all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode DescribeLayer(KNNet net, MPI_Comm comm, PetscInt i, KNSpiceLayer *L)
{
  KNCircuit c;
  KNGraph   g;
  PetscBool per_node;

  PetscFunctionBegin;
  PetscCall(KNNetGetLayer(net, i, &c));
  L->i = i;
  PetscCall(KNCircuitGetSizes(c, &L->N, &L->E, &L->rows));
  PetscCall(KNCircuitGetDuration(c, &L->T));
  PetscCall(KNCircuitGetCapacitance(c, &L->C, &per_node));
  PetscCheck(!per_node, comm, PETSC_ERR_SUP, "Layer %" PetscInt_FMT " has per-node capacitances, which the SPICE export does not support", i);
  PetscCall(KNCircuitGetGraph(c, &g));
  PetscCall(KNGraphGetEdges(g, &L->src, &L->dst)); /* the netlist names every edge: an O(E) gather, released in KNNetExportSpice() */
  PetscCall(KNCircuitGetDevice(c, &L->device));
  PetscCall(KNDeviceGetType(L->device, &L->type));
  L->theta = NULL;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode GetSettings(MPI_Comm comm, PetscReal a, PetscInt D, PetscInt sample, KNSpiceSettings *o)
{
  PetscFunctionBegin;
  o->a = a, o->D = D, o->sample = sample;
  o->reltol = KN_SPICE_RELTOL_DEFAULT, o->abstol = KN_SPICE_ABSTOL_DEFAULT, o->vntol = KN_SPICE_VNTOL_DEFAULT, o->steps = KN_SPICE_STEPS_DEFAULT;
  PetscOptionsBegin(comm, NULL, "SPICE export options", "KNNetExportSpice");
  PetscCall(PetscOptionsReal("-kn_spice_reltol", "ngspice .options reltol", "KNNetExportSpice", o->reltol, &o->reltol, NULL));
  PetscCall(PetscOptionsReal("-kn_spice_abstol", "ngspice .options abstol (A; device currents are in units of amperes)", "KNNetExportSpice", o->abstol, &o->abstol, NULL));
  PetscCall(PetscOptionsReal("-kn_spice_vntol", "ngspice .options vntol (V)", "KNNetExportSpice", o->vntol, &o->vntol, NULL));
  PetscCall(PetscOptionsInt("-kn_spice_steps", "Maximum time step of each layer's .tran: T*a/steps", "KNNetExportSpice", o->steps, &o->steps, NULL));
  PetscOptionsEnd();
  PetscCheck(o->reltol > 0 && o->abstol > 0 && o->vntol > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_spice_reltol, -kn_spice_abstol and -kn_spice_vntol must be positive");
  PetscCheck(o->steps >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_spice_steps must be at least 1, got %" PetscInt_FMT, o->steps);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetExportSpice - writes the net as ngspice netlists, one per layer, and a driver script that chains them

  Collective

  Input Parameters:
+ net - a set-up net with its parameters
. sample - the index of the input sample (written into the netlists' titles only)
. v0 - the initial voltages of the first layer's N_0 nodes (the input sample; nodes beyond the input at 0 V), the same on every rank
. a - the hardware scale of paper Eq. (9): capacitances C*a and durations T*a (1: software units)
- dir - the output directory (created if missing, one level)

  Options Database Keys:
+ -kn_spice_reltol <1e-7> - ngspice reltol
. -kn_spice_abstol <1e-12> - ngspice abstol
. -kn_spice_vntol <1e-10> - ngspice vntol
- -kn_spice_steps <5000> - the maximum time step of each layer is T*a/steps

  Notes:
  Writes dir/layer_NNN.cir, dir/layer_NNN.ic and dir/run.sh (see include/kn/knspice.h). chgtol is 1e-14*a, so
  ngspice's charge-based step control scales with the capacitors. Rank 0 writes. Per-node capacitances and laws
  registered by users are not supported. The layers are exported in forward order (no reversed flows).

  Level: intermediate

.seealso: KNNetRunSpice(), KNDeviceGetSpiceExpression(), KNNetGetLayerVoltages()
@*/
PetscErrorCode KNNetExportSpice(KNNet net, PetscInt sample, const PetscReal v0[], PetscReal a, const char dir[])
{
  MPI_Comm        comm;
  PetscMPIInt     rank;
  PetscInt        D, K;
  const PetscInt *readout;
  KNSpiceLayer   *L;
  KNSpiceSettings o;
  Vec             P, *all;
  PetscErrorCode  ierr = 0;

  PetscFunctionBegin;
  KNAssertPointer(dir, 5);
  PetscCall(KNNetGetComm(net, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(a > 0 && !PetscIsInfOrNanReal(a), comm, PETSC_ERR_ARG_OUTOFRANGE, "Hardware scale a must be positive and finite, got %g", (double)a);
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(GetSettings(comm, a, D, sample, &o));
  PetscCall(KNNetGetReadout(net, &K, &readout));
  PetscCall(KNNetCreateParameterVec(net, &P)); /* errors unless set up */
  {
    KNCircuit c0;
    PetscInt  N0;
    PetscCall(KNNetGetLayer(net, 0, &c0));
    PetscCall(KNCircuitGetSizes(c0, &N0, NULL, NULL));
    PetscCall(KNCheckFiniteArray(comm, N0, v0, "Initial voltages of the SPICE export"));
  }
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(PetscCalloc2(D, &L, D, &all));
  for (PetscInt i = 0; i < D; i++) {
    PetscCall(DescribeLayer(net, comm, i, &L[i]));
    PetscCall(GatherTheta(net, P, i, &all[i]));
    if (rank == 0) PetscCall(VecGetArrayRead(all[i], &L[i].theta));
  }
  if (rank == 0) ierr = WriteAll(dir, D, L, &o, readout, K, v0);
  PetscCallMPI(MPI_Bcast(&ierr, 1, MPI_INT, 0, comm));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    KNGraph   g;
    if (rank == 0) PetscCall(VecRestoreArrayRead(all[i], &L[i].theta));
    PetscCall(VecDestroy(&all[i]));
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNGraphRestoreEdges(g, &L[i].src, &L[i].dst));
  }
  PetscCall(PetscFree2(L, all));
  PetscCall(VecDestroy(&P));
  PetscFunctionReturn(ierr); /* rank 0 reported the cause */
}
