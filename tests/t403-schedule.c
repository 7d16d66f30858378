static char help[] = "KNScheduleLR: none, steplr_S_G and cosinelr_T_E values at several epochs; malformed strings are errors.\n";

#include "kntest.h"

#define EXPECT_ERROR(t, code, call, ...) \
  do { \
    PetscErrorCode ierr_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(ierr_ != 0 && (!(code) || ierr_ == (code))), __VA_ARGS__)); \
  } while (0)

typedef struct {
  const char *spec;
  PetscReal   lr0;
  PetscInt    epoch;
  PetscReal   lr; /* hand value */
} Case;

int main(int argc, char **argv)
{
  KNTest t;
  /* steplr: lr0 G^floor(epoch/S); cosinelr: E + (lr0 - E)(1 + cos(pi epoch/T))/2 */
  const Case cases[] = {
    {"none", 3e-4, 0, 3e-4},
    {"none", 3e-4, 1000, 3e-4},
    {"steplr_100_0.3", 5e-4, 0, 5e-4},      /* mnist: epochs 1-100 at 5e-4 */
    {"steplr_100_0.3", 5e-4, 99, 5e-4},
    {"steplr_100_0.3", 5e-4, 100, 1.5e-4},  /* epochs 101-200 */
    {"steplr_100_0.3", 5e-4, 200, 4.5e-5},  /* epochs 201-300 */
    {"steplr_59_0.8", 1e-4, 58, 1e-4},      /* svhn: epochs 1-59 at 1e-4 */
    {"steplr_59_0.8", 1e-4, 59, 8e-5},      /* epoch 60 */
    {"cosinelr_10_1e-5", 1e-4, 0, 1e-4},
    {"cosinelr_10_1e-5", 1e-4, 5, 5.5e-5},  /* 1e-5 + 9e-5 * (1 + cos(pi/2))/2 */
    {"cosinelr_10_1e-5", 1e-4, 10, 1e-5},   /* the minimum at T */
    {"cosinelr_10_1e-5", 1e-4, 15, 5.5e-5}, /* rises again: period 2T */
    {"cosinelr_10_1e-5", 1e-4, 20, 1e-4},
    {"cosinelr_4_0", 1.0, 1, 0.85355339059327373}, /* (1 + cos(pi/4))/2 */
  };
  const char *bad[] = {"step", "steplr_", "steplr_10", "steplr_10_", "steplr_0_0.5", "steplr_-3_0.5", "steplr_10_abc", "steplr_1.5_0.3", "steplr_10_0.3x", "steplr_10_-0.3", "cosinelr_x_1e-5", "cosinelr_10_-1e-5", "cosinelr_10", "Cosinelr_10_0", "", "none_"};

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    PetscReal lr;
    PetscCall(KNScheduleLR(cases[i].spec, cases[i].lr0, cases[i].epoch, &lr));
    PetscCall(KNTestOk(&t, (PetscBool)(KNRelDiff(lr, cases[i].lr, 0) < 1e-14), "%s, lr0 %g, epoch %" PetscInt_FMT ": lr %.17g (hand %.17g)", cases[i].spec, (double)cases[i].lr0, cases[i].epoch, (double)lr, (double)cases[i].lr));
  }
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    PetscReal lr;
    EXPECT_ERROR(&t, PETSC_ERR_ARG_WRONG, KNScheduleLR(bad[i], 1e-3, 0, &lr), "malformed schedule \"%s\" is an error", bad[i]);
  }
  {
    PetscReal lr;
    EXPECT_ERROR(&t, PETSC_ERR_ARG_OUTOFRANGE, KNScheduleLR("none", 1e-3, -1, &lr), "a negative epoch is an error");
  }
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
