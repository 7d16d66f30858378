static char help[] = "Train -> save -> load -> evaluate: a model trained by KNTrainer (generation and regression), written to\n"
                     "model.h5 and loaded with KNNetLoad, gives bitwise identical outputs, log-densities and task metrics.\n"
                     "Samples of the flow (KNFlowSample, forward) carry the log-density that the reversed sweep gives back.\n";

#include "kntesttrain.h"

#define SOLVER "-ts_type rk -ts_rk_type 5dp -ts_rtol 1e-4 -ts_atol 1e-4 -ts_dt 1e-3 -ts_adapt_dt_min 1e-6 "

/* Outputs (and log-densities) of one batch and the task tally over a dataset. */
static PetscErrorCode Probe(KNTask task, KNNet net, KNDataset ds, PetscBool flow, PetscReal out[], PetscReal lp[], KNTaskTally *tally)
{
  PetscInt         B, n, nf, nt, K;
  const PetscReal *x;
  PetscReal       *in;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNDatasetGetSizes(ds, &n, &nf, &nt));
  PetscCall(KNDatasetGetData(ds, &x, NULL));
  PetscCall(PetscCalloc1(B * nf, &in));
  PetscCall(PetscArraycpy(in, x, PetscMin(B, n) * nf));
  PetscCall(KNNetForward(net, nf, in, flow));
  PetscCall(KNNetGetOutput(net, out));
  if (flow) PetscCall(KNNetGetLogDensity(net, lp));
  PetscCall(PetscFree(in));
  PetscCall(KNTaskEvaluate(task, net, ds, 0, 0, tally));
  PetscFunctionReturn(KN_SUCCESS);
}

/* x = KNFlowSample(): log q(x) from the forward sweep equals log p(x) = log N(z) - lp of the reversed sweep. */
static PetscErrorCode SampleDensity(KNTest *t, KNNet net)
{
  PetscInt   B, d;
  PetscReal *x, *lq, *z, *lp, *lpx, err = 0;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &d, NULL));
  PetscCall(PetscMalloc5(B * d, &x, B, &lq, B * d, &z, B, &lp, B, &lpx));
  PetscCall(KNFlowSample(net, B, 7, x, lq));
  PetscCall(KNNetForward(net, d, x, PETSC_TRUE));
  PetscCall(KNNetGetOutput(net, z));
  PetscCall(KNNetGetLogDensity(net, lp));
  PetscCall(KNFlowLogLikelihood(B, d, z, lp, lpx));
  for (PetscInt b = 0; b < B; b++) err = PetscMax(err, PetscAbsReal(lpx[b] - lq[b]));
  PetscCall(KNTestOk(t, (PetscBool)(err < 1e-3), "generation: log q of %" PetscInt_FMT " samples (forward sweep) = log p from the reversed sweep, max difference %.2e (ODE tolerance 1e-4)", B, (double)err));
  PetscCall(PetscFree5(x, lq, z, lp, lpx));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode RoundTrip(KNTest *t, const char name[], const char options[])
{
  KNTrainer   tr;
  KNTask      task;
  KNNet       net, loaded;
  KNDataset   train, test;
  KNTaskTally t1, t2;
  PetscInt    B, K;
  PetscBool   flow, same;
  PetscReal  *o1, *o2, lp1[512], lp2[512];
  char        dir[PETSC_MAX_PATH_LEN], file[PETSC_MAX_PATH_LEN + 16];
  PetscMPIInt size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(t->comm, &size));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "t411-np%d/%s", (int)size, name));
  PetscCall(KNTestTrain(t->comm, options, dir, &tr));
  PetscCall(KNTrainerGetNet(tr, &net));
  PetscCall(KNTrainerGetTask(tr, &task));
  PetscCall(KNTaskGetFlow(task, &flow));
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNDatasetCreateFromOptions(t->comm, NULL, task, &train, &test));
  PetscCall(PetscMalloc2(B * K, &o1, B * K, &o2));
  PetscCall(Probe(task, net, train, flow, o1, lp1, &t1));
  PetscCall(PetscSNPrintf(file, sizeof(file), "%s/model.h5", dir));
  PetscCall(KNNetLoad(t->comm, file, B, flow, &loaded));
  PetscCall(KNTaskSetUpNet(task, loaded, train));
  PetscCall(Probe(task, loaded, train, flow, o2, lp2, &t2));
  PetscCall(PetscArraycmp(o1, o2, B * K, &same));
  if (flow) {
    PetscBool s2;
    PetscCall(PetscArraycmp(lp1, lp2, B, &s2));
    same = (PetscBool)(same && s2);
  }
  PetscCall(KNTestOk(t, same, "%s: outputs%s of the trained net and of the saved and reloaded model are bitwise identical (%" PetscInt_FMT " x %" PetscInt_FMT ")", name, flow ? " and log-densities" : "", B, K));
  PetscCall(KNTestOk(t, (PetscBool)(t1.n == t2.n && t1.loss == t2.loss && t1.top1 == t2.top1), "%s: task metric over %" PetscInt_FMT " samples identical after reload: %.17g vs %.17g", name, t1.n, (double)(t1.loss / t1.n), (double)(t2.loss / t2.n)));
  if (flow) PetscCall(SampleDensity(t, loaded));
  PetscCall(PetscFree2(o1, o2));
  PetscCall(KNNetDestroy(&loaded));
  PetscCall(KNDatasetDestroy(&train));
  PetscCall(KNDatasetDestroy(&test));
  PetscCall(KNTrainerDestroy(&tr));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(RoundTrip(&t, "generation", "-kn_task_type generation -kn_data twomoon -kn_data_size 512 -kn_layers 2 -kn_topology_num_node 3 -kn_topology_repeat 3,3 -kn_train_batch_size 256 -kn_optim_lr 1e-2 -kn_train_epochs 2 " SOLVER));
  PetscCall(RoundTrip(&t, "regression", "-kn_task_type regression -kn_data friedman1 -kn_data_size 256 -kn_layers 2 -kn_topology_num_node 8 -kn_device_type shift_relu1 -kn_train_batch_size 64 -kn_optim_lr 1e-2 -kn_train_epochs 2 " SOLVER));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
