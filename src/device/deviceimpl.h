/* Private KNDevice data: the object, the built-in constructors and helpers shared by the law files. */
#pragma once

#include <kn/kndevice.h>

struct _p_KNDevice {
  MPI_Comm        comm;
  char           *type;      /* registered type name, NULL before the first KNDeviceSetType() */
  char           *prefix;    /* options prefix, may be NULL */
  PetscInt        rows;      /* parameters allocated per edge (reference layout, unused rows included) */
  PetscInt        used_rows; /* parameters that actually enter the law */
  KNDeviceKernels kernels;
  char           *formula;   /* the law as text, shown by KNDeviceView() */
  PetscInt        refct;     /* reference count: KNDeviceReference() adds one, KNDeviceDestroy() removes one */
};

/* The registry (device_reg.c): the list of constructors, filled once with the built-in laws. */
PETSC_INTERN PetscFunctionList KNDeviceList;
PETSC_INTERN PetscErrorCode    KNDeviceRegisterAll(void);
PETSC_INTERN PetscErrorCode    KNDeviceTypeNames(char[], size_t);

/*
  A constructor KNDeviceCreate_<Law>(KNDevice) calls KNDeviceSetLaw() and nothing else.
  The kernels (static functions in the law files) follow these rules so that the per-sample loops
  vectorise: no PetscCall, no allocation, theta loaded once before the loop, and outputs must not
  overlap the inputs or each other (the kernels declare their pointer arguments restrict).
*/
PETSC_INTERN PetscErrorCode KNDeviceCreate_ShiftTanh2(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_ShiftTanh1(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_TanhDiff(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_Tanh3P(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_ShiftRelu1(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_ShiftLeakyRelu1(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_ShiftRelu2(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_ShiftLeakyRelu2(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_ReluDiff(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_Relu3P(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_Conductance(KNDevice);
PETSC_INTERN PetscErrorCode KNDeviceCreate_CurrentSource(KNDevice);

/* Negative-side slope of the leaky ReLU laws (torch.nn.functional.leaky_relu default). */
#define KN_LEAKY_SLOPE 0.01

/* Sets the n entries of a[] to zero: unused parameter rows and vanishing derivatives in kernel outputs. */
static inline void KNDeviceZero_Private(PetscInt n, PetscReal *restrict a)
{
  for (PetscInt k = 0; k < n; k++) a[k] = 0.0;
}

/* Argument lists of the KNDeviceKernels members, for one-line wrappers around inlined cores. */
#define KN_CUR_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict i
#define KN_PAR_ARGS   KN_CUR_ARGS, PetscReal *restrict gs, PetscReal *restrict gd, PetscReal *restrict gth
#define KN_SEC_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict gss, PetscReal *restrict gsd, PetscReal *restrict gdd, PetscReal *restrict gsth, PetscReal *restrict gdth
#define KN_APP_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal *restrict fs, PetscReal *restrict fd
#define KN_TRC_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, PetscReal rs, PetscReal rd, PetscReal *restrict fs, PetscReal *restrict fd, PetscReal *restrict tr
#define KN_VJP_ARGS   const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth
#define KN_FLOW_ARGS  const PetscReal *restrict th, PetscInt B, const PetscReal *restrict vs, const PetscReal *restrict vd, const PetscReal *restrict ws, const PetscReal *restrict wd, const PetscReal *restrict wl, PetscReal rs, PetscReal rd, PetscReal *restrict ys, PetscReal *restrict yd, PetscReal *restrict yth

#include "sys/knlanes.h"

