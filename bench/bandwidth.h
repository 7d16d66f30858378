/* Memory-bandwidth probe and memory-traffic bounds for the KirchhoffNet RHS (benchmark support). */
#pragma once

#include <petscsys.h>

/* STREAM-style probe over arrays of bytes_per_array bytes each, best of several repetitions:
   triad a = b + s c (GB/s counted as 3 arrays moved, the STREAM convention: the write-allocate read of a is
   not counted) and a pure read (sum of one array). Large arrays (>> last-level cache) measure DRAM;
   small ones (e.g. 3 x 256 KB) measure the cache level they fit in. Either output may be NULL. */
PETSC_EXTERN PetscErrorCode KNMeasureBandwidth(size_t, double *, double *);

/* Bytes one KNPlainRHS-style evaluation of an (N, E, B) circuit must move:
   dram   = compulsory traffic if nothing is cached between evaluations: read v (N B 8), read src/dst/theta
            (E (2 sizeof(PetscInt) + 3 sizeof(PetscReal))), write f (N B 8);
   gather = traffic between core and the cache holding v and f: per edge-sample read v_s, v_d and
            read-modify-write f_s, f_d (6 x 8 bytes, 2:1 read:write like the triad), plus the edge data. */
PETSC_EXTERN PetscErrorCode KNRHSTraffic(PetscInt, PetscInt, PetscInt, double *, double *);

/* Lower bound in ns per edge-sample for moving `bytes` per RHS at GBs (1e9 bytes/s) over E*B edge-samples. */
PETSC_EXTERN double KNRHSBoundNs(double, double, PetscInt, PetscInt);
