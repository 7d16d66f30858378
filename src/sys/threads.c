/* How many threads a rank's edge loops may use: by default the cores this process may run on, shared with the
   other ranks of its node, so that a plain `knet train` uses every core and `mpiexec -n <cores>` gets one each. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <kn/knsys.h>

static PetscInt    KNNumThreads = 0; /* 0: not chosen yet */
static const char *KNNumThreadsWhy = "";

static PetscInt PositiveEnv(const char *name)
{
  const char *s = getenv(name);
  long        v = s ? strtol(s, NULL, 10) : 0;

  return v > 0 ? (PetscInt)v : 0;
}

/* The launchers say how many ranks share the node (Open MPI, MPICH/Hydra); an unbound rank divides its cores by them,
   a rank bound to fewer cores keeps those (then avail / local rounds down to 1 at worst: never oversubscribed). */
static PetscInt DefaultThreads(const char **why)
{
  cpu_set_t set;
  PetscInt  n, avail = 1, local = PositiveEnv("OMPI_COMM_WORLD_LOCAL_SIZE");

  if ((n = PositiveEnv("OMP_NUM_THREADS"))) {
    *why = "OMP_NUM_THREADS";
    return n;
  }
  if ((n = PositiveEnv("SLURM_CPUS_PER_TASK"))) {
    *why = "SLURM_CPUS_PER_TASK";
    return n;
  }
  if (!local) local = PositiveEnv("MPI_LOCALNRANKS");
  if (!local) local = 1;
  if (!sched_getaffinity(0, sizeof(set), &set)) avail = CPU_COUNT(&set);
  *why = local > 1 ? "this process's cores / ranks on the node" : "this process's cores";
  return PetscMax(1, avail / local);
}

/*@C
  KNGetNumThreads - the threads each rank's edge loops may use (-kn_threads, else OMP_NUM_THREADS, else
  SLURM_CPUS_PER_TASK, else the cores the process may run on divided by the ranks on its node)

  Not Collective

  Output Parameters:
+ n - the number of threads (at least 1)
- why - where it comes from (may be NULL)

  Notes:
  The circuits split each batch into a fixed number of sample panels (KN_PANELS) that does not depend on the thread
  count, so results are bitwise the same with any number of threads.

  Level: intermediate

.seealso: KNSetNumThreads()
@*/
PetscErrorCode KNGetNumThreads(PetscInt *n, const char **why)
{
  PetscInt  opt;
  PetscBool set;

  PetscFunctionBegin;
  if (!KNNumThreads) {
    KNNumThreads = DefaultThreads(&KNNumThreadsWhy);
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-kn_threads", &opt, &set));
    if (set) PetscCall(KNSetNumThreads(opt));
  }
  *n = KNNumThreads;
  if (why) *why = KNNumThreadsWhy;
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNSetNumThreads - sets the threads each rank's edge loops may use; circuits set up afterwards use it

  Not Collective

  Input Parameter:
. n - the number of threads, at least 1

  Options Database Key:
. -kn_threads <n> - the same

  Level: intermediate

.seealso: KNGetNumThreads()
@*/
PetscErrorCode KNSetNumThreads(PetscInt n)
{
  PetscFunctionBegin;
  PetscCheck(n >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "-kn_threads %" PetscInt_FMT ": the number of threads must be at least 1", n);
  KNNumThreads    = n;
  KNNumThreadsWhy = "as requested";
  PetscFunctionReturn(KN_SUCCESS);
}
