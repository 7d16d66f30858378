#!/usr/bin/python3
"""Trains the twomoon flow (the published circuit, fresh parameters) by maximum likelihood with a Python loop and
numpy AdamW on the library's exact adjoint gradients.  usage: PYTHONPATH=build/python train_twomoon.py [iterations]"""
import sys, numpy as np, kirchhoffnet as kn

net = kn.load(sys.argv[2] if len(sys.argv) > 2 else "tests/data/published/twomoon.h5")
rng, B, lr, wd = np.random.default_rng(0), 512, 1e-2, 0.01
theta = [rng.normal(0, 0.5, th.shape) for th in net.parameters]
m, v = [np.zeros_like(p) for p in theta], [np.zeros_like(p) for p in theta]
iters = int(sys.argv[1]) if len(sys.argv) > 1 else 200
for it in range(1, iters + 1):
    a = rng.uniform(0, np.pi, B); up = rng.random(B) < 0.5  # two moons, noise 0.1
    x = np.stack([np.where(up, np.cos(a), 1 - np.cos(a)), np.where(up, np.sin(a), 0.5 - np.sin(a))], 1) + rng.normal(0, 0.1, (B, 2))
    net.parameters = theta
    # NLL = mean(|z|^2/2 + log 2pi + lp) over data x integrated backwards to z: dL/dz = z/B, dL/dlp = 1/B
    g, _ = r = net.vjp(x, lambda z, lp: (z / B, np.full(len(lp), 1 / B)), reverse=True, batch_size=B)
    nll = np.mean(0.5 * np.sum(r.out ** 2, 1) + np.log(2 * np.pi) + r.logp)
    for p, gi, mi, vi in zip(theta, g, m, v):  # AdamW (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8)
        mi[:] = 0.9 * mi + 0.1 * gi; vi[:] = 0.999 * vi + 0.001 * gi * gi
        p -= lr * (wd * p + (mi / (1 - 0.9 ** it)) / (np.sqrt(vi / (1 - 0.999 ** it)) + 1e-8))
    if kn.rank() == 0 and (it in (1, iters) or it % 20 == 0): print("iteration %d: NLL %.4f" % (it, nll), flush=True)
net.parameters = theta
net.save("twomoon-python.h5")
