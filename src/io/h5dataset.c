/* HDF5 datasets of src/io: text kept as a list of fixed-length lines (shapes and hyperslab transfers: src/sys/h5mpio.c). */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "ioimpl.h"
#include <string.h>
#include "sys/knh5size.h"

/* KNH5WriteLines_Private - the lines of text (empty ones dropped) as a 1-D dataset of fixed-length strings, as wide as
   the longest line; rank 0 writes, every rank takes part. */
PetscErrorCode KNH5WriteLines_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], const char text[])
{
  size_t         width = 1, cur = 0, nlines = 0;
  char          *buf   = NULL;
  hsize_t        dims[1], start[1] = {0}, count[1];
  PetscMPIInt    rank;
  hid_t          tid;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  for (const char *c = text;; c++) {
    if (*c && *c != '\n') cur++;
    else {
      if (cur) nlines++, width = PetscMax(width, cur + 1);
      cur = 0;
      if (!*c) break;
    }
  }
  PetscCall(PetscCalloc1(nlines * width + 1, &buf));
  nlines = 0;
  for (const char *c = text; *c;) {
    size_t n = strcspn(c, "\n");
    if (n) PetscCall(PetscMemcpy(buf + width * nlines++, c, n));
    c += n + (c[n] ? 1 : 0);
  }
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  dims[0] = (hsize_t)nlines, count[0] = rank ? 0 : (hsize_t)nlines;
  tid     = KNH5FixedStringType(width);
  ierr    = tid < 0 ? PETSC_ERR_LIB : KNH5WriteSlab_Private(comm, loc, where, name, tid, tid, 1, dims, start, count, buf);
  if (tid >= 0) (void)H5Tclose(tid);
  PetscCall(PetscFree(buf));
  PetscCheck(tid >= 0, comm, PETSC_ERR_LIB, "HDF5 call failed: a fixed-length string type of %zu bytes", width);
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}

/* The fixed-length string dataset name into one PetscMalloc'ed text, a line per entry; every rank reads it all. */
static PetscErrorCode ReadLines(MPI_Comm comm, hid_t loc, const char where[], const char name[], KNH5Handles *h, char **text)
{
  hid_t   did, ftype, sid;
  int     nd;
  hsize_t dims[2];
  size_t  width, at = 0;
  char   *buf;

  PetscFunctionBegin;
  PetscCall(KNH5OpenDataset_Private(comm, loc, where, name, h, &did));
  KNCallHDF5(comm, ftype = KNH5Keep(h, H5Dget_type(did), H5Tclose));
  PetscCheck(H5Tget_class(ftype) == H5T_STRING && H5Tis_variable_str(ftype) == 0, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must hold fixed-length strings", where, name);
  PetscCall(KNH5DatasetShape_Private(comm, did, where, name, h, &sid, &nd, dims));
  width = H5Tget_size(ftype);
  PetscCheck(nd == 1 && width >= 1 && width <= 65536 && dims[0] <= 100000, comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s must be a 1-D list of at most 100000 strings of at most 65536 bytes", where, name);
  PetscCall(PetscCalloc1((size_t)dims[0] * width + 1, &buf));
  if (dims[0] && H5Dread(did, ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) PetscCall(PetscFree(buf));
  PetscCheck(buf, comm, PETSC_ERR_FILE_READ, "%s: reading dataset %s failed (corrupt file?)", where, name);
  PetscCall(PetscCalloc1((size_t)dims[0] * (width + 1) + 1, text));
  for (hsize_t i = 0; i < dims[0]; i++) {
    size_t n = strnlen(buf + i * width, width);
    PetscCall(PetscMemcpy(*text + at, buf + i * width, n));
    at += n;
    (*text)[at++] = '\n';
  }
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(KN_SUCCESS);
}

/* KNH5ReadLines_Private - a dataset written by KNH5WriteLines_Private(), joined with newlines; collective. */
PetscErrorCode KNH5ReadLines_Private(MPI_Comm comm, hid_t loc, const char where[], const char name[], char **text)
{
  KNH5Handles    h = {0};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *text = NULL;
  ierr  = ReadLines(comm, loc, where, name, &h, text);
  KNH5CloseAll(&h);
  if (ierr) PetscCall(PetscFree(*text));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}
