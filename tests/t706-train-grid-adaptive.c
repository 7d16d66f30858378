static char help[] = "knet train on a process grid with ADAPTIVE steps (rk 5dp, TSAdapt basic): regression (with and without boundary\n"
                     "noise), generation and density end with parameters, loss and test metric equal to the 1-rank run (<= 1e-12) for every\n"
                     "grid shape that fits, because every group steps with the error of the whole batch (TSAdapt kngroups); the groups'\n"
                     "models are bitwise identical; a repeated run is bitwise identical; with -kn_data_groups_sync_steps 0 (each group\n"
                     "adapts to its own slice) G > 1 differs from 1 rank at the level of the ODE tolerance.\n";

#include "kntestfiles.h" /* first: it asks for POSIX (mkdtemp) */
#include <kn.h>
#include "kntest.h"
#include "kntesttrain.h"

#define COMMON "-ts_type rk -ts_rk_type 5dp -ts_adapt_type basic -ts_rtol 1e-3 -ts_atol 1e-4 -kn_layers 2 -kn_layer_T 0.5 -kn_optim_lr 1e-2 -kn_train_save 0 "

/* Batches divisible by 1, 2 and 4. Regression: 156 training samples in batches of 52 and 48 (a short last batch of
   12); generation: 60 samples in batches of 16 (a last batch of 12); the test sets are split in chunks of the batch.
   Density at the default tolerances takes the steps of the clip (x10) whatever the slice: it uses tighter ones. */
static const char *cases[][2] = {
  {"regression", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 52 -kn_train_epochs 2"},
  {"regression, short last batch", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 48 -kn_train_epochs 1"},
  {"regression+noise", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 48 -kn_train_epochs 1 -kn_train_mc_noise_sigma 0.05 -kn_optim_type sgd"},
  {"generation", COMMON "-kn_task_type generation -kn_data twomoon -kn_data_size 100 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 16 -kn_train_epochs 1"},
  {"density", COMMON "-kn_task_type density -kn_task_potential potential1 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 32 -kn_train_epochs 3 -kn_train_test_samples 50 -ts_rtol 1e-7 -ts_atol 1e-7"},
};

typedef struct {
  PetscInt   n;
  PetscReal *theta, loss, metric; /* parameters in graph order (the whole model, on every rank) */
  PetscBool  synced;              /* the layers' TSAdapt is kngroups */
} Result;

static PetscErrorCode Run(MPI_Comm comm, const char tmp[], const char options[], const char extra[], Result *r)
{
  static int  count = 0;
  KNTrainer   tr;
  KNNet       net;
  KNCircuit   c;
  TS          ts;
  TSAdapt     adapt;
  Vec         P;
  char        dir[PETSC_MAX_PATH_LEN], opts[2048];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/run%d-%d", tmp, count++, comm == PETSC_COMM_SELF ? (int)rank : -1));
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "%s %s", options, extra));
  PetscCall(KNTestTrain(comm, opts, dir, &tr));
  PetscCall(KNTrainerGetResult(tr, NULL, &r->loss, &r->metric, NULL));
  PetscCall(KNTrainerGetNet(tr, &net));
  PetscCall(KNNetGetLayer(net, 0, &c));
  PetscCall(KNCircuitGetTS(c, &ts));
  PetscCall(TSGetAdapt(ts, &adapt));
  PetscCall(PetscObjectTypeCompare((PetscObject)adapt, KNTSADAPTGROUPS, &r->synced));
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNTestNetParametersGraphOrder(net, P, &r->n, &r->theta));
  PetscCall(VecDestroy(&P));
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Largest relative difference from the reference over every rank: parameters, loss, metric (NaN == NaN). */
static PetscErrorCode Diff(const Result *a, const Result *ref, PetscReal *e)
{
  PetscReal m = a->n == ref->n ? KNTestRelErr(a->n, a->theta, ref->theta) : 1;

  PetscFunctionBeginUser;
  m = PetscMax(m, KNRelDiff(a->loss, ref->loss, 1e-30));
  if (!(PetscIsNanReal(a->metric) && PetscIsNanReal(ref->metric))) m = PetscMax(m, KNRelDiff(a->metric, ref->metric, 1e-30));
  if (PetscIsNanReal(m)) m = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &m, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  *e = m;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Whether a equals b bitwise on every rank (b NULL: whether every rank holds the same model as every other). */
static PetscErrorCode Bitwise(const Result *a, const Result *b, PetscBool *same)
{
  PetscReal  *lo, *hi;
  PetscBool   eq = PETSC_FALSE;
  PetscMPIInt s;

  PetscFunctionBeginUser;
  if (b) {
    if (a->n == b->n) PetscCall(PetscMemcmp(a->theta, b->theta, sizeof(PetscReal) * a->n, &eq));
    eq = (PetscBool)(eq && a->loss == b->loss && (a->metric == b->metric || (PetscIsNanReal(a->metric) && PetscIsNanReal(b->metric))));
  } else {
    PetscCall(PetscMalloc2(a->n, &lo, a->n, &hi));
    PetscCallMPI(MPI_Allreduce(a->theta, lo, (PetscMPIInt)a->n, MPIU_REAL, MPIU_MIN, PETSC_COMM_WORLD));
    PetscCallMPI(MPI_Allreduce(a->theta, hi, (PetscMPIInt)a->n, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
    PetscCall(PetscMemcmp(lo, hi, sizeof(PetscReal) * a->n, &eq));
    PetscCall(PetscFree2(lo, hi));
  }
  s = (PetscMPIInt)eq;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  *same = (PetscBool)s;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Every grid shape against the 1-rank run; without synchronised steps, G > 1 must differ (the test can fail). */
static PetscErrorCode CheckCase(KNTest *t, const char tmp[], const char *name, const char options[])
{
  Result      ref, r, again;
  PetscMPIInt size;
  PetscReal   e;
  PetscBool   same = PETSC_FALSE;
  char        extra[256];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(Run(PETSC_COMM_SELF, tmp, options, "-kn_data_groups 1", &ref));
  for (PetscInt G = 1; G <= size; G++) {
    if (size % G) continue;
    PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT, G));
    PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &r));
    PetscCall(Diff(&r, &ref, &e));
    PetscCall(KNTestOk(t, (PetscBool)(e <= 1e-12 && r.synced == (G > 1)), "%s, %" PetscInt_FMT " groups x %d ranks (adapt %s): parameters, loss %.6g and test metric vs 1 rank, max rel diff %.1e", name, G, size / (PetscMPIInt)G, r.synced ? "kngroups" : "basic", (double)r.loss, (double)e));
    PetscCall(Bitwise(&r, NULL, &same));
    PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups: every group holds bitwise the same model", name, G));
    if (G == size && G > 1) {
      PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &again));
      PetscCall(Bitwise(&r, &again, &same));
      PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups: a repeated run is bitwise identical", name, G));
      PetscCall(PetscFree(again.theta));
      PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " -kn_data_groups_sync_steps 0", G));
      PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &again));
      PetscCall(Diff(&again, &ref, &e));
      PetscCall(KNTestOk(t, (PetscBool)(e > 1e-11 && !again.synced), "%s, %" PetscInt_FMT " groups, each adapting to its slice: differs from 1 rank (max rel diff %.1e), so the check above can fail", name, G, (double)e));
      PetscCall(PetscFree(again.theta));
    }
    PetscCall(PetscFree(r.theta));
  }
  PetscCall(PetscFree(ref.theta));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;
  char   tmp[PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t706", tmp, sizeof(tmp)));
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) PetscCall(CheckCase(&t, tmp, cases[c][0], cases[c][1]));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, tmp));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
