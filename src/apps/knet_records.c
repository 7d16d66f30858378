/* knet eval / sample / info: the records of model.h5 (task, readout, data scaling, options) used as defaults. */
#include <string.h>
#include "knet.h"

const char *const KNetSolverPrefixes[] = {"-ts_", NULL};

/* Solver options that were read when the model was trained; viewers and monitors are left to the user. */
static PetscBool Wanted(const char key[], const char *const prefixes[])
{
  if (strstr(key, "monitor") || strstr(key, "view") || !strcmp(key, "-kn_data_groups")) return PETSC_FALSE; /* the trainer's process grid */
  for (int k = 0; prefixes[k]; k++) {
    size_t n = strlen(prefixes[k]);
    if (!strncmp(key, prefixes[k], n) && (prefixes[k][n - 1] == '_' || !key[n] || key[n] == '_')) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/*
  KNetUseStoredOptions - puts the stored options whose keys start with one of prefixes into the options database,
  unless the user gave them (the command line wins), and says which. They are marked used at once: the command may
  not read all of them (e.g. an option only the trainer reads), and they are not the user's typos.
*/
PetscErrorCode KNetUseStoredOptions(MPI_Comm comm, const char cmd[], const char file[], const KNModelRecords *r, const char *const prefixes[])
{
  char  *text, *line, *save = NULL;
  size_t at = 0;
  char   said[1024] = "";

  PetscFunctionBegin;
  if (!r->options) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscStrallocpy(r->options, &text));
  for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char     *value = strchr(line, ' ');
    PetscBool given;

    if (value) *value++ = 0;
    if (!KNetIsKey(line) || !Wanted(line, prefixes)) continue;
    PetscCall(PetscOptionsHasName(NULL, NULL, line, &given));
    if (given) continue;
    PetscCall(PetscOptionsSetValue(NULL, line, value));
    PetscCall(PetscOptionsHasName(NULL, NULL, line, &given)); /* marks it used */
    if (at < sizeof(said)) at += (size_t)snprintf(said + at, sizeof(said) - at, " %s%s%s", line, value ? " " : "", value ? value : "");
  }
  PetscCall(PetscFree(text));
  if (at) PetscCall(PetscPrintf(comm, "knet %s: options stored in %s (the command line overrides them):%s%s\n", cmd, file, said, at >= sizeof(said) ? " ..." : ""));
  PetscFunctionReturn(KN_SUCCESS);
}

/* "last 10 nodes (v11..v20)" or "nodes v3,v5" into buf. */
static void DescribeReadout(PetscInt K, const PetscInt nodes[], PetscInt N, char buf[], size_t len)
{
  PetscBool last = (PetscBool)(N > 0);
  size_t    at;

  for (PetscInt k = 0; k < K && last; k++) last = (PetscBool)(nodes[k] == N - K + 1 + k);
  if (last) {
    if (K == 1) snprintf(buf, len, "the last node (v%" PetscInt_FMT ")", nodes[0]);
    else snprintf(buf, len, "the last %" PetscInt_FMT " nodes (v%" PetscInt_FMT "..v%" PetscInt_FMT ")", K, nodes[0], nodes[K - 1]);
    return;
  }
  at = (size_t)snprintf(buf, len, "nodes ");
  for (PetscInt k = 0; k < K && at < len; k++) at += (size_t)snprintf(buf + at, len - at, "%sv%" PetscInt_FMT, k ? "," : "", nodes[k]);
}

