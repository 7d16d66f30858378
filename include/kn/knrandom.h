/* Counter-based random numbers shared by every KN object (data, initialisation, noise). */
#pragma once

#include <kn/knsys.h>
#include <stdint.h>

/*
  Counter-based random numbers: a value is a pure function of (seed, stream, index), so every rank and every run
  draws the same numbers, and a value can be drawn by its global index without drawing the ones before it.
  bits = splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index); uniform = top 53 bits * 2^-53 in [0, 1);
  normal = Box-Muller (cosine branch) of the uniforms at indices 2*index and 2*index + 1.
  Streams keep unrelated uses of one seed apart; KN code uses the tags below (+ a small offset).
*/
#define KN_STREAM_PERMUTATION ((PetscInt64)1 << 56) /* + epoch: KNPermutation() */
#define KN_STREAM_INIT        ((PetscInt64)2 << 56) /* KNInitParameters() */
#define KN_STREAM_DATA        ((PetscInt64)3 << 56) /* + hash(generator name) + column: synthetic data sets */
#define KN_STREAM_SPLIT       ((PetscInt64)4 << 56) /* KNDatasetSplit() */
#define KN_STREAM_AUGMENT     ((PetscInt64)5 << 56) /* + step: KNDatasetAugmentImages() */
#define KN_STREAM_NOISE       ((PetscInt64)6 << 56) /* + draw: KNNetSetBoundaryNoise() */
#define KN_STREAM_MISMATCH    ((PetscInt64)7 << 56) /* + draw: device and capacitor mismatch */
#define KN_STREAM_USER        ((PetscInt64)8 << 56) /* free for applications (e.g. base samples of a flow) */

static inline uint64_t KNSplitMix64(uint64_t z)
{
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* 64 random bits for (seed, stream, index). */
static inline uint64_t KNRandomBits(PetscInt64 seed, PetscInt64 stream, PetscInt64 index)
{
  return KNSplitMix64(KNSplitMix64(KNSplitMix64((uint64_t)seed) ^ (uint64_t)stream) ^ (uint64_t)index);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline PetscReal KNRandomUniform(PetscInt64 seed, PetscInt64 stream, PetscInt64 index)
{
  return (PetscReal)(KNRandomBits(seed, stream, index) >> 11) * (1.0 / 9007199254740992.0);
}

/* Standard normal N(0, 1) (Box-Muller, cosine branch; uses the uniforms at 2*index and 2*index + 1). */
static inline PetscReal KNRandomNormal(PetscInt64 seed, PetscInt64 stream, PetscInt64 index)
{
  PetscReal u1 = KNRandomUniform(seed, stream, 2 * index), u2 = KNRandomUniform(seed, stream, 2 * index + 1);

  return PetscSqrtReal(-2.0 * PetscLogReal(1.0 - u1)) * PetscCosReal(2.0 * PETSC_PI * u2);
}
