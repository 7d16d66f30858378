/* Private: deterministic vectorisable reductions over the batch. */
#pragma once

#include <petscsys.h>

/* Lane sums for the fused adjoint kernels: KN_LANES independent partial sums per accumulated quantity,
   combined in a fixed order by KNLaneSum(), so parameter reductions vectorise without -ffast-math and
   give the same bits whatever the vector width. KN_LANE_LOOP runs the body for every sample b with
   its lane l (the remainder samples use lane 0). */
#define KN_LANES 8
/* The lane loop is kept rolled for the unroller: when gcc 12 unrolls it completely before vectorising, it may
   vectorise across blocks instead, with permutes and in-order reductions, 3-5x slower (seen for bodies with two lane
   sums); kept rolled, it is vectorised as it is, one vector per KN_LANES/4 lanes. */
#define KN_LANE_LOOP(B, b, l, ...) \
  do { \
    PetscInt kn_b0_ = 0; \
    for (; kn_b0_ + KN_LANES <= (B); kn_b0_ += KN_LANES) \
      _Pragma("GCC unroll 1") for (PetscInt l = 0; l < KN_LANES; l++) \
      { \
        const PetscInt b = kn_b0_ + l; \
        __VA_ARGS__ \
      } \
    for (PetscInt b = kn_b0_; b < (B); b++) { \
      const PetscInt l = 0; \
      __VA_ARGS__ \
    } \
  } while (0)

static inline PetscReal KNLaneSum(const PetscReal a[KN_LANES])
{
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}
