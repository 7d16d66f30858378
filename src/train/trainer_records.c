/* What the trainer records in model.h5 besides the net: the task, the data scaling and the effective options. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <petscviewer.h>
#include <kn/knio.h>
#include "taskimpl.h"

/* The option table as options.txt holds it (PetscOptionsView()), without its '#' comment lines; PetscMalloc'ed. */
static PetscErrorCode OptionsText(char **text)
{
  PetscViewer v;
  char       *buf = NULL, *out;
  size_t      len = 0, at = 0;
  FILE       *fp  = open_memstream(&buf, &len);

  PetscFunctionBegin;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_MEM, "Cannot open a memory stream for the option table");
  PetscCall(PetscViewerASCIIOpenWithFILE(PETSC_COMM_SELF, fp, &v));
  PetscCall(PetscOptionsView(NULL, v));
  PetscCall(PetscViewerDestroy(&v));
  fclose(fp); /* buf and len are valid now */
  PetscCall(PetscMalloc1(len + 1, &out));
  for (const char *c = buf ? buf : ""; *c;) {
    size_t n = strcspn(c, "\n");
    if (c[0] != '#' && n) {
      memcpy(out + at, c, n);
      at += n;
      out[at++] = '\n';
    }
    c += n + (c[n] ? 1 : 0);
  }
  out[at] = 0;
  free(buf);
  *text = out;
  PetscFunctionReturn(KN_SUCCESS);
}

/* Writes the trainer's net to path with its records (collective on the net's communicator). */
PetscErrorCode KNTrainerSaveNet_Private(KNTrainer tr, const char path[])
{
  KNModelRecords r;
  KNTaskType     type;
  const PetscReal *xlo = NULL, *xhi = NULL, *ylo = NULL, *yhi = NULL;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(&r, sizeof(r)));
  PetscCall(KNTaskGetType(tr->task, &type));
  PetscCall(PetscStrncpy(r.task, type, sizeof(r.task)));
  if (tr->train) {
    PetscCall(KNDatasetGetMinMax(tr->train, KN_DATASET_FEATURES, &r.nfeat, &xlo, &xhi));
    PetscCall(KNDatasetGetMinMax(tr->train, KN_DATASET_TARGETS, &r.ntarget, &ylo, &yhi));
    if (!r.nfeat) r.ntarget = 0; /* the file's scaling always has the features */
  }
  r.feature_min = (PetscReal *)xlo, r.feature_max = (PetscReal *)xhi; /* only read by the writer */
  r.target_min = (PetscReal *)ylo, r.target_max = (PetscReal *)yhi;
  PetscCall(OptionsText(&r.options));
  ierr = KNNetSaveWithRecords(tr->net, path, &r);
  PetscCall(PetscFree(r.options));
  PetscCall(ierr);
  PetscFunctionReturn(KN_SUCCESS);
}
