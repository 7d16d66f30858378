/* Private: allocations whose size comes from a file. */
#pragma once

#include <kn/knsys.h>

/* KNMallocChecked_Private - PetscMalloc of bytes (SIZE_MAX: an overflowed size) for what; an allocation that cannot
   succeed fails with "out of memory: N bytes for WHAT" (PETSC_ERR_MEM), also when N exceeds the node's physical
   memory (the kernel's overcommit would let the process grow until it is killed); not collective. */
PETSC_INTERN PetscErrorCode KNMallocChecked_Private(size_t, const char[], void *);

/* a * b, or SIZE_MAX when the product overflows size_t */
static inline size_t KNMulSize_Private(size_t a, size_t b)
{
  size_t r;

  return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
