/* Private declarations of the SPICE export (src/hardware/spice*.c). */
#pragma once

#include <kn/knspice.h>
#include "device/deviceimpl.h" /* KN_LEAKY_SLOPE: the netlist uses the kernels' slope */
#include <stdio.h>

#define KN_SPICE_EXPR_LEN    1024
#define KN_SPICE_LEAKY_SLOPE KN_LEAKY_SLOPE

/* What the netlist of one layer needs; theta (graph order, E*rows) is valid on rank 0 only. */
typedef struct {
  PetscInt        i, N, E, rows;
  PetscReal       T, C;
  KNDeviceType    type;
  KNDevice        device;
  const PetscInt *src, *dst;
  const PetscReal *theta;
} KNSpiceLayer;

typedef struct {
  PetscReal a, reltol, abstol, vntol;
  PetscInt  steps, D, sample;
} KNSpiceSettings;

/* Creates dir (one level) unless it exists; errors if it is not a writable directory. Not collective. */
PETSC_INTERN PetscErrorCode KNSpiceMakeDir_Private(const char[]);
/* Rank 0: text files written to "<path>.tmp" and renamed into place when complete (a full disk leaves the old file). */
PETSC_INTERN PetscErrorCode KNSpiceOpenFile_Private(const char[], char[], size_t, FILE **);
PETSC_INTERN PetscErrorCode KNSpiceCloseFile_Private(FILE *, const char[], const char[], mode_t, PetscBool);
/* dir/layer_NNN.ic: .ic V(n<j>) = v[j-1] for j <= n, 0 for n < j <= N; what goes into a comment. Not collective. */
PETSC_INTERN PetscErrorCode KNSpiceWriteIC_Private(const char[], PetscInt, PetscInt, PetscInt, const PetscReal[], const char[]);
/* dir/run.sh: runs the layers in order, chains the .ic files, prints the readout. Not collective. */
PETSC_INTERN PetscErrorCode KNSpiceWriteDriver_Private(const char[], PetscInt, const KNSpiceLayer[], const PetscInt[], PetscInt);
