static char help[] = "The trainer's gradient (-kn_train_check_gradient) against central differences of the batch loss for every task,\n"
                     "through the whole path: data slice, task, net, loss, group sums. Fixed-step RK4 (TSSetRHSJacobianP) and tightly\n"
                     "toleranced 5dp (parameters in the state), device mismatch during training, and 2-rank grids; density annealing\n"
                     "(-kn_task_density_anneal) changes the gradient.\n";

#include "kntesttrain.h"

#define RK4 "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05 "
#define DP5 "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-11 -ts_atol 1e-11 -ts_dt 1e-3 "
#define ONE "-kn_train_epochs 1 -kn_train_max_iterations 1 -kn_train_check_gradient 10 -kn_train_save 0 "

typedef struct {
  const char *name, *options;
  PetscBool   annealed; /* -kn_task_density_anneal: the gradient is deliberately that of beta U, not of the loss */
} Case;

static const Case cases[] = {
  {"regression", "-kn_task_type regression -kn_data friedman1 -kn_data_size 128 -kn_layers 2 -kn_layer_T 0.5 -kn_topology_num_node 7 -kn_device_type shift_tanh2 -kn_train_batch_size 32 " RK4, PETSC_FALSE},
  {"classification", "-kn_task_type classification -kn_data twomoon -kn_data_size 128 -kn_layers 1 -kn_layer_T 1 -kn_topology_num_node 5 -kn_topology_repeat 1,1 -kn_device_type shift_tanh1 -kn_train_batch_size 32 " RK4, PETSC_FALSE},
  {"generation", "-kn_task_type generation -kn_data twomoon -kn_data_size 128 -kn_layers 2 -kn_layer_T 0.5 -kn_topology_num_node 3 -kn_topology_repeat 2,2 -kn_train_batch_size 32 " RK4, PETSC_FALSE},
  {"density", "-kn_task_type density -kn_task_potential potential1 -kn_layers 3 -kn_layer_T 0.3 -kn_topology_num_node 3 -kn_topology_repeat 2,2 -kn_device_type shift_tanh1 -kn_train_batch_size 32 " RK4, PETSC_FALSE},
  {"density 5dp", "-kn_task_type density -kn_task_potential potential1 -kn_layers 3 -kn_layer_T 0.3 -kn_topology_num_node 3 -kn_topology_repeat 2,2 -kn_device_type shift_tanh1 -kn_train_batch_size 32 " DP5, PETSC_FALSE},
  {"regression, device mismatch", "-kn_task_type regression -kn_data friedman1 -kn_data_size 128 -kn_layers 1 -kn_layer_T 1 -kn_topology_num_node 7 -kn_device_type shift_tanh2 -kn_train_batch_size 32 -kn_train_mc_device_sigma 0.1 " RK4, PETSC_FALSE},
  {"density, annealed (beta 0.01 at the first step)", "-kn_task_type density -kn_task_potential potential1 -kn_layers 3 -kn_layer_T 0.3 -kn_topology_num_node 3 -kn_topology_repeat 2,2 -kn_device_type shift_tanh1 -kn_train_batch_size 32 -kn_task_density_anneal 100 " RK4, PETSC_TRUE},
};

static PetscErrorCode RunCase(KNTest *t, const Case *c, PetscInt k)
{
  KNTrainer   tr;
  char        dir[PETSC_MAX_PATH_LEN];
  PetscMPIInt size;
  PetscReal   abs_err, rel_err;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(t->comm, &size));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "t413-np%d/case%" PetscInt_FMT, (int)size, k));
  PetscCall(KNTestTrain(t->comm, c->options, dir, &tr));
  PetscCall(KNTrainerGetGradientCheck(tr, &abs_err, &rel_err));
  if (c->annealed) PetscCall(KNTestOk(t, (PetscBool)(rel_err > 0.1), "%s: the gradient differs from the loss's (%.2e relative)", c->name, (double)rel_err));
  else PetscCall(KNTestOk(t, (PetscBool)(rel_err < 1e-7), "%s: adjoint gradient = central differences on 10 parameters (max error %.2e, %.2e relative)", c->name, (double)abs_err, (double)rel_err));
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char opts[1024];

    PetscCall(PetscSNPrintf(opts, sizeof(opts), "%s" ONE, cases[i].options));
    Case c = {cases[i].name, opts, cases[i].annealed};
    PetscCall(RunCase(&t, &c, (PetscInt)i));
  }
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
