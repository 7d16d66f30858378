/* Flow tasks: generation (maximum likelihood of a continuous normalizing flow, spec 7.4), density matching (reverse
   KL, spec 7.5), and sampling from a trained flow. */
#include "taskimpl.h"

/* Flows need one state dimension throughout: every layer has N nodes. */
static PetscErrorCode CheckFlowNet(KNTask task, KNNet net, PetscInt *N)
{
  PetscInt  Nl;
  PetscBool uniform;

  PetscFunctionBegin;
  PetscCall(KNTaskNetNodes_Private(net, N, &Nl, &uniform));
  PetscCheck(uniform, task->comm, PETSC_ERR_ARG_INCOMP, "The %s task is a flow: every layer must have the same number of nodes (layer 0 has %" PetscInt_FMT ", the last %" PetscInt_FMT ")", task->type, *N, Nl);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SetUpNet_Generation(KNTask task, KNNet net, KNDataset data)
{
  PetscInt n, nf, nt, N;

  PetscFunctionBegin;
  PetscCall(CheckFlowNet(task, net, &N));
  PetscCall(KNDatasetGetSizes(data, &n, &nf, &nt));
  PetscCheck(nf == N, task->comm, PETSC_ERR_ARG_SIZ, "Generation models %" PetscInt_FMT "-D data with a base N(0, I) of the first layer's dimension, but the layers have %" PetscInt_FMT " nodes (fc: -kn_topology_num_node %" PetscInt_FMT ")", nf, N, nf + 1);
  task->nin = N, task->nout = N;
  PetscCall(KNNetSetReadoutLast(net, N));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode SetUpNet_Density(KNTask task, KNNet net, KNDataset data)
{
  PetscInt N;

  PetscFunctionBegin;
  PetscCall(CheckFlowNet(task, net, &N));
  PetscCheck(N == 2, task->comm, PETSC_ERR_ARG_SIZ, "Density matching targets the 2-D energy %s, but the layers have %" PetscInt_FMT " nodes (fc: -kn_topology_num_node 3)", task->potential, N);
  task->nin = N, task->nout = N;
  PetscCall(KNNetSetReadoutLast(net, N));
  (void)data;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reversed sweep data -> base; NLL = mean(|z|^2/2 + d/2 log 2 pi + lp) on the first m samples. */
static PetscErrorCode Batch_Generation(KNTask task, KNNet net, PetscInt m, const PetscReal x[], const PetscReal y[], PetscInt64 stream, PetscInt64 draw, Vec grad, KNTaskTally *t)
{
  PetscInt  B, d = task->nin;
  PetscReal L;

  PetscFunctionBegin;
  PetscCheck(x, task->comm, PETSC_ERR_ARG_NULL, "The generation task needs data samples");
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNTaskWork_Private(task, B));
  PetscCall(PetscArrayzero(task->in, B * d));
  PetscCall(PetscArraycpy(task->in, x, m * d));
  PetscCall(KNNetForward(net, d, task->in, PETSC_TRUE));
  PetscCall(KNNetGetOutput(net, task->out));
  PetscCall(KNNetGetLogDensity(net, task->lp));
  PetscCall(PetscArrayzero(task->dout, B * d));
  PetscCall(PetscArrayzero(task->dlp, B));
  PetscCall(KNLossFlowNLL(m, d, task->out, task->lp, &L, task->dout, task->dlp));
  t->n += m, t->loss += L * (PetscReal)m;
  PetscCall(KNTaskScaleSeeds_Private(task, m, m * d, task->dout, m, task->dlp));
  if (grad) PetscCall(KNNetBackward(net, task->dout, task->dlp, grad, NULL));
  (void)y, (void)stream, (void)draw;
  PetscFunctionReturn(KN_SUCCESS);
}

/* z0 ~ N(0, I) from (seed, stream, draw + b), forward sweep, loss = mean(lp + U(x)) on the first m samples. */
static PetscErrorCode Batch_Density(KNTask task, KNNet net, PetscInt m, const PetscReal x[], const PetscReal y[], PetscInt64 stream, PetscInt64 draw, Vec grad, KNTaskTally *t)
{
  PetscInt  B, d = task->nin;
  PetscReal L;

  PetscFunctionBegin;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNTaskWork_Private(task, B));
  PetscCall(PetscArrayzero(task->in, B * d));
  for (PetscInt b = 0; b < m; b++)
    for (PetscInt k = 0; k < d; k++) task->in[b * d + k] = KNRandomNormal(task->seed, stream, (draw + b) * d + k);
  PetscCall(KNNetForward(net, d, task->in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, task->out));
  PetscCall(KNNetGetLogDensity(net, task->lp));
  PetscCall(PetscArrayzero(task->dout, B * d));
  PetscCall(PetscArrayzero(task->dlp, B));
  PetscCall(KNLossDensityKL(m, task->out, task->lp, task->potential, &L, task->dout, task->dlp));
  t->n += m, t->loss += L * (PetscReal)m;
  if (task->anneal && stream == KN_STREAM_TASK_BASE) { /* training: draw = iteration * batch + slice start */
    PetscReal beta = PetscMin(1, 0.01 + (PetscReal)(draw / (task->mtotal ? task->mtotal : m)) / (PetscReal)task->anneal);
    for (PetscInt i = 0; i < m * d; i++) task->dout[i] *= beta; /* dL/dx comes from U alone */
  }
  PetscCall(KNTaskScaleSeeds_Private(task, m, m * d, task->dout, m, task->dlp));
  if (grad) PetscCall(KNNetBackward(net, task->dout, task->dlp, grad, NULL));
  (void)x, (void)y;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskCreate_Generation(KNTask task)
{
  PetscFunctionBegin;
  task->ops.setupnet = SetUpNet_Generation;
  task->ops.batch    = Batch_Generation;
  task->metric       = "nll";
  task->flow         = PETSC_TRUE;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNTaskCreate_Density(KNTask task)
{
  PetscFunctionBegin;
  task->ops.setupnet = SetUpNet_Density;
  task->ops.batch    = Batch_Density;
  task->metric       = "density_loss";
  task->flow         = PETSC_TRUE;
  task->needs_data   = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNFlowSample - draws samples from a flow: z ~ N(0, I) of the first layer's dimension pushed forward through the
  layers (spec 7.4, "Sampling"), with the model's log-density of each sample

  Collective

  Input Parameters:
+ net - a set-up flow net (KNNetSetFlow()) whose readout is every node of the last layer
. n - number of samples (pushed in batches of the net's batch size)
- seed - the seed: z[i*d + k] = KNRandomNormal(seed, KN_STREAM_TASK_SAMPLE, i*d + k)

  Output Parameters:
+ x - n*K samples, x[i*K + k] (K = readout size, the same on every rank)
- logq - n values log q(x_i) = log N(z_i; 0, I) + lp_i (or NULL)

  Level: beginner

.seealso: KNTaskSetUpNet(), KNLossFlowNLL()
@*/
PetscErrorCode KNFlowSample(KNNet net, PetscInt n, PetscInt64 seed, PetscReal x[], PetscReal logq[])
{
  KNCircuit  c;
  KNGraph    g;
  PetscInt   B, K, d;
  PetscReal *z, *out, *lp;
  MPI_Comm   comm;

  PetscFunctionBegin;
  PetscCall(KNNetGetComm(net, &comm));
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNNetGetLayer(net, 0, &c));
  PetscCall(KNCircuitGetGraph(c, &g));
  PetscCall(KNGraphGetSizes(g, &d, NULL));
  PetscCheck(K > 0, comm, PETSC_ERR_ARG_WRONGSTATE, "KNFlowSample needs a set-up flow net (KNNetSetUp())");
  PetscCall(PetscMalloc3(B * d, &z, B * K, &out, B, &lp));
  for (PetscInt s = 0; s < n; s += B) {
    PetscInt m = PetscMin(B, n - s);
    PetscCall(PetscArrayzero(z, B * d));
    for (PetscInt i = 0; i < m * d; i++) z[i] = KNRandomNormal(seed, KN_STREAM_TASK_SAMPLE, s * d + i);
    PetscCall(KNNetForward(net, d, z, PETSC_FALSE));
    PetscCall(KNNetGetOutput(net, out));
    PetscCall(PetscArraycpy(x + s * K, out, m * K));
    if (!logq) continue;
    PetscCall(KNNetGetLogDensity(net, lp)); /* forward sweep: log q(x) = log N(z) + lp */
    for (PetscInt b = 0; b < m; b++) lp[b] = -lp[b];
    PetscCall(KNFlowLogLikelihood(m, d, z, lp, logq + s));
  }
  PetscCall(PetscFree3(z, out, lp));
  PetscFunctionReturn(KN_SUCCESS);
}
