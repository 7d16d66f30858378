/* A KNNet from the options database: layers and durations, per-layer topology and device, initial parameters. */
#include "taskimpl.h"
#include "sys/knoptions.h"

/* Layer durations from -kn_layers D, -kn_layer_T T or -kn_t_end a0,...,aD (reference simulation.t_end). */
static PetscErrorCode LayerTimes(MPI_Comm comm, const char prefix[], PetscInt *D, PetscReal **T)
{
  PetscReal tend[256] = {0}, Tl = 0.5; /* -help prints tend[0] */
  PetscInt  nt = 256;
  PetscBool dset, tset, eset;

  PetscFunctionBegin;
  *D = 2;
  PetscOptionsBegin(comm, prefix, "KirchhoffNet layers (knet train)", "KNNet");
  PetscCall(PetscOptionsBoundedInt("-kn_layers", "Number of layers D", "KNNetCreateFromOptions", *D, D, &dset, 1));
  PetscCall(PetscOptionsReal("-kn_layer_T", "Duration T of every layer (total time D*T)", "KNNetCreateFromOptions", Tl, &Tl, &tset));
  PetscCall(PetscOptionsRealArray("-kn_t_end", "Layer anchors a0,a1,...,aD: layer i runs for a[i+1] - a[i] (reference t_end)", "KNNetCreateFromOptions", tend, &nt, &eset));
  PetscOptionsEnd();
  PetscCheck(!(tset && eset), comm, PETSC_ERR_ARG_INCOMP, "Give either -%skn_layer_T or -%skn_t_end, not both", prefix ? prefix : "", prefix ? prefix : "");
  if (eset) {
    PetscCheck(nt >= 2, comm, PETSC_ERR_ARG_WRONG, "-%skn_t_end needs at least two anchors (e.g. 0,0.5,1.0 for two layers of T = 0.5)", prefix ? prefix : "");
    if (!dset) *D = nt - 1;
    PetscCheck(nt >= *D + 1, comm, PETSC_ERR_ARG_SIZ, "-%skn_layers %" PetscInt_FMT " needs %" PetscInt_FMT " anchors in -kn_t_end, %" PetscInt_FMT " given", prefix ? prefix : "", *D, *D + 1, nt);
  }
  PetscCall(PetscMalloc1(*D, T));
  for (PetscInt i = 0; i < *D; i++) {
    (*T)[i] = eset ? tend[i + 1] - tend[i] : Tl;
    PetscCheck((*T)[i] > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "Layer %" PetscInt_FMT " has duration %g; durations must be positive (-kn_layer_T, or increasing -kn_t_end anchors)", i, (double)(*T)[i]);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* "<prefix>layer_<i>_" if the user gave -<prefix>layer_<i>_<name>, else prefix. */
static PetscErrorCode LayerPrefix(const char prefix[], PetscInt i, const char name[], char out[], size_t len, const char **use)
{
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(out, len, "%slayer_%" PetscInt_FMT "_", prefix ? prefix : "", i));
  PetscCall(PetscOptionsHasName(NULL, out, name, &set));
  *use = set ? out : prefix;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetCreateFromOptions - creates a net (not set up) whose layers, durations, topologies and device laws come from
  the options database

  Collective

  Input Parameters:
+ comm - the communicator
- prefix - options prefix (or NULL)

  Output Parameter:
. net - the net with its layers added; set the batch size, flow mode and readout, then KNNetSetFromOptions() and
        KNNetSetUp()

  Options Database Keys:
+ -kn_layers <2> - number of layers D
. -kn_layer_T <0.5> - duration of every layer
. -kn_t_end <a0,...,aD> - or layer anchors as in the reference configs: T_i = a[i+1] - a[i] (sets D if -kn_layers is not given)
. -kn_topology_type ... - the topology of every layer (KNGraphCreateFromOptions())
. -kn_device_type <shift_tanh2> - the device law of every layer (KNDeviceSetFromOptions())
- -layer_<i>_kn_topology_type, -layer_<i>_kn_device_type - layer i reads its topology (or device) options with the prefix layer_<i>_ instead

  Level: beginner

.seealso: KNNetInitializeFromOptions(), KNGraphCreateFromOptions(), KNTrainerSetUp()
@*/
PetscErrorCode KNNetCreateFromOptions(MPI_Comm comm, const char prefix[], KNNet *net)
{
  PetscInt   D;
  PetscReal *T;
  char       lp[256];

  PetscFunctionBegin;
  KNAssertPointer(net, 3);
  PetscCall(LayerTimes(comm, prefix, &D, &T));
  PetscCall(KNNetCreate(comm, net));
  if (prefix) PetscCall(KNNetSetOptionsPrefix(*net, prefix));
  for (PetscInt i = 0; i < D; i++) {
    KNGraph     g;
    KNDevice    d;
    const char *use;

    PetscCall(LayerPrefix(prefix, i, "-kn_topology_type", lp, sizeof(lp), &use));
    PetscCall(KNGraphCreateFromOptions(comm, use, &g));
    PetscCall(KNDeviceCreate(comm, &d));
    PetscCall(LayerPrefix(prefix, i, "-kn_device_type", lp, sizeof(lp), &use));
    if (use) PetscCall(KNDeviceSetOptionsPrefix(d, use));
    PetscCall(KNDeviceSetFromOptions(d));
    PetscCall(KNNetAddLayer(*net, g, d, T[i]));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNDeviceDestroy(&d));
  }
  PetscCall(PetscFree(T));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetInitializeFromOptions - draws every layer's initial parameters (KNInitParameters(), graph order, seed + layer)

  Collective

  Input Parameters:
+ net - a set-up net
- prefix - options prefix (or NULL)

  Options Database Keys:
+ -kn_init <kaiming> - kaiming (N(0, 2/E), the reference's choice), gauss, uniform, xavier, zeros, ones
- -kn_seed <42> - the seed; layer i uses seed + i

  Level: beginner

.seealso: KNInitParameters(), KNNetCreateFromOptions()
@*/
PetscErrorCode KNNetInitializeFromOptions(KNNet net, const char prefix[])
{
  MPI_Comm comm;
  char     kind[32] = "kaiming";
  PetscInt seed = 42, D;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(net, &comm));
  PetscOptionsBegin(comm, prefix, "KirchhoffNet parameter initialisation", "KNNet");
  PetscCall(PetscOptionsString("-kn_init", "Initial parameters: kaiming, gauss, uniform, xavier, zeros, ones", "KNInitParameters", kind, kind, sizeof(kind), NULL));
  PetscCall(PetscOptionsInt("-kn_seed", "Seed of the run (initialisation, data, shuffles, base draws)", "KNInitParameters", seed, &seed, NULL));
  PetscOptionsEnd();
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    Vec       go, th;
    PetscInt  E, rows;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, NULL, &E, &rows));
    PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &go));
    PetscCall(KNCircuitCreateParameterVec(c, &th));
    PetscCall(KNInitParameters(go, E, rows, kind, (PetscInt64)seed + i));
    PetscCall(KNCircuitParametersFromGraphOrder(c, go, th));
    PetscCall(KNCircuitSetParameters(c, th));
    PetscCall(VecDestroy(&go));
    PetscCall(VecDestroy(&th));
  }
  PetscFunctionReturn(KN_SUCCESS);
}
