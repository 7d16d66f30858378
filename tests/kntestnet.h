/* A small multi-layer test net with node addition and truncation between layers. */
#pragma once

#include "kntestutil.h"

/* Layers: 5 -> 7 -> 4 nodes (adds two nodes, then drops three), random edges, times 0.3/0.4/0.3. */
static inline PetscErrorCode KNTestNetCreate(MPI_Comm comm, KNDeviceType type, PetscInt B, PetscBool flow, KNNet *net)
{
  const PetscInt  N[3] = {5, 7, 4}, E[3] = {24, 30, 16};
  const PetscReal T[3] = {0.3, 0.4, 0.3};
  PetscInt        D    = flow ? 2 : 3;

  PetscFunctionBeginUser;
  PetscCall(KNNetCreate(comm, net));
  for (PetscInt i = 0; i < D; i++) {
    KNGraph  g;
    KNDevice d;
    if (flow) PetscCall(KNGraphCreateFullyConnected(comm, 4, PETSC_TRUE, 1, 1, &g));
    else PetscCall(KNGraphCreateRandom(comm, N[i], E[i], 100 + i, &g));
    PetscCall(KNDeviceCreate(comm, &d));
    PetscCall(KNDeviceSetType(d, type));
    PetscCall(KNNetAddLayer(*net, g, d, T[i]));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNDeviceDestroy(&d));
  }
  PetscCall(KNNetSetBatchSize(*net, B));
  PetscCall(KNNetSetFlow(*net, flow));
  if (!flow) PetscCall(KNNetSetReadoutLast(*net, 2));
  PetscCall(KNNetSetFromOptions(*net));
  PetscCall(KNNetSetUp(*net));
  PetscCall(KNTestNetRandomParameters(*net, 42, 0.9));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Loss: L = sum_{b,k} (0.5 out^2 + c_{bk} out) [+ sum_b (0.5 |out_b|^2... ) for flows: + a_b logp_b]; also returns dL/dout, dL/dlogp. */
static inline PetscErrorCode KNTestNetLoss(KNNet net, PetscInt nin, const PetscReal in[], PetscBool flow, PetscReal *L, PetscReal dout[], PetscReal dlogp[])
{
  PetscInt  B, K;
  PetscReal out[64], lp[16];

  PetscFunctionBeginUser;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNNetForward(net, nin, in, flow));
  PetscCall(KNNetGetOutput(net, out));
  *L = 0;
  for (PetscInt i = 0; i < B * K; i++) {
    PetscReal c = 0.3 + 0.1 * i;
    *L += 0.5 * out[i] * out[i] + c * out[i];
    if (dout) dout[i] = out[i] + c;
  }
  if (flow) {
    PetscCall(KNNetGetLogDensity(net, lp));
    for (PetscInt b = 0; b < B; b++) {
      *L += (1.0 + 0.5 * b) * lp[b];
      if (dlogp) dlogp[b] = 1.0 + 0.5 * b;
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}
