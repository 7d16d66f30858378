/* Running exported netlists with ngspice in batch mode, layer by layer, and reading the final voltages back. */
#define _POSIX_C_SOURCE 200809L
#include "spiceimpl.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*@C
  KNSpiceFindProgram - looks a program up like the shell does: a name with a '/' is taken as is, otherwise each
  directory of PATH is tried

  Not Collective

  Input Parameters:
+ name - the program, e.g. "ngspice"
- len - size of path

  Output Parameters:
+ path - the absolute path of the executable, if found
- found - whether an executable was found

  Level: developer
@*/
PetscErrorCode KNSpiceFindProgram(const char name[], char path[], size_t len, PetscBool *found)
{
  const char *PATH = getenv("PATH"), *p;
  char        cwd[PETSC_MAX_PATH_LEN], cand[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  *found = PETSC_FALSE;
  path[0] = 0;
  if (!getcwd(cwd, sizeof(cwd))) cwd[0] = 0;
  if (strchr(name, '/')) {
    if (name[0] == '/') PetscCall(PetscStrncpy(cand, name, sizeof(cand)));
    else PetscCall(PetscSNPrintf(cand, sizeof(cand), "%s/%s", cwd, name));
    if (access(cand, X_OK) == 0) {
      *found = PETSC_TRUE;
      PetscCall(PetscStrncpy(path, cand, len));
    }
    PetscFunctionReturn(KN_SUCCESS);
  }
  if (!PATH) PATH = "/usr/local/bin:/usr/bin:/bin";
  for (p = PATH; !*found;) {
    const char *end = strchr(p, ':');
    size_t      n   = end ? (size_t)(end - p) : strlen(p);
    char        d[PETSC_MAX_PATH_LEN];
    struct stat st;

    if (n == 0) PetscCall(PetscStrncpy(d, cwd, sizeof(d))); /* an empty entry is the current directory */
    else PetscCall(PetscStrncpy(d, p, PetscMin(sizeof(d), n + 1)));
    if (d[0] != '/') { /* relative entries become absolute: the program runs in another directory */
      char rel[PETSC_MAX_PATH_LEN];
      PetscCall(PetscStrncpy(rel, d, sizeof(rel)));
      PetscCall(PetscSNPrintf(d, sizeof(d), "%s/%s", cwd, rel));
    }
    PetscCall(PetscSNPrintf(cand, sizeof(cand), "%s/%s", d, name));
    if (!stat(cand, &st) && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
      *found = PETSC_TRUE;
      PetscCall(PetscStrncpy(path, cand, len));
    }
    if (!end) break;
    p = end + 1;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* Runs "prog -b layer_NNN.cir" in dir with stdout and stderr to layer_NNN.log; *status as from waitpid (-1: no fork). */
static PetscErrorCode RunNgspice(const char dir[], const char prog[], PetscInt i, int *status)
{
  char  cir[32], log[32];
  pid_t pid;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(cir, sizeof(cir), "layer_%03" PetscInt_FMT ".cir", i));
  PetscCall(PetscSNPrintf(log, sizeof(log), "layer_%03" PetscInt_FMT ".log", i));
  (void)fflush(NULL); /* the child must not repeat buffered output */
  pid = fork();
  PetscCheck(pid >= 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "Cannot start %s (fork failed: %s)", prog, strerror(errno));
  if (pid == 0) { /* child: only async-signal-safe calls until exec */
    int fd, in;
    if (chdir(dir)) _exit(126);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    in = open("/dev/null", O_RDONLY);
    if (fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
    execl(prog, prog, "-b", cir, (char *)NULL);
    _exit(127);
  }
  while (waitpid(pid, status, 0) < 0) PetscCheck(errno == EINTR, PETSC_COMM_SELF, PETSC_ERR_SYS, "Waiting for %s failed: %s", prog, strerror(errno));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Reads the kn_v<j> = value lines of a log into v[0..N-1]; *got counts distinct nodes found; err = the first error line. */
static PetscErrorCode ParseLog(const char path[], PetscInt N, PetscReal v[], PetscInt *got, char err[], size_t errlen)
{
  FILE     *fp = fopen(path, "r");
  char      line[4096];
  PetscBool *seen;

  PetscFunctionBegin;
  *got   = 0;
  err[0] = 0;
  if (!fp) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscCalloc1(N + 1, &seen));
  while (fgets(line, sizeof(line), fp)) {
    long   j;
    double x;
    if (sscanf(line, "kn_v%ld = %lf", &j, &x) == 2 && j >= 1 && j <= N) {
      if (!seen[j]) (*got)++;
      seen[j] = PETSC_TRUE, v[j - 1] = x;
    } else if (!err[0] && (strstr(line, "rror") || strstr(line, "too small") || strstr(line, "aborted"))) {
      line[strcspn(line, "\r\n")] = 0;
      PetscCall(PetscStrncpy(err, line, errlen));
    }
  }
  fclose(fp);
  PetscCall(PetscFree(seen));
  PetscFunctionReturn(KN_SUCCESS);
}

/* Rank 0: runs every layer, chaining the .ic files; v gets the final voltages of each layer (offsets off[]). */
static PetscErrorCode RunAll(const char dir[], const char ngspice[], PetscInt D, const PetscInt N[], const PetscInt off[], PetscReal v[])
{
  char      prog[PETSC_MAX_PATH_LEN], log[PETSC_MAX_PATH_LEN], err[512];
  PetscBool found;

  PetscFunctionBegin;
  PetscCall(KNSpiceFindProgram(ngspice, prog, sizeof(prog), &found));
  PetscCheck(found, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "%s not found: install the ngspice package (looked for '%s' in PATH=%s)", ngspice, ngspice, getenv("PATH") ? getenv("PATH") : "(unset)");
  for (PetscInt i = 0; i < D; i++) {
    int      st;
    PetscInt got;

    if (i) PetscCall(KNSpiceWriteIC_Private(dir, i, N[i], PetscMin(N[i - 1], N[i]), v + off[i - 1], "final voltages of the previous layer (ngspice)"));
    PetscCall(PetscSNPrintf(log, sizeof(log), "%s/layer_%03" PetscInt_FMT ".log", dir, i));
    PetscCall(RunNgspice(dir, prog, i, &st));
    PetscCall(ParseLog(log, N[i], v + off[i], &got, err, sizeof(err)));
    PetscCheck(WIFEXITED(st) && WEXITSTATUS(st) != 126, PETSC_COMM_SELF, PETSC_ERR_LIB, "Could not run %s on layer %" PetscInt_FMT " (directory %s not accessible or killed by a signal)", prog, i, dir);
    PetscCheck(WEXITSTATUS(st) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ngspice failed on layer %" PetscInt_FMT " (exit status %d), see the log %s%s%s", i, WEXITSTATUS(st), log, err[0] ? ": " : "", err);
    PetscCheck(got == N[i], PETSC_COMM_SELF, PETSC_ERR_LIB, "ngspice printed the final voltages of %" PetscInt_FMT " of the %" PetscInt_FMT " nodes of layer %" PetscInt_FMT " (the simulation failed?), see the log %s%s%s", got, N[i], i, log, err[0] ? ": " : "", err);
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetGetNumLayerVoltages - the length of a whole-sweep voltage array: N_0 + ... + N_{D-1}

  Not Collective

  Level: intermediate

.seealso: KNNetRunSpice(), KNNetGetLayerVoltages()
@*/
PetscErrorCode KNNetGetNumLayerVoltages(KNNet net, PetscInt *n)
{
  PetscInt D;

  PetscFunctionBegin;
  PetscCall(KNNetGetNumLayers(net, &D));
  *n = 0;
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscInt  N;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
    *n += N;
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/*@C
  KNNetRunSpice - runs the netlists written by KNNetExportSpice() with ngspice -b, layer by layer, and returns the
  final voltages of every layer

  Collective

  Input Parameters:
+ net - the exported net (only its layer sizes are used)
. dir - the export directory
- ngspice - the program ("ngspice": looked up in PATH)

  Output Parameter:
. v - the final voltages of every layer (KNNetGetNumLayerVoltages() entries, see include/kn/knspice.h), on every rank

  Notes:
  Rank 0 runs ngspice in dir; layer i's output goes to dir/layer_NNN.log and its final voltages (17 digits) become
  dir/layer_NNN.ic of the next layer, as dir/run.sh does. Errors name the layer and its log: ngspice missing, a
  non-zero exit status, or a log without every node's final voltage (e.g. a failed transient).

  Level: intermediate

.seealso: KNNetExportSpice(), KNNetGetLayerVoltages()
@*/
PetscErrorCode KNNetRunSpice(KNNet net, const char dir[], const char ngspice[], PetscReal v[])
{
  MPI_Comm       comm;
  PetscMPIInt    rank;
  PetscInt       D, *N, *off, total;
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  KNAssertPointer(dir, 2);
  KNAssertPointer(ngspice, 3);
  PetscCall(KNNetGetComm(net, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(PetscMalloc2(D, &N, D + 1, &off));
  off[0] = 0;
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit c;
    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N[i], NULL, NULL));
    off[i + 1] = off[i] + N[i];
  }
  total = off[D];
  if (rank == 0) ierr = RunAll(dir, ngspice, D, N, off, v);
  PetscCallMPI(MPI_Bcast(&ierr, 1, MPI_INT, 0, comm));
  PetscCall(PetscFree2(N, off));
  if (ierr) PetscFunctionReturn(ierr); /* reported on rank 0 */
  PetscCallMPI(MPI_Bcast(v, (PetscMPIInt)total, MPIU_REAL, 0, comm));
  PetscFunctionReturn(KN_SUCCESS);
}
