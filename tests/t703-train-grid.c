static char help[] = "knet train on a process grid (-kn_data_groups): a few optimizer steps of regression (with and without boundary noise),\n"
                     "density matching and generation end with parameters, loss and test metric equal to the 1-rank run (fixed steps, <= 1e-12)\n"
                     "for every grid shape that fits, contiguous and ptscotch partitions; the groups' models are bitwise identical; a repeated\n"
                     "run is bitwise identical; a checkpoint written on one grid shape continues on another.\n";

#include "kntestfiles.h" /* first: it asks for POSIX (mkdtemp) */
#include <kn.h>
#include "kntest.h"
#include "kntestgrid.h"

#define COMMON "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05 -kn_layers 2 -kn_layer_T 0.5 -kn_optim_lr 1e-2 -kn_train_save 0 "

/* Batches that do not divide the data, and a last batch smaller than 4 groups (regression: 156 training samples in
   batches of 51, the last of 3), so slices of unequal size and groups without samples are exercised. */
static const char *const cases[][2] = {
  {"regression", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 51 -kn_train_epochs 2"},
  {"regression+noise", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 51 -kn_train_epochs 1 -kn_train_mc_noise_sigma 0.05 -kn_optim_type sgd"},
  {"density", COMMON "-kn_task_type density -kn_task_potential potential1 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 30 -kn_train_epochs 3 -kn_train_test_samples 50"},
  {"generation", COMMON "-kn_task_type generation -kn_data twomoon -kn_data_size 100 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 33 -kn_train_epochs 1"},
};

/* Grid shape s->G, both partitions, against the 1-rank run; the groups agree bitwise; a repeat is bitwise. */
static PetscErrorCode CheckShape(KNTest *t, const KNTestGridShape *s)
{
  KNTestGridResult r, again;
  PetscReal        e = 1; /* set by every successful call below (gcc cannot tell) */
  PetscBool        same = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (int p = 0; p < 2; p++) {
    const char *part = p ? "ptscotch" : "contiguous";
    char        more[64];

    PetscCall(PetscSNPrintf(more, sizeof(more), "-kn_partition %s", part));
    PetscCall(KNTestGridRunShape(s, more, &r, &e, &same));
    PetscCall(KNTestOk(t, (PetscBool)(e <= 1e-12), "%s, %" PetscInt_FMT " groups x %d ranks, %s: parameters, loss %.6g and test metric vs 1 rank, max rel diff %.1e", s->name, s->G, s->size / (PetscMPIInt)s->G, part, (double)r.loss, (double)e));
    PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups, %s: every group holds bitwise the same model", s->name, s->G, part));
    if (s->G == s->size && p == 1) {
      PetscCall(KNTestGridRunShape(s, more, &again, NULL, NULL));
      PetscCall(KNTestGridBitwise(&r, &again, &same));
      PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups, %s: a repeated run is bitwise identical", s->name, s->G, part));
      PetscCall(PetscFree(again.theta));
    }
    PetscCall(PetscFree(r.theta));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* A checkpoint written after 4 steps on size groups x 1 rank continues on 1 group x size ranks (and the other way)
   to the straight 1-rank run (of the first case). */
static PetscErrorCode CheckResume(KNTest *t, const char tmp[])
{
  const char      *options = cases[0][1];
  KNTestGridResult ref, r;
  PetscMPIInt      size;
  PetscReal        e = 1; /* set by every successful call below (gcc cannot tell) */
  char             extra[PETSC_MAX_PATH_LEN + 256];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(KNTestGridRun(PETSC_COMM_SELF, tmp, options, "-kn_data_groups 1", &ref));
  for (int w = 0; w < 2; w++) {
    PetscInt Gw = w ? 1 : size, Gr = w ? size : 1;
    char     ck[PETSC_MAX_PATH_LEN];

    PetscCall(PetscSNPrintf(ck, sizeof(ck), "%s/ckpt%d", tmp, w));
    PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " -kn_train_max_iterations 4 -kn_checkpoint_every 4 -kn_checkpoint_dir %s", Gw, ck));
    PetscCall(KNTestGridRun(PETSC_COMM_WORLD, tmp, options, extra, &r));
    PetscCall(PetscFree(r.theta));
    PetscCall(PetscSNPrintf(extra, sizeof(extra), "-kn_data_groups %" PetscInt_FMT " -kn_resume %s/ckpt_00000004.h5", Gr, ck));
    PetscCall(KNTestGridRun(PETSC_COMM_WORLD, tmp, options, extra, &r));
    PetscCall(KNTestGridDiff(&r, &ref, &e));
    PetscCall(KNTestOk(t, (PetscBool)(e <= 1e-12), "checkpoint of step 4 written on %" PetscInt_FMT " groups x %d ranks, resumed on %" PetscInt_FMT " x %d: the 1-rank straight run, max rel diff %.1e", Gw, size / (PetscMPIInt)Gw, Gr, size / (PetscMPIInt)Gr, (double)e));
    PetscCall(PetscFree(r.theta));
  }
  PetscCall(PetscFree(ref.theta));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  return KNTestGridMain(argc, argv, help, "kn-t703", sizeof(cases) / sizeof(cases[0]), cases, CheckShape, CheckResume);
}
