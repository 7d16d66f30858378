/* KNDevice: the current law g(v_s, v_d; theta) of a learnable edge and its derivatives. */
#pragma once

#include <kn/knsys.h>

/*S
  KNDevice - a device law. A positive current flows from the source node to the destination node.
  Each edge has `rows` parameters, stored contiguously (theta[r], r = 0..rows-1, reference row order).
S*/
typedef struct _p_KNDevice *KNDevice;

typedef const char *KNDeviceType;
#define KNDEVICESHIFTTANH2      "shift_tanh2"       /* tanh(t0 vs + t1 vd + t2), 3 rows; paper Eq. (13) */
#define KNDEVICESHIFTTANH1      "shift_tanh1"       /* tanh(t1 (vs-vd) + t0), 3 rows (row 2 unused); paper Eq. (11) */
#define KNDEVICESHIFTRELU1      "shift_relu1"       /* t1 relu(vs-vd - t0), 2 rows */
#define KNDEVICESHIFTLEAKYRELU1 "shift_leaky_relu1" /* t1 leaky_relu(vs-vd - t0), slope 0.01, 2 rows */
#define KNDEVICESHIFTRELU2      "shift_relu2"       /* relu(t0 vs + t1 vd + t2), 3 rows; paper Eq. (12) */
#define KNDEVICESHIFTLEAKYRELU2 "shift_leaky_relu2" /* leaky_relu(t0 vs + t1 vd + t2), 3 rows */
#define KNDEVICERELUDIFF        "relu_diff"         /* relu(t1 (vs-vd) + t0), 2 rows; paper Eq. (10) */
#define KNDEVICETANHDIFF        "tanh_diff"         /* tanh(t1 (vs-vd) + t0), 2 rows; paper Eq. (11) */
#define KNDEVICERELU3P          "relu_3p"           /* relu(t0 vs + t1 vd + t2), 3 rows; paper Eq. (12) */
#define KNDEVICETANH3P          "tanh_3p"           /* tanh(t0 vs + t1 vd + t2), 3 rows; paper Eq. (13) */
#define KNDEVICECONDUCTANCE     "conductance"       /* t0 (vs-vd), 3 rows (rows 1-2 unused, as the reference) */
#define KNDEVICECURRENTSOURCE   "current_source"    /* t0, 1 row */

