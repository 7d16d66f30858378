/* KNNet: D circuit layers in time; node fill/truncate between layers; readout; forward and adjoint sweeps. */
#pragma once

#include <kn/kncircuit.h>

/*S
  KNNet - a KirchhoffNet: layer i is a KNCircuit integrated over [0, T_i]; its final voltages are the next
  layer's initial voltages (nodes the next layer adds start at 0 V, nodes it lacks are dropped). The input
  sets the initial voltages of nodes 1..nin of the first layer; the readout is a chosen set of node voltages
  of the last layer at the final time.

  Inputs, outputs and their gradients are small sample-major arrays (entry b*K + k), the same on every rank;
  parameters live in one distributed Vec concatenating every layer's block (KNNetCreateParameterVec()).
S*/
typedef struct _p_KNNet *KNNet;

PETSC_EXTERN PetscErrorCode KNNetCreate(MPI_Comm, KNNet *);
PETSC_EXTERN PetscErrorCode KNNetDestroy(KNNet *);
PETSC_EXTERN PetscErrorCode KNNetAddLayer(KNNet, KNGraph, KNDevice, PetscReal);
PETSC_EXTERN PetscErrorCode KNNetGetNumLayers(KNNet, PetscInt *);
PETSC_EXTERN PetscErrorCode KNNetGetLayer(KNNet, PetscInt, KNCircuit *);
PETSC_EXTERN PetscErrorCode KNNetGetComm(KNNet, MPI_Comm *);
PETSC_EXTERN PetscErrorCode KNNetSetBatchSize(KNNet, PetscInt);
PETSC_EXTERN PetscErrorCode KNNetGetBatchSize(KNNet, PetscInt *);
PETSC_EXTERN PetscErrorCode KNNetSetFlow(KNNet, PetscBool);
PETSC_EXTERN PetscErrorCode KNNetSetCapacitance(KNNet, PetscReal);
PETSC_EXTERN PetscErrorCode KNNetSetStepComm(KNNet, MPI_Comm);
PETSC_EXTERN PetscErrorCode KNNetSetInterrupt(KNNet, PetscErrorCode (*)(void *, PetscBool *), void *);
PETSC_EXTERN PetscErrorCode KNNetSetReadout(KNNet, PetscInt, const PetscInt[]);
PETSC_EXTERN PetscErrorCode KNNetSetReadoutLast(KNNet, PetscInt);
PETSC_EXTERN PetscErrorCode KNNetGetReadout(KNNet, PetscInt *, const PetscInt **);
PETSC_EXTERN PetscErrorCode KNNetSetOptionsPrefix(KNNet, const char[]);
PETSC_EXTERN PetscErrorCode KNNetSetFromOptions(KNNet);
PETSC_EXTERN PetscErrorCode KNNetSetUp(KNNet);
PETSC_EXTERN PetscErrorCode KNNetView(KNNet, PetscViewer);

PETSC_EXTERN PetscErrorCode KNNetGetNumParameters(KNNet, PetscInt *);
PETSC_EXTERN PetscErrorCode KNNetCreateParameterVec(KNNet, Vec *);
PETSC_EXTERN PetscErrorCode KNNetSetParameters(KNNet, Vec);
PETSC_EXTERN PetscErrorCode KNNetGetParameters(KNNet, Vec);
PETSC_EXTERN PetscErrorCode KNNetGetLayerParameterVec(KNNet, Vec, PetscInt, Vec *);
PETSC_EXTERN PetscErrorCode KNNetRestoreLayerParameterVec(KNNet, Vec, PetscInt, Vec *);

PETSC_EXTERN PetscErrorCode KNNetForward(KNNet, PetscInt, const PetscReal[], PetscBool);
PETSC_EXTERN PetscErrorCode KNNetGetOutput(KNNet, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNNetGetLogDensity(KNNet, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNNetGetFinalVoltages(KNNet, PetscInt *, PetscReal **);
PETSC_EXTERN PetscErrorCode KNNetBackward(KNNet, const PetscReal[], const PetscReal[], Vec, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNNetSetSaveTrajectory(KNNet, PetscBool);
PETSC_EXTERN PetscErrorCode KNNetSetAdjointMemory(KNNet, PetscLogDouble);
PETSC_EXTERN PetscErrorCode KNNetGetTrajectoryBytes(KNNet, PetscLogDouble *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNNetGetStats(KNNet, KNCircuitStats *);
PETSC_EXTERN PetscErrorCode KNNetSetBoundaryNoise(KNNet, PetscReal, PetscInt64);
PETSC_EXTERN PetscErrorCode KNNetSetBoundaryNoiseSamples(KNNet, PetscInt, PetscInt, PetscInt);
