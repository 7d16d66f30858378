static char help[] = "knet train on a process grid with ADAPTIVE steps (rk 5dp, TSAdapt basic): regression (with and without boundary\n"
                     "noise), generation and density end with parameters, loss and test metric equal to the 1-rank run (<= 1e-12) for every\n"
                     "grid shape that fits, because every group steps with the error of the whole batch (TSAdapt kngroups); the groups'\n"
                     "models are bitwise identical; a repeated run is bitwise identical; with -kn_data_groups_sync_steps 0 (each group\n"
                     "adapts to its own slice) G > 1 differs from 1 rank at the level of the ODE tolerance.\n";

#include "kntestfiles.h" /* first: it asks for POSIX (mkdtemp) */
#include <kn.h>
#include "kntest.h"
#include "kntestgrid.h"

#define COMMON "-ts_type rk -ts_rk_type 5dp -ts_adapt_type basic -ts_rtol 1e-3 -ts_atol 1e-4 -kn_layers 2 -kn_layer_T 0.5 -kn_optim_lr 1e-2 -kn_train_save 0 "

/* Batches divisible by 1, 2 and 4. Regression: 156 training samples in batches of 52 and 48 (a short last batch of
   12); generation: 60 samples in batches of 16 (a last batch of 12); the test sets are split in chunks of the batch.
   Density at the default tolerances takes the steps of the clip (x10) whatever the slice: it uses tighter ones. */
static const char *const cases[][2] = {
  {"regression", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 52 -kn_train_epochs 2"},
  {"regression, short last batch", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 48 -kn_train_epochs 1"},
  {"regression+noise", COMMON "-kn_task_type regression -kn_data friedman1 -kn_data_size 260 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 48 -kn_train_epochs 1 -kn_train_mc_noise_sigma 0.05 -kn_optim_type sgd"},
  {"generation", COMMON "-kn_task_type generation -kn_data twomoon -kn_data_size 100 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 16 -kn_train_epochs 1"},
  {"density", COMMON "-kn_task_type density -kn_task_potential potential1 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 32 -kn_train_epochs 3 -kn_train_test_samples 50 -ts_rtol 1e-7 -ts_atol 1e-7"},
};

/* Grid shape s->G against the 1-rank run; without synchronised steps, G > 1 must differ (the test can fail). */
static PetscErrorCode CheckShape(KNTest *t, const KNTestGridShape *s)
{
  KNTestGridResult r, again;
  PetscReal        e = 1; /* set by every successful call below (gcc cannot tell) */
  PetscBool        same = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(KNTestGridRunShape(s, "", &r, &e, &same));
  PetscCall(KNTestOk(t, (PetscBool)(e <= 1e-12 && r.synced == (s->G > 1)), "%s, %" PetscInt_FMT " groups x %d ranks (adapt %s): parameters, loss %.6g and test metric vs 1 rank, max rel diff %.1e", s->name, s->G, s->size / (PetscMPIInt)s->G, r.synced ? "kngroups" : "basic", (double)r.loss, (double)e));
  PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups: every group holds bitwise the same model", s->name, s->G));
  if (s->G == s->size && s->G > 1) {
    PetscCall(KNTestGridRunShape(s, "", &again, NULL, NULL));
    PetscCall(KNTestGridBitwise(&r, &again, &same));
    PetscCall(KNTestOk(t, same, "%s, %" PetscInt_FMT " groups: a repeated run is bitwise identical", s->name, s->G));
    PetscCall(PetscFree(again.theta));
    PetscCall(KNTestGridRunShape(s, "-kn_data_groups_sync_steps 0", &again, &e, NULL));
    PetscCall(KNTestOk(t, (PetscBool)(e > 1e-11 && !again.synced), "%s, %" PetscInt_FMT " groups, each adapting to its slice: differs from 1 rank (max rel diff %.1e), so the check above can fail", s->name, s->G, (double)e));
    PetscCall(PetscFree(again.theta));
  }
  PetscCall(PetscFree(r.theta));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  return KNTestGridMain(argc, argv, help, "kn-t706", sizeof(cases) / sizeof(cases[0]), cases, CheckShape, NULL);
}
