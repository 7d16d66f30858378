static char help[] = "Noise-aware training (-kn_train_mc_*: a fresh hardware draw per optimizer step): sigma 0 trains exactly as the\n"
                     "ideal trainer, mismatch training is reproducible from the seeds, still learns, differs from ideal training, and\n"
                     "leaves an ideal net whose test metric is the plain KNTaskEvaluate() of it.\n";

#include "kntesttrain.h"

#define BASE "-kn_task_type regression -kn_data friedman1 -kn_data_size 256 -kn_layers 1 -kn_layer_T 1 -kn_topology_num_node 7 " \
             "-kn_device_type relu_diff -kn_train_batch_size 64 -kn_optim_lr 5e-3 -kn_train_epochs 4 -kn_train_save 0 " \
             "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.05 "
#define MISMATCH "-kn_train_mc_device_sigma 0.1 -kn_train_mc_cap_sigma 0.05 -kn_train_mc_noise_sigma 0.02 "

typedef struct {
  PetscReal loss, metric, first, last;
} Run;

/* Trains with BASE + extra in <size-specific dir>/name. With check: the test metric equals KNTaskEvaluate() of the final net. */
static PetscErrorCode Train(KNTest *t, const char name[], const char extra[], PetscBool check, Run *run)
{
  KNTrainer     tr;
  KNTestMetrics m;
  char          dir[PETSC_MAX_PATH_LEN], opts[2048];
  PetscMPIInt   size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(t->comm, &size));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "t824-np%d/%s", (int)size, name));
  PetscCall(PetscSNPrintf(opts, sizeof(opts), "%s%s", BASE, extra));
  PetscCall(KNTestTrain(t->comm, opts, dir, &tr));
  PetscCall(KNTrainerGetResult(tr, NULL, &run->loss, &run->metric, NULL));
  PetscCall(KNTestReadMetrics(dir, &m));
  run->first = m.loss[0], run->last = m.loss[m.rows - 1];
  if (check) {
    KNTask      task;
    KNNet       net;
    KNDataset   train, test;
    KNTaskTally tt;
    PetscReal   metric;
    PetscCall(KNTrainerGetTask(tr, &task));
    PetscCall(KNTrainerGetNet(tr, &net));
    PetscCall(KNDatasetCreateFromOptions(t->comm, NULL, task, &train, &test));
    PetscCall(KNTaskEvaluate(task, net, test, 0, 0, &tt));
    PetscCall(KNTaskTallyGetMetric(task, &tt, NULL, &metric));
    PetscCall(KNTestOk(t, (PetscBool)(metric == run->metric), "%s: the test metric %.10g is that of the ideal trained net (%.10g): no draw is left on it", name, (double)run->metric, (double)metric));
    PetscCall(KNDatasetDestroy(&train));
    PetscCall(KNDatasetDestroy(&test));
  }
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;
  Run    ideal, zero, a, b, c, q;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(Train(&t, "ideal", "", PETSC_FALSE, &ideal));
  PetscCall(Train(&t, "zero", "-kn_train_mc_device_sigma 0 -kn_train_mc_cap_sigma 0 -kn_train_mc_noise_sigma 0 -kn_train_mc_input_bits 0", PETSC_FALSE, &zero));
  PetscCall(KNTestOk(&t, (PetscBool)(!memcmp(&ideal.loss, &zero.loss, sizeof(PetscReal)) && !memcmp(&ideal.metric, &zero.metric, sizeof(PetscReal))), "every -kn_train_mc_* sigma 0: training is the ideal one bit for bit (loss %.10g, test mse %.10g)", (double)ideal.loss, (double)ideal.metric));
  PetscCall(Train(&t, "mismatch-a", MISMATCH, PETSC_TRUE, &a));
  PetscCall(Train(&t, "mismatch-b", MISMATCH, PETSC_FALSE, &b));
  PetscCall(KNTestOk(&t, (PetscBool)(a.loss == b.loss && a.metric == b.metric), "noise-aware training is reproducible (final loss %.10g, test mse %.10g)", (double)a.loss, (double)a.metric));
  PetscCall(KNTestOk(&t, (PetscBool)(a.loss != ideal.loss && a.last < a.first && PetscIsNormalReal(a.last)), "it differs from ideal training and still learns: loss %.5f -> %.5f (ideal %.5f -> %.5f)", (double)a.first, (double)a.last, (double)ideal.first, (double)ideal.last));
  PetscCall(Train(&t, "mismatch-seed", MISMATCH "-kn_train_mc_seed 5", PETSC_FALSE, &c));
  PetscCall(KNTestOk(&t, (PetscBool)(c.loss != a.loss), "another -kn_train_mc_seed draws other hardware (loss %.10g vs %.10g)", (double)c.loss, (double)a.loss));
  PetscCall(Train(&t, "dac24", "-kn_train_mc_input_bits 24 -kn_train_mc_input_range -10,10", PETSC_FALSE, &q));
  PetscCall(KNTestOk(&t, (PetscBool)(KNRelDiff(q.loss, ideal.loss, 0) <= 1e-5 && q.loss != ideal.loss), "a 24-bit input DAC in training changes the loss only slightly (rel %.1e)", (double)KNRelDiff(q.loss, ideal.loss, 0)));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
