/* Parameter initialisation (spec section 5), drawn by global index with the counter-based RNG. */
#include <kn/knoptim.h>
#include <kn/kndataset.h>

typedef enum {
  INIT_KAIMING,
  INIT_GAUSS,
  INIT_UNIFORM,
  INIT_XAVIER,
  INIT_ZEROS,
  INIT_ONES
} InitKind;
static const char *const InitNames[] = {"kaiming", "gauss", "uniform", "xavier", "zeros", "ones"};

/*@C
  KNInitParameters - fills one layer's parameters with the reference's initial distribution

  Collective

  Input Parameters:
+ theta - the layer's parameters in graph order (entry e*rows + r = row r of edge e; KNCircuitCreateGraphOrderParameterVec())
. E - number of edges of the layer
. rows - parameters per edge (the device's allocated rows, unused rows included)
. kind - kaiming: N(0, 2/E) (torch kaiming_normal_ on the (rows, E) matrix: fan_in = E); gauss: N(0, 0.01^2);
         uniform: U[0, 1); xavier: N(0, 2/(E + rows)) (xavier_normal_); zeros; ones
- seed - the seed; use a different seed per layer (e.g. seed + layer index)

  Notes:
  Entry i is drawn from KNRandomNormal(seed, KN_STREAM_INIT, i) (or KNRandomUniform()), i the global index, so any
  number of ranks and any layout of theta give the same values. The reference uses kaiming in all 12 configs.

  Level: beginner

.seealso: KNCircuitParametersFromGraphOrder(), KNNetSetParameters()
@*/
PetscErrorCode KNInitParameters(Vec theta, PetscInt E, PetscInt rows, const char kind[], PetscInt64 seed)
{
  PetscInt   N, lo, hi, k = -1;
  PetscReal *a, std = 0;
  MPI_Comm   comm;

  PetscFunctionBegin;
  KNAssertPointer(kind, 4);
  PetscCall(PetscObjectGetComm((PetscObject)theta, &comm));
  for (PetscInt j = 0; j < (PetscInt)PETSC_STATIC_ARRAY_LENGTH(InitNames); j++) {
    PetscBool same;
    PetscCall(PetscStrcmp(kind, InitNames[j], &same));
    if (same) k = j;
  }
  PetscCheck(k >= 0, comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown parameter initialisation \"%s\"; valid: kaiming, gauss, uniform, xavier, zeros, ones", kind);
  PetscCheck(E > 0 && rows > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "KNInitParameters needs E > 0 edges and rows > 0 (got %" PetscInt_FMT ", %" PetscInt_FMT ")", E, rows);
  PetscCall(VecGetSize(theta, &N));
  PetscCheck(N == E * rows, comm, PETSC_ERR_ARG_SIZ, "The parameter Vec has %" PetscInt_FMT " entries but E * rows = %" PetscInt_FMT " * %" PetscInt_FMT " = %" PetscInt_FMT, N, E, rows, E * rows);
  if (k == INIT_KAIMING) std = PetscSqrtReal(2.0 / (PetscReal)E);
  if (k == INIT_GAUSS) std = 0.01;
  if (k == INIT_XAVIER) std = PetscSqrtReal(2.0 / (PetscReal)(E + rows));
  PetscCall(VecGetOwnershipRange(theta, &lo, &hi));
  PetscCall(VecGetArray(theta, &a));
  for (PetscInt i = lo; i < hi; i++) {
    switch ((InitKind)k) {
    case INIT_ZEROS:
      a[i - lo] = 0.0;
      break;
    case INIT_ONES:
      a[i - lo] = 1.0;
      break;
    case INIT_UNIFORM:
      a[i - lo] = KNRandomUniform(seed, KN_STREAM_INIT, i);
      break;
    default:
      a[i - lo] = std * KNRandomNormal(seed, KN_STREAM_INIT, i);
    }
  }
  PetscCall(VecRestoreArray(theta, &a));
  PetscFunctionReturn(KN_SUCCESS);
}
