/* Shared helpers for circuit and net tests: deterministic random fills and gathering Vecs in a rank-independent order. */
#pragma once

#include "kntest.h"

/* Deterministic pseudo-random value in [-1, 1) from an integer key (splitmix64): rank-independent fills. */
static inline PetscReal KNTestRand(PetscInt64 seed, PetscInt64 k)
{
  unsigned long long z = (unsigned long long)seed * 0x9E3779B97F4A7C15ULL + (unsigned long long)k + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (PetscReal)(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

/* v[i] += a, set by one rank only (every rank calling VecSetValue would add it size times). */
static inline PetscErrorCode KNTestVecAddValue(Vec v, PetscInt i, PetscReal a)
{
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)v), &rank));
  if (rank == 0) PetscCall(VecSetValue(v, i, a, ADD_VALUES));
  PetscCall(VecAssemblyBegin(v));
  PetscCall(VecAssemblyEnd(v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Fills v[i] = scale * rand(seed, global index i). */
static inline PetscErrorCode KNTestFillVec(Vec v, PetscInt64 seed, PetscReal scale)
{
  PetscInt   lo, hi;
  PetscReal *a;

  PetscFunctionBeginUser;
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  PetscCall(VecGetArray(v, &a));
  for (PetscInt i = lo; i < hi; i++) a[i - lo] = scale * KNTestRand(seed, i);
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Parameters of every layer in graph (file) order, concatenated, on every rank: comparable across rank counts. */
static inline PetscErrorCode KNTestNetParametersGraphOrder(KNNet net, Vec P, PetscInt *n, PetscReal **out)
{
  PetscInt D, total = 0;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetNumParameters(net, &total));
  PetscCall(PetscMalloc1(total, out));
  *n    = 0;
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit          c;
    Vec                t, g, all;
    VecScatter         sc;
    const PetscReal   *a;
    PetscInt           m;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNNetGetLayerParameterVec(net, P, i, &t));
    PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
    PetscCall(KNCircuitParametersToGraphOrder(c, t, g));
    PetscCall(KNNetRestoreLayerParameterVec(net, P, i, &t));
    PetscCall(VecScatterCreateToAll(g, &sc, &all));
    PetscCall(VecScatterBegin(sc, g, all, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(sc, g, all, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecGetSize(all, &m));
    PetscCall(VecGetArrayRead(all, &a));
    PetscCall(PetscArraycpy(*out + *n, a, m));
    PetscCall(VecRestoreArrayRead(all, &a));
    *n += m;
    PetscCall(VecScatterDestroy(&sc));
    PetscCall(VecDestroy(&all));
    PetscCall(VecDestroy(&g));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Sets every layer's parameters from graph-order values theta_l[e*rows + r] = scale * rand(seed + l, e*rows + r). */
static inline PetscErrorCode KNTestNetRandomParameters(KNNet net, PetscInt64 seed, PetscReal scale)
{
  PetscInt D;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetNumLayers(net, &D));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    Vec       g, t;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitCreateGraphOrderParameterVec(c, &g));
    PetscCall(KNCircuitCreateParameterVec(c, &t));
    PetscCall(KNTestFillVec(g, seed + i, scale));
    PetscCall(KNCircuitParametersFromGraphOrder(c, g, t));
    PetscCall(KNCircuitSetParameters(c, t));
    PetscCall(VecDestroy(&g));
    PetscCall(VecDestroy(&t));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* A 6-node random circuit, T = 1, fixed steps dt = 0.01 (100 steps), batch 2, named "L7" (the options database is
   cleared afterwards). */
static inline PetscErrorCode KNTestSmallCircuit(KNCircuit *c)
{
  KNGraph  g;
  KNDevice d;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsInsertString(NULL, "-ts_adapt_type none -ts_dt 0.01"));
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 6, 20, 1, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, c));
  PetscCall(KNCircuitSetName(*c, "L7"));
  PetscCall(KNCircuitSetGraph(*c, g));
  PetscCall(KNCircuitSetDevice(*c, d));
  PetscCall(KNCircuitSetBatchSize(*c, 2));
  PetscCall(KNCircuitSetDuration(*c, 1.0));
  PetscCall(KNCircuitSetFromOptions(*c));
  PetscCall(KNCircuitSetUp(*c));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(PetscOptionsClear(NULL));
  PetscFunctionReturn(KN_SUCCESS);
}

/* An interrupt callback (KNCircuitSetInterrupt, KNNetSetInterrupt) that says stop from its polls-th poll on (0: never),
   on the rank where last is set only, and counts its polls. */
typedef struct {
  PetscInt  polls, calls;
  PetscBool last;
} KNTestInterrupt;

static inline PetscErrorCode KNTestInterruptPoll(void *ctx, PetscBool *stop)
{
  KNTestInterrupt *a = (KNTestInterrupt *)ctx;

  a->calls++;
  *stop = (PetscBool)(a->last && a->polls && a->calls >= a->polls);
  return KN_SUCCESS;
}

/* check(t, type) for every registered device law. */
static inline PetscErrorCode KNTestForEachDeviceType(KNTest *t, PetscErrorCode (*check)(KNTest *, KNDeviceType))
{
  PetscInt     n;
  const char **types;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceGetTypes(&n, &types));
  for (PetscInt i = 0; i < n; i++) PetscCall(check(t, types[i]));
  PetscCall(PetscFree(types));
  PetscFunctionReturn(KN_SUCCESS);
}

static inline PetscReal KNTestMaxAbs(PetscInt n, const PetscReal a[])
{
  PetscReal m = 0;
  for (PetscInt i = 0; i < n; i++) m = PetscMax(m, PetscAbsReal(a[i]));
  return m;
}

/* Norm-wise relative difference max|a-b| / max|b|. */
static inline PetscReal KNTestRelErr(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  PetscReal d = 0, m = KNTestMaxAbs(n, b);
  for (PetscInt i = 0; i < n; i++) d = PetscMax(d, PetscAbsReal(a[i] - b[i]));
  return m > 0 ? d / m : d;
}
