/* Losses on the small sample-major arrays of a mini-batch (value and gradient), and the density-matching energies. */
#pragma once

#include <kn/knsys.h>

/*
  Every loss is a pure function of its arrays (Not Collective): call it with the same arrays on every rank and every
  rank gets the same value. Gradient outputs may be NULL when not wanted. All losses are means over the batch.

  Flow sign conventions (checked on a linear flow dv/dt = A v, A diagonal, through a real KNNet in tests/t405):
  - Generation (maximum likelihood, spec 7.4). Run KNNetForward(net, d, x, PETSC_TRUE) (reversed: data x -> base z) and
    read lp = KNNetGetLogDensity(). The reversed solve integrates d(lp)/ds = +tr J, so lp = +int_0^T tr(df/dv) dt,
    the reference's Delta: z = x e^{-aT}, lp = aT. Then log p(x) = log N(z; 0, I) - lp and KNLossFlowNLL() returns
    L = -mean_b log p(x_b) = mean_b [ |z_b|^2/2 + (d/2) log(2 pi) + lp_b ],  dL/dz_b = z_b/B,  dL/dlp_b = 1/B.
  - Density matching (reverse KL, spec 7.5). Run KNNetForward(net, 2, z0, PETSC_FALSE) with z0 ~ N(0, I) and read
    x = KNNetGetOutput() and lp = KNNetGetLogDensity(): lp = -int tr(df/dv) dt (the reference's Delta), so
    log q(x) = log N(z0) + lp, and KNLossDensityKL() returns
    L = mean_b [ lp_b + U(x_b) ],  dL/dx_b = grad U(x_b)/B,  dL/dlp_b = 1/B,
    which is KL(q || p) - E[log N(z0)] - log Z; at KL = 0 it is 1 + log(2 pi) - log Z (0.9604 for potential1).
*/
PETSC_EXTERN PetscErrorCode KNLossMSE(PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscReal *, PetscReal[]);
PETSC_EXTERN PetscErrorCode KNLossCrossEntropy(PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscReal *, PetscReal[], PetscInt *, PetscInt *);
PETSC_EXTERN PetscErrorCode KNLossFlowNLL(PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscReal *, PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNFlowLogLikelihood(PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscReal[]);
PETSC_EXTERN PetscErrorCode KNLossDensityKL(PetscInt, const PetscReal[], const PetscReal[], const char[], PetscReal *, PetscReal[], PetscReal[]);

/*
  Energies U(z) of 2-D target densities p ~ exp(-U) (Rezende & Mohamed 2015): potential1..potential4.
  A KNPotentialFn evaluates n points z[2i], z[2i+1]: U[i] and, if dU is not NULL, dU[2i], dU[2i+1].
*/
typedef PetscErrorCode (*KNPotentialFn)(PetscInt n, const PetscReal z[], PetscReal U[], PetscReal dU[]);

PETSC_EXTERN PetscErrorCode KNPotentialRegister(const char[], KNPotentialFn);
PETSC_EXTERN PetscErrorCode KNPotentialGetNames(char[], size_t);
PETSC_EXTERN PetscErrorCode KNPotentialEvaluate(const char[], PetscInt, const PetscReal[], PetscReal[], PetscReal[]);
