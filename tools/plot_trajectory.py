#!/usr/bin/python3
"""Plot a KirchhoffNet trajectory file (knet eval|sample ... -kn_trajectory FILE.h5) as PNG.

  voltages: node voltages over time, the layers one after another in the order the sweep visited them
  stages:   the intermediate stages of a flow (paper Fig. 8): scatter of the samples in the plane of two nodes at several
            times across the layers (record many samples at a few times, e.g.
            knet sample run/model.h5 -kn_samples 2000 -kn_trajectory traj.h5 -kn_trajectory_samples 0-2000
                        -kn_trajectory_times 0,0.25,0.5)

Usage: /usr/bin/python3 tools/plot_trajectory.py TRAJ.h5 [--mode voltages|stages] [-o OUT.png]
           [--samples K] [--stages N] [--nodes a,b]
Needs h5py and matplotlib (Debian: python3-h5py, python3-matplotlib).
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read(path):
    """The layers in sweep order: (name, T, t, v[nt, ns, nn], nodes) and the sample ids."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "kirchhoffnet-trajectory":
            sys.exit(f"plot_trajectory: {path} is not a KirchhoffNet trajectory file (format {f.attrs.get('format')!r})")
        layers = []
        for name in sorted(k for k in f if k.startswith("layer_")):
            g = f[name]
            layers.append((int(g.attrs["sweep_position"]), name, float(g.attrs["T"]), g["t"][:], g["v"][:], g["nodes"][:]))
        samples = f["samples"][:]
    layers.sort()
    return [lay[1:] for lay in layers], samples


def plot_voltages(layers, samples, nsamples, out):
    fig, ax = plt.subplots(figsize=(9, 5))
    cmap = plt.get_cmap("tab10")
    offset = 0.0
    for name, T, t, v, nodes in layers:
        for s in range(min(nsamples, v.shape[1])):
            for k, node in enumerate(nodes[:10]):
                label = f"node {node}" if (s == 0 and offset == 0.0) else None
                ax.plot(offset + t, v[:, s, k], color=cmap(k % 10), lw=1, alpha=0.8, label=label)
        ax.axvline(offset, color="0.8", lw=0.8)
        ax.text(offset + 0.5 * T, 1.0, name, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
        offset += T
    ax.set_xlabel("time (layers one after another, in sweep order)")
    ax.set_ylabel("node voltage")
    ax.set_title(f"KirchhoffNet node voltages, samples {', '.join(str(s) for s in samples[:nsamples])}", pad=18)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def plot_stages(layers, nstages, pair, out):
    stages = []  # (global time, layer name, local time, points)
    offset = 0.0
    for name, T, t, v, nodes in layers:
        cols = [list(nodes).index(p) for p in pair if p in nodes]
        if len(cols) < 2:
            sys.exit(f"plot_trajectory: {name} did not record nodes {pair} (it has {list(nodes)}); choose --nodes")
        for i, ti in enumerate(t):
            if stages and i == 0 and abs(offset + ti - stages[-1][0]) < 1e-12:
                continue  # the start of a layer is the end of the previous one
            stages.append((offset + ti, name, ti, v[i][:, cols]))
        offset += T
    if len(stages) > nstages:
        pick = np.unique(np.round(np.linspace(0, len(stages) - 1, nstages)).astype(int))
        stages = [stages[i] for i in pick]
    fig, axes = plt.subplots(1, len(stages), figsize=(2.6 * len(stages), 2.8), squeeze=False)
    for ax, (tg, name, tl, p) in zip(axes[0], stages):
        ax.scatter(p[:, 0], p[:, 1], s=2, alpha=0.5)
        ax.set_title(f"t = {tg:.3g}\n{name}, {tl:.3g}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal", adjustable="datalim")
    fig.suptitle(f"flow stages: v{pair[0]} vs v{pair[1]} of {stages[0][3].shape[0]} samples", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--mode", choices=["voltages", "stages"], default="voltages")
    ap.add_argument("-o", "--output", default=None, help="PNG file (default: FILE with .png)")
    ap.add_argument("--samples", type=int, default=3, help="voltages: how many recorded samples to draw")
    ap.add_argument("--stages", type=int, default=6, help="stages: how many snapshots")
    ap.add_argument("--nodes", default="1,2", help="stages: the two node ids of the scatter plane")
    a = ap.parse_args()
    layers, samples = read(a.file)
    out = a.output or a.file.rsplit(".", 1)[0] + f"-{a.mode}.png"
    if a.mode == "voltages":
        plot_voltages(layers, samples, a.samples, out)
    else:
        plot_stages(layers, a.stages, [int(x) for x in a.nodes.split(",")][:2], out)
    print(f"plot_trajectory: {out}")


if __name__ == "__main__":
    main()
