/* KNRobustness: the description of non-ideal hardware, its options, and hardware draws on a net. */
#include <petscviewer.h>
#include "robustimpl.h"
#include "sys/knoptions.h"

/* Global RNG index of mismatch entry i (edge or node) of a layer: kind 0 = device gain, 1 = capacitor. */
static inline PetscInt64 MismatchIndex(PetscInt layer, PetscInt kind, PetscInt i)
{
  return ((PetscInt64)layer << 40) | ((PetscInt64)kind << 39) | (PetscInt64)i;
}

/* Seed of the boundary noise of draw k (KNNetSetBoundaryNoise() then draws fresh noise per forward sweep). */
static inline PetscInt64 NoiseSeed(PetscInt64 seed, PetscInt64 draw)
{
  return (PetscInt64)(KNRandomBits(seed, KN_STREAM_NOISE, draw) >> 1);
}

/*@C
  KNRobustnessCreate - creates an ideal hardware description (every non-ideality off, DAC range [0, 1], seed 42)

  Collective

  Level: beginner

.seealso: KNRobustnessSetFromOptions(), KNRobustnessApply(), KNRobustnessEvaluate()
@*/
PetscErrorCode KNRobustnessCreate(MPI_Comm comm, KNRobustness *rob)
{
  KNRobustness r;

  PetscFunctionBegin;
  KNAssertPointer(rob, 2);
  PetscCall(KNInitializePackage());
  PetscCall(PetscNew(&r));
  r->comm  = comm;
  r->in_hi = 1.0;
  r->seed  = 42;
  r->ideal = (PetscReal)NAN;
  *rob     = r;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNRobustnessDestroy(KNRobustness *rob)
{
  PetscFunctionBegin;
  if (!rob || !*rob) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscFree((*rob)->prefix));
  PetscCall(PetscFree((*rob)->work));
  PetscCall(PetscFree((*rob)->metric));
  PetscCall(PetscFree(*rob));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckSigma(KNRobustness r, PetscReal s, const char what[])
{
  PetscFunctionBegin;
  PetscCheck(s >= 0 && !PetscIsInfOrNanReal(s), r->comm, PETSC_ERR_ARG_OUTOFRANGE, "The %s sigma must be >= 0 and finite, got %g", what, (double)s);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetDeviceMismatch - log-normal per-device gain exp(sigma z), z ~ N(0, 1) (0: ideal devices)

  Logically Collective

  Notes:
  The gain multiplies the whole current law of an edge (KNCircuitSetEdgeGains()); for small sigma the relative
  spread of the currents is about sigma (median gain 1, mean exp(sigma^2/2)).

  Level: beginner
@*/
PetscErrorCode KNRobustnessSetDeviceMismatch(KNRobustness r, PetscReal sigma)
{
  PetscFunctionBegin;
  PetscCall(CheckSigma(r, sigma, "device mismatch"));
  r->sdev = sigma;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetCapacitorMismatch - log-normal per-node capacitance C exp(sigma z) around the layer's uniform
  capacitance C (0: ideal capacitors)

  Logically Collective

  Notes:
  Per-node capacitances set on the net before are not kept: KNRobustnessRestore() sets every node back to C.

  Level: beginner
@*/
PetscErrorCode KNRobustnessSetCapacitorMismatch(KNRobustness r, PetscReal sigma)
{
  PetscFunctionBegin;
  PetscCall(CheckSigma(r, sigma, "capacitor mismatch"));
  r->scap = sigma;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetBoundaryNoise - standard deviation (volts) of the Gaussian noise on the voltages entering every
  layer after the first (KNNetSetBoundaryNoise(); 0: none)

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNRobustnessSetBoundaryNoise(KNRobustness r, PetscReal sigma)
{
  PetscFunctionBegin;
  PetscCall(CheckSigma(r, sigma, "boundary noise"));
  r->snoise = sigma;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetInputQuantization - DAC of the inputs: 2^bits levels spanning [lo, hi] (bits = 0: ideal)

  Logically Collective

  Level: beginner

.seealso: KNQuantize()
@*/
PetscErrorCode KNRobustnessSetInputQuantization(KNRobustness r, PetscInt bits, PetscReal lo, PetscReal hi)
{
  PetscFunctionBegin;
  PetscCheck(bits >= 0 && bits <= 52, r->comm, PETSC_ERR_ARG_OUTOFRANGE, "Input quantisation needs 0 (off) to 52 bits, got %" PetscInt_FMT, bits);
  PetscCheck(hi > lo, r->comm, PETSC_ERR_ARG_OUTOFRANGE, "The input range [%g, %g] is empty", (double)lo, (double)hi);
  r->in_bits = bits, r->in_lo = lo, r->in_hi = hi;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetOutputQuantization - ADC of the readout: 2^bits levels spanning [-R, R] (bits = 0: ideal; R = 0:
  the largest |output| of the ideal run on the evaluated data)

  Logically Collective

  Level: beginner

.seealso: KNQuantize()
@*/
PetscErrorCode KNRobustnessSetOutputQuantization(KNRobustness r, PetscInt bits, PetscReal R)
{
  PetscFunctionBegin;
  PetscCheck(bits >= 0 && bits <= 52, r->comm, PETSC_ERR_ARG_OUTOFRANGE, "Output quantisation needs 0 (off) to 52 bits, got %" PetscInt_FMT, bits);
  PetscCheck(R >= 0 && !PetscIsInfOrNanReal(R), r->comm, PETSC_ERR_ARG_OUTOFRANGE, "The output range must be >= 0 (0: from the ideal run), got %g", (double)R);
  r->out_bits = bits, r->out_range = R;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNRobustnessSetSeed(KNRobustness r, PetscInt64 seed)
{
  PetscFunctionBegin;
  r->seed = seed;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetNumDraws - Monte Carlo draws of KNRobustnessEvaluate() (0, the default: none for ideal hardware,
  one otherwise)

  Logically Collective

  Level: beginner
@*/
PetscErrorCode KNRobustnessSetNumDraws(KNRobustness r, PetscInt N)
{
  PetscFunctionBegin;
  PetscCheck(N >= 0, r->comm, PETSC_ERR_ARG_OUTOFRANGE, "Number of draws %" PetscInt_FMT " must be >= 0", N);
  r->N = N;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNRobustnessSetOptionsPrefix(KNRobustness r, const char prefix[])
{
  PetscFunctionBegin;
  PetscCall(PetscFree(r->prefix));
  if (prefix) PetscCall(PetscStrallocpy(prefix, &r->prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/* "-<stem><k>" in buf */
static const char *Key(char buf[], size_t len, const char stem[], const char k[])
{
  snprintf(buf, len, "-%s%s", stem, k);
  return buf;
}

/* Reads -<stem>_<key> options; the training stem has no draw count and no ADC. */
static PetscErrorCode ReadOptions(KNRobustness r, const char stem[])
{
  char      key[64];
  PetscReal range[2] = {r->in_lo, r->in_hi}, R = r->out_range, sd = r->sdev, sc = r->scap, sn = r->snoise;
  PetscInt  nrange = 2, inb = r->in_bits, outb = r->out_bits, seed = (PetscInt)r->seed;
  PetscBool set;

#define KEY(k) Key(key, sizeof(key), stem, k)
  PetscFunctionBegin;
  PetscOptionsBegin(r->comm, r->prefix, "KirchhoffNet non-ideal hardware (KNRobustness)", "KNRobustness");
  if (!r->training) PetscCall(PetscOptionsBoundedInt(KEY(""), "Monte Carlo draws of the metric (0: none, or 1 if anything is non-ideal)", "KNRobustnessSetNumDraws", r->N, &r->N, NULL, 0));
  PetscCall(PetscOptionsReal(KEY("_device_sigma"), "Device mismatch: log-normal gain exp(s z) per device", "KNRobustnessSetDeviceMismatch", sd, &sd, NULL));
  PetscCall(PetscOptionsReal(KEY("_cap_sigma"), "Capacitor mismatch: log-normal factor exp(s z) per node capacitance", "KNRobustnessSetCapacitorMismatch", sc, &sc, NULL));
  PetscCall(PetscOptionsReal(KEY("_noise_sigma"), "Gaussian noise (V) on the voltages entering layers after the first", "KNRobustnessSetBoundaryNoise", sn, &sn, NULL));
  PetscCall(PetscOptionsBoundedInt(KEY("_input_bits"), "Input DAC bits (0: ideal)", "KNRobustnessSetInputQuantization", inb, &inb, NULL, 0));
  PetscCall(PetscOptionsRealArray(KEY("_input_range"), "Input DAC full range lo,hi", "KNRobustnessSetInputQuantization", range, &nrange, &set));
  PetscCheck(!set || nrange == 2, r->comm, PETSC_ERR_ARG_WRONG, "%s needs two numbers lo,hi", KEY("_input_range"));
  if (!r->training) {
    PetscCall(PetscOptionsBoundedInt(KEY("_output_bits"), "Output ADC bits (0: ideal)", "KNRobustnessSetOutputQuantization", outb, &outb, NULL, 0));
    PetscCall(PetscOptionsReal(KEY("_output_range"), "Output ADC full range +-R (0: the largest |output| of the ideal run)", "KNRobustnessSetOutputQuantization", R, &R, NULL));
    PetscCall(PetscOptionsBool(KEY("_monitor"), "Print the metric of every draw as it finishes", "KNRobustnessEvaluate", r->monitor, &r->monitor, NULL));
  }
  PetscCall(PetscOptionsInt(KEY("_seed"), "Seed of the hardware draws", "KNRobustnessSetSeed", seed, &seed, NULL));
  PetscOptionsEnd();
#undef KEY
  PetscCall(KNRobustnessSetDeviceMismatch(r, sd));
  PetscCall(KNRobustnessSetCapacitorMismatch(r, sc));
  PetscCall(KNRobustnessSetBoundaryNoise(r, sn));
  PetscCall(KNRobustnessSetInputQuantization(r, inb, range[0], range[1]));
  PetscCall(KNRobustnessSetOutputQuantization(r, outb, R));
  r->seed = seed;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessSetFromOptions - reads the hardware description

  Collective

  Options Database Keys:
+ -kn_mc <0> - Monte Carlo draws of the metric (0: none for ideal hardware, else 1)
. -kn_mc_device_sigma <0> - device mismatch: log-normal gain exp(s z) per (layer, edge)
. -kn_mc_cap_sigma <0> - capacitor mismatch: log-normal factor per (layer, node)
. -kn_mc_noise_sigma <0> - Gaussian noise (V) on the voltages entering layers after the first
. -kn_mc_input_bits <0> - input DAC bits; -kn_mc_input_range <0,1> - its full range lo,hi
. -kn_mc_output_bits <0> - output ADC bits; -kn_mc_output_range <0> - its full range +-R (0: max |output| of the ideal run)
. -kn_mc_monitor <false> - a line per finished draw
- -kn_mc_seed <42> - seed of the draws

  Notes:
  A description made by KNRobustnessCreateFromOptions() for training reads -kn_train_mc_device_sigma,
  -kn_train_mc_cap_sigma, -kn_train_mc_noise_sigma, -kn_train_mc_input_bits, -kn_train_mc_input_range and
  -kn_train_mc_seed instead (the ADC, being a step function, has no useful gradient).

  Level: beginner
@*/
PetscErrorCode KNRobustnessSetFromOptions(KNRobustness r)
{
  PetscFunctionBegin;
  PetscCall(ReadOptions(r, r->training ? "kn_train_mc" : "kn_mc"));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessCreateFromOptions - creates a description with the given default seed and reads its options:
  -kn_mc_* for evaluation, or -kn_train_mc_* for training (noise-aware training: a fresh draw per optimizer step)

  Collective

  Level: intermediate
@*/
PetscErrorCode KNRobustnessCreateFromOptions(MPI_Comm comm, const char prefix[], PetscBool training, PetscInt64 seed, KNRobustness *rob)
{
  PetscFunctionBegin;
  PetscCall(KNRobustnessCreate(comm, rob));
  PetscCall(KNRobustnessSetOptionsPrefix(*rob, prefix));
  (*rob)->training = training;
  (*rob)->seed     = seed;
  PetscCall(KNRobustnessSetFromOptions(*rob));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessIsIdeal - whether every non-ideality is off

  Not Collective

  Level: beginner
@*/
PetscErrorCode KNRobustnessIsIdeal(KNRobustness r, PetscBool *ideal)
{
  PetscFunctionBegin;
  *ideal = (PetscBool)(r->sdev == 0 && r->scap == 0 && r->snoise == 0 && r->in_bits == 0 && r->out_bits == 0);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessGetEdgeGains - the device gains of one layer in one draw: gain[e] = exp(sigma z), z drawn from
  (seed, KN_STREAM_MISMATCH + draw, layer, e), for the E edges in graph order (the same on every rank)

  Not Collective

  Notes:
  The draw is counter based (one value per graph edge id), so any subset can be drawn on its own:
  KNRobustnessGetEdgeGainsAt() gives the gains of given edges, which is what KNRobustnessApply() uses on each rank.

  Level: advanced

.seealso: KNRobustnessGetEdgeGainsAt()
@*/
PetscErrorCode KNRobustnessGetEdgeGains(KNRobustness r, PetscInt64 draw, PetscInt layer, PetscInt E, PetscReal gain[])
{
  PetscFunctionBegin;
  for (PetscInt e = 0; e < E; e++) gain[e] = PetscExpReal(r->sdev * KNRandomNormal(r->seed, KN_STREAM_MISMATCH + draw, MismatchIndex(layer, 0, e)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessGetEdgeGainsAt - KNRobustnessGetEdgeGains() for the n graph edges gid[]: gain[i] = the gain of edge gid[i]

  Not Collective

  Level: advanced

.seealso: KNRobustnessGetEdgeGains()
@*/
PetscErrorCode KNRobustnessGetEdgeGainsAt(KNRobustness r, PetscInt64 draw, PetscInt layer, PetscInt n, const PetscInt gid[], PetscReal gain[])
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++) gain[i] = PetscExpReal(r->sdev * KNRandomNormal(r->seed, KN_STREAM_MISMATCH + draw, MismatchIndex(layer, 0, gid[i])));
  PetscFunctionReturn(KN_SUCCESS);
}

/* One layer's draw for KNCircuitSetEdgeGainsFunction(): each rank draws only the edges it evaluates. */
typedef struct {
  KNRobustness r;
  PetscInt64   draw;
  PetscInt     layer;
} GainCtx;

static PetscErrorCode LayerGains(void *ctx, PetscInt n, const PetscInt gid[], PetscReal gain[])
{
  GainCtx *g = (GainCtx *)ctx;

  PetscFunctionBegin;
  PetscCall(KNRobustnessGetEdgeGainsAt(g->r, g->draw, g->layer, n, gid, gain));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The work array sized for the largest node count of the net's layers (capacitances: O(N), replicated by design). */
static PetscErrorCode WorkArray(KNRobustness r, KNNet net)
{
  PetscInt D, need = 0;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    KNGraph   g;
    PetscInt  N, E;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNGraphGetSizes(g, &N, &E));
    need = PetscMax(need, N);
  }
  if (need > r->nwork) {
    PetscCall(PetscFree(r->work));
    PetscCall(PetscMalloc1(need, &r->work));
    r->nwork = need;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Device gains and capacitances of draw k (ideal = restore the nominal ones), layer by layer. */
static PetscErrorCode SetLayers(KNRobustness r, KNNet net, PetscBool ideal, PetscInt64 draw)
{
  PetscInt D;

  PetscFunctionBegin;
  if (r->sdev == 0 && r->scap == 0) PetscFunctionReturn(KN_SUCCESS);
  if (r->scap > 0) PetscCall(WorkArray(r, net));
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    KNGraph   g;
    PetscInt  N, E;
    PetscReal C;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNGraphGetSizes(g, &N, &E));
    if (r->sdev > 0 && ideal) PetscCall(KNCircuitSetEdgeGains(c, NULL));
    else if (r->sdev > 0) {
      GainCtx ctx = {r, draw, i};
      PetscCall(KNCircuitSetEdgeGainsFunction(c, LayerGains, &ctx));
    }
    if (r->scap == 0) continue;
    PetscCall(KNCircuitGetCapacitance(c, &C, NULL)); /* the uniform value stays the nominal one */
    for (PetscInt j = 0; j < N; j++) r->work[j] = ideal ? C : C * PetscExpReal(r->scap * KNRandomNormal(r->seed, KN_STREAM_MISMATCH + draw, MismatchIndex(i, 1, j)));
    PetscCall(KNCircuitSetNodeCapacitances(c, r->work));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessApply - puts hardware draw k on a set-up net: device gains, node capacitances and the boundary-noise
  seed; a non-ideality that is off is not touched, so with every sigma 0 the net stays exactly ideal

  Collective

  Input Parameters:
+ r - the description
. net - a set-up net
- draw - the draw index k (Monte Carlo: 0..N-1; noise-aware training: the optimizer step)

  Notes:
  The quantisers act on arrays (KNRobustnessQuantizeInputs(), KNRobustnessQuantizeOutputs()), not on the net.
  Applying the same draw again resets the noise generator, so the forward sweeps after it repeat exactly.

  Level: intermediate

.seealso: KNRobustnessRestore()
@*/
PetscErrorCode KNRobustnessApply(KNRobustness r, KNNet net, PetscInt64 draw)
{
  PetscFunctionBegin;
  PetscCheck(draw >= 0 && draw < ((PetscInt64)1 << 55), r->comm, PETSC_ERR_ARG_OUTOFRANGE, "Draw index %" PetscInt64_FMT " out of range", draw);
  PetscCall(SetLayers(r, net, PETSC_FALSE, draw));
  if (r->snoise > 0) PetscCall(KNNetSetBoundaryNoise(net, r->snoise, NoiseSeed(r->seed, draw)));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNRobustnessRestore - undoes KNRobustnessApply(): ideal devices, the uniform capacitance, no noise (again only
  for the non-idealities that are on)

  Collective

  Level: intermediate
@*/
PetscErrorCode KNRobustnessRestore(KNRobustness r, KNNet net)
{
  PetscFunctionBegin;
  PetscCall(SetLayers(r, net, PETSC_TRUE, 0));
  if (r->snoise > 0) PetscCall(KNNetSetBoundaryNoise(net, 0.0, 0));
  PetscFunctionReturn(KN_SUCCESS);
}
