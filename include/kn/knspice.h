/* KirchhoffNet as hardware: ngspice netlists of a net (one per layer), circuit-level verification, and hardware figures. */
#pragma once

#include <kn/knnet.h>

/*
  Netlists (KNNetExportSpice()), one per layer in DIR/layer_NNN.cir:
    - one behavioural source per learnable edge e (graph order), B<e> n<s> n<d> I = <device law>, ground = node 0;
      SPICE pushes the current from n+ through the source to n-, so a positive current leaves s and enters d;
    - one capacitor per node to ground, C*a;  .include layer_NNN.ic  (the initial voltages, .ic + uic);
    - .tran to T*a with uic, a maximum step of T*a/steps, tight .options;
    - .meas tran kn_m<j> FIND V(n<j>) AT=T*a for every node (7 significant digits in ngspice's report), and a
      .control block printing "kn_v<j> = <value>" with 17 digits, the values the next layer's .ic is built from.
  DIR/run.sh runs the layers in order with ngspice -b, writes each next layer's .ic (new nodes at 0 V, extra nodes
  dropped) and prints the readout voltages as CSV.

  Voltage arrays of a whole sweep (KNNetRunSpice(), KNNetGetLayerVoltages()) concatenate the layers: entry
  off_i + j - 1 is node j of layer i at its final time, off_i = N_0 + ... + N_{i-1}.
*/

/* Options read by KNNetExportSpice() (no prefix) */
#define KN_SPICE_RELTOL_DEFAULT 1e-7
#define KN_SPICE_ABSTOL_DEFAULT 1e-12
#define KN_SPICE_VNTOL_DEFAULT  1e-10
#define KN_SPICE_STEPS_DEFAULT  5000

PETSC_EXTERN PetscErrorCode KNDeviceGetSpiceExpression(KNDevice, const PetscReal[], PetscInt, PetscInt, char[], size_t);
PETSC_EXTERN PetscErrorCode KNNetExportSpice(KNNet, PetscInt, const PetscReal[], PetscReal, const char[]);
PETSC_EXTERN PetscErrorCode KNSpiceFindProgram(const char[], char[], size_t, PetscBool *);
PETSC_EXTERN PetscErrorCode KNNetRunSpice(KNNet, const char[], const char[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNNetGetNumLayerVoltages(KNNet, PetscInt *);
PETSC_EXTERN PetscErrorCode KNNetGetLayerVoltages(KNNet, PetscInt, const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNNetComputeDeviceCharge(KNNet, PetscInt, const PetscReal[], PetscInt, PetscReal *, PetscInt *);