/*
  Kernels: the hot path. Each call handles ONE edge for B samples; vs, vd, outputs have length B
  (for a ground endpoint the caller passes an array of zeros). th has `rows` entries.
  - current:  i[b] = g(vs[b], vd[b]; th)
  - partials: i, gs = dg/dvs, gd = dg/dvd, gth[r*B + b] = dg/dth_r
  - second:   gss = d2g/dvs2, gsd = d2g/dvs dvd, gdd = d2g/dvd2, gsth[r*B+b] = d2g/dvs dth_r, gdth[r*B+b] = d2g/dvd dth_r
  Outputs must not overlap the inputs or each other (the kernels are compiled with restrict pointers).
  ReLU kinks use H(0) = 0 (PyTorch's convention); second derivatives of ReLU laws in the voltages
  are 0 almost everywhere (the mixed voltage/theta ones are not: e.g. d2g/dvs dth_0 = H(u) for relu_3p).
*/
typedef struct {
  void (*current)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal i[]);
  void (*partials)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal i[], PetscReal gs[], PetscReal gd[], PetscReal gth[]);
  void (*second)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal gss[], PetscReal gsd[], PetscReal gdd[], PetscReal gsth[], PetscReal gdth[]);
  /* Optional fused kernels: one pass per edge, the law evaluated once per sample. NULL: the circuit composes
     current/partials/second (it also does so for edges with a gain). fs != fd, ys != yd, and the outputs do not
     overlap the inputs or each other. t = wd - ws; rs, rd are per-edge scalars (the circuit passes 1/C of the
     endpoint, or 0 where the term is not wanted); tr, wl have length B like the voltages:
     - apply:   fs[b] -= g, fd[b] += g                                            (one RHS edge)
     - trace:   apply, and tr[b] += rd gd - rs gs                                 (one flow RHS edge)
     - vjp:     ys += t gs, yd += t gd, yth[r] += sum_b t gth_r                   (one adjoint edge)
     - flowvjp: vjp, and with h = rd gd - rs gs the trace's weight -wl:           (one flow adjoint edge)
                ys -= wl dh/dvs, yd -= wl dh/dvd, yth[r] -= sum_b wl dh/dth_r
     Parameter sums use the KN_LANE_LOOP lane sums, so their bits do not depend on the vector width. */
  void (*apply)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal fs[], PetscReal fd[]);
  void (*vjp)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], const PetscReal ws[], const PetscReal wd[], PetscReal ys[], PetscReal yd[], PetscReal yth[]);
  void (*trace)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal rs, PetscReal rd, PetscReal fs[], PetscReal fd[], PetscReal tr[]);
  void (*flowvjp)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], const PetscReal ws[], const PetscReal wd[], const PetscReal wl[], PetscReal rs, PetscReal rd, PetscReal ys[], PetscReal yd[], PetscReal yth[]);
  /* Optional, for laws that cost more than a stored value (the tanh laws): the circuit keeps the law's values g[b] of
     a layer's forward stages and its adjoint reads them back instead of evaluating the law again.
     - apply_keep, trace_keep: apply, trace, and g[b] = the law's value they added
     - vjp_kept, flowvjp_kept: vjp, flowvjp with the law's value taken from g
     With g from the keep kernels at the same (th, vs, vd), every output is bit for bit that of the plain kernel. */
  void (*apply_keep)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal fs[], PetscReal fd[], PetscReal g[]);
  void (*trace_keep)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], PetscReal rs, PetscReal rd, PetscReal fs[], PetscReal fd[], PetscReal tr[], PetscReal g[]);
  void (*vjp_kept)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], const PetscReal ws[], const PetscReal wd[], PetscReal ys[], PetscReal yd[], PetscReal yth[], const PetscReal g[]);
  void (*flowvjp_kept)(const PetscReal th[], PetscInt B, const PetscReal vs[], const PetscReal vd[], const PetscReal ws[], const PetscReal wd[], const PetscReal wl[], PetscReal rs, PetscReal rd, PetscReal ys[], PetscReal yd[], PetscReal yth[], const PetscReal g[]);
} KNDeviceKernels;

PETSC_EXTERN PetscErrorCode KNDeviceCreate(MPI_Comm, KNDevice *);
PETSC_EXTERN PetscErrorCode KNDeviceDestroy(KNDevice *);
PETSC_EXTERN PetscErrorCode KNDeviceReference(KNDevice);
PETSC_EXTERN PetscErrorCode KNDeviceSetType(KNDevice, KNDeviceType);
PETSC_EXTERN PetscErrorCode KNDeviceGetType(KNDevice, KNDeviceType *);
PETSC_EXTERN PetscErrorCode KNDeviceSetOptionsPrefix(KNDevice, const char[]);
PETSC_EXTERN PetscErrorCode KNDeviceSetFromOptions(KNDevice);
PETSC_EXTERN PetscErrorCode KNDeviceGetNumParameters(KNDevice, PetscInt *);
PETSC_EXTERN PetscErrorCode KNDeviceGetNumUsedParameters(KNDevice, PetscInt *);
PETSC_EXTERN PetscErrorCode KNDeviceGetKernels(KNDevice, const KNDeviceKernels **);
PETSC_EXTERN PetscErrorCode KNDeviceView(KNDevice, PetscViewer);
PETSC_EXTERN PetscErrorCode KNDeviceTypeFromReference(const char[], KNDeviceType *);
PETSC_EXTERN PetscErrorCode KNDeviceRegister(const char[], PetscErrorCode (*)(KNDevice));
PETSC_EXTERN PetscErrorCode KNDeviceGetTypes(PetscInt *, const char ***);
PETSC_EXTERN PetscErrorCode KNDeviceSetLaw(KNDevice, PetscInt, PetscInt, const KNDeviceKernels *, const char[]);
