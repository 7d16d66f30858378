/* KNGraphCreateFromDescription: rebuild a topology from its JSON description (e.g. a model file's topology attribute). */
#include "graphimpl.h"

static PetscErrorCode KNDescFC(MPI_Comm comm, KNDesc *d, KNGraph *g)
{
  PetscInt  n, rep[2], def[2] = {1, 1};
  PetscBool gnd;

  PetscFunctionBegin;
  PetscCall(KNDescGetInt_Private(comm, d, "num_node", PETSC_TRUE, 0, &n));
  PetscCall(KNDescGetBool_Private(comm, d, "include_gnd", PETSC_TRUE, &gnd));
  PetscCall(KNDescGetIntArray_Private(comm, d, "repeat", 2, def, rep));
  PetscCall(KNDescCheckAllUsed_Private(comm, d, "num_node, include_gnd, repeat"));
  PetscCall(KNGraphCreateFullyConnected(comm, n, gnd, rep[0], rep[1], g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDescChain(MPI_Comm comm, KNDesc *d, KNGraph *g)
{
  PetscInt  n, rep[2], def[2] = {1, 1};
  PetscBool gnd;

  PetscFunctionBegin;
  PetscCall(KNDescGetInt_Private(comm, d, "num_node", PETSC_TRUE, 0, &n));
  PetscCall(KNDescGetBool_Private(comm, d, "include_gnd", PETSC_TRUE, &gnd));
  PetscCall(KNDescGetIntArray_Private(comm, d, "repeat", 2, def, rep));
  PetscCall(KNDescCheckAllUsed_Private(comm, d, "num_node, include_gnd, repeat"));
  PetscCall(KNGraphCreateChain(comm, n, gnd, rep[0], g));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The arguments shared by _neighbor_index and _mix_connect; sharing only changes an ignored id column. */
static PetscErrorCode KNDescImage(MPI_Comm comm, KNDesc *d, PetscInt img[4], PetscBool *padding)
{
  PetscInt  parallel;
  PetscBool sharing;

  PetscFunctionBegin;
  PetscCall(KNDescGetInt_Private(comm, d, "num_channel", PETSC_TRUE, 0, &img[0]));
  PetscCall(KNDescGetInt_Private(comm, d, "width", PETSC_TRUE, 0, &img[1]));
  PetscCall(KNDescGetInt_Private(comm, d, "height", PETSC_TRUE, 0, &img[2]));
  PetscCall(KNDescGetInt_Private(comm, d, "neighbor_size", PETSC_TRUE, 0, &img[3]));
  PetscCall(KNDescGetBool_Private(comm, d, "padding", PETSC_FALSE, padding));
  PetscCall(KNDescGetBool_Private(comm, d, "sharing", PETSC_FALSE, &sharing));
  PetscCall(KNDescGetInt_Private(comm, d, "parallel", PETSC_FALSE, 1, &parallel));
  PetscCheck(parallel == 1, comm, PETSC_ERR_SUP, "Topology %s: parallel = %" PetscInt_FMT " is not supported (only 1; the reference code is wrong for parallel >= 3)", d->name, parallel);
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDescNE(MPI_Comm comm, KNDesc *d, KNGraph *g)
{
  PetscInt  img[4], rep;
  PetscBool pad;

  PetscFunctionBegin;
  PetscCall(KNDescImage(comm, d, img, &pad));
  PetscCall(KNDescGetInt_Private(comm, d, "repeat", PETSC_FALSE, 1, &rep));
  PetscCall(KNDescCheckAllUsed_Private(comm, d, "num_channel, width, height, neighbor_size, padding, repeat, sharing, parallel"));
  PetscCall(KNGraphCreateNeighbor(comm, img[0], img[1], img[2], img[3], pad, rep, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDescMix(MPI_Comm comm, KNDesc *d, KNGraph *g)
{
  PetscInt  img[4], F, kr, rep[2], def[2] = {1, 0};
  PetscBool pad;

  PetscFunctionBegin;
  PetscCall(KNDescImage(comm, d, img, &pad));
  PetscCall(KNDescGetInt_Private(comm, d, "fully_connect_node", PETSC_TRUE, 0, &F));
  PetscCall(KNDescGetIntArray_Private(comm, d, "repeat", 2, def, rep));
  PetscCall(KNDescGetInt_Private(comm, d, "kernel_repeat", PETSC_FALSE, 1, &kr));
  PetscCall(KNDescCheckAllUsed_Private(comm, d, "num_channel, width, height, neighbor_size, fully_connect_node, repeat, padding, kernel_repeat, sharing, parallel"));
  PetscCall(KNGraphCreateMix(comm, img[0], img[1], img[2], img[3], F, rep[0], rep[1], pad, kr, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDescRandom(MPI_Comm comm, KNDesc *d, KNGraph *g)
{
  PetscInt   n, E;
  PetscInt64 seed;

  PetscFunctionBegin;
  PetscCall(KNDescGetInt_Private(comm, d, "num_node", PETSC_TRUE, 0, &n));
  PetscCall(KNDescGetInt_Private(comm, d, "num_edges", PETSC_TRUE, 0, &E));
  PetscCall(KNDescGetInt64_Private(comm, d, "seed", PETSC_FALSE, 0, &seed));
  PetscCall(KNDescCheckAllUsed_Private(comm, d, "num_node, num_edges, seed"));
  PetscCall(KNGraphCreateRandom(comm, n, E, seed, g));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode KNDescFile(MPI_Comm comm, KNDesc *d, KNGraph *g)
{
  const char *file;

  PetscFunctionBegin;
  PetscCall(KNDescGetString_Private(comm, d, "file", &file));
  PetscCall(KNDescCheckAllUsed_Private(comm, d, "file"));
  PetscCall(KNGraphLoad(comm, file, g));
  PetscFunctionReturn(KN_SUCCESS);
}

typedef struct {
  const char *name, *alias;
  PetscErrorCode (*create)(MPI_Comm, KNDesc *, KNGraph *);
} KNDescGenerator;

static const KNDescGenerator KNDescGenerators[] = {
  {"_fully_connect",  KNGRAPHFC,     KNDescFC    },
  {"_neighbor_index", KNGRAPHNE,     KNDescNE    },
  {"_mix_connect",    KNGRAPHMIX,    KNDescMix   },
  {"_simple_connect", KNGRAPHCHAIN,  KNDescChain },
  {"random",          KNGRAPHRANDOM, KNDescRandom},
  {"file",            KNGRAPHFILE,   KNDescFile  },
};

/*@C
  KNGraphCreateFromDescription - builds a graph from its JSON description, the form generators set and model files
  store: {"name": "<generator>", "args": {"key": value, ...}}. Keys may come in any order.

  Collective

  Input Parameters:
+ comm - the communicator
- json - the description, e.g. {"name": "_fully_connect", "args": {"num_node": 3, "repeat": [25, 25]}}

  Output Parameter:
. g - the graph

  Notes:
  Generators (reference name or KNGraphType alias) and arguments, with the reference defaults:
  _fully_connect/fc (num_node, include_gnd=true, repeat=[1,1]); _neighbor_index/ne (num_channel, width, height,
  neighbor_size, padding=false, repeat=1, sharing, parallel=1); _mix_connect/mix (the ne image arguments,
  fully_connect_node, repeat=[1,0], padding=false, kernel_repeat=1); _simple_connect/chain (num_node,
  include_gnd=true, repeat=[1,1]); random (num_node, num_edges, seed=0); file (file). Unknown generators or
  arguments, missing or ill-typed arguments are errors.

  Level: intermediate

.seealso: KNGraphGetDescription(), KNGraphCreateFromOptions()
@*/
PetscErrorCode KNGraphCreateFromDescription(MPI_Comm comm, const char json[], KNGraph *g)
{
  KNDesc         d;
  PetscErrorCode ierr = KN_SUCCESS;
  size_t         i, n = sizeof(KNDescGenerators) / sizeof(KNDescGenerators[0]);

  PetscFunctionBegin;
  KNAssertPointer(g, 3);
  *g = NULL;
  PetscCall(KNDescParse_Private(comm, json, &d));
  for (i = 0; i < n; i++)
    if (!strcmp(d.name, KNDescGenerators[i].name) || !strcmp(d.name, KNDescGenerators[i].alias)) break;
  if (i < n) ierr = KNDescGenerators[i].create(comm, &d, g);
  PetscCall(KNDescFree_Private(&d));
  PetscCheck(i < n, comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "Unknown topology generator \"%s\" in description %s (known: _fully_connect, _neighbor_index, _mix_connect, _simple_connect, random, file)", d.name, json);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}
