static char help[] = "knet train on a process grid (-kn_data_groups): a few optimizer steps of regression (with and without boundary noise),\n"
                     "density matching and generation end with parameters, loss and test metric equal to the 1-rank run (fixed steps, <= 1e-12)\n"
                     "for every grid shape that fits, contiguous and ptscotch partitions; the groups' models are bitwise identical; a repeated\n"
                     "run is bitwise identical; a checkpoint written on one grid shape continues on another.\n";

#include "kntestfiles.h" /* first: it asks for POSIX (mkdtemp) */
#include <kn.h>
#include "kntest.h"
#include "kntesttrain.h"

#define COMMON "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05 -kn_layers 2 -kn_layer_T 0.5 -kn_optim_lr 1e-2 -kn_train_save 0 "

/* Batches that do not divide the data, and a last batch smaller than 4 groups (regression: 156 training samples in
   batches of 51, the last of 3), so slices of unequal size and groups without samples are exercised. */
static const char *cases[][2] = {
  {"regression", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 51 -kn_train_epochs 2"},
  {"regression+noise", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 51 -kn_train_epochs 1 -kn_train_mc_noise_sigma 0.05 -kn_optim_type sgd"},
  {"density", COMMON "-kn_task_type density -kn_task_potential potential1 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 30 -kn_train_epochs 3 -kn_train_test_samples 50"},
  {"generation", COMMON "-kn_task_type generation -kn_data twomoon -kn_data_size 100 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 33 -kn_train_epochs 1"},
};

typedef struct {
  PetscInt   n;
  PetscReal *theta, loss, metric; /* parameters in graph order (the whole model, on every rank) */
} Result;

/* Trains in a fresh subdirectory of tmp and returns the trainer's parameters, final loss and test metric. */
static PetscErrorCode Run(MPI_Comm comm, const char tmp[], const char options[], const char extra[], Result *r)
{
  static int count = 0;
  KNTrainer  tr;
  KNNet      net;
  Vec        P;
  char       dir[PETSC_MAX_PATH_LEN], opts[2048];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/run%d-%d", tmp, count++, comm == PETSC_COMM_SELF ? (int)rank : -1));
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "%s %s", options, extra));
  PetscCall(KNTestTrain(comm, opts, dir, &tr));
  PetscCall(KNTrainerGetResult(tr, NULL, &r->loss, &r->metric, NULL));
  PetscCall(KNTrainerGetNet(tr, &net));
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

/* Whether every rank (so every group) holds bitwise the same model. */
static PetscErrorCode SameEverywhere(const Result *a, PetscBool *same)
{
  PetscReal  *lo, *hi;
  PetscBool   eq;
  PetscMPIInt s;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(a->n, &lo, a->n, &hi));
  PetscCallMPI(MPI_Allreduce(a->theta, lo, (PetscMPIInt)a->n, MPIU_REAL, MPIU_MIN, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(a->theta, hi, (PetscMPIInt)a->n, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(PetscMemcmp(lo, hi, sizeof(PetscReal) * a->n, &eq));
  s = (PetscMPIInt)eq;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  *same = (PetscBool)s;
  PetscCall(PetscFree2(lo, hi));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Bitwise(const Result *a, const Result *b, PetscBool *same)
{
  PetscBool   eq = PETSC_FALSE;
  PetscMPIInt s;

  PetscFunctionBeginUser;
  if (a->n == b->n) PetscCall(PetscMemcmp(a->theta, b->theta, sizeof(PetscReal) * a->n, &eq));
  s = (PetscMPIInt)(eq && a->loss == b->loss && (a->metric == b->metric || (PetscIsNanReal(a->metric) && PetscIsNanReal(b->metric))));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  *same = (PetscBool)s;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Every grid shape and both partitions against the 1-rank run; the groups agree bitwise; a repeat is bitwise. */
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
    for (int p = 0; p < 2; p++) {
      const char *part = p ? "ptscotch" : "contiguous";
      PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " -kn_partition %s", G, part));
      PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &r));
      PetscCall(Diff(&r, &ref, &e));
      PetscCall(SameEverywhere(&r, &same));
      PetscCall(KNTestOk(t, (PetscBool)(e <= 1e-12), "%s, %" PetscInt_FMT " groups x %d ranks, %s: parameters, loss %.6g and test metric vs 1 rank, max rel diff %.1e", name, G, size / (PetscMPIInt)G, part, (double)r.loss, (double)e));
      PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups, %s: every group holds bitwise the same model", name, G, part));
      if (G == size && p == 1) {
        PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &again));
        PetscCall(Bitwise(&r, &again, &same));
        PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups, %s: a repeated run is bitwise identical", name, G, part));
        PetscCall(PetscFree(again.theta));
      }
      PetscCall(PetscFree(r.theta));
    }
  }
  PetscCall(PetscFree(ref.theta));
  PetscFunctionReturn(KN_SUCCESS);
}

/* A checkpoint written after 4 steps on size groups x 1 rank continues on 1 group x size ranks (and the other way)
   to the straight 1-rank run. */
static PetscErrorCode CheckResume(KNTest *t, const char tmp[], const char options[])
{
  Result      ref, r;
  PetscMPIInt size;
  PetscReal   e;
  char        extra[PETSC_MAX_PATH_LEN + 256];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(Run(PETSC_COMM_SELF, tmp, options, "-kn_data_groups 1", &ref));
  for (int w = 0; w < 2; w++) {
    PetscInt Gw = w ? 1 : size, Gr = w ? size : 1;
    char     ck[PETSC_MAX_PATH_LEN];

    PetscCall(PetscSNPrintf(ck, sizeof(ck), "%s/ckpt%d", tmp, w));
    PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " -kn_train_max_iterations 4 -kn_checkpoint_every 4 -kn_checkpoint_dir %s", Gw, ck));
    PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &r));
    PetscCall(PetscFree(r.theta));
    PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " -kn_resume %s/ckpt_00000004.h5", Gr, ck));
    PetscCall(Run(PETSC_COMM_WORLD, tmp, options, extra, &r));
    PetscCall(Diff(&r, &ref, &e));
    PetscCall(KNTestOk(t, (PetscBool)(e <= 1e-12), "checkpoint of step 4 written on %" PetscInt_FMT " groups x %d ranks, resumed on %" PetscInt_FMT " x %d: the 1-rank straight run, max rel diff %.1e", Gw, size / (PetscMPIInt)Gw, Gr, size / (PetscMPIInt)Gr, (double)e));
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
  PetscCall(KNTestTempDirCreate(PETSC_COMM_WORLD, "kn-t703", tmp, sizeof(tmp)));
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) PetscCall(CheckCase(&t, tmp, cases[c][0], cases[c][1]));
  PetscCall(CheckResume(&t, tmp, cases[0][1]));
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(KNTestTempDirRemove(PETSC_COMM_WORLD, tmp));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
