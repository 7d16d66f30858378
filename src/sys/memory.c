/* What a rank may use of its node's memory: the sizes that memory budgets default to. */
#include <unistd.h>
#include <kn/knsys.h>

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
