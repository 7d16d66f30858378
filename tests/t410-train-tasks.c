static char help[] = "One short KNTrainer run per task type (regression on friedman1, classification on the two-moons labels,\n"
                     "generation on two moons, density matching of potential1): the loss goes down, metrics.csv has the header and\n"
                     "one row per epoch, and model.h5 and options.txt are written.\n";

#include "kntesttrain.h"

#define SOLVER "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6 "

typedef struct {
  const char *name, *options;
  PetscInt    epochs;
  PetscBool   by_test; /* judge by the test metric (density: fixed held-out draws) instead of the training loss */
} Case;

static const Case cases[] = {
  {"regression", "-kn_task_type regression -kn_data friedman1 -kn_data_size 512 -kn_layers 1 -kn_layer_T 1 -kn_topology_num_node 7 -kn_device_type relu_diff -kn_train_batch_size 64 -kn_optim_lr 5e-3 -kn_train_epochs 6 " SOLVER, 6, PETSC_FALSE},
  {"classification", "-kn_task_type classification -kn_data twomoon -kn_data_size 1024 -kn_layers 1 -kn_layer_T 1 -kn_topology_num_node 5 -kn_topology_repeat 2,2 -kn_train_batch_size 128 -kn_optim_lr 1e-2 -kn_train_epochs 6 " SOLVER, 6, PETSC_FALSE},
  {"generation", "-kn_task_type generation -kn_data twomoon -kn_data_size 1024 -kn_layers 2 -kn_layer_T 0.5 -kn_topology_num_node 3 -kn_topology_repeat 5,5 -kn_train_batch_size 256 -kn_optim_lr 1e-2 -kn_train_epochs 6 " SOLVER, 6, PETSC_FALSE},
  {"density", "-kn_task_type density -kn_task_potential potential1 -kn_layers 4 -kn_layer_T 0.25 -kn_topology_num_node 3 -kn_topology_repeat 5,5 -kn_device_type shift_tanh1 -kn_train_batch_size 256 -kn_train_test_samples 512 -kn_optim_lr 1e-2 -kn_train_epochs 25 " SOLVER, 25, PETSC_TRUE},
};

static PetscErrorCode FileExists(const char dir[], const char name[], PetscBool *flg)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, name));
  PetscCall(PetscTestFile(path, 'r', flg));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode RunCase(KNTest *t, const Case *c)
{
  KNTrainer     tr;
  KNTestMetrics m;
  char          dir[PETSC_MAX_PATH_LEN];
  PetscMPIInt   size;
  PetscBool     model, opts;
  PetscReal     first, last, loss, metric;
  const PetscReal *v;
  PetscInt      h;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(t->comm, &size));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "t410-np%d/%s", (int)size, c->name));
  PetscCall(KNTestTrain(t->comm, c->options, dir, &tr));
  PetscCall(KNTrainerGetResult(tr, NULL, &loss, &metric, NULL));
  PetscCall(KNTestReadMetrics(dir, &m));
  PetscCall(FileExists(dir, "model.h5", &model));
  PetscCall(FileExists(dir, "options.txt", &opts));
  PetscCall(KNTestOk(t, (PetscBool)(m.header_ok && m.rows == c->epochs && m.epoch[m.rows - 1] == c->epochs && model && opts), "%s: metrics.csv header and %" PetscInt_FMT " rows (%" PetscInt_FMT " epochs), model.h5 and options.txt written", c->name, m.rows, c->epochs));
  v = c->by_test ? m.test : m.loss;
  h = c->by_test ? 5 : 2;
  first = KNTestMean(v, 0, h), last = KNTestMean(v, m.rows - h, m.rows);
  PetscCall(KNTestOk(t, (PetscBool)(last < first - 0.02 * PetscAbsReal(first) && PetscIsNormalReal(last)), "%s: %s goes down: first %" PetscInt_FMT " epochs %.5f, last %" PetscInt_FMT " epochs %.5f (final loss %.5f, test metric %.5f)", c->name, c->by_test ? "held-out density loss" : "training loss", h, (double)first, h, (double)last, (double)loss, (double)metric));
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) PetscCall(RunCase(&t, &cases[i]));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
