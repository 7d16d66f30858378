/* KNAct: the (leaky) ReLU of the ReLU law files, written so that the per-sample loops vectorise. */
#pragma once

#include <petscsys.h>
#include <stdint.h>
#include <string.h>

/*
  act(z) = z for z > 0, alpha z otherwise (alpha = 0: ReLU; 0 < alpha < 1: leaky ReLU); act'(z) = 1 for z > 0,
  alpha otherwise (PyTorch: relu'(0) = 0, leaky_relu'(0) = alpha). Callers pass alpha as a constant, so each law
  gets its own branch-free loop.
  Why not plain selects: under -ftrapping-math (the default) gcc does not if-convert a branch holding a product, and
  it turns x * (z > 0 ? 1 : alpha), or two selects on the same condition, into such branches; the loop then stays
  scalar. So the selects are bit masks (KNSelectIfPositive), which no pass turns back into branches, and the leaky
  ReLU is max(z, alpha z), a select between two values computed in any case. Same results for every z (signed
  zeros, infinities and NaN included).
*/
static inline PetscReal KNSelectIfPositive(PetscReal z, PetscReal x, PetscReal y) /* z > 0 ? x : y */
{
  const uint64_t m = -(uint64_t)(z > 0);
  uint64_t       bx, by;

  memcpy(&bx, &x, sizeof(bx));
  memcpy(&by, &y, sizeof(by));
  bx = (bx & m) | (by & ~m);
  memcpy(&x, &bx, sizeof(x));
  return x;
}

static inline PetscReal KNAct(PetscReal z, PetscReal alpha)
{
  const PetscReal az = alpha * z;

  if (alpha == 0) return KNSelectIfPositive(z, z, 0.0);
  return z > az ? z : az; /* = alpha z for z <= 0 when 0 < alpha < 1 */
}

static inline PetscReal KNDAct(PetscReal z, PetscReal alpha)
{
  return KNSelectIfPositive(z, 1.0, alpha);
}
