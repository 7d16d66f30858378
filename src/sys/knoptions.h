/* Private: the PetscOptions*() queries of knet's objects, checked. PETSc 3.18 silently keeps the default when a
   number or name option is given without a value (a string one reads as "", which -x "" also gives), and wraps
   integers beyond PetscInt's range; including this header
   (after the PETSc headers, in a file that reads options between PetscOptionsBegin() and PetscOptionsEnd()) makes
   both an error that names the option. */
#pragma once

#include <petscsys.h>

typedef enum {
  KN_OPTION_INT,
  KN_OPTION_INT_ARRAY,
  KN_OPTION_REAL,
  KN_OPTION_STRING,
  KN_OPTION_CHOICE
} KNOptionKind;

PETSC_EXTERN PetscErrorCode KNOptionsCheckValue_Private(PetscOptionItems *, const char[], KNOptionKind);

/* The check runs first; on failure the query is skipped and its error code returned. */
#define KN_OPTIONS_CHECKED_(o, kind, call) (KNOptionsCheckValue_Private(PetscOptionsObject, o, kind) ? PETSC_ERR_ARG_WRONG : (call))

#undef PetscOptionsInt
#undef PetscOptionsBoundedInt
#undef PetscOptionsRangeInt
#undef PetscOptionsReal
#undef PetscOptionsString
#undef PetscOptionsFList
#undef PetscOptionsEnum
#undef PetscOptionsIntArray
#undef PetscOptionsRealArray
#define PetscOptionsInt(a, b, c, d, e, f)            KN_OPTIONS_CHECKED_(a, KN_OPTION_INT, PetscOptionsInt_Private(PetscOptionsObject, a, b, c, d, e, f, PETSC_MIN_INT, PETSC_MAX_INT))
#define PetscOptionsBoundedInt(a, b, c, d, e, f, g)  KN_OPTIONS_CHECKED_(a, KN_OPTION_INT, PetscOptionsInt_Private(PetscOptionsObject, a, b, c, d, e, f, g, PETSC_MAX_INT))
#define PetscOptionsRangeInt(a, b, c, d, e, f, g, h) KN_OPTIONS_CHECKED_(a, KN_OPTION_INT, PetscOptionsInt_Private(PetscOptionsObject, a, b, c, d, e, f, g, h))
#define PetscOptionsReal(a, b, c, d, e, f)           KN_OPTIONS_CHECKED_(a, KN_OPTION_REAL, PetscOptionsReal_Private(PetscOptionsObject, a, b, c, d, e, f))
#define PetscOptionsString(a, b, c, d, e, f, g)      KN_OPTIONS_CHECKED_(a, KN_OPTION_STRING, PetscOptionsString_Private(PetscOptionsObject, a, b, c, d, e, f, g))
#define PetscOptionsFList(a, b, c, d, e, f, g, h)    KN_OPTIONS_CHECKED_(a, KN_OPTION_CHOICE, PetscOptionsFList_Private(PetscOptionsObject, a, b, c, d, e, f, g, h))
#define PetscOptionsEnum(a, b, c, d, e, f, g)        KN_OPTIONS_CHECKED_(a, KN_OPTION_CHOICE, PetscOptionsEnum_Private(PetscOptionsObject, a, b, c, d, e, f, g))
#define PetscOptionsIntArray(a, b, c, d, e, f)       KN_OPTIONS_CHECKED_(a, KN_OPTION_INT_ARRAY, PetscOptionsIntArray_Private(PetscOptionsObject, a, b, c, d, e, f))
#define PetscOptionsRealArray(a, b, c, d, e, f)      KN_OPTIONS_CHECKED_(a, KN_OPTION_REAL, PetscOptionsRealArray_Private(PetscOptionsObject, a, b, c, d, e, f))