/* N: nodes of the final layer (0: unknown). */
PetscErrorCode KNetViewRecords(MPI_Comm comm, const char prefix[], const KNModelRecords *r, PetscInt N)
{
  char ro[256];

  PetscFunctionBegin;
  if (!r->version[0] && !r->task[0] && !r->nreadout && !r->nfeat && !r->options) {
    PetscCall(PetscPrintf(comm, "%sno records (a file of an earlier knet or a published model): task, readout and scaling come from the options\n", prefix));
    PetscFunctionReturn(KN_SUCCESS);
  }
  PetscCall(PetscPrintf(comm, "%swritten by knet %s (git %s)\n", prefix, r->version[0] ? r->version : "?", r->git[0] ? r->git : "?"));
  PetscCall(PetscPrintf(comm, "%stask: %s\n", prefix, r->task[0] ? r->task : "not recorded"));
  if (r->nreadout) DescribeReadout(r->nreadout, r->readout, N, ro, sizeof(ro));
  PetscCall(PetscPrintf(comm, "%sreadout: %s\n", prefix, r->nreadout ? ro : "not recorded (all nodes)"));
  if (r->nfeat) {
    PetscCall(PetscPrintf(comm, "%sscaling: min-max of %" PetscInt_FMT " feature%s%s", prefix, r->nfeat, r->nfeat == 1 ? "" : "s", r->ntarget ? " and " : " (targets not scaled)"));
    if (r->ntarget) PetscCall(PetscPrintf(comm, "%" PetscInt_FMT " target%s", r->ntarget, r->ntarget == 1 ? "" : "s"));
    PetscCall(PetscPrintf(comm, ", fitted on the training set\n"));
    for (PetscInt k = 0; k < r->nfeat; k++) PetscCall(PetscPrintf(comm, "%s  feature %" PetscInt_FMT ": [%.10g, %.10g]\n", prefix, k, (double)r->feature_min[k], (double)r->feature_max[k]));
    for (PetscInt k = 0; k < r->ntarget; k++) PetscCall(PetscPrintf(comm, "%s  target %" PetscInt_FMT ": [%.10g, %.10g]\n", prefix, k, (double)r->target_min[k], (double)r->target_max[k]));
  } else PetscCall(PetscPrintf(comm, "%sscaling: none\n", prefix));
  if (r->options) {
    size_t n = 0;
    for (const char *c = r->options; *c; c++) n += *c == '\n';
    PetscCall(PetscPrintf(comm, "%soptions (%zu):\n", prefix, n));
    for (const char *c = r->options; *c;) {
      size_t len = strcspn(c, "\n");
      PetscCall(PetscPrintf(comm, "%s  %.*s\n", prefix, (int)len, c));
      c += len + (c[len] ? 1 : 0);
    }
  }
  PetscFunctionReturn(KN_SUCCESS);
}

/* One line for eval and sample: the stored readout and whether -kn_readout_last overrides it. */
PetscErrorCode KNetSayReadout(MPI_Comm comm, const char cmd[], const char file[], const KNModelRecords *r, KNNet net)
{
  PetscBool       given;
  PetscInt        D, N, K;
  const PetscInt *nodes;
  KNCircuit       c;
  char            ro[256];

  PetscFunctionBegin;
  if (!r->nreadout) PetscFunctionReturn(KN_SUCCESS);
  PetscCall(PetscOptionsHasName(NULL, NULL, "-kn_readout_last", &given));
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetLayer(net, D - 1, &c));
  PetscCall(KNCircuitGetSizes(c, &N, NULL, NULL));
  PetscCall(KNNetGetReadout(net, &K, &nodes));
  DescribeReadout(K, nodes, N, ro, sizeof(ro));
  PetscCall(PetscPrintf(comm, "knet %s: readout %s, %s\n", cmd, ro, given ? "from -kn_readout_last (overrides the one stored in the model)" : "as stored in the model"));
  (void)file;
  PetscFunctionReturn(KN_SUCCESS);
}

/* x[i*m + k] <- (x - lo)/(hi - lo) (to_scaled) or back, as KNDatasetMinMaxApply(); stride: columns of a row of x. */
void KNetMinMax(PetscBool to_scaled, PetscInt n, PetscInt m, PetscInt stride, const PetscReal lo[], const PetscReal hi[], PetscReal x[])
{
  for (PetscInt k = 0; k < m; k++) {
    PetscReal range = hi[k] - lo[k] > 0 ? hi[k] - lo[k] : 1;
    for (PetscInt i = 0; i < n; i++) x[i * stride + k] = to_scaled ? (x[i * stride + k] - lo[k]) / range : x[i * stride + k] * range + lo[k];
  }
}

/* The log of the Jacobian determinant of the un-scaling, sum_k log(hi_k - lo_k) (constant columns: 0). */
PetscReal KNetMinMaxLogDet(PetscInt m, const PetscReal lo[], const PetscReal hi[])
{
  PetscReal s = 0;

  for (PetscInt k = 0; k < m; k++) s += hi[k] - lo[k] > 0 ? PetscLogReal(hi[k] - lo[k]) : 0;
  return s;
}
