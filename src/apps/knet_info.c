/* knet info MODEL: what a model file holds. */
#include "knet.h"

PetscErrorCode KNetInfo(int argc, char **argv)
{
  KNNet          net;
  KNModelRecords rec;
  KNetHardwareOptions hw;
  KNCircuit      last;
  PetscInt       D, P, totalE = 0, N;

  PetscFunctionBegin;
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    if (help && (argc < 1 || argv[0][0] == '-')) {
      PetscCall(KNetReadHardwareOptions(PETSC_COMM_WORLD, &hw));
      PetscCall(KNetHelpNet(PETSC_COMM_WORLD));
      PetscFunctionReturn(KN_SUCCESS);
    }
  }
  PetscCheck(argc >= 1 && argv[0][0] != '-', PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "usage: knet info MODEL.h5 [options]");
  PetscCall(KNetReadHardwareOptions(PETSC_COMM_WORLD, &hw));
  PetscCall(KNNetLoad(PETSC_COMM_WORLD, argv[0], 1, PETSC_FALSE, &net));
  PetscCall(KNModelRecordsLoad(PETSC_COMM_WORLD, argv[0], &rec));
  PetscCall(KNetCheckOptions(PETSC_COMM_WORLD)); /* before any output: a misspelled option is an error naming it */
  PetscCall(KNNetGetNumLayers(net, &D));
  PetscCall(KNNetGetNumParameters(net, &P));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "model %s: %" PetscInt_FMT " layers, %" PetscInt_FMT " parameters\n", argv[0], D, P));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-5s %8s %10s %10s %-18s %6s %10s %-16s %s\n", "layer", "nodes", "edges", "params", "device", "T", "C", "edges_fnv1a64", "topology"));
  for (PetscInt i = 0; i < D; i++) {
    KNCircuit    c;
    KNGraph      g;
    KNDevice     d;
    KNDeviceType type;
    PetscInt     N, E, rows;
    PetscReal    T, C;
    PetscBool    per_node;
    char         sum[17], cbuf[16];
    const char  *desc;

    PetscCall(KNNetGetLayer(net, i, &c));
    PetscCall(KNCircuitGetSizes(c, &N, &E, &rows));
    PetscCall(KNCircuitGetGraph(c, &g));
    PetscCall(KNCircuitGetDevice(c, &d));
    PetscCall(KNDeviceGetType(d, &type));
    PetscCall(KNCircuitGetDuration(c, &T));
    PetscCall(KNCircuitGetCapacitance(c, &C, &per_node));
    PetscCall(KNGraphGetChecksum(g, sum));
    PetscCall(KNGraphGetDescription(g, &desc));
    if (per_node) PetscCall(PetscStrncpy(cbuf, "per-node", sizeof(cbuf)));
    else PetscCall(PetscSNPrintf(cbuf, sizeof(cbuf), "%.3g", (double)C));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-5" PetscInt_FMT " %8" PetscInt_FMT " %10" PetscInt_FMT " %10" PetscInt_FMT " %-18s %6.3g %10s %-16s %s\n", i, N, E, E * rows, type, (double)T, cbuf, sum, desc ? desc : "-"));
    totalE += E;
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "total: %" PetscInt_FMT " edges (devices), %" PetscInt_FMT " parameters\n", totalE, P));
  PetscCall(KNNetGetLayer(net, D - 1, &last));
  PetscCall(KNCircuitGetSizes(last, &N, NULL, NULL));
  PetscCall(KNetViewRecords(PETSC_COMM_WORLD, "", &rec, N));
  PetscCall(KNModelRecordsReset(&rec));
  PetscCall(KNetHardwareReport(net, &hw)); /* with -kn_hw_scale / -kn_hw_current, see knet_spice.c */
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}
