/* Helpers for the robustness tests (t82x): a small supervised problem on the 5 -> 7 -> 4 test net. */
#pragma once

#include <kn/knrobust.h>
#include "kntestnet.h"

#define KN_TEST_FIXED_RK4 "-ts_type rk -ts_rk_type 4 -ts_adapt_type none -ts_dt 0.02"
#define KN_TEST_MAX_SAMPLES 64

/* Runs a call expected to fail; records whether it did. */
#define KN_TEST_EXPECT_ERROR(t, call, what) \
  do { \
    PetscErrorCode e_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    e_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(e_ != 0), "%s is rejected (error %d)", what, (int)e_)); \
  } while (0)

/*
  n <= 64 samples of 3 features; pixels (k/255 for k = 0..255, like 8-bit images) or values in [0, 1); targets:
  regression 2 values per sample, classification a label 0 or 1 (readout: the last 2 nodes of the net, batch B).
*/
static inline PetscErrorCode KNTestRobustProblem(MPI_Comm comm, KNTaskType type, KNDeviceType dev, PetscInt B, PetscInt n, PetscBool pixels, KNTask *task, KNDataset *ds, KNNet *net)
{
  PetscReal x[3 * KN_TEST_MAX_SAMPLES], y[2 * KN_TEST_MAX_SAMPLES];
  PetscBool cls;

  PetscFunctionBeginUser;
  PetscCheck(n <= KN_TEST_MAX_SAMPLES, comm, PETSC_ERR_ARG_OUTOFRANGE, "At most %d samples", KN_TEST_MAX_SAMPLES);
  PetscCall(PetscStrcmp(type, KNTASKCLASSIFICATION, &cls));
  for (PetscInt i = 0; i < 3 * n; i++) x[i] = pixels ? PetscFloorReal(128.0 * (KNTestRand(31, i) + 1.0)) / 255.0 : 0.5 * (KNTestRand(31, i) + 1.0);
  for (PetscInt i = 0; i < (cls ? 1 : 2) * n; i++) y[i] = cls ? (KNTestRand(32, i) > 0 ? 1.0 : 0.0) : 0.3 * KNTestRand(32, i);
  PetscCall(KNDatasetCreate(comm, ds));
  PetscCall(KNDatasetSetData(*ds, n, 3, x, cls ? 1 : 2, y));
  if (cls) PetscCall(KNDatasetSetNumClasses(*ds, 2));
  PetscCall(KNTaskCreate(comm, task));
  PetscCall(KNTaskSetType(*task, type));
  PetscCall(KNTestNetCreate(comm, dev, B, PETSC_FALSE, net));
  PetscCall(KNTaskSetUpNet(*task, *net, *ds));
  PetscFunctionReturn(KN_SUCCESS);
}

static inline PetscErrorCode KNTestRobustProblemDestroy(KNTask *task, KNDataset *ds, KNNet *net)
{
  PetscFunctionBeginUser;
  PetscCall(KNTaskDestroy(task));
  PetscCall(KNDatasetDestroy(ds));
  PetscCall(KNNetDestroy(net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Monte Carlo of a description (sigmas, seed) with N draws; metrics of the draws copied to m[] (up to 16). */
static inline PetscErrorCode KNTestRobustMC(KNTask task, KNNet net, KNDataset ds, PetscReal sd, PetscReal sc, PetscReal sn, PetscInt64 seed, PetscInt N, KNTaskTally *ideal, PetscReal m[])
{
  KNRobustness     r;
  MPI_Comm         comm;
  const PetscReal *v;
  PetscInt         n;

  PetscFunctionBeginUser;
  PetscCall(KNNetGetComm(net, &comm));
  PetscCall(KNRobustnessCreate(comm, &r));
  PetscCall(KNRobustnessSetDeviceMismatch(r, sd));
  PetscCall(KNRobustnessSetCapacitorMismatch(r, sc));
  PetscCall(KNRobustnessSetBoundaryNoise(r, sn));
  PetscCall(KNRobustnessSetSeed(r, seed));
  PetscCall(KNRobustnessSetNumDraws(r, N));
  PetscCall(KNRobustnessEvaluate(r, task, net, ds, 0, ideal));
  PetscCall(KNRobustnessGetDrawMetrics(r, &n, &v));
  PetscCheck(n == N && N <= 16, comm, PETSC_ERR_PLIB, "Expected %" PetscInt_FMT " draws, got %" PetscInt_FMT, N, n);
  PetscCall(PetscArraycpy(m, v, n));
  PetscCall(KNRobustnessDestroy(&r));
  PetscFunctionReturn(KN_SUCCESS);
}
