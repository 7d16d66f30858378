static char help[] = "Bad circuit input gives a clear error, never a crash: capacitance, batch, duration, scale, parameters, solver choice; "
                     "a blow-up names the layer, the step and the time.\n";

#include "kntestutil.h"
#include <math.h>
#include <string.h>

static PetscErrorCode NewCircuit(KNCircuit *c)
{
  KNGraph  g;
  KNDevice d;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 6, 20, 1, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, c));
  PetscCall(KNCircuitSetGraph(*c, g));
  PetscCall(KNCircuitSetDevice(*c, d));
  PetscCall(KNGraphDestroy(&g));
  PetscCall(KNDeviceDestroy(&d));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Runs a setter/solver call expected to fail; returns its error code. */
#define EXPECT_ERROR(t, call, what) \
  do { \
    PetscErrorCode e_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    e_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    PetscCall(KNTestOk(t, (PetscBool)(e_ != 0), "%s is rejected (error %d)", what, (int)e_)); \
  } while (0)

/* Keeps the first error message (the one raised where the error happened). */
static PetscErrorCode KeepMessage(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  char *kept = (char *)ctx;
  if (!kept[0] && mess) (void)PetscStrncpy(kept, mess, 512);
  return n;
}

/* Parameters of 1e150 make the currents overflow within a few steps: the solve must stop naming the layer, the
   step and the time, not report a NaN inside PETSc or go on with Inf voltages. */
static PetscErrorCode CheckBlowUp(KNTest *t)
{
  KNCircuit      c;
  KNDevice       d;
  KNGraph        g;
  Vec            X, th;
  char           msg[512] = "";
  PetscErrorCode e;

  PetscFunctionBeginUser;
  PetscCall(KNGraphCreateRandom(PETSC_COMM_WORLD, 6, 20, 1, &g));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &d));
  PetscCall(KNDeviceSetType(d, KNDEVICERELUDIFF));
  PetscCall(KNCircuitCreate(PETSC_COMM_WORLD, &c));
  PetscCall(KNCircuitSetGraph(c, g));
  PetscCall(KNCircuitSetDevice(c, d));
  PetscCall(KNCircuitSetName(c, "7"));
  PetscCall(KNCircuitSetBatchSize(c, 2));
  PetscCall(KNCircuitSetUp(c));
  PetscCall(KNCircuitCreateStateVec(c, &X));
  PetscCall(VecSet(X, 1.0));
  PetscCall(KNCircuitCreateParameterVec(c, &th));
  PetscCall(VecSet(th, 1e150));
  PetscCall(KNCircuitSetParameters(c, th));
  PetscCall(PetscPushErrorHandler(KeepMessage, msg));
  e = KNCircuitSolve(c, X);
  PetscCall(PetscPopErrorHandler());
  PetscCall(KNTestOk(t, (PetscBool)(e && strstr(msg, "Layer 7") && strstr(msg, "NaN or Inf") && strstr(msg, "step") && strstr(msg, "t = ")), "a blow-up stops the solve naming the layer, step and time: \"%s\"", msg));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&th));
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(KNDeviceDestroy(&d));
  PetscCall(KNGraphDestroy(&g));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest    t;
  KNCircuit c;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(NewCircuit(&c));
  EXPECT_ERROR(&t, KNCircuitSetCapacitance(c, -1.0), "negative capacitance");
  EXPECT_ERROR(&t, KNCircuitSetCapacitance(c, 0.0), "zero capacitance");
  {
    PetscReal cap[6] = {1, 1, 1, -2, 1, 1};
    EXPECT_ERROR(&t, KNCircuitSetNodeCapacitances(c, cap), "a negative node capacitance");
  }
  EXPECT_ERROR(&t, KNCircuitSetBatchSize(c, 0), "batch size 0");
  EXPECT_ERROR(&t, KNCircuitSetDuration(c, -0.5), "negative duration");
  EXPECT_ERROR(&t, KNCircuitSetHardwareScale(c, 0.0), "hardware scale 0");
  PetscCall(KNCircuitSetUp(c));
  {
    Vec th;
    PetscCall(KNCircuitCreateParameterVec(c, &th));
    PetscCall(VecSet(th, 0.5));
    PetscCall(KNTestVecAddValue(th, 3, (PetscReal)INFINITY)); /* PETSC_INFINITY is a large finite number */
    EXPECT_ERROR(&t, KNCircuitSetParameters(c, th), "an infinite parameter");
    PetscCall(VecDestroy(&th));
  }
  EXPECT_ERROR(&t, KNCircuitSetBatchSize(c, 4), "changing the batch after set-up");
  PetscCall(KNCircuitDestroy(&c));

  PetscCall(PetscOptionsInsertString(NULL, "-ts_type arkimex"));
  PetscCall(NewCircuit(&c));
  EXPECT_ERROR(&t, KNCircuitSetUp(c), "a TS type without an adjoint (arkimex)");
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(PetscOptionsClear(NULL));

  PetscCall(PetscOptionsInsertString(NULL, "-ts_type rk -ts_rk_type 5dp -kn_adjoint_params jacobianp"));
  PetscCall(NewCircuit(&c));
  PetscCall(KNCircuitSetFromOptions(c));
  EXPECT_ERROR(&t, KNCircuitSetUp(c), "TSSetRHSJacobianP with 5dp (wrong dL/dtheta in PETSc < 3.21.4)");
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(PetscOptionsClear(NULL));

  PetscCall(PetscOptionsInsertString(NULL, "-ts_type beuler"));
  PetscCall(NewCircuit(&c));
  EXPECT_ERROR(&t, KNCircuitSetUp(c), "an implicit TS without -kn_jacobian aij");
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(PetscOptionsClear(NULL));

  PetscCall(NewCircuit(&c));
  EXPECT_ERROR(&t, KNCircuitSolve(c, NULL), "solving before set-up");
  PetscCall(KNCircuitDestroy(&c));
  PetscCall(CheckBlowUp(&t));
  {
    int rc = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return rc;
  }
}
