/* Supervised tasks: regression (MSE on the readout) and classification (cross entropy on the last K voltages). */
#include "taskimpl.h"

static PetscErrorCode SetUpNet_Regression(KNTask task, KNNet net, KNDataset data)
{
  PetscInt n, nf, nt, N0, Nl;
  PetscBool uniform;

  PetscFunctionBegin;
  PetscCall(KNDatasetGetSizes(data, &n, &nf, &nt));
  PetscCheck(nt >= 1, task->comm, PETSC_ERR_ARG_WRONG, "Regression needs targets; the dataset has none (CSV: -kn_data_targets K)");
  PetscCheck(!task->nout_user || task->nout_user == nt, task->comm, PETSC_ERR_ARG_INCOMP, "-kn_task_outputs %" PetscInt_FMT " differs from the dataset's %" PetscInt_FMT " targets per sample", task->nout_user, nt);
  PetscCall(KNTaskNetNodes_Private(net, &N0, &Nl, &uniform));
  PetscCheck(nf <= N0, task->comm, PETSC_ERR_ARG_SIZ, "The data have %" PetscInt_FMT " features but the first layer has only %" PetscInt_FMT " nodes: use more nodes (e.g. -kn_topology_num_node %" PetscInt_FMT " for fc)", nf, N0, nf + nt + 1);
  PetscCheck(nt <= Nl, task->comm, PETSC_ERR_ARG_SIZ, "%" PetscInt_FMT " targets, but the last layer has only %" PetscInt_FMT " nodes", nt, Nl);
  task->nin = nf, task->nout = nt;
  PetscCall(KNNetSetReadoutLast(net, nt));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SetUpNet_Classification(KNTask task, KNNet net, KNDataset data)
{
  PetscInt  n, nf, nt, nc, K, N0, Nl;
  PetscBool uniform;

  PetscFunctionBegin;
  PetscCall(KNDatasetGetSizes(data, &n, &nf, &nt));
  PetscCall(KNDatasetGetNumClasses(data, &nc));
  PetscCheck(nt == 1, task->comm, PETSC_ERR_ARG_WRONG, "Classification needs one class label per sample; the dataset has %" PetscInt_FMT " targets", nt);
  K = task->nout_user ? task->nout_user : nc;
  PetscCheck(K >= 2, task->comm, PETSC_ERR_ARG_WRONG, "Classification needs at least 2 classes: the dataset declares %" PetscInt_FMT "; give -kn_task_outputs K", nc);
  PetscCheck(!nc || nc <= K, task->comm, PETSC_ERR_ARG_INCOMP, "The dataset has %" PetscInt_FMT " classes but the readout has only %" PetscInt_FMT " logits (-kn_task_outputs)", nc, K);
  PetscCall(KNTaskNetNodes_Private(net, &N0, &Nl, &uniform));
  PetscCheck(nf <= N0, task->comm, PETSC_ERR_ARG_SIZ, "The data have %" PetscInt_FMT " features but the first layer has only %" PetscInt_FMT " nodes: add nodes for the %" PetscInt_FMT " logits (e.g. -kn_topology_num_node %" PetscInt_FMT " for fc, or projection nodes for mix)", nf, N0, K, nf + K + 1);
  PetscCheck(K <= Nl, task->comm, PETSC_ERR_ARG_SIZ, "%" PetscInt_FMT " logits, but the last layer has only %" PetscInt_FMT " nodes", K, Nl);
  task->nin = nf, task->nout = K;
  PetscCall(KNNetSetReadoutLast(net, K));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Forward sweep of m real samples padded to the batch, loss on the first m, optional backward. */
static PetscErrorCode Batch_Supervised(KNTask task, KNNet net, PetscInt m, const PetscReal x[], const PetscReal y[], PetscInt64 stream, PetscInt64 draw, Vec grad, KNTaskTally *t)
{
  PetscInt  B, K = task->nout, t1 = 0, t5 = 0;
  PetscReal L;
  PetscBool cls;

  PetscFunctionBegin;
  PetscCheck(x && y, task->comm, PETSC_ERR_ARG_NULL, "The %s task needs features and targets", task->type);
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNTaskWork_Private(task, B));
  PetscCall(PetscArrayzero(task->in, B * task->nin));
  PetscCall(PetscArraycpy(task->in, x, m * task->nin));
  PetscCall(KNNetForward(net, task->nin, task->in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, task->out));
  PetscCall(PetscArrayzero(task->dout, B * K));
  PetscCall(PetscStrcmp(task->type, KNTASKCLASSIFICATION, &cls));
  if (cls) PetscCall(KNLossCrossEntropy(m, K, task->out, y, &L, task->dout, &t1, &t5));
  else PetscCall(KNLossMSE(m, K, task->out, y, &L, task->dout));
  t->n += m, t->loss += L * (PetscReal)m, t->top1 += t1, t->top5 += t5;
  PetscCall(KNTaskScaleSeeds_Private(task, m, m * K, task->dout, 0, NULL));
  if (grad) PetscCall(KNNetBackward(net, task->dout, NULL, grad, NULL));
  (void)stream, (void)draw;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskCreate_Regression(KNTask task)
{
  PetscFunctionBegin;
  task->ops.setupnet = SetUpNet_Regression;
  task->ops.batch    = Batch_Supervised;
  task->metric       = "mse";
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskCreate_Classification(KNTask task)
{
  PetscFunctionBegin;
  task->ops.setupnet = SetUpNet_Classification;
  task->ops.batch    = Batch_Supervised;
  task->metric       = "top1";
  PetscFunctionReturn(KN_SUCCESS);
}
