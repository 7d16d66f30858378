/* KNCheckpoint attributes: int64, float64 and variable-length UTF-8 scalars by group, written and read collectively. */
#include "ckptimpl.h"
#include <string.h>

typedef enum {
  ATTR_INT,
  ATTR_REAL,
  ATTR_STRING
} AttrKind;

static PetscErrorCode AttrIO(KNCheckpoint ck, const char group[], const char name[], PetscBool write, AttrKind kind, void *v)
{
  hid_t          gid;
  char           where[PETSC_MAX_PATH_LEN + 64];
  KNH5Quiet      q;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCheck(!write || ck->writing, ck->comm, PETSC_ERR_ARG_WRONGSTATE, "Checkpoint %s was opened for reading", ck->file);
  PetscCall(KNCheckpointWhere_Private(ck, group, where, sizeof(where)));
  KNH5QuietBegin(&q);
  ierr = KNCheckpointGroup_Private(ck, group, write, &gid);
  if (!ierr) {
    if (write && kind == ATTR_INT) ierr = KNH5WriteAttrInt_Private(ck->comm, gid, where, name, *(PetscInt64 *)v);
    else if (write && kind == ATTR_REAL) ierr = KNH5WriteAttrReal_Private(ck->comm, gid, where, name, *(PetscReal *)v);
    else if (write) ierr = KNH5WriteAttrString_Private(ck->comm, gid, where, name, (const char *)v);
    else if (kind == ATTR_INT) ierr = KNH5ReadAttrInt_Private(ck->comm, gid, where, name, (PetscInt64 *)v);
    else if (kind == ATTR_REAL) ierr = KNH5ReadAttrReal_Private(ck->comm, gid, where, name, (PetscReal *)v);
    else ierr = KNH5ReadAttrString_Private(ck->comm, gid, where, name, (char **)v);
    (void)H5Gclose(gid);
  }
  KNH5QuietEnd(&q);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointWriteInt - writes an int64 attribute name of group (created if needed; NULL or "/" for the root)

  Collective (every rank passes the same value)

  Level: intermediate

.seealso: KNCheckpointWriteReal(), KNCheckpointWriteString(), KNCheckpointReadInt()
@*/
PetscErrorCode KNCheckpointWriteInt(KNCheckpoint ck, const char group[], const char name[], PetscInt64 v)
{
  PetscFunctionBegin;
  PetscCall(AttrIO(ck, group, name, PETSC_TRUE, ATTR_INT, &v));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointWriteReal(KNCheckpoint ck, const char group[], const char name[], PetscReal v)
{
  PetscFunctionBegin;
  PetscCall(AttrIO(ck, group, name, PETSC_TRUE, ATTR_REAL, &v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Variable-length UTF-8 (h5py reads a str). */
PetscErrorCode KNCheckpointWriteString(KNCheckpoint ck, const char group[], const char name[], const char v[])
{
  PetscFunctionBegin;
  PetscCall(AttrIO(ck, group, name, PETSC_TRUE, ATTR_STRING, (void *)v));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointReadInt - reads an int64 attribute; a missing group or attribute is an error naming the file

  Collective

  Level: intermediate

.seealso: KNCheckpointHasEntry(), KNCheckpointReadReal(), KNCheckpointReadString()
@*/
PetscErrorCode KNCheckpointReadInt(KNCheckpoint ck, const char group[], const char name[], PetscInt64 *v)
{
  PetscFunctionBegin;
  PetscCall(AttrIO(ck, group, name, PETSC_FALSE, ATTR_INT, v));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNCheckpointReadReal(KNCheckpoint ck, const char group[], const char name[], PetscReal *v)
{
  PetscFunctionBegin;
  PetscCall(AttrIO(ck, group, name, PETSC_FALSE, ATTR_REAL, v));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The string is PetscMalloc'ed: PetscFree() it. */
PetscErrorCode KNCheckpointReadString(KNCheckpoint ck, const char group[], const char name[], char **v)
{
  PetscFunctionBegin;
  PetscCall(AttrIO(ck, group, name, PETSC_FALSE, ATTR_STRING, v));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNCheckpointHasEntry - whether group exists and holds an attribute or link called name (name NULL: the group only)

  Collective

  Level: intermediate
@*/
PetscErrorCode KNCheckpointHasEntry(KNCheckpoint ck, const char group[], const char name[], PetscBool *has)
{
  hid_t     gid;
  PetscBool g = PETSC_TRUE, a = PETSC_FALSE, l = PETSC_FALSE;
  KNH5Quiet q;

  PetscFunctionBegin;
  *has = PETSC_FALSE;
  if (group && group[0] && strcmp(group, "/")) PetscCall(KNH5HasLink_Private(ck->fid, group, &g));
  if (!g) PetscFunctionReturn(KN_SUCCESS);
  if (!name) {
    *has = PETSC_TRUE;
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(KNCheckpointGroup_Private(ck, group, PETSC_FALSE, &gid));
  KNH5QuietBegin(&q);
  (void)KNH5HasAttr_Private(gid, name, &a);
  (void)KNH5HasLink_Private(gid, name, &l);
  KNH5QuietEnd(&q);
  (void)H5Gclose(gid);
  *has = (PetscBool)(a || l);
  PetscFunctionReturn(KN_SUCCESS);
}
