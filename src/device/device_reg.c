/* KNDevice type registry: the built-in laws, user registration, and the reference code's class names. */
#include "deviceimpl.h"

PetscFunctionList KNDeviceList = NULL;

/* The names in registration order (newer PETSc keeps a PetscFunctionList in a hash map, so PetscFunctionListGet() is unordered). */
static char    **KNDeviceNames             = NULL;
static PetscInt  KNDeviceNumNames          = 0, KNDeviceMaxNames = 0;
static PetscBool KNDeviceRegisterAllCalled = PETSC_FALSE;

static PetscErrorCode KNDeviceFinalizePackage_Private(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&KNDeviceList));
  for (PetscInt k = 0; k < KNDeviceNumNames; k++) PetscCall(PetscFree(KNDeviceNames[k]));
  PetscCall(PetscFree(KNDeviceNames));
  KNDeviceNumNames          = 0;
  KNDeviceMaxNames          = 0;
  KNDeviceRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Adds (or replaces) a constructor and records a new name at the end of the ordered name list. */
static PetscErrorCode KNDeviceAdd_Private(const char name[], PetscErrorCode (*create)(KNDevice))
{
  PetscBool found;

  PetscFunctionBegin;
  PetscCall(PetscFunctionListAdd(&KNDeviceList, name, create));
  for (PetscInt k = 0; k < KNDeviceNumNames; k++) {
    PetscCall(PetscStrcmp(KNDeviceNames[k], name, &found));
    if (found) PetscFunctionReturn(KN_SUCCESS);
  }
  if (KNDeviceNumNames == KNDeviceMaxNames) {
    char **grown;

    KNDeviceMaxNames = KNDeviceMaxNames ? 2 * KNDeviceMaxNames : 16;
    PetscCall(PetscMalloc1(KNDeviceMaxNames, &grown));
    if (KNDeviceNumNames) PetscCall(PetscArraycpy(grown, KNDeviceNames, KNDeviceNumNames));
    PetscCall(PetscFree(KNDeviceNames));
    KNDeviceNames = grown;
  }
  PetscCall(PetscStrallocpy(name, &KNDeviceNames[KNDeviceNumNames++]));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Registers every built-in law once; the registry is freed at PetscFinalize(). */
PetscErrorCode KNDeviceRegisterAll(void)
{
  PetscFunctionBegin;
  if (KNDeviceRegisterAllCalled) PetscFunctionReturn(KN_SUCCESS);
  KNDeviceRegisterAllCalled = PETSC_TRUE;
  PetscCall(KNDeviceAdd_Private(KNDEVICESHIFTTANH2, KNDeviceCreate_ShiftTanh2));
  PetscCall(KNDeviceAdd_Private(KNDEVICESHIFTTANH1, KNDeviceCreate_ShiftTanh1));
  PetscCall(KNDeviceAdd_Private(KNDEVICESHIFTRELU1, KNDeviceCreate_ShiftRelu1));
  PetscCall(KNDeviceAdd_Private(KNDEVICESHIFTLEAKYRELU1, KNDeviceCreate_ShiftLeakyRelu1));
  PetscCall(KNDeviceAdd_Private(KNDEVICESHIFTRELU2, KNDeviceCreate_ShiftRelu2));
  PetscCall(KNDeviceAdd_Private(KNDEVICESHIFTLEAKYRELU2, KNDeviceCreate_ShiftLeakyRelu2));
  PetscCall(KNDeviceAdd_Private(KNDEVICERELUDIFF, KNDeviceCreate_ReluDiff));
  PetscCall(KNDeviceAdd_Private(KNDEVICETANHDIFF, KNDeviceCreate_TanhDiff));
  PetscCall(KNDeviceAdd_Private(KNDEVICERELU3P, KNDeviceCreate_Relu3P));
  PetscCall(KNDeviceAdd_Private(KNDEVICETANH3P, KNDeviceCreate_Tanh3P));
  PetscCall(KNDeviceAdd_Private(KNDEVICECONDUCTANCE, KNDeviceCreate_Conductance));
  PetscCall(KNDeviceAdd_Private(KNDEVICECURRENTSOURCE, KNDeviceCreate_CurrentSource));
  PetscCall(KNRegisterFinalize(KNDeviceFinalizePackage_Private));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceRegister - adds a device law: a constructor that calls KNDeviceSetLaw().

  Not Collective

  Input Parameters:
+ name - the type name, selectable with -kn_device_type name
- create - the constructor

  Level: advanced

.seealso: KNDeviceSetType(), KNDeviceGetTypes()
@*/
PetscErrorCode KNDeviceRegister(const char name[], PetscErrorCode (*create)(KNDevice))
{
  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  PetscCall(KNDeviceRegisterAll());
  PetscCall(KNDeviceAdd_Private(name, create));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceGetTypes - returns the registered device type names, in registration order.

  Not Collective

  Output Parameters:
+ n - the number of types
- types - the names; free the array (not the names) with PetscFree()

  Level: intermediate

.seealso: KNDeviceRegister(), KNDeviceSetType()
@*/
PetscErrorCode KNDeviceGetTypes(PetscInt *n, const char ***types)
{
  PetscFunctionBegin;
  KNAssertPointer(n, 1);
  KNAssertPointer(types, 2);
  PetscCall(KNDeviceRegisterAll());
  PetscCall(PetscMalloc1(KNDeviceNumNames, types));
  for (PetscInt k = 0; k < KNDeviceNumNames; k++) (*types)[k] = KNDeviceNames[k];
  *n = KNDeviceNumNames;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Writes the registered type names as "a, b, c" into buf (truncated to len), for error messages. */
PetscErrorCode KNDeviceTypeNames(char buf[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(KNDeviceRegisterAll());
  buf[0] = 0;
  for (PetscInt k = 0; k < KNDeviceNumNames; k++) {
    if (k) PetscCall(PetscStrlcat(buf, ", ", len));
    PetscCall(PetscStrlcat(buf, KNDeviceNames[k], len));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceTypeFromReference - maps a device class name of the reference code (config key network.model.device)
  to a KNDevice type, e.g. "ShiftTanh2" -> KNDEVICESHIFTTANH2.

  Not Collective

  Input Parameter:
. name - the reference class name: ShiftTanh2, ShiftTanh1, ShiftRelu1, ShiftLeakyRelu1, ShiftRelu2, ShiftLeakyRelu2, Conductance

  Output Parameter:
. type - the KNDevice type

  Level: intermediate
@*/
PetscErrorCode KNDeviceTypeFromReference(const char name[], KNDeviceType *type)
{
  static const char *const map[][2] = {
    {"ShiftTanh2",      KNDEVICESHIFTTANH2     },
    {"ShiftTanh1",      KNDEVICESHIFTTANH1     },
    {"ShiftRelu1",      KNDEVICESHIFTRELU1     },
    {"ShiftLeakyRelu1", KNDEVICESHIFTLEAKYRELU1},
    {"ShiftRelu2",      KNDEVICESHIFTRELU2     },
    {"ShiftLeakyRelu2", KNDEVICESHIFTLEAKYRELU2},
    {"Conductance",     KNDEVICECONDUCTANCE    }
  };
  PetscBool match;

  PetscFunctionBegin;
  KNAssertPointer(name, 1);
  KNAssertPointer(type, 2);
  for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
    PetscCall(PetscStrcmp(name, map[k][0], &match));
    if (match) {
      *type = map[k][1];
      PetscFunctionReturn(KN_SUCCESS);
    }
  }
  PetscCall(PetscStrcmp(name, "Device", &match));
  PetscCheck(!match, PETSC_COMM_SELF, PETSC_ERR_ARG_UNKNOWN_TYPE, "Reference class \"Device\" depends on its negation/activation arguments; choose %s, %s, %s or %s explicitly", KNDEVICERELUDIFF, KNDEVICETANHDIFF, KNDEVICERELU3P, KNDEVICETANH3P);
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown reference device class \"%s\"; known: ShiftTanh2, ShiftTanh1, ShiftRelu1, ShiftLeakyRelu1, ShiftRelu2, ShiftLeakyRelu2, Conductance", name);
}
