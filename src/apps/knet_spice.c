/* knet export-spice | verify-spice: the net as ngspice netlists and a circuit-level check; the hardware report of knet info. */
#define _POSIX_C_SOURCE 200809L
#include "knet.h"
#include <stdlib.h>
#include <unistd.h>

/* %g as C prints it (PetscPrintf() writes 1 as "1."). */
typedef struct {
  char s[32];
} KNetNum;

static KNetNum Fmt(PetscReal x)
{
  KNetNum n;
  snprintf(n.s, sizeof(n.s), "%g", (double)x);
  return n;
}

typedef struct {
  char      input[PETSC_MAX_PATH_LEN], dataset[256], dir[PETSC_MAX_PATH_LEN], ngspice[PETSC_MAX_PATH_LEN];
  PetscInt  sample;
  PetscReal a, tol;
  PetscBool has_dir, has_tol;
} SpiceOptions;

/* The netlist options KNNetExportSpice() reads, read here too: listed by -help without a model, and known to the
   up-front option check (KNetCheckOptions()) before the export reads them. */
static PetscErrorCode ExportOptions(MPI_Comm comm)
{
  PetscReal r = KN_SPICE_RELTOL_DEFAULT, at = KN_SPICE_ABSTOL_DEFAULT, vn = KN_SPICE_VNTOL_DEFAULT;
  PetscInt  st = KN_SPICE_STEPS_DEFAULT;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "SPICE export options (read by KNNetExportSpice())", "KNNetExportSpice");
  PetscCall(PetscOptionsReal("-kn_spice_reltol", "ngspice .options reltol", "KNNetExportSpice", r, &r, NULL));
  PetscCall(PetscOptionsReal("-kn_spice_abstol", "ngspice .options abstol (A; device currents are in units of amperes)", "KNNetExportSpice", at, &at, NULL));
  PetscCall(PetscOptionsReal("-kn_spice_vntol", "ngspice .options vntol (V)", "KNNetExportSpice", vn, &vn, NULL));
  PetscCall(PetscOptionsInt("-kn_spice_steps", "Maximum time step of each layer's .tran: T*a/steps", "KNNetExportSpice", st, &st, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode ProcessOptions(MPI_Comm comm, PetscBool verify, SpiceOptions *o)
{
  PetscBool set, help;

  PetscFunctionBegin;
  o->input[0] = o->dir[0] = 0, o->sample = 0, o->a = 1.0, o->tol = 0;
  PetscCall(PetscStrncpy(o->dataset, "x", sizeof(o->dataset)));
  PetscCall(PetscStrncpy(o->ngspice, "ngspice", sizeof(o->ngspice)));
  PetscOptionsBegin(comm, NULL, verify ? "knet verify-spice options" : "knet export-spice options", "knet");
  PetscCall(PetscOptionsString("-kn_input", "Inputs: CSV/text (one sample per row, optional header) or HDF5 (.h5)", "knet", o->input, o->input, sizeof(o->input), &set));
  PetscCall(PetscOptionsString("-kn_input_dataset", "Dataset name inside an HDF5 input (samples x features)", "knet", o->dataset, o->dataset, sizeof(o->dataset), NULL));
  PetscCall(PetscOptionsInt("-kn_sample", "The input sample (row, from 0) that sets the first layer's initial voltages", "KNNetExportSpice", o->sample, &o->sample, NULL));
  PetscCall(PetscOptionsString("-kn_spice_dir", verify ? "Keep the netlists and logs in this directory (default: a temporary one, removed on success)" : "Directory for the netlists", "KNNetExportSpice", o->dir, o->dir, sizeof(o->dir), &o->has_dir));
  PetscCall(PetscOptionsReal("-kn_hw_scale", "Hardware scale a of paper Eq. (9): capacitances and durations times a", "KNNetExportSpice", o->a, &o->a, NULL));
  if (verify) {
    PetscCall(PetscOptionsString("-kn_spice_ngspice", "The ngspice program (looked up in PATH)", "KNNetRunSpice", o->ngspice, o->ngspice, sizeof(o->ngspice), NULL));
    PetscCall(PetscOptionsReal("-kn_spice_tol", "Fail (exit 1) if the largest |v_ngspice - v_knet| exceeds this", "knet verify-spice", o->tol, &o->tol, &o->has_tol));
  }
  PetscOptionsEnd();
  PetscCall(ExportOptions(comm));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  PetscCheck(set || help, comm, PETSC_ERR_ARG_WRONG, "knet %s needs -kn_input FILE (CSV or HDF5) and -kn_sample k (default 0)", verify ? "verify-spice" : "export-spice");
  PetscCheck(verify || o->has_dir || help, comm, PETSC_ERR_ARG_WRONG, "knet export-spice needs -kn_spice_dir DIR");
  PetscCheck(o->a > 0 && !PetscIsInfOrNanReal(o->a), comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_hw_scale must be positive, got %g", (double)o->a);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Loads the model (batch 1) and the chosen sample; v0 = the first layer's N_0 initial voltages (zero beyond the input). */
static PetscErrorCode LoadNetAndSample(MPI_Comm comm, const char model[], const SpiceOptions *o, KNNet *net, PetscInt *nin, PetscReal **x, PetscReal **v0)
{
  PetscInt  n, N0;
  KNCircuit c0;
  PetscReal *all;

  PetscFunctionBegin;
  PetscCall(KNetReadMatrix(comm, o->input, o->dataset, &n, nin, &all));
  PetscCheck(o->sample >= 0 && o->sample < n, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_sample %" PetscInt_FMT " is outside the %" PetscInt_FMT " samples of %s", o->sample, n, o->input);
  PetscCall(KNNetLoad(comm, model, 1, PETSC_FALSE, net));
  PetscCall(KNNetGetLayer(*net, 0, &c0));
  PetscCall(KNCircuitGetSizes(c0, &N0, NULL, NULL));
  PetscCheck(*nin <= N0, comm, PETSC_ERR_ARG_SIZ, "The input has %" PetscInt_FMT " features but the first layer has only %" PetscInt_FMT " nodes", *nin, N0);
  PetscCall(PetscMalloc1(*nin, x));
  PetscCall(PetscCalloc1(N0, v0));
  PetscCall(PetscArraycpy(*x, all + o->sample * *nin, *nin));
  PetscCall(PetscArraycpy(*v0, *x, *nin));
  PetscCall(PetscFree(all));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckUsage(MPI_Comm comm, int argc, char **argv, const char usage[], PetscBool verify, PetscBool *done)
{
  PetscBool help;

  PetscFunctionBegin;
  *done = PETSC_FALSE;
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help && (argc < 1 || argv[0][0] == '-')) {
    SpiceOptions o;
    PetscCall(ProcessOptions(comm, verify, &o));
    PetscCall(KNetHelpNet(comm));
    *done = PETSC_TRUE;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_ARG_WRONG, "usage: %s", usage);
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetExportSpice(int argc, char **argv)
{
  MPI_Comm     comm = PETSC_COMM_WORLD;
  SpiceOptions o;
  KNNet        net;
  PetscInt     nin, D;
  PetscReal   *x, *v0;
  PetscBool    done;

  PetscFunctionBegin;
  PetscCall(CheckUsage(comm, argc, argv, "knet export-spice MODEL.h5 -kn_input FILE -kn_sample k -kn_spice_dir DIR [-kn_hw_scale a]", PETSC_FALSE, &done));
  if (done) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(ProcessOptions(comm, PETSC_FALSE, &o));
  PetscCall(LoadNetAndSample(comm, argv[0], &o, &net, &nin, &x, &v0));
  PetscCall(KNetCheckOptions(comm)); /* a misspelled option stops here, before any netlist is written */
  PetscCall(KNNetExportSpice(net, o.sample, v0, o.a, o.dir));
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(PetscPrintf(comm, "knet export-spice: %" PetscInt_FMT " layer netlist(s) %s/layer_000.cir%s, hardware scale a = %s, input sample %" PetscInt_FMT "; run them with %s/run.sh\n", D, o.dir, D > 1 ? " ..." : "", Fmt(o.a).s, o.sample, o.dir));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(v0));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: the temporary directory (mkdtemp) for verify-spice, its name broadcast. */
static PetscErrorCode MakeTempDir(MPI_Comm comm, char dir[], size_t len)
{
  PetscMPIInt rank;
  int         ok = 1;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    const char *tmp = getenv("TMPDIR");
    PetscCall(PetscSNPrintf(dir, len, "%s/knet-spice-XXXXXX", tmp && tmp[0] ? tmp : "/tmp"));
    ok = mkdtemp(dir) != NULL;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  PetscCheck(ok, comm, PETSC_ERR_FILE_OPEN, "Cannot create a temporary directory (set TMPDIR or give -kn_spice_dir DIR)");
  PetscCallMPI(MPI_Bcast(dir, (PetscMPIInt)len, MPI_CHAR, 0, comm));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: removes the files verify-spice wrote and the directory. */
static PetscErrorCode RemoveTempDir(MPI_Comm comm, const char dir[], PetscInt D)
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank) PetscFunctionReturn(KN_SUCCESS);
  for (PetscInt i = 0; i < D; i++) {
    const char *ext[] = {"cir", "ic", "log", "out"};
    for (int k = 0; k < 4; k++) {
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layer_%03" PetscInt_FMT ".%s", dir, i, ext[k]));
      (void)unlink(path);
    }
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/run.sh", dir));
  (void)unlink(path);
  (void)rmdir(dir);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Per layer the largest |dv| (and where), the overall maximum; the readout side by side. */
static PetscErrorCode Report(MPI_Comm comm, KNNet net, const PetscReal vs[], const PetscReal vk[], PetscReal *worst)
{
  PetscInt        D, off = 0, K;
  const PetscInt *readout;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  *worst = 0;
  PetscCall(PetscPrintf(comm, "%-5s %8s %14s %6s %14s\n", "layer", "nodes", "max|dv| (V)", "node", "max|v| (V)"));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscInt  N, at = 1;
    PetscReal m = 0, vmax = 0;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
    for (PetscInt j = 0; j < N; j++) {
      PetscReal d = PetscAbsReal(vs[off + j] - vk[off + j]);
      if (d > m || PetscIsNanReal(d)) m = d, at = j + 1;
      vmax = PetscMax(vmax, PetscAbsReal(vk[off + j]));
    }
    PetscCall(PetscPrintf(comm, "%-5" PetscInt_FMT " %8" PetscInt_FMT " %14.3e %6" PetscInt_FMT " %14.6g\n", i, N, (double)m, at, (double)vmax));
    if (m > *worst || PetscIsNanReal(m)) *worst = m;
    off += N;
  }
  PetscCall(KNNetGetReadout(net, &K, &readout));
  {
    KNCircuit c;
    PetscInt  N;
    PetscCall(KNNetGetLayer(net, D - 1, &c));
    PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
    off -= N; /* the last layer */
  }
  for (PetscInt k = 0; k < K; k++) PetscCall(PetscPrintf(comm, "readout v%" PetscInt_FMT ": ngspice %.12g  knet %.12g\n", readout[k], (double)vs[off + readout[k] - 1], (double)vk[off + readout[k] - 1]));
  PetscCall(PetscPrintf(comm, "overall max|dv| = %.3e V over all layers and nodes\n", (double)*worst));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Our solver at tight tolerances unless the user chose them. */
static PetscErrorCode TightSolverDefaults(void)
{
  const char *keys[] = {"-ts_rtol", "-ts_atol"};
  PetscBool   set;

  PetscFunctionBegin;
  for (int k = 0; k < 2; k++) {
    PetscCall(PetscOptionsHasName(NULL, NULL, keys[k], &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, keys[k], "1e-10"));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetVerifySpice(int argc, char **argv)
{
  MPI_Comm     comm = PETSC_COMM_WORLD;
  SpiceOptions o;
  KNNet        net;
  PetscInt     nin, D, total;
  PetscReal   *x, *v0, *vs, *vk, worst = 0;
  PetscBool    done, found = PETSC_FALSE;
  char         prog[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(CheckUsage(comm, argc, argv, "knet verify-spice MODEL.h5 -kn_input FILE -kn_sample k [-kn_hw_scale a] [-kn_spice_tol t]", PETSC_TRUE, &done));
  if (done) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(ProcessOptions(comm, PETSC_TRUE, &o));
  PetscCall(TightSolverDefaults());
  PetscCall(LoadNetAndSample(comm, argv[0], &o, &net, &nin, &x, &v0));
  PetscCall(KNetCheckOptions(comm)); /* a misspelled option stops here, before ngspice runs */
  PetscCall(KNSpiceFindProgram(o.ngspice, prog, sizeof(prog), &found));
  PetscCallMPI(MPI_Bcast(&found, 1, MPIU_BOOL, 0, comm));
  if (!found) PetscCall(KNNetDestroy(&net));
  PetscCheck(found, comm, PETSC_ERR_FILE_OPEN, "%s not found: install the ngspice package (Debian: apt-get install ngspice), or name the program with -kn_spice_ngspice PATH", o.ngspice);
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetNumLayerVoltages(net, &total));
  PetscCall(PetscMalloc2(total, &vs, total, &vk));
  if (!o.has_dir) PetscCall(MakeTempDir(comm, o.dir, sizeof(o.dir)));
  PetscCall(KNNetExportSpice(net, o.sample, v0, o.a, o.dir));
  PetscCall(KNNetRunSpice(net, o.dir, o.ngspice, vs)); /* on failure the directory stays, for its logs */
  PetscCall(KNNetGetLayerVoltages(net, nin, x, vk));
  PetscCall(PetscPrintf(comm, "knet verify-spice: %s, input sample %" PetscInt_FMT " of %s, hardware scale a = %s, %" PetscInt_FMT " layer(s)\n", argv[0], o.sample, o.input, Fmt(o.a).s, D));
  PetscCall(PetscPrintf(comm, "final voltages of every layer, ngspice (%s) vs knet (KNCircuitSolve, as KNNetForward)\n", o.has_dir ? o.dir : "temporary netlists"));
  PetscCall(Report(comm, net, vs, vk, &worst));
  if (!o.has_dir) PetscCall(RemoveTempDir(comm, o.dir, D));
  PetscCall(PetscFree2(vs, vk));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(v0));
  PetscCall(KNNetDestroy(&net));
  PetscCheck(!o.has_tol || worst <= o.tol, comm, PETSC_ERR_NOT_CONVERGED, "ngspice and knet differ by %.3e V, more than -kn_spice_tol %g", (double)worst, (double)o.tol);
  PetscFunctionReturn(KN_SUCCESS);
}

/* Edges per device law over all layers, printed as "law: count, ...". */
static PetscErrorCode PrintDevicesByLaw(MPI_Comm comm, KNNet net, PetscInt D)
{
  const char **names;
  PetscInt    *count;

  PetscFunctionBegin;
  PetscCall(PetscCalloc2(D, &names, D, &count));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit    c;
    KNDevice     d;
    KNDeviceType type;
    PetscInt     E, k = 0;
    PetscBool    same = PETSC_FALSE;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, NULL, &E, NULL));
    PetscCall(KNCircuitGetDevice(c, &d));
    PetscCall(KNDeviceGetType(d, &type));
    for (; k < D && names[k]; k++) {
      PetscCall(PetscStrcmp(names[k], type, &same));
      if (same) break;
    }
    names[k] = type, count[k] += E;
  }
  PetscCall(PetscPrintf(comm, "  devices by law:"));
  for (PetscInt k = 0; k < D && names[k]; k++) PetscCall(PetscPrintf(comm, "%s %s: %" PetscInt_FMT, k ? "," : "", names[k], count[k]));
  PetscCall(PetscPrintf(comm, " (one device per learnable edge, parallel edges counted separately)\n"));
  PetscCall(PetscFree2(names, count));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The input sample of the charge estimate: -kn_input FILE -kn_sample k, or the all-zero input. */
static PetscErrorCode HardwareSample(MPI_Comm comm, const KNetHardwareOptions *h, PetscInt *nin, PetscReal **x, char what[], size_t len)
{
  PetscInt   n;
  PetscReal *all;

  PetscFunctionBegin;
  if (!h->input[0]) {
    *nin = 0;
    PetscCall(PetscMalloc1(1, x));
    PetscCall(PetscStrncpy(what, "the all-zero input (choose one with -kn_input FILE -kn_sample k)", len));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNetReadMatrix(comm, h->input, h->dataset, &n, nin, &all));
  PetscCheck(h->sample >= 0 && h->sample < n, comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_sample %" PetscInt_FMT " is outside the %" PetscInt_FMT " samples of %s", h->sample, n, h->input);
  PetscCall(PetscMalloc1(*nin + 1, x));
  PetscCall(PetscArraycpy(*x, all + h->sample * *nin, *nin));
  PetscCall(PetscFree(all));
  PetscCall(PetscSNPrintf(what, len, "input sample %" PetscInt_FMT " of %s", h->sample, h->input));
  PetscFunctionReturn(KN_SUCCESS);
}

/* knet info's hardware options, read before anything is printed (so that the option check comes first). */
PetscErrorCode KNetReadHardwareOptions(MPI_Comm comm, KNetHardwareOptions *h)
{
  PetscFunctionBegin;
  h->a = 1.0, h->I0 = 1.0, h->points = 200, h->sample = 0, h->input[0] = 0;
  PetscCall(PetscStrncpy(h->dataset, "x", sizeof(h->dataset)));
  PetscOptionsBegin(comm, NULL, "knet info hardware report", "knet");
  PetscCall(PetscOptionsReal("-kn_hw_scale", "Hardware scale a of paper Eq. (9)", "KNCircuitSetHardwareScale", h->a, &h->a, &h->aset));
  PetscCall(PetscOptionsReal("-kn_hw_current", "Current scale I0: amperes per unit device current", "knet info", h->I0, &h->I0, &h->iset));
  PetscCall(PetscOptionsInt("-kn_hw_points", "At least this many trapezoid intervals per layer for the charge estimate", "KNNetComputeDeviceCharge", h->points, &h->points, NULL));
  PetscOptionsEnd();
  PetscOptionsBegin(comm, NULL, "knet info hardware options", "knet");
  PetscCall(PetscOptionsString("-kn_input", "Input sample of the charge estimate (CSV or HDF5; default: all-zero input)", "KNNetComputeDeviceCharge", h->input, h->input, sizeof(h->input), NULL));
  PetscCall(PetscOptionsString("-kn_input_dataset", "Dataset name inside an HDF5 input", "knet", h->dataset, h->dataset, sizeof(h->dataset), NULL));
  PetscCall(PetscOptionsInt("-kn_sample", "The input sample (row, from 0)", "KNNetComputeDeviceCharge", h->sample, &h->sample, NULL));
  PetscOptionsEnd();
  PetscCheck(!h->iset || (h->I0 > 0 && !PetscIsInfOrNanReal(h->I0)), comm, PETSC_ERR_ARG_OUTOFRANGE, "-kn_hw_current must be positive, got %g", (double)h->I0);
  PetscFunctionReturn(KN_SUCCESS);
}

/* knet info -kn_hw_scale a [-kn_hw_current I0]: capacitances, time, devices by law, charge per inference. */
PetscErrorCode KNetHardwareReport(KNNet net, const KNetHardwareOptions *h)
{
  MPI_Comm  comm = PETSC_COMM_WORLD;
  PetscReal a = h->a, I0 = h->I0, Tsum = 0, S, *x;
  PetscInt  D, points = h->points, used, nin;
  char      what[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBegin;
  if (!h->aset && !h->iset) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(PetscPrintf(comm, "hardware view (paper Eq. 9: capacitances and time times a = %s; device current unit I0 = %s A)\n", Fmt(a).s, Fmt(I0).s));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscReal T, C;
    PetscBool per_node;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetDuration(c, &T));
    PetscCall(KNCircuitGetCapacitance(c, &C, &per_node));
    PetscCall(PetscPrintf(comm, "  layer %" PetscInt_FMT ": capacitance per node C*a = %s F%s, duration T*a = %s s\n", i, Fmt(C * a).s, per_node ? " (default; per-node values set)" : "", Fmt(T * a).s));
    Tsum += T;
  }
  PetscCall(PetscPrintf(comm, "  forward time (sum of T_i)*a = %s s\n", Fmt(Tsum * a).s));
  PetscCall(PrintDevicesByLaw(comm, net, D));
  PetscCall(HardwareSample(comm, h, &nin, &x, what, sizeof(what)));
  PetscCall(KNNetComputeDeviceCharge(net, nin, x, points, &S, &used));
  PetscCall(PetscFree(x));
  PetscCall(PetscPrintf(comm, "  charge per inference Q = I0*a*S = %s C, average current Q/((sum T_i)*a) = %s A\n", Fmt(I0 * a * S).s, Fmt(I0 * S / Tsum).s));
  PetscCall(PetscPrintf(comm, "    S = sum over layers and devices of int |i_e| dt = %s (unit current x unit time), for %s;\n", Fmt(S).s, what));
  PetscCall(PetscPrintf(comm, "    an estimate: trapezoid rule over %" PetscInt_FMT " accepted solver steps (at most T/%" PetscInt_FMT " apart) of one solve, ideal devices\n", used, points));
  PetscFunctionReturn(KN_SUCCESS);
}
