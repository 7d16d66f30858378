static char help[] = "Exact continuation through the trainer: N steps straight and k steps + checkpoint + -kn_resume auto give\n"
                     "bitwise identical parameters, optimizer step and metrics.csv, for every task type, AdamW/Adam/SGD with\n"
                     "momentum, learning-rate schedules, image augmentation (its RNG counter), splits inside and at the end of\n"
                     "an epoch; a checkpoint of another\n"
                     "configuration is refused with the option to fix.\n";

#include <stdlib.h>
#include "kntesttrain.h"

#define SOLVER " -ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6"

typedef struct {
  const char *name, *options;
  PetscInt    split; /* steps before the checkpoint */
} Case;

/* Graph-order parameters, optimizer step and the metrics.csv losses of a finished run. */
static PetscErrorCode Result(KNTrainer tr, const char dir[], PetscInt *n, PetscReal **p, PetscInt *step, KNTestMetrics *m)
{
  KNNet       net;
  KNOptimizer opt;
  Vec         P;

  PetscFunctionBeginUser;
  PetscCall(KNTrainerGetNet(tr, &net));
  PetscCall(KNTrainerGetOptimizer(tr, &opt));
  PetscCall(KNOptimizerGetStep(opt, step));
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(KNNetGetParameters(net, P));
  PetscCall(KNTestNetParametersGraphOrder(net, P, n, p));
  PetscCall(VecDestroy(&P));
  PetscCall(KNTestReadMetrics(dir, m));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode Continue(KNTest *t, const Case *c)
{
  KNTrainer     tr;
  KNTestMetrics ma, mb;
  PetscInt      na, nb, sa, sb;
  PetscReal    *pa, *pb;
  PetscBool     same, msame;
  char          da[PETSC_MAX_PATH_LEN], db[PETSC_MAX_PATH_LEN], opt[2048];
  PetscMPIInt   size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(t->comm, &size));
  PetscCall(PetscSNPrintf(da, sizeof(da), "t611-np%d/%s-straight", (int)size, c->name));
  PetscCall(PetscSNPrintf(db, sizeof(db), "t611-np%d/%s-resumed", (int)size, c->name));
  PetscCall(KNTestTrain(t->comm, c->options, da, &tr));
  PetscCall(Result(tr, da, &na, &pa, &sa, &ma));
  PetscCall(KNTrainerDestroy(&tr));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s -kn_train_max_iterations %" PetscInt_FMT " -kn_checkpoint_every %" PetscInt_FMT, c->options, c->split, c->split));
  PetscCall(KNTestTrain(t->comm, opt, db, &tr));
  PetscCall(KNTrainerDestroy(&tr));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s -kn_resume auto", c->options));
  PetscCall(KNTestTrain(t->comm, opt, db, &tr));
  PetscCall(Result(tr, db, &nb, &pb, &sb, &mb));
  PetscCall(KNTrainerDestroy(&tr));
  PetscCall(PetscArraycmp(pa, pb, na, &same));
  msame = (PetscBool)(ma.rows == mb.rows && ma.rows > 0);
  for (PetscInt e = 0; e < ma.rows && msame; e++) msame = (PetscBool)(ma.loss[e] == mb.loss[e] && ma.epoch[e] == mb.epoch[e] && (ma.test[e] == mb.test[e] || (PetscIsNanReal(ma.test[e]) && PetscIsNanReal(mb.test[e]))));
  PetscCall(KNTestOk(t, (PetscBool)(same && na == nb && sa == sb), "%s: %" PetscInt_FMT " steps straight = %" PetscInt_FMT " + checkpoint + resume: %" PetscInt_FMT " parameters bitwise, optimizer step %" PetscInt_FMT, c->name, sa, c->split, na, sb));
  PetscCall(KNTestOk(t, msame, "%s: metrics.csv of the resumed run has the same %" PetscInt_FMT " rows (losses, test metrics) as the straight run", c->name, ma.rows));
  PetscCall(PetscFree(pa));
  PetscCall(PetscFree(pb));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Resuming with another batch size is an error that names the option. */
static PetscErrorCode Refuse(KNTest *t, const Case *c)
{
  KNTrainer      tr;
  char           db[PETSC_MAX_PATH_LEN], opt[2048], *msg = NULL;
  PetscErrorCode ierr;
  PetscMPIInt    size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(t->comm, &size));
  PetscCall(PetscSNPrintf(db, sizeof(db), "t611-np%d/%s-resumed", (int)size, c->name));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s -kn_train_batch_size 100 -kn_resume auto", c->options));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = KNTestTrain(t->comm, opt, db, &tr);
  PetscCall(PetscPopErrorHandler());
  if (ierr) (void)PetscErrorMessage(ierr, NULL, &msg);
  PetscCall(KNTestOk(t, (PetscBool)(ierr == PETSC_ERR_ARG_INCOMP && msg && strstr(msg, "-kn_train_batch_size")), "resuming with another batch size is refused: %s", msg ? msg : "(no error)"));
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest     t;
  const Case cases[] = {
    {"generation-adamw-cosine", "-kn_task_type generation -kn_data twomoon -kn_data_size 384 -kn_layers 2 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 128 -kn_optim_lr 1e-2 -kn_train_epochs 4 -kn_train_schedule cosinelr_4_1e-4" SOLVER, 5},
    {"regression-sgd-steplr", "-kn_task_type regression -kn_data friedman1 -kn_data_size 200 -kn_layers 2 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 40 -kn_optim_type sgd -kn_optim_momentum 0.9 -kn_optim_lr 1e-2 -kn_train_schedule steplr_2_0.5 -kn_train_epochs 4" SOLVER, 6},
    {"classification-adam", "-kn_task_type classification -kn_data twomoon -kn_data_size 300 -kn_layers 2 -kn_topology_num_node 4 -kn_train_batch_size 60 -kn_optim_type adam -kn_optim_lr 1e-2 -kn_train_epochs 3" SOLVER, 4},
    {"digits-augmented", "-kn_task_type classification -kn_data sklearn_digits -kn_layers 1 -kn_topology_num_node 65 -kn_train_batch_size 50 -kn_train_max_iterations 6 -kn_train_augment_degrees 15 -kn_train_augment_translate 0.1" SOLVER, 3},
    {"density-adamw", "-kn_task_type density -kn_task_potential potential1 -kn_layers 2 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 64 -kn_optim_lr 1e-2 -kn_train_epochs 6" SOLVER, 3},
  };

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  {
    PetscMPIInt rank, size;
    char        cmd[64];
    PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
    PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
    PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "rm -rf t611-np%d", (int)size));
    if (!rank && system(cmd)) PetscCall(PetscPrintf(PETSC_COMM_SELF, "# could not remove the run directories of an earlier run\n"));
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  }
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) PetscCall(Continue(&t, &cases[k]));
  PetscCall(Refuse(&t, &cases[0]));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
