/* Private KNRobustness data (src/hardware/robust.c: description, draws, quantisers; robust_mc.c: Monte Carlo). */
#pragma once

#include <kn/knrobust.h>

struct _p_KNRobustness {
  MPI_Comm   comm;
  char      *prefix;
  PetscBool  training;             /* options -kn_train_mc_* (no draw count, no ADC) instead of -kn_mc_* */
  PetscReal  sdev, scap, snoise;   /* log-normal device / capacitor mismatch, boundary noise */
  PetscInt   in_bits, out_bits;    /* DAC / ADC resolution, 0: ideal */
  PetscReal  in_lo, in_hi;         /* DAC full range */
  PetscReal  out_range, out_used;  /* ADC full range +-R given (0: from the ideal run) and the one last used */
  PetscInt64 seed;
  PetscInt   N;                    /* Monte Carlo draws (0: one if anything is non-ideal) */
  PetscBool  monitor;              /* a line per draw */
  PetscReal *work;                 /* gains or capacitances of one layer */
  PetscInt   nwork;
  /* results of the last KNRobustnessEvaluate() */
  char       metric_name[32];
  PetscInt   ndone;
  PetscReal  ideal, *metric, seconds;
};
