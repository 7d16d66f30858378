/* KNGraphLoad / KNGraphSave: the file kinds (HDF5: graph_h5.c, text: graph_text.c), both read and written collectively,
   every rank its own share. */
#include "graphimpl.h"

PetscErrorCode KNGraphSplitPath_Private(const char path[], char file[], size_t flen, char group[], size_t glen, PetscBool *ish5)
{
  const char *colon = NULL, *ext[] = {".h5:", ".hdf5:"};
  size_t      n;

  PetscFunctionBegin;
  for (int i = 0; i < 2 && !colon; i++) {
    const char *hit = strstr(path, ext[i]);

    if (hit) colon = hit + strlen(ext[i]) - 1;
  }
  PetscCall(PetscStrncpy(group, "/", glen));
  if (colon) {
    n = (size_t)(colon - path);
    PetscCheck(n < flen, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "File name too long: %s", path);
    PetscCall(PetscStrncpy(file, path, n + 1));
    if (colon[1]) PetscCall(PetscStrncpy(group, colon + 1, glen));
    *ish5 = PETSC_TRUE;
  } else {
    PetscBool h5, hdf5;

    PetscCall(PetscStrncpy(file, path, flen));
    PetscCall(PetscStrendswith(path, ".h5", &h5));
    PetscCall(PetscStrendswith(path, ".hdf5", &hdf5));
    *ish5 = (h5 || hdf5) ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphLoad - reads an edge list from a file; every rank gets its block of the edges

  Collective

  Input Parameters:
+ comm     - the communicator
- filename - "file.h5" or "file.h5:/group" for integer datasets src and dst (1-D, same length) in the root or the
             given group; any other name is a text edge list

  Output Parameter:
. g - the graph, with description {"name": "file", "args": {"file": "<filename>"}}

  Notes:
  Text format: one edge "src dst" per line, whitespace separated; '#' starts a comment; blank lines are ignored.
  N is the largest node id unless a comment line "# nodes N" gives it. In HDF5 files the group attribute
  num_state_nodes, if present, gives N. Errors name the file (and line): PETSC_ERR_FILE_OPEN for a missing or
  unreadable file, PETSC_ERR_FILE_UNEXPECTED for malformed content.
  Memory: no rank holds more than its share. An HDF5 file is read collectively through MPI-IO, every rank reading only
  its block of src and dst as hyperslabs. A text file is read in two passes over byte ranges (every rank about
  size(file)/size bytes, graph_text.c), then the parsed edges move to their blocks; HDF5 is the faster path (binary
  ids, no parsing).

  Level: intermediate

.seealso: KNGraphSave(), KNGraphCreateFromOptions()
@*/
PetscErrorCode KNGraphLoad(MPI_Comm comm, const char filename[], KNGraph *g)
{
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN], *desc;
  PetscBool ish5;
  PetscInt  N, E, *src, *dst;
  size_t    len;

  PetscFunctionBegin;
  KNAssertPointer(g, 3);
  PetscCheck(filename && filename[0], comm, PETSC_ERR_ARG_NULL, "KNGraphLoad: no file name given");
  PetscCall(KNGraphSplitPath_Private(filename, file, sizeof(file), group, sizeof(group), &ish5));
  if (ish5) PetscCall(KNGraphReadHDF5_Private(comm, file, group, &N, &E, &src, &dst));
  else PetscCall(KNGraphReadText_Private(comm, file, &N, &E, &src, &dst));
  PetscCall(PetscStrlen(filename, &len));
  PetscCall(PetscCalloc1(6 * len + 64, &desc));
  PetscCall(PetscStrcpy(desc, "{\"name\": \"file\", \"args\": {\"file\": "));
  PetscCall(KNJSONQuote_Private(filename, desc, 6 * len + 64));
  PetscCall(PetscStrlcat(desc, "}}", 6 * len + 64));
  PetscCall(KNGraphCreateOwned_Private(comm, N, E, src, dst, desc, g));
  PetscCall(PetscFree(desc));
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNGraphSave - writes the edge list so that KNGraphLoad() reads it back

  Collective

  Input Parameters:
+ g        - the graph
- filename - "file.h5" or "file.h5:/group" (a new file: int64 datasets src, dst and attributes num_state_nodes,
             num_edges, edges_fnv1a64, topology), or any other name for a text edge list with "# nodes N"

  Notes:
  Both are written collectively through MPI-IO without a gather (O(E/size) on every rank): HDF5 as a hyperslab of src
  and dst per rank (the same datasets and attributes for any number of ranks), text as each rank's lines at its byte
  offset (the same bytes for any number of ranks).

  Level: intermediate

.seealso: KNGraphLoad()
@*/
PetscErrorCode KNGraphSave(KNGraph g, const char filename[])
{
  char      file[PETSC_MAX_PATH_LEN], group[PETSC_MAX_PATH_LEN];
  PetscBool ish5;

  PetscFunctionBegin;
  KNAssertPointer(g, 1);
  PetscCheck(filename && filename[0], g->comm, PETSC_ERR_ARG_NULL, "KNGraphSave: no file name given");
  PetscCall(KNGraphSplitPath_Private(filename, file, sizeof(file), group, sizeof(group), &ish5));
  if (ish5) PetscCall(KNGraphWriteHDF5_Private(g, file, group));
  else PetscCall(KNGraphWriteText_Private(g, file));
  PetscFunctionReturn(KN_SUCCESS);
}
