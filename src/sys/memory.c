/* What a rank may use of its node's memory: the sizes that memory budgets default to. */
#include <unistd.h>
#include "knmemory.h"

/*@
  KNGetNodeMemoryShare - the physical memory of this rank's node divided by the ranks of comm that share the node

  Collective

  Input Parameter:
. comm - the ranks that share the memory

  Output Parameter:
. bytes - this rank's share (0 if the system does not say)

  Level: developer
@*/
PetscErrorCode KNGetNodeMemoryShare(MPI_Comm comm, PetscLogDouble *bytes)
{
  MPI_Comm    node;
  PetscMPIInt nlocal;
  long        pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &nlocal));
  PetscCallMPI(MPI_Comm_free(&node));
  *bytes = (pages > 0 && size > 0) ? (PetscLogDouble)pages * (PetscLogDouble)size / nlocal : 0;
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNMallocChecked_Private(size_t bytes, const char what[], void *p)
{
  long           pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  double         mem   = (pages > 0 && size > 0) ? (double)pages * (double)size : 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *(void **)p = NULL;
  PetscCheck(bytes != SIZE_MAX, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory: more than %zu bytes for %s (the size overflows)", bytes, what);
  PetscCheck(mem <= 0 || (double)bytes <= mem, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory: %zu bytes for %s (this node has %.0f bytes)", bytes, what, mem);
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); /* PETSc's own report would come first */
  ierr = PetscMalloc(bytes, p);
  PetscCall(PetscPopErrorHandler());
  PetscCheck(!ierr, PETSC_COMM_SELF, PETSC_ERR_MEM, "out of memory: %zu bytes for %s", bytes, what);
  PetscFunctionReturn(KN_SUCCESS);
}
