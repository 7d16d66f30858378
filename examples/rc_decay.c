/* The smallest program against the installed library: one capacitor (node 1) discharging through a linear
   conductance g to ground, C dv/dt = -g v, so v(T) = v(0) exp(-g T / C). Build and run (see README, "Installing"):

     cc rc_decay.c $(pkg-config --cflags --libs kirchhoffnet) -o rc_decay && ./rc_decay                            */
#include <kn.h>

int main(int argc, char **argv)
{
  const PetscInt src[1] = {1}, dst[1] = {0}; /* one edge: node 1 -> ground */
  const PetscReal v0[2] = {1.0, 2.0}, g = 0.5, T = 1.0;
  PetscReal       v[2];
  KNGraph         graph;
  KNDevice        dev;
  KNNet           net;
  Vec             theta;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsSetValue(NULL, "-ts_rtol", "1e-10")); /* the default tolerances of knet are looser */
  PetscCall(PetscOptionsSetValue(NULL, "-ts_atol", "1e-10"));
  PetscCall(KNGraphCreate(PETSC_COMM_WORLD, &graph));
  PetscCall(KNGraphSetEdges(graph, 1, 1, src, dst));
  PetscCall(KNDeviceCreate(PETSC_COMM_WORLD, &dev));
  PetscCall(KNDeviceSetType(dev, KNDEVICECONDUCTANCE));
  PetscCall(KNNetCreate(PETSC_COMM_WORLD, &net));
  PetscCall(KNNetAddLayer(net, graph, dev, T));
  PetscCall(KNNetSetBatchSize(net, 2)); /* two samples: v(0) = 1 V and 2 V */
  PetscCall(KNNetSetFromOptions(net));
  PetscCall(KNNetSetUp(net));
  PetscCall(KNNetCreateParameterVec(net, &theta));
  PetscCall(VecSet(theta, g)); /* row 0 is the conductance; the device ignores rows 1 and 2 */
  PetscCall(KNNetSetParameters(net, theta));
  PetscCall(KNNetForward(net, 1, v0, PETSC_FALSE));
  PetscCall(KNNetGetOutput(net, v));
  for (PetscInt b = 0; b < 2; b++) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "v(0) = %.1f V: v(T) = %.6f V, exact %.6f V\n", (double)v0[b], (double)v[b], (double)(v0[b] * PetscExpReal(-g * T))));
  PetscCall(VecDestroy(&theta));
  PetscCall(KNNetDestroy(&net));
  PetscCall(KNDeviceDestroy(&dev));
  PetscCall(KNGraphDestroy(&graph));
  PetscCall(PetscFinalize());
  return 0;
}
