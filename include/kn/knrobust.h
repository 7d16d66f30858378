/* KNRobustness: non-ideal hardware for robustness studies (mismatch, noise, DAC/ADC quantisation, Monte Carlo). */
#pragma once

#include <kn/kntrainer.h>

/*S
  KNRobustness - a description of non-ideal KirchhoffNet hardware (spec section 13, the "realistic" variant's menu)
  and the Monte Carlo evaluation of a task metric under it.

  Non-idealities (each off at 0, the default; an off one leaves the net untouched, so results stay bitwise ideal):
+ device mismatch    - every device current times a log-normal gain exp(s_d z), z ~ N(0, 1) per (layer, edge)
                       (each rank draws only the edges it evaluates: KNCircuitSetEdgeGainsFunction())
. capacitor mismatch - every node capacitance times exp(s_c z) per (layer, node) (KNCircuitSetNodeCapacitances())
. boundary noise     - N(0, s_n^2) added to the voltages entering every layer after the first (KNNetSetBoundaryNoise())
. input DAC          - inputs quantised to 2^b evenly spaced levels spanning [lo, hi] (default [0, 1]), clipped
- output ADC         - readout voltages quantised to 2^b levels spanning [-R, R]; R = 0 (default): the largest
                       |output| of the ideal run on the evaluated data, i.e. an ADC whose full scale is calibrated
                       so that the ideal outputs never clip

  Draw k is a pure function of (seed, k) through the counter-based RNG (stream KN_STREAM_MISMATCH + k; the noise
  seed of draw k is hashed from (seed, KN_STREAM_NOISE, k)), so every rank count and every run draws the same
  hardware.
S*/
typedef struct _p_KNRobustness *KNRobustness;

PETSC_EXTERN PetscErrorCode KNRobustnessCreate(MPI_Comm, KNRobustness *);
PETSC_EXTERN PetscErrorCode KNRobustnessDestroy(KNRobustness *);
PETSC_EXTERN PetscErrorCode KNRobustnessSetDeviceMismatch(KNRobustness, PetscReal);
PETSC_EXTERN PetscErrorCode KNRobustnessSetCapacitorMismatch(KNRobustness, PetscReal);
PETSC_EXTERN PetscErrorCode KNRobustnessSetBoundaryNoise(KNRobustness, PetscReal);
PETSC_EXTERN PetscErrorCode KNRobustnessSetInputQuantization(KNRobustness, PetscInt, PetscReal, PetscReal);
PETSC_EXTERN PetscErrorCode KNRobustnessSetOutputQuantization(KNRobustness, PetscInt, PetscReal);
PETSC_EXTERN PetscErrorCode KNRobustnessSetSeed(KNRobustness, PetscInt64);
PETSC_EXTERN PetscErrorCode KNRobustnessSetNumDraws(KNRobustness, PetscInt);
PETSC_EXTERN PetscErrorCode KNRobustnessSetOptionsPrefix(KNRobustness, const char[]);
PETSC_EXTERN PetscErrorCode KNRobustnessSetFromOptions(KNRobustness);
PETSC_EXTERN PetscErrorCode KNRobustnessCreateFromOptions(MPI_Comm, const char[], PetscBool, PetscInt64, KNRobustness *);
PETSC_EXTERN PetscErrorCode KNRobustnessIsIdeal(KNRobustness, PetscBool *);
PETSC_EXTERN PetscErrorCode KNRobustnessView(KNRobustness, PetscViewer);

/* One hardware draw on a set-up net, and back to the ideal net. */
PETSC_EXTERN PetscErrorCode KNRobustnessApply(KNRobustness, KNNet, PetscInt64);
PETSC_EXTERN PetscErrorCode KNRobustnessRestore(KNRobustness, KNNet);
PETSC_EXTERN PetscErrorCode KNRobustnessGetEdgeGains(KNRobustness, PetscInt64, PetscInt, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNRobustnessGetEdgeGainsAt(KNRobustness, PetscInt64, PetscInt, PetscInt, const PetscInt[], PetscReal[]);

/* DAC/ADC: q(x) = lo + d round((clip(x) - lo)/d), d = (hi - lo)/(2^bits - 1); bits = 0 leaves x unchanged. */
PETSC_EXTERN PetscErrorCode KNQuantize(PetscInt, PetscReal, PetscReal, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNRobustnessQuantizeInputs(KNRobustness, PetscInt, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNRobustnessQuantizeOutputs(KNRobustness, PetscInt, PetscReal[]);

/* Monte Carlo of a task metric: the ideal run, then N draws. */
PETSC_EXTERN PetscErrorCode KNRobustnessEvaluate(KNRobustness, KNTask, KNNet, KNDataset, PetscInt, KNTaskTally *);
PETSC_EXTERN PetscErrorCode KNRobustnessGetResult(KNRobustness, PetscInt *, PetscReal *, PetscReal *, PetscReal *, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode KNRobustnessGetDrawMetrics(KNRobustness, PetscInt *, const PetscReal **);
