/* The topology registry (-kn_topology_type) and the options of the built-in generators. */
#include "graphimpl.h"
#include "sys/knoptions.h"

static PetscFunctionList KNGraphList              = NULL;
static PetscBool         KNGraphRegisterAllCalled = PETSC_FALSE;

/* -help prints one block per (title, prefix): each generator's block needs its own title */
#define KN_TOPO_TITLE "KirchhoffNet topology"

/* -kn_topology_repeat r0,r1 with the given default; *n is the number of entries given (2 if not set). */
static PetscErrorCode KNOptionsRepeat(PetscOptionItems *PetscOptionsObject, const char prefix[], const char man[], PetscInt rep[2], PetscInt *n)
{
  PetscInt  all[8], two = 2;
  PetscBool set;

  PetscFunctionBegin;
  *n = 2;
  PetscCall(PetscOptionsIntArray("-kn_topology_repeat", "repeat[0],repeat[1]: parallel devices per visited node pair", man, rep, &two, &set));
  if (set) { /* PetscOptionsIntArray silently drops entries beyond the second: count them all */
    *n = (PetscInt)(sizeof(all) / sizeof(all[0]));
    PetscCall(PetscOptionsGetIntArray(PetscOptionsObject->options, prefix, "-kn_topology_repeat", all, n, NULL));
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Checked after PetscOptionsEnd(): an error inside an options block leaks the block's strings. */
static PetscErrorCode KNCheckRepeat(MPI_Comm comm, const char prefix[], PetscInt n)
{
  PetscFunctionBegin;
  PetscCheck(n == 2, comm, PETSC_ERR_ARG_WRONG, "-%skn_topology_repeat needs two comma-separated integers r0,r1; %" PetscInt_FMT " given", prefix ? prefix : "", n);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphCreate_FC(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  PetscInt  n = 3, rep[2] = {1, 1}, nrep;
  PetscBool gnd = PETSC_TRUE;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE " (fc: reference _fully_connect)", "KNGraph");
  PetscCall(PetscOptionsBoundedInt("-kn_topology_num_node", "Number of nodes, ground included when include_gnd", "KNGraphCreateFullyConnected", n, &n, NULL, 0));
  PetscCall(PetscOptionsBool("-kn_topology_include_gnd", "Ground (node 0) is one of the num_node nodes", "KNGraphCreateFullyConnected", gnd, &gnd, NULL));
  PetscCall(KNOptionsRepeat(PetscOptionsObject, prefix, "KNGraphCreateFullyConnected", rep, &nrep));
  PetscOptionsEnd();
  PetscCall(KNCheckRepeat(comm, prefix, nrep));
  PetscCall(KNGraphCreateFullyConnected(comm, n, gnd, rep[0], rep[1], g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphCreate_Chain(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  PetscInt  n = 3, rep[2] = {1, 1}, nrep;
  PetscBool gnd = PETSC_TRUE;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE " (chain: reference _simple_connect)", "KNGraph");
  PetscCall(PetscOptionsBoundedInt("-kn_topology_num_node", "Number of chain links", "KNGraphCreateChain", n, &n, NULL, 0));
  PetscCall(PetscOptionsBool("-kn_topology_include_gnd", "The chain starts at ground", "KNGraphCreateChain", gnd, &gnd, NULL));
  PetscCall(KNOptionsRepeat(PetscOptionsObject, prefix, "KNGraphCreateChain (only repeat[0] is used)", rep, &nrep));
  PetscOptionsEnd();
  PetscCall(KNCheckRepeat(comm, prefix, nrep));
  PetscCall(KNGraphCreateChain(comm, n, gnd, rep[0], g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Image options shared by ne and mix: img = {channels, width, height, kernel}. */
static PetscErrorCode KNOptionsImage(PetscOptionItems *PetscOptionsObject, const char man[], PetscInt img[4], PetscBool *padding, PetscInt *kernel_repeat)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsBoundedInt("-kn_topology_channels", "Image channels (num_channel)", man, img[0], &img[0], NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_topology_width", "Image width (rows; reference width)", man, img[1], &img[1], NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_topology_height", "Image height (columns; reference height)", man, img[2], &img[2], NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_topology_kernel", "Window size k (neighbor_size)", man, img[3], &img[3], NULL, 1));
  PetscCall(PetscOptionsBool("-kn_topology_padding", "Pad the image by k-1 (padded entries are skipped)", man, *padding, padding, NULL));
  PetscCall(PetscOptionsBoundedInt("-kn_topology_kernel_repeat", "Parallel devices per ordered pair per window (NE repeat)", man, *kernel_repeat, kernel_repeat, NULL, 0));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphCreate_NE(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  PetscInt  img[4] = {1, 28, 28, 3}, kr = 1;
  PetscBool pad = PETSC_FALSE;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE " (ne: reference _neighbor_index)", "KNGraph");
  PetscCall(KNOptionsImage(PetscOptionsObject, "KNGraphCreateNeighbor", img, &pad, &kr));
  PetscOptionsEnd();
  PetscCall(KNGraphCreateNeighbor(comm, img[0], img[1], img[2], img[3], pad, kr, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphCreate_Mix(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  PetscInt  img[4] = {1, 28, 28, 3}, kr = 1, F = 0, rep[2] = {1, 0}, nrep;
  PetscBool pad = PETSC_FALSE;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE " (mix: reference _mix_connect)", "KNGraph");
  PetscCall(KNOptionsImage(PetscOptionsObject, "KNGraphCreateMix", img, &pad, &kr));
  PetscCall(PetscOptionsBoundedInt("-kn_topology_proj_nodes", "Projection nodes (fully_connect_node)", "KNGraphCreateMix", F, &F, NULL, 0));
  PetscCall(KNOptionsRepeat(PetscOptionsObject, prefix, "KNGraphCreateMix", rep, &nrep));
  PetscOptionsEnd();
  PetscCall(KNCheckRepeat(comm, prefix, nrep));
  PetscCall(KNGraphCreateMix(comm, img[0], img[1], img[2], img[3], F, rep[0], rep[1], pad, kr, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphCreate_Random(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  PetscInt n = 3, E = 10, seed = 0;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE " (random)", "KNGraph");
  PetscCall(PetscOptionsBoundedInt("-kn_topology_num_node", "Number of state nodes", "KNGraphCreateRandom", n, &n, NULL, 1));
  PetscCall(PetscOptionsBoundedInt("-kn_topology_num_edges", "Number of edges", "KNGraphCreateRandom", E, &E, NULL, 0));
  PetscCall(PetscOptionsInt("-kn_topology_seed", "Seed of the counter-based edge draw", "KNGraphCreateRandom", seed, &seed, NULL));
  PetscOptionsEnd();
  PetscCall(KNGraphCreateRandom(comm, n, E, (PetscInt64)seed, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphCreate_File(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  char      file[PETSC_MAX_PATH_LEN] = "";
  PetscBool set;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE " (file)", "KNGraph");
  PetscCall(PetscOptionsString("-kn_topology_file", "Edge list: text \"src dst\" lines, or file.h5[:/group] with src/dst datasets", "KNGraphLoad", file, file, sizeof(file), &set));
  PetscOptionsEnd();
  PetscCheck(set && file[0], comm, PETSC_ERR_USER_INPUT, "Topology type file needs -%skn_topology_file <name>", prefix ? prefix : "");
  PetscCall(KNGraphLoad(comm, file, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphFinalizeRegistry(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&KNGraphList));
  KNGraphRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNGraphRegisterAll(void)
{
  PetscFunctionBegin;
  if (KNGraphRegisterAllCalled) PetscFunctionReturn(KN_SUCCESS);
  KNGraphRegisterAllCalled = PETSC_TRUE;
  PetscCall(KNInitializePackage());
  PetscCall(PetscFunctionListAdd(&KNGraphList, KNGRAPHFC, KNGraphCreate_FC));
  PetscCall(PetscFunctionListAdd(&KNGraphList, KNGRAPHNE, KNGraphCreate_NE));
  PetscCall(PetscFunctionListAdd(&KNGraphList, KNGRAPHMIX, KNGraphCreate_Mix));
  PetscCall(PetscFunctionListAdd(&KNGraphList, KNGRAPHCHAIN, KNGraphCreate_Chain));
  PetscCall(PetscFunctionListAdd(&KNGraphList, KNGRAPHRANDOM, KNGraphCreate_Random));
  PetscCall(PetscFunctionListAdd(&KNGraphList, KNGRAPHFILE, KNGraphCreate_File));
  PetscCall(KNRegisterFinalize(KNGraphFinalizeRegistry));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphRegister - adds a topology generator selectable with -kn_topology_type name.

  Not Collective

  Input Parameters:
+ name   - the type name
- create - creator(comm, prefix, &g); it reads its own options with the given prefix

  Level: advanced

.seealso: KNGraphCreateFromOptions()
@*/
PetscErrorCode KNGraphRegister(const char name[], PetscErrorCode (*create)(MPI_Comm, const char[], KNGraph *))
{
  PetscFunctionBegin;
  PetscCall(KNGraphRegisterAll());
  PetscCall(PetscFunctionListAdd(&KNGraphList, name, create));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphCreateFromOptions - builds the topology selected by -<prefix>kn_topology_type.

  Collective

  Input Parameters:
+ comm   - the communicator
- prefix - options prefix, or NULL

  Output Parameter:
. g - the graph

  Options Database Keys:
+ -kn_topology_type <fc>       - fc, ne, mix, chain, random, file, or a KNGraphRegister()ed type
. -kn_topology_num_node <3>    - fc, chain, random: number of nodes
. -kn_topology_include_gnd     - fc, chain: ground takes part (default true)
. -kn_topology_repeat <r0,r1>  - fc, chain ([1,1]), mix ([1,0])
. -kn_topology_channels, _width, _height, _kernel, _padding, _kernel_repeat - ne, mix image (1, 28, 28, 3, false, 1)
. -kn_topology_proj_nodes <0>  - mix: projection nodes
. -kn_topology_num_edges <10>, -kn_topology_seed <0> - random
- -kn_topology_file <name>     - file: text edge list or file.h5[:/group]

  Level: beginner

.seealso: KNGraphRegister(), KNGraphCreateFromDescription()
@*/
PetscErrorCode KNGraphCreateFromOptions(MPI_Comm comm, const char prefix[], KNGraph *g)
{
  char type[256] = KNGRAPHFC;
  PetscErrorCode (*create)(MPI_Comm, const char[], KNGraph *);

  PetscFunctionBegin;
  KNAssertPointer(g, 3);
  PetscCall(KNGraphRegisterAll());
  PetscOptionsBegin(comm, prefix, KN_TOPO_TITLE, "KNGraph");
  PetscCall(PetscOptionsFList("-kn_topology_type", "Topology generator", "KNGraphCreateFromOptions", KNGraphList, type, type, sizeof(type), NULL));
  PetscOptionsEnd();
  PetscCall(PetscFunctionListFind(KNGraphList, type, &create));
  PetscCheck(create, comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown topology type \"%s\" given by -%skn_topology_type (known: fc, ne, mix, chain, random, file, and any KNGraphRegister()ed type)", type, prefix ? prefix : "");
  PetscCall(create(comm, prefix, g));
  PetscFunctionReturn(KN_SUCCESS);
}
