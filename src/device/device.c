/* KNDevice: the device object (create, type, options, parameters, view). The registry is in device_reg.c. */
#include <petscviewer.h>
#include "deviceimpl.h"
#include "sys/knoptions.h"

/*@C
  KNDeviceCreate - creates a device law object; the default type is shift_tanh2.

  Collective

  Input Parameter:
. comm - the communicator of the circuit that uses the device

  Output Parameter:
. dev - the new device

  Level: beginner

.seealso: KNDeviceSetType(), KNDeviceSetFromOptions(), KNDeviceDestroy()
@*/
PetscErrorCode KNDeviceCreate(MPI_Comm comm, KNDevice *dev)
{
  KNDevice d;

  PetscFunctionBegin;
  KNAssertPointer(dev, 2);
  PetscCall(KNInitializePackage());
  PetscCall(KNDeviceRegisterAll());
  PetscCall(PetscNew(&d));
  d->comm  = comm;
  d->refct = 1;
  PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
  *dev = d;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceDestroy - drops one reference to a device, frees it when none is left, and sets the handle to NULL.

  Collective

  Input Parameter:
. dev - the device (may point to NULL)

  Level: beginner

.seealso: KNDeviceCreate(), KNDeviceReference()
@*/
PetscErrorCode KNDeviceDestroy(KNDevice *dev)
{
  KNDevice d;

  PetscFunctionBegin;
  if (!dev || !*dev) PetscFunctionReturn(KN_SUCCESS);
  d    = *dev;
  *dev = NULL;
  PetscCheck(d->refct > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_CORRUPT, "KNDevice destroyed more often than created or referenced");
  if (--d->refct > 0) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscFree(d->type));
  PetscCall(PetscFree(d->prefix));
  PetscCall(PetscFree(d->formula));
  PetscCall(PetscFree(d));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceReference - adds a reference to a device, for an object that keeps it (e.g. KNCircuitSetDevice());
  the holder releases it with KNDeviceDestroy().

  Not Collective

  Input Parameter:
. dev - the device

  Level: developer

.seealso: KNDeviceDestroy()
@*/
PetscErrorCode KNDeviceReference(KNDevice dev)
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  dev->refct++;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceSetType - selects the current law of the device.

  Logically Collective

  Input Parameters:
+ dev - the device
- type - a registered type, e.g. KNDEVICESHIFTTANH2; see KNDeviceGetTypes()

  Options Database Key:
. -kn_device_type <type> - see KNDeviceSetFromOptions()

  Level: beginner

.seealso: KNDeviceGetType(), KNDeviceRegister(), KNDeviceTypeFromReference()
@*/
PetscErrorCode KNDeviceSetType(KNDevice dev, KNDeviceType type)
{
  PetscErrorCode (*create)(KNDevice) = NULL;
  PetscBool same;
  char      names[1024] = "";

  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  KNAssertPointer(type, 2);
  PetscCall(PetscStrcmp(dev->type, type, &same));
  if (same) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(KNDeviceRegisterAll());
  PetscCall(PetscFunctionListFind(KNDeviceList, type, &create));
  if (!create) PetscCall(KNDeviceTypeNames(names, sizeof(names)));
  PetscCheck(create, dev->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown KNDevice type \"%s\"; valid types (option -kn_device_type): %s", type, names);
  PetscCall(PetscFree(dev->type));
  PetscCall(PetscFree(dev->formula));
  PetscCall(PetscMemzero(&dev->kernels, sizeof(dev->kernels)));
  dev->rows      = 0;
  dev->used_rows = 0;
  PetscCall((*create)(dev));
  PetscCheck(dev->rows > 0, dev->comm, PETSC_ERR_PLIB, "The constructor of device type \"%s\" must call KNDeviceSetLaw()", type);
  PetscCall(PetscStrallocpy(type, &dev->type));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceSetLaw - sets the parameter rows, kernels and description of a device; called by a type's constructor
  (see KNDeviceRegister()).

  Not Collective

  Input Parameters:
+ dev - the device
. rows - parameters allocated per edge (the layout of theta, unused rows included)
. used - parameters that enter the law: rows 0..used-1
. kernels - the current, partials and second kernels, copied (see KNDeviceKernels)
- formula - the law as text, e.g. "tanh(th[0]*vs + th[1]*vd + th[2])", shown by KNDeviceView()

  Level: developer

.seealso: KNDeviceRegister(), KNDeviceGetKernels()
@*/
PetscErrorCode KNDeviceSetLaw(KNDevice dev, PetscInt rows, PetscInt used, const KNDeviceKernels *kernels, const char formula[])
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  KNAssertPointer(kernels, 4);
  PetscCheck(rows > 0 && used > 0 && used <= rows, dev->comm, PETSC_ERR_ARG_OUTOFRANGE, "A device law needs 0 < used rows <= rows; got rows = %" PetscInt_FMT ", used = %" PetscInt_FMT, rows, used);
  PetscCheck(kernels->current && kernels->partials && kernels->second, dev->comm, PETSC_ERR_ARG_NULL, "A device law needs all three kernels: current, partials and second");
  dev->rows      = rows;
  dev->used_rows = used;
  dev->kernels   = *kernels;
  PetscCall(PetscFree(dev->formula));
  if (formula) PetscCall(PetscStrallocpy(formula, &dev->formula));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceGetType - returns the type name of the device.

  Not Collective

  Input Parameter:
. dev - the device

  Output Parameter:
. type - the type name (owned by the device)

  Level: beginner
@*/
PetscErrorCode KNDeviceGetType(KNDevice dev, KNDeviceType *type)
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  KNAssertPointer(type, 2);
  *type = dev->type;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceSetOptionsPrefix - sets the prefix of the device's options, e.g. "layer0_" for -layer0_kn_device_type.

  Logically Collective

  Input Parameters:
+ dev - the device
- prefix - the prefix (NULL removes it); it must not start with a hyphen

  Level: intermediate
@*/
PetscErrorCode KNDeviceSetOptionsPrefix(KNDevice dev, const char prefix[])
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  PetscCheck(!prefix || prefix[0] != '-', dev->comm, PETSC_ERR_ARG_WRONG, "Options prefix \"%s\" must not start with a hyphen", prefix);
  PetscCall(PetscFree(dev->prefix));
  if (prefix && prefix[0]) PetscCall(PetscStrallocpy(prefix, &dev->prefix));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceSetFromOptions - sets the device type from the options database.

  Collective

  Input Parameter:
. dev - the device

  Options Database Key:
. -kn_device_type <shift_tanh2> - the current law; -help lists the registered laws

  Level: beginner

.seealso: KNDeviceSetType(), KNDeviceSetOptionsPrefix()
@*/
PetscErrorCode KNDeviceSetFromOptions(KNDevice dev)
{
  char      type[256];
  PetscBool flg;

  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  PetscCall(KNDeviceRegisterAll());
  PetscOptionsBegin(dev->comm, dev->prefix, "KirchhoffNet device (current law) options", "KNDevice");
  PetscCall(PetscOptionsFList("-kn_device_type", "Current law g(vs, vd; theta) of every learnable edge", "KNDeviceSetType", KNDeviceList, dev->type, type, sizeof(type), &flg));
  PetscOptionsEnd();
  if (flg) PetscCall(KNDeviceSetType(dev, type));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceGetNumParameters - parameters allocated per edge, including rows the law does not use (reference layout).

  Not Collective

  Input Parameter:
. dev - the device

  Output Parameter:
. rows - the number of parameter rows per edge

  Level: beginner

.seealso: KNDeviceGetNumUsedParameters()
@*/
PetscErrorCode KNDeviceGetNumParameters(KNDevice dev, PetscInt *rows)
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  KNAssertPointer(rows, 2);
  *rows = dev->rows;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceGetNumUsedParameters - parameters per edge that enter the law (rows 0..used-1; the others get zero gradient).

  Not Collective

  Input Parameter:
. dev - the device

  Output Parameter:
. used - the number of used parameter rows per edge

  Level: intermediate

.seealso: KNDeviceGetNumParameters()
@*/
PetscErrorCode KNDeviceGetNumUsedParameters(KNDevice dev, PetscInt *used)
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  KNAssertPointer(used, 2);
  *used = dev->used_rows;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceGetKernels - returns the kernel table of the current law (see KNDeviceKernels in kndevice.h).

  Not Collective

  Input Parameter:
. dev - the device

  Output Parameter:
. kernels - the table, owned by the device; it changes when the type changes

  Level: developer
@*/
PetscErrorCode KNDeviceGetKernels(KNDevice dev, const KNDeviceKernels **kernels)
{
  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  KNAssertPointer(kernels, 2);
  *kernels = &dev->kernels;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNDeviceView - prints the device type, its law and its parameter rows.

  Collective

  Input Parameters:
+ dev - the device
- viewer - an ASCII or string viewer, or NULL for PETSC_VIEWER_STDOUT of the device's communicator

  Level: beginner
@*/
PetscErrorCode KNDeviceView(KNDevice dev, PetscViewer viewer)
{
  PetscBool   isascii, isstring;
  const char *law;

  PetscFunctionBegin;
  KNAssertPointer(dev, 1);
  law = dev->formula ? dev->formula : "(not documented)";
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(dev->comm, &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERSTRING, &isstring));
  if (isascii) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "KNDevice Object:%s%s%s\n", dev->prefix ? " (" : "", dev->prefix ? dev->prefix : "", dev->prefix ? ")" : ""));
    PetscCall(PetscViewerASCIIPushTab(viewer));
    PetscCall(PetscViewerASCIIPrintf(viewer, "type: %s\n", dev->type));
    PetscCall(PetscViewerASCIIPrintf(viewer, "law: i = %s\n", law));
    PetscCall(PetscViewerASCIIPrintf(viewer, "parameters per edge: %" PetscInt_FMT " rows, %" PetscInt_FMT " used\n", dev->rows, dev->used_rows));
    PetscCall(PetscViewerASCIIPopTab(viewer));
  } else if (isstring) {
    PetscCall(PetscViewerStringSPrintf(viewer, "%s: i = %s; %" PetscInt_FMT " rows, %" PetscInt_FMT " used", dev->type, law, dev->rows, dev->used_rows));
  }
  PetscFunctionReturn(KN_SUCCESS);
}
