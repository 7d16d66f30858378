/* t102: device registry, options, reference names, parameter rows and the errors a user can trigger. */
#include <petscviewer.h>
#include "kntest.h"

/* A user law for the registry test: i = th[0] * vs, 1 row. */
static void UserCurrent(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal i[])
{
  for (PetscInt b = 0; b < B; b++) i[b] = th[0] * vs[b];
}

static void UserPartials(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal i[], PetscReal gs[], PetscReal gd[], PetscReal gth[])
{
  for (PetscInt b = 0; b < B; b++) i[b] = th[0] * vs[b], gs[b] = th[0], gd[b] = 0, gth[b] = vs[b];
}

static void UserSecond(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal gss[], PetscReal gsd[], PetscReal gdd[], PetscReal gsth[], PetscReal gdth[])
{
  for (PetscInt b = 0; b < B; b++) gss[b] = gsd[b] = gdd[b] = gdth[b] = 0, gsth[b] = 1;
}

static PetscErrorCode UserCreate(KNDevice dev)
{
  static const KNDeviceKernels k = {.current = UserCurrent, .partials = UserPartials, .second = UserSecond};

  PetscFunctionBeginUser;
  PetscCall(KNDeviceSetLaw(dev, 1, 1, &k, "th[0]*vs"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode UserCreateFails(KNDevice dev)
{
  PetscFunctionBeginUser;
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER, "user constructor failed on purpose");
}

static PetscErrorCode UserCreateBadRows(KNDevice dev)
{
  static const KNDeviceKernels k = {.current = UserCurrent, .partials = UserPartials, .second = UserSecond};

  PetscFunctionBeginUser;
  PetscCall(KNDeviceSetLaw(dev, 1, 2, &k, "th[0]*vs"));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Runs call with errors returned instead of printed; stores its error code in ierr. */
#define TRY(call, ierr) \
  do { \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    ierr = (call); \
    PetscCall(PetscPopErrorHandler()); \
  } while (0)

static PetscErrorCode CheckRows(KNTest *t)
{
  static const struct {
    const char *type;
    PetscInt    rows, used;
  } laws[] = {
    {KNDEVICESHIFTTANH2,      3, 3},
    {KNDEVICESHIFTTANH1,      3, 2},
    {KNDEVICESHIFTRELU1,      2, 2},
    {KNDEVICESHIFTLEAKYRELU1, 2, 2},
    {KNDEVICESHIFTRELU2,      3, 3},
    {KNDEVICESHIFTLEAKYRELU2, 3, 3},
    {KNDEVICERELUDIFF,        2, 2},
    {KNDEVICETANHDIFF,        2, 2},
    {KNDEVICERELU3P,          3, 3},
    {KNDEVICETANH3P,          3, 3},
    {KNDEVICECONDUCTANCE,     3, 1},
    {KNDEVICECURRENTSOURCE,   1, 1},
  };
  const size_t nlaws = sizeof(laws) / sizeof(laws[0]);
  KNDevice     dev;
  KNDeviceType type;
  const char **types;
  PetscInt     n, rows, used;
  PetscBool    same, order = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  PetscCall(KNDeviceGetType(dev, &type));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTTANH2, &same));
  PetscCall(KNTestOk(t, same, "default device type is %s (got %s)", KNDEVICESHIFTTANH2, type));
  PetscCall(KNDeviceGetTypes(&n, &types));
  for (size_t k = 0; k < nlaws && (size_t)n == nlaws; k++) {
    PetscCall(PetscStrcmp(types[k], laws[k].type, &same));
    order = (PetscBool)(order && same);
  }
  PetscCall(PetscFree(types));
  PetscCall(KNTestOk(t, (size_t)n == nlaws && order, "KNDeviceGetTypes lists the %d built-in laws in header order (got %" PetscInt_FMT ")", (int)nlaws, n));
  for (size_t k = 0; k < nlaws; k++) {
    PetscCall(KNDeviceSetType(dev, laws[k].type));
    PetscCall(KNDeviceGetNumParameters(dev, &rows));
    PetscCall(KNDeviceGetNumUsedParameters(dev, &used));
    PetscCall(KNTestOk(t, rows == laws[k].rows && used == laws[k].used, "%s: %" PetscInt_FMT " rows, %" PetscInt_FMT " used (expected %" PetscInt_FMT ", %" PetscInt_FMT ")", laws[k].type, rows, used, laws[k].rows, laws[k].used));
  }
  PetscCall(KNDeviceDestroy(&dev));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckReference(KNTest *t)
{
  static const char *const pairs[][2] = {
    {"ShiftTanh2",      KNDEVICESHIFTTANH2     },
    {"ShiftTanh1",      KNDEVICESHIFTTANH1     },
    {"ShiftRelu1",      KNDEVICESHIFTRELU1     },
    {"ShiftLeakyRelu1", KNDEVICESHIFTLEAKYRELU1},
    {"ShiftRelu2",      KNDEVICESHIFTRELU2     },
    {"ShiftLeakyRelu2", KNDEVICESHIFTLEAKYRELU2},
    {"Conductance",     KNDEVICECONDUCTANCE    }
  };
  KNDeviceType   type;
  PetscBool      same;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
    PetscCall(KNDeviceTypeFromReference(pairs[k][0], &type));
    PetscCall(PetscStrcmp(type, pairs[k][1], &same));
    PetscCall(KNTestOk(t, same, "reference class %s -> %s (got %s)", pairs[k][0], pairs[k][1], type));
  }
  TRY(KNDeviceTypeFromReference("ShiftTanh3", &type), ierr);
  PetscCall(KNTestOk(t, ierr == PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown reference class is PETSC_ERR_ARG_UNKNOWN_TYPE (got %d)", (int)ierr));
  TRY(KNDeviceTypeFromReference("Device", &type), ierr);
  PetscCall(KNTestOk(t, ierr == PETSC_ERR_ARG_UNKNOWN_TYPE, "generic reference class Device is refused with advice (got %d)", (int)ierr));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckErrorsAndOptions(KNTest *t)
{
  KNDevice       dev;
  KNDeviceType   type;
  PetscErrorCode ierr;
  PetscBool      same;
  PetscInt       rows;
  const char    *text;
  char          *msg = NULL;

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  PetscCall(KNDeviceSetType(dev, KNDEVICESHIFTTANH1));
  TRY(KNDeviceSetType(dev, "shift_tanh7"), ierr);
  PetscCall(KNTestOk(t, ierr == PETSC_ERR_ARG_UNKNOWN_TYPE, "unknown type name gives PETSC_ERR_ARG_UNKNOWN_TYPE (got %d)", (int)ierr));
  PetscCall(PetscErrorMessage(ierr, &text, &msg));
  PetscCall(KNTestOk(t, msg && strstr(msg, KNDEVICESHIFTTANH2) && strstr(msg, KNDEVICECURRENTSOURCE), "the error lists the valid types: %s", msg ? msg : "(no message)"));
  PetscCall(KNDeviceGetType(dev, &type));
  PetscCall(PetscStrcmp(type, KNDEVICESHIFTTANH1, &same));
  PetscCall(KNDeviceGetNumParameters(dev, &rows));
  PetscCall(KNTestOk(t, same && rows == 3, "device unchanged after the failed KNDeviceSetType (%s, %" PetscInt_FMT " rows)", type, rows));

  /* options, with and without a prefix */
  PetscCall(PetscOptionsSetValue(NULL, "-kn_device_type", KNDEVICERELUDIFF));
  PetscCall(PetscOptionsSetValue(NULL, "-layer1_kn_device_type", KNDEVICECONDUCTANCE));
  PetscCall(KNDeviceSetFromOptions(dev));
  PetscCall(KNDeviceGetType(dev, &type));
  PetscCall(PetscStrcmp(type, KNDEVICERELUDIFF, &same));
  PetscCall(KNTestOk(t, same, "-kn_device_type %s selects it (got %s)", KNDEVICERELUDIFF, type));
  PetscCall(KNDeviceSetOptionsPrefix(dev, "layer1_"));
  PetscCall(KNDeviceSetFromOptions(dev));
  PetscCall(KNDeviceGetType(dev, &type));
  PetscCall(PetscStrcmp(type, KNDEVICECONDUCTANCE, &same));
  PetscCall(KNTestOk(t, same, "-layer1_kn_device_type %s selects it with prefix layer1_ (got %s)", KNDEVICECONDUCTANCE, type));
  PetscCall(PetscOptionsSetValue(NULL, "-bad_kn_device_type", "nonsense"));
  PetscCall(KNDeviceSetOptionsPrefix(dev, "bad_"));
  TRY(KNDeviceSetFromOptions(dev), ierr);
  PetscCall(KNTestOk(t, ierr == PETSC_ERR_ARG_UNKNOWN_TYPE, "-bad_kn_device_type nonsense is an error (got %d)", (int)ierr));
  TRY(KNDeviceSetOptionsPrefix(dev, "-oops_"), ierr);
  PetscCall(KNTestOk(t, ierr != 0, "an options prefix starting with '-' is refused (got %d)", (int)ierr));
  PetscCall(PetscOptionsClearValue(NULL, "-kn_device_type"));
  PetscCall(PetscOptionsClearValue(NULL, "-layer1_kn_device_type"));
  PetscCall(PetscOptionsClearValue(NULL, "-bad_kn_device_type"));

  /* user registration */
  PetscCall(KNDeviceRegister("user_linear", UserCreate));
  PetscCall(KNDeviceRegister("user_fails", UserCreateFails));
  PetscCall(KNDeviceRegister("user_bad_rows", UserCreateBadRows));
  PetscCall(KNDeviceSetType(dev, "user_linear"));
  {
    const KNDeviceKernels *k;
    const PetscReal        th = 2.0, vs = 0.25, vd = 1.0;
    PetscReal              i  = 0;

    PetscCall(KNDeviceGetKernels(dev, &k));
    PetscCall(KNDeviceGetNumParameters(dev, &rows));
    k->current(&th, 1, &vs, &vd, &i);
    PetscCall(KNTestOk(t, rows == 1 && i == 0.5, "a registered user law is selectable and runs (rows %" PetscInt_FMT ", i = %g)", rows, (double)i));
  }
  TRY(KNDeviceSetType(dev, "user_fails"), ierr);
  PetscCall(KNTestOk(t, ierr == PETSC_ERR_USER, "a failing user constructor's error is passed on (got %d)", (int)ierr));
  TRY(KNDeviceSetType(dev, "user_bad_rows"), ierr);
  PetscCall(KNTestOk(t, ierr == PETSC_ERR_ARG_OUTOFRANGE, "KNDeviceSetLaw refuses used rows > rows (got %d)", (int)ierr));
  {
    KNDevice held = dev; /* as a KNCircuit holds its device */

    PetscCall(KNDeviceReference(held));
    PetscCall(KNDeviceDestroy(&dev));
    PetscCall(KNDeviceSetType(held, KNDEVICETANHDIFF)); /* still alive: valgrind / -malloc_debug would catch a use after free */
    PetscCall(KNDeviceGetNumParameters(held, &rows));
    PetscCall(KNTestOk(t, dev == NULL && rows == 2, "a referenced device survives the creator's KNDeviceDestroy"));
    PetscCall(KNDeviceDestroy(&held));
  }
  PetscCall(KNDeviceDestroy(&dev));
  PetscCall(KNTestOk(t, dev == NULL, "KNDeviceDestroy sets the handle to NULL and accepts NULL"));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode CheckView(KNTest *t)
{
  KNDevice    dev;
  PetscViewer v;
  char        buf[512] = "";

  PetscFunctionBeginUser;
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  PetscCall(KNDeviceSetType(dev, KNDEVICESHIFTTANH1));
  PetscCall(PetscViewerStringOpen(PETSC_COMM_SELF, buf, sizeof(buf), &v));
  PetscCall(KNDeviceView(dev, v));
  PetscCall(PetscViewerDestroy(&v));
  PetscCall(KNTestOk(t, strstr(buf, "tanh(th[1]*(vs - vd) + th[0])") && strstr(buf, "3 rows, 2 used"), "KNDeviceView shows law and rows: %s", buf));
  PetscCall(KNDeviceDestroy(&dev));
  PetscFunctionReturn(KN_SUCCESS);
}

int main(int argc, char **argv)
{
  KNTest t;

  PetscCall(PetscInitialize(&argc, &argv, NULL, "t102: device registry, options and errors"));
  PetscCall(KNTestBegin(PETSC_COMM_WORLD, &t));
  PetscCall(CheckRows(&t));
  PetscCall(CheckReference(&t));
  PetscCall(CheckErrorsAndOptions(&t));
  PetscCall(CheckView(&t));
  {
    int status = KNTestEnd(&t);
    PetscCall(PetscFinalize());
    return status;
  }
}
