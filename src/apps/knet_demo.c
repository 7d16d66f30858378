/* knet demo: an embedded two-layer circuit, no files needed: forward solve, exact adjoint gradient checked
   against finite differences, and where the time went. */
#include "knet.h"

static PetscErrorCode PetscOptionsSetValueIfUnset(const char name[], const char value[])
{
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscOptionsHasName(NULL, NULL, name, &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, name, value));
  PetscFunctionReturn(KN_SUCCESS);
}

static PetscErrorCode BuildNet(MPI_Comm comm, PetscInt B, KNNet *net)
{
  PetscFunctionBegin;
  PetscCall(KNNetCreate(comm, net));
  for (PetscInt i = 0; i < 2; i++) {
    KNGraph  g;
    KNDevice d;
    PetscCall(KNGraphCreateRandom(comm, 200 + 50 * i, 2000, 1 + i, &g)); /* 200 -> 250 nodes: the new ones start at 0 V */
    PetscCall(KNDeviceCreate(comm, &d));
    PetscCall(KNDeviceSetType(d, KNDEVICESHIFTTANH2));
    PetscCall(KNDeviceSetFromOptions(d));
    PetscCall(KNNetAddLayer(*net, g, d, 0.5));
    PetscCall(KNGraphDestroy(&g));
    PetscCall(KNDeviceDestroy(&d));
  }
  PetscCall(KNNetSetBatchSize(*net, B));
  PetscCall(KNNetSetReadoutLast(*net, 10));
  PetscCall(KNNetSetFromOptions(*net));
  PetscCall(KNNetSetUp(*net));
  PetscFunctionReturn(KN_SUCCESS);
}

/* L = 1/2 |out|^2 summed over the batch; returns dL/dout. */
static PetscErrorCode Loss(KNNet net, PetscInt nin, const PetscReal in[], PetscReal *L, PetscReal dout[])
{
  PetscInt  B, K;
  PetscReal out[64 * 10];

  PetscFunctionBegin;
  PetscCall(KNNetGetBatchSize(net, &B));
  PetscCall(KNNetGetReadout(net, &K, NULL));
  PetscCall(KNNetForward(net, nin, in, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, out));
  *L = 0;
  for (PetscInt i = 0; i < B * K; i++) {
    *L += 0.5 * out[i] * out[i];
    if (dout) dout[i] = out[i];
  }
  PetscFunctionReturn(KN_SUCCESS);
}

PetscErrorCode KNetDemo(int argc, char **argv)
{
  MPI_Comm       comm = PETSC_COMM_WORLD;
  const PetscInt B = 32, nin = 20;
  KNNet          net;
  Vec            P, G;
  PetscReal      in[32 * 20], dout[32 * 10], L = 0, t0, t1, t2, gnorm;
  PetscInt       np;
  KNCircuitStats st;

  PetscFunctionBegin;
  /* tight tolerances unless the user chose others: the finite differences below then see the same steps */
  PetscCall(PetscOptionsSetValueIfUnset("-ts_rtol", "1e-10"));
  PetscCall(PetscOptionsSetValueIfUnset("-ts_atol", "1e-10"));
  PetscCall(BuildNet(comm, B, &net));
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    if (help) { /* the options were listed while the net was built */
      PetscCall(KNNetDestroy(&net));
      PetscFunctionReturn(KN_SUCCESS);
    }
  }
  PetscCall(KNetCheckOptions(comm));
  PetscCall(KNNetCreateParameterVec(net, &P));
  PetscCall(VecDuplicate(P, &G));
  PetscCall(VecGetSize(P, &np));
  {
    PetscRandom r; /* parameters: N(0, 1) scale, the same on any number of ranks is not needed for a demo */
    PetscCall(PetscRandomCreate(comm, &r));
    PetscCall(PetscRandomSetInterval(r, -1.0, 1.0));
    PetscCall(VecSetRandom(P, r));
    PetscCall(PetscRandomDestroy(&r));
  }
  PetscCall(KNNetSetParameters(net, P));
  for (PetscInt i = 0; i < B * nin; i++) in[i] = PetscSinReal(0.37 * i) ;
  PetscCall(KNNetView(net, NULL));
  t0 = MPI_Wtime();
  PetscCall(Loss(net, nin, in, &L, dout));
  t1 = MPI_Wtime();
  PetscCall(KNNetBackward(net, dout, NULL, G, NULL));
  t2 = MPI_Wtime();
  PetscCall(VecNorm(G, NORM_2, &gnorm));
  PetscCall(KNNetGetStats(net, &st));
  PetscCall(PetscPrintf(comm, "forward: L = %.10g in %.3f s; adjoint (recompute + TSAdjointSolve per layer): |dL/dtheta| = %.6g in %.3f s\n", (double)L, t1 - t0, (double)gnorm, t2 - t1));
  PetscCall(PetscPrintf(comm, "steps %" PetscInt_FMT ", RHS evaluations %" PetscInt_FMT ", J^T products %" PetscInt_FMT "\n", st.steps, st.rhs_evals, st.jact_mults));
  /* three parameters checked against central differences */
  for (PetscInt k = 0; k < 3; k++) {
    PetscInt    idx = (k * 7919) % np, lo, hi;
    PetscReal   h = 1e-4, Lp = 0, Lm = 0, g = 0; /* L ~ 100: smaller steps drown in round-off */
    for (PetscInt s = 0; s < 2; s++) {
      PetscCall(VecGetOwnershipRange(P, &lo, &hi));
      if (idx >= lo && idx < hi) PetscCall(VecSetValue(P, idx, s ? -2 * h : h, ADD_VALUES));
      PetscCall(VecAssemblyBegin(P));
      PetscCall(VecAssemblyEnd(P));
      PetscCall(KNNetSetParameters(net, P));
      PetscCall(Loss(net, nin, in, s ? &Lm : &Lp, NULL));
    }
    if (idx >= lo && idx < hi) PetscCall(VecSetValue(P, idx, h, ADD_VALUES));
    PetscCall(VecAssemblyBegin(P));
    PetscCall(VecAssemblyEnd(P));
    PetscCall(KNNetSetParameters(net, P));
    if (idx >= lo && idx < hi) PetscCall(VecGetValues(G, 1, &idx, &g));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &g, 1, MPIU_REAL, MPIU_SUM, comm));
    PetscCall(PetscPrintf(comm, "  dL/dtheta[%6" PetscInt_FMT "]: adjoint % .10e  finite difference % .10e\n", idx, (double)g, (double)((Lp - Lm) / (2 * h))));
  }
  PetscCall(VecDestroy(&P));
  PetscCall(VecDestroy(&G));
  PetscCall(KNNetDestroy(&net));
  PetscFunctionReturn(KN_SUCCESS);
}
