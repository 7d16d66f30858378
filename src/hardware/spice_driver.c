/* SPICE export files besides the netlists: the .ic files and the driver script run.sh. */
#define _POSIX_C_SOURCE 200809L
#include "spiceimpl.h"
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

PetscErrorCode KNSpiceMakeDir_Private(const char dir[])
{
  struct stat st;

  PetscFunctionBegin;
  if (stat(dir, &st)) PetscCheck(mkdir(dir, 0777) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot create the directory %s: %s", dir, strerror(errno));
  else PetscCheck(S_ISDIR(st.st_mode), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "%s exists and is not a directory", dir);
  PetscCheck(access(dir, W_OK | X_OK) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "The directory %s is not writable: %s", dir, strerror(errno));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: opens "<path>.tmp" for writing; KNSpiceCloseFile_Private() renames it onto path once it is complete, so a
   full disk leaves the old file (or none), never a truncated one. */
PetscErrorCode KNSpiceOpenFile_Private(const char path[], char tmp[], size_t len, FILE **fp)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(tmp, len, "%s.tmp", path));
  *fp = fopen(tmp, "w");
  PetscCheck(*fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "Cannot write %s: %s", tmp, strerror(errno));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: flushes and closes fp (opened by KNSpiceOpenFile_Private()), then renames tmp onto path; on any failure
   (or if failed, an error of the writer) tmp is removed. mode: the permissions of the final file. */
PetscErrorCode KNSpiceCloseFile_Private(FILE *fp, const char tmp[], const char path[], mode_t mode, PetscBool failed)
{
  int bad, err = 0;

  PetscFunctionBegin;
  bad = ferror(fp) || fflush(fp);
  if (bad) err = errno;
  if (!bad && fsync(fileno(fp))) bad = 1, err = errno;
  if (fclose(fp) && !bad) bad = 1, err = errno;
  if (!bad && !failed && chmod(tmp, mode)) bad = 1, err = errno;
  if (!bad && !failed && rename(tmp, path)) bad = 1, err = errno;
  if (bad || failed) (void)unlink(tmp);
  PetscCheck(!bad || failed, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "Writing %s failed: %s (disk full?); it was not written", path, strerror(err ? err : EIO));
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNSpiceWriteIC_Private(const char dir[], PetscInt i, PetscInt N, PetscInt n, const PetscReal v[], const char what[])
{
  char  path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  FILE *fp;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/layer_%03" PetscInt_FMT ".ic", dir, i));
  PetscCall(KNSpiceOpenFile_Private(path, tmp, sizeof(tmp), &fp));
  fprintf(fp, "* initial voltages of layer %" PetscInt_FMT ": %s\n", i, what);
  for (PetscInt j = 1; j <= N; j++) fprintf(fp, ".ic V(n%" PetscInt_FMT ")=%.17g\n", j, j <= n ? (double)v[j - 1] : 0.0);
  PetscCall(KNSpiceCloseFile_Private(fp, tmp, path, 0644, PETSC_FALSE));
  PetscFunctionReturn(KN_SUCCESS);
}

/* The fixed part of run.sh: functions running one layer and chaining the .ic files. */
static const char DriverHead[] =
  "#!/bin/sh\n"
  "# Runs the KirchhoffNet layers in order with ngspice in batch mode (written by KNNetExportSpice).\n"
  "# Each layer's final voltages (the kn_v<j> lines of layer_NNN.log, 17 digits) go to layer_NNN.out and become\n"
  "# the next layer's .ic: nodes the next layer adds start at 0 V, nodes it lacks are dropped.\n"
  "# Prints the readout voltages of the last layer as CSV. NGSPICE=/path/to/ngspice overrides the program.\n"
  "set -u\n"
  "cd \"$(dirname \"$0\")\" || exit 1\n"
  "NGSPICE=${NGSPICE:-ngspice}\n"
  "command -v \"$NGSPICE\" >/dev/null 2>&1 || { echo \"run.sh: $NGSPICE not found: install the ngspice package\" >&2; exit 127; }\n"
  "run_layer() { # $1 = layer name, $2 = number of nodes\n"
  "  \"$NGSPICE\" -b \"$1.cir\" > \"$1.log\" 2>&1\n"
  "  rc=$?\n"
  "  if [ $rc -ne 0 ]; then echo \"run.sh: ngspice failed on $1 (exit status $rc), see $(pwd)/$1.log\" >&2; exit 1; fi\n"
  "  awk -v n=\"$2\" '$1 ~ /^kn_v[0-9]+$/ && $2 == \"=\" { v[substr($1, 5) + 0] = $3 }\n"
  "    END { for (j = 1; j <= n; j++) { if (!(j in v)) exit 1; print j, v[j] } }' \"$1.log\" > \"$1.out\" ||\n"
  "    { echo \"run.sh: ngspice printed no final voltages for $1 (simulation failed?), see $(pwd)/$1.log\" >&2; exit 1; }\n"
  "}\n"
  "next_ic() { # $1 = previous layer, $2 = next layer, $3 = its number of nodes\n"
  "  awk -v n=\"$3\" -v l=\"$2\" '{ v[$1] = $2 } END { printf \"* initial voltages of %s: final voltages of the previous layer\\n\", l;\n"
  "    for (j = 1; j <= n; j++) printf \".ic V(n%d)=%s\\n\", j, (j in v) ? v[j] : \"0\" }' \"$1.out\" > \"$2.ic\"\n"
  "}\n";

PetscErrorCode KNSpiceWriteDriver_Private(const char dir[], PetscInt D, const KNSpiceLayer L[], const PetscInt readout[], PetscInt K)
{
  char  path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN + 8];
  FILE *fp;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/run.sh", dir));
  PetscCall(KNSpiceOpenFile_Private(path, tmp, sizeof(tmp), &fp));
  fputs(DriverHead, fp);
  for (PetscInt i = 0; i < D; i++) {
    if (i) fprintf(fp, "next_ic layer_%03" PetscInt_FMT " layer_%03" PetscInt_FMT " %" PetscInt_FMT "\n", i - 1, i, L[i].N);
    fprintf(fp, "run_layer layer_%03" PetscInt_FMT " %" PetscInt_FMT "\n", i, L[i].N);
  }
  fprintf(fp, "awk -v nodes=\"");
  for (PetscInt k = 0; k < K; k++) fprintf(fp, "%s%" PetscInt_FMT, k ? " " : "", readout[k]);
  fprintf(fp, "\" '{ v[$1] = $2 } END { K = split(nodes, r, \" \");\n"
              "  for (k = 1; k <= K; k++) printf \"%%sv%%s\", (k > 1 ? \",\" : \"\"), r[k]; printf \"\\n\";\n"
              "  for (k = 1; k <= K; k++) printf \"%%s%%s\", (k > 1 ? \",\" : \"\"), v[r[k]]; printf \"\\n\" }' layer_%03" PetscInt_FMT ".out\n",
          D - 1);
  PetscCall(KNSpiceCloseFile_Private(fp, tmp, path, 0755, PETSC_FALSE));
  PetscFunctionReturn(KN_SUCCESS);
}
