#!/usr/bin/python3
"""Plot a KirchhoffNet training run (knet train -kn_run_dir DIR) or model as PNG.

  loss     DIR                       loss per epoch from DIR/metrics.csv (test metric on a second axis when present)
  samples  DIR|MODEL.h5 [--data N]   samples of a 2-D flow (knet sample) next to the data set (2-D histograms)
  density  DIR|MODEL.h5 --potential potential1
                                     learned density q(x) on a grid (knet eval -kn_flow -kn_reverse) next to exp(-U)
  digits   DIR|MODEL.h5 [-n 16]      a grid of samples of an image flow (genmnist: 784-D -> 28x28)

Usage: /usr/bin/python3 tools/plot_run.py loss DIR [-o loss.png]
       /usr/bin/python3 tools/plot_run.py samples DIR_or_MODEL [--data twomoon] [-n 20000] [-o samples.png]
       /usr/bin/python3 tools/plot_run.py density DIR_or_MODEL --potential potential1 [--grid 100] [-o density.png]
       /usr/bin/python3 tools/plot_run.py digits MODEL [-n 16] [--threshold] [-o digits.png]
Common option: --knet PATH (default build/knet). Needs numpy and matplotlib (Debian: python3-numpy,
python3-matplotlib). Errors print one line and exit non-zero.

knet has no command that dumps a synthetic data set, so the data panel of `samples` is drawn from numpy
re-implementations of the constructions in src/data (same formulas, numpy's RNG instead of the counter-based one:
the same distribution, not the same points). A name without a generator here gets a note instead of a panel.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
    import matplotlib.ticker  # noqa: E402,F401
except ImportError as e:  # pragma: no cover
    sys.exit(f"plot_run: {e.name} is missing (Debian: apt-get install python3-numpy python3-matplotlib)")


def die(msg):
    sys.exit(f"plot_run: {msg}")


# ----------------------------------------------------------------------------------------------------------------------
# knet and run directories


def find_knet(path):
    if not os.path.isfile(path):
        die(f"knet not found at {path}: build it (meson setup build && meson compile -C build) or pass --knet PATH")
    if not os.access(path, os.X_OK):
        die(f"{path} is not executable")
    return path


def run_knet(knet, args):
    cmd = [knet] + args
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as e:
        die(f"cannot run {knet}: {e}")
    if r.returncode != 0:
        lines = [ln.strip() for ln in r.stdout.strip().splitlines() if ln.strip()]
        errs = [ln for ln in lines if "error" in ln.lower()]
        msg = (errs or lines or ["no output"])[0]
        die(f"knet {args[0]} failed (exit {r.returncode}): {msg}")
    return r.stdout


def resolve_model(path):
    """DIR (a run directory) -> DIR/model.h5; MODEL.h5 as is. Returns (model, run_dir or None)."""
    if os.path.isdir(path):
        model = os.path.join(path, "model.h5")
        if not os.path.isfile(model):
            die(f"{path} is a directory without model.h5 (not a finished knet train -kn_run_dir directory?)")
        return model, path
    if not os.path.isfile(path):
        die(f"no such model file or run directory: {path}")
    return path, None


def run_options(run_dir):
    """-kn_* options of DIR/options.txt as a dict (empty if absent)."""
    opts = {}
    if not run_dir:
        return opts
    p = os.path.join(run_dir, "options.txt")
    if not os.path.isfile(p):
        return opts
    with open(p) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0].startswith("-"):
                opts[parts[0]] = parts[1] if len(parts) > 1 else ""
    return opts


def read_csv(path):
    """(header list, float array rows x cols) of a CSV written by knet."""
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return header, data


def default_out(args, name):
    return args.output or name


def saved(fig, out):
    fig.tight_layout()
    try:
        fig.savefig(out, dpi=120)
    except OSError as e:
        die(f"cannot write {out}: {e}")
    print(f"plot_run: wrote {out}")


# ----------------------------------------------------------------------------------------------------------------------
# the synthetic data sets of src/data (same formulas, numpy RNG)


def _shuffle_noise(x, rng, s):
    x = x[rng.permutation(len(x))]
    return x + s * rng.standard_normal(x.shape)


def gen_twomoon(n, rng):
    nout = n // 2
    nin = n - nout
    so = np.linspace(0, np.pi, nout)
    si = np.linspace(0, np.pi, nin)
    x = np.concatenate([np.stack([np.cos(so), np.sin(so)], 1), np.stack([1 - np.cos(si), 1 - np.sin(si) - 0.5], 1)])
    return _shuffle_noise(x, rng, 0.1)


def gen_circle(n, rng):
    nout = n // 2
    nin = n - nout
    ao = 2 * np.pi * np.arange(nout) / nout
    ai = 2 * np.pi * np.arange(nin) / nin
    x = np.concatenate([np.stack([np.cos(ao), np.sin(ao)], 1), 0.5 * np.stack([np.cos(ai), np.sin(ai)], 1)])
    return _shuffle_noise(x, rng, 0.06)


def gen_swissroll(n, rng):
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    return np.stack([t * np.cos(t) + rng.standard_normal(n), t * np.sin(t) + rng.standard_normal(n)], 1) / 5.0


def gen_2spirals(n, rng):
    h = n - n // 2
    r = np.sqrt(rng.random(h)) * 540 * (2 * np.pi) / 360
    d = np.stack([-np.cos(r) * r + 0.5 * rng.random(h), np.sin(r) * r + 0.5 * rng.random(h)], 1)
    x = np.concatenate([d / 3, -d[: n // 2] / 3])
    return x + 0.1 * rng.standard_normal(x.shape)


def gen_pinwheel(n, rng):
    c = np.floor(5 * np.arange(n) / n)
    f0 = 1 + 0.3 * rng.standard_normal(n)
    f1 = 0.1 * rng.standard_normal(n)
    a = 2 * np.pi * c / 5 + 0.25 * np.exp(f0)
    x = 2 * np.stack([f0 * np.cos(a) + f1 * np.sin(a), -f0 * np.sin(a) + f1 * np.cos(a)], 1)
    return x[rng.permutation(n)]


def gen_8gaussians(n, rng):
    h = 1 / np.sqrt(2)
    cx = np.array([1, -1, 0, 0, h, h, -h, -h])
    cy = np.array([0, 0, 1, -1, h, -h, h, -h])
    c = rng.integers(0, 8, n)
    return np.stack([4 * cx[c] + 0.5 * rng.standard_normal(n), 4 * cy[c] + 0.5 * rng.standard_normal(n)], 1) / 1.414


def gen_checkerboard(n, rng):
    x1 = 4 * rng.random(n) - 2
    b = (rng.random(n) >= 0.5).astype(float)
    x2 = rng.random(n) - 2 * b + np.mod(np.floor(x1), 2)
    return 2 * np.stack([x1, x2], 1)


def gen_rings(n, rng):
    q = n // 4
    parts = []
    for k, r in enumerate([3.0, 2.25, 1.5, 0.75]):
        m = q if k < 3 else n - 3 * q
        a = 2 * np.pi * np.arange(m) / m
        parts.append(r * np.stack([np.cos(a), np.sin(a)], 1))
    return _shuffle_noise(np.concatenate(parts), rng, 0.08)


def gen_gauss(n, rng):
    return rng.standard_normal((n, 2)) - 1


GENERATORS = {"twomoon": gen_twomoon, "circle": gen_circle, "swissroll": gen_swissroll, "2spirals": gen_2spirals,
              "pinwheel": gen_pinwheel, "8gaussians": gen_8gaussians, "checkerboard": gen_checkerboard,
              "rings": gen_rings, "gauss": gen_gauss}

# The published weight files' experiment name -> data set (a run directory's options.txt says -kn_data).
EXPERIMENTS = {name: name for name in GENERATORS}


# ----------------------------------------------------------------------------------------------------------------------
# potentials (src/train/potential.c)


def _neglogsumexp2(a, b):
    return -np.logaddexp(a, b)


def potential(name, z1, z2):
    w1 = np.sin(2 * np.pi * z1 / 4)
    if name == "potential1":
        r = np.sqrt(z1 ** 2 + z2 ** 2)
        return 0.5 * ((r - 2) / 0.4) ** 2 + _neglogsumexp2(-0.5 * ((z1 - 2) / 0.6) ** 2, -0.5 * ((z1 + 2) / 0.6) ** 2)
    if name == "potential2":
        return 0.5 * ((z2 - w1) / 0.4) ** 2
    if name == "potential3":
        w2 = 3 * np.exp(-0.5 * ((z1 - 1) / 0.6) ** 2)
        return _neglogsumexp2(-0.5 * ((z2 - w1) / 0.35) ** 2, -0.5 * ((z2 - w1 + w2) / 0.35) ** 2)
    if name == "potential4":
        w3 = 3 / (1 + np.exp(-(z1 - 1) / 0.3))
        return _neglogsumexp2(-0.5 * ((z2 - w1) / 0.4) ** 2, -0.5 * ((z2 - w1 + w3) / 0.35) ** 2)
    die(f"unknown potential {name!r}; valid names: potential1, potential2, potential3, potential4")


# ----------------------------------------------------------------------------------------------------------------------
# subcommands


def cmd_loss(args):
    path = args.run
    if os.path.isdir(path):
        path = os.path.join(path, "metrics.csv")
    if not os.path.isfile(path):
        die(f"no metrics file {path} (pass a knet train -kn_run_dir directory or its metrics.csv)")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    need = {"epoch", "loss", "test_metric"}
    if not rows or not need <= set(rows[0]):
        die(f"{path} has no epoch rows with columns {', '.join(sorted(need))}")
    epoch = np.array([float(r["epoch"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    test = np.array([float(r["test_metric"]) if r["test_metric"] not in ("", None) else math.nan for r in rows])
    opts = run_options(os.path.dirname(path))
    task = opts.get("-kn_task_type", "")
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(epoch, loss, "-o" if len(epoch) < 30 else "-", color="C0", ms=3, lw=1.5, label="training loss")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel("mean training loss", color="C0")
    ax.tick_params(axis="y", labelcolor="C0")
    ax.grid(alpha=0.3)
    handles = ax.get_legend_handles_labels()
    if np.isfinite(test).any():
        metric = {"generation": "test NLL (nats)", "classification": "test top-1", "regression": "test MSE",
                  "density": "density loss"}.get(task, "test metric")
        ax2 = ax.twinx()
        ok = np.isfinite(test)
        ax2.plot(epoch[ok], test[ok], "-s" if ok.sum() < 30 else "-", color="C1", ms=3, lw=1.5, label=metric)
        ax2.set_ylabel(metric, color="C1")
        ax2.tick_params(axis="y", labelcolor="C1")
        h2 = ax2.get_legend_handles_labels()
        handles = (handles[0] + h2[0], handles[1] + h2[1])
    ax.legend(*handles, loc="upper right", fontsize=8)
    run = os.path.basename(os.path.dirname(os.path.abspath(path)))
    ax.set_title(f"KirchhoffNet training: {run}" + (f" ({task}, {opts.get('-kn_data', '')})" if task else ""))
    saved(fig, default_out(args, "loss.png"))


def sample_flow(knet, model, n, seed, tmp):
    out = os.path.join(tmp, "samples.csv")
    run_knet(knet, ["sample", model, "-kn_samples", str(n), "-kn_output", out] +
             (["-kn_seed", str(seed)] if seed is not None else []))
    header, data = read_csv(out)
    if header[-1] != "logq":
        die(f"unexpected knet sample header {','.join(header[:4])}...")
    return data[:, :-1], data[:, -1]


def cmd_samples(args):
    knet = find_knet(args.knet)
    model, run_dir = resolve_model(args.model)
    name = args.data or run_options(run_dir).get("-kn_data")
    with tempfile.TemporaryDirectory() as tmp:
        x, _ = sample_flow(knet, model, args.n, args.seed, tmp)
    if x.shape[1] != 2:
        die(f"{model} samples {x.shape[1]}-D points; `samples` plots 2-D flows (use `digits` for images)")
    data, note = None, None
    if not name:
        note = "no data panel: pass --data NAME"
    elif name in GENERATORS:
        data = GENERATORS[name](args.n, np.random.default_rng(args.seed if args.seed is not None else 0))
    else:
        note = f"no data panel: no generator for {name!r} here (have {', '.join(GENERATORS)})"
    if note:
        print(f"plot_run: {note}", file=sys.stderr)
    ref = data if data is not None else x
    lo, hi = np.percentile(ref, 0.5, axis=0), np.percentile(ref, 99.5, axis=0)
    pad = 0.15 * (hi - lo) + 1e-9
    rng = [[lo[0] - pad[0], hi[0] + pad[0]], [lo[1] - pad[1], hi[1] + pad[1]]]
    panels = [("KirchhoffNet samples", x)] + ([(f"data: {name}", data)] if data is not None else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.2), squeeze=False)
    for ax, (title, p) in zip(axes[0], panels):
        if args.style == "scatter":
            ax.scatter(p[:, 0], p[:, 1], s=1, alpha=0.4)
            ax.set_xlim(rng[0])
            ax.set_ylim(rng[1])
        else:
            ax.hist2d(p[:, 0], p[:, 1], bins=args.bins, range=rng, cmap="viridis")
        ax.set_title(f"{title} (n = {len(p)})", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    if note:
        fig.text(0.5, 0.01, note, ha="center", fontsize=8, color="0.4")
    fig.suptitle(model, fontsize=9)
    saved(fig, default_out(args, "samples.png"))


def cmd_density(args):
    knet = find_knet(args.knet)
    model, run_dir = resolve_model(args.model)
    pot = args.potential or run_options(run_dir).get("-kn_task_potential")
    if pot:
        potential(pot, np.zeros(1), np.zeros(1))  # validates the name
    lo, hi = args.range
    g = np.linspace(lo, hi, args.grid)
    X1, X2 = np.meshgrid(g, g)
    pts = np.stack([X1.ravel(), X2.ravel()], 1)
    with tempfile.TemporaryDirectory() as tmp:
        gin, gout = os.path.join(tmp, "grid.csv"), os.path.join(tmp, "z.csv")
        np.savetxt(gin, pts, delimiter=",", header="x1,x2", comments="", fmt="%.10g")
        run_knet(knet, ["eval", model, "-kn_input", gin, "-kn_flow", "-kn_reverse", "-kn_output", gout,
                        "-kn_batch_size", str(args.batch)])
        header, out = read_csv(gout)
    if header[-1] != "logp" or out.shape[1] != 3:
        die(f"{model} is not a 2-D flow (knet eval -kn_flow gave columns {','.join(header[:5])})")
    z, lp = out[:, :2], out[:, 2]
    # KNFlowLogLikelihood: log q(x) = log N(z; 0, I) - lp, lp = +int tr(df/dv) dt of the reversed sweep
    logq = -0.5 * np.sum(z * z, 1) - np.log(2 * np.pi) - lp
    q = np.exp(logq).reshape(X1.shape)
    dx = g[1] - g[0]
    mass = q.sum() * dx * dx
    panels = [(f"learned q(x) (mass on grid {mass:.3f})", q)]
    if pot:
        pu = np.exp(-potential(pot, X1, X2))
        pu /= pu.sum() * dx * dx
        panels.append((f"target exp(-U), {pot} (normalised on grid)", pu))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 4.4), squeeze=False)
    for ax, (title, img) in zip(axes[0], panels):
        ax.imshow(img, origin="lower", extent=[lo, hi, lo, hi], cmap="viridis", interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_aspect("equal")
    fig.suptitle(model, fontsize=9)
    saved(fig, default_out(args, "density.png"))


def cmd_digits(args):
    knet = find_knet(args.knet)
    model, _ = resolve_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        x, _ = sample_flow(knet, model, args.n, args.seed, tmp)
    side = int(round(math.sqrt(x.shape[1])))
    if side * side != x.shape[1]:
        die(f"{model} samples {x.shape[1]}-D points, not square images (genmnist: 784 = 28x28)")
    img = x.reshape(-1, side, side)
    span = img.max() - img.min()
    img = (img - img.min()) / (span if span > 0 else 1.0)  # min-max over all samples jointly, as the reference
    if args.threshold:
        img = (img > 0.5).astype(float)
    cols = int(math.ceil(math.sqrt(len(img))))
    rows = int(math.ceil(len(img) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.3 * rows + 0.4), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < len(img):
            ax.imshow(img[k], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    fig.suptitle(f"{os.path.basename(model)}: {len(img)} samples" + (" (> 0.5)" if args.threshold else ""), fontsize=9)
    saved(fig, default_out(args, "digits.png"))


def main(argv=None):
    p = argparse.ArgumentParser(description="Plot a KirchhoffNet run directory or model as PNG.")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp, out):
        sp.add_argument("-o", "--output", help=f"PNG file (default {out})")
        sp.add_argument("--knet", default="build/knet", help="path to the knet program (default build/knet)")

    s = sub.add_parser("loss", help="loss curve from DIR/metrics.csv")
    s.add_argument("run", metavar="DIR", help="run directory (or its metrics.csv)")
    common(s, "loss.png")
    s.set_defaults(fn=cmd_loss)

    s = sub.add_parser("samples", help="samples of a 2-D flow next to the data")
    s.add_argument("model", metavar="DIR_or_MODEL")
    s.add_argument("--data", help=f"data set name ({', '.join(GENERATORS)}; default: -kn_data of DIR/options.txt)")
    s.add_argument("-n", type=int, default=20000, help="number of samples (default 20000)")
    s.add_argument("--seed", type=int, default=None, help="knet sample -kn_seed (default: knet's)")
    s.add_argument("--bins", type=int, default=150, help="histogram bins per axis (default 150)")
    s.add_argument("--style", choices=["hist", "scatter"], default="hist")
    common(s, "samples.png")
    s.set_defaults(fn=cmd_samples)

    s = sub.add_parser("density", help="learned density on a grid next to exp(-U)")
    s.add_argument("model", metavar="DIR_or_MODEL")
    s.add_argument("--potential", help="potential1..potential4 (default: -kn_task_potential of DIR/options.txt)")
    s.add_argument("--grid", type=int, default=100, help="grid points per axis (default 100)")
    s.add_argument("--range", type=float, nargs=2, default=[-4.0, 4.0], metavar=("LO", "HI"))
    s.add_argument("--batch", type=int, default=1024, help="knet eval -kn_batch_size (default 1024)")
    common(s, "density.png")
    s.set_defaults(fn=cmd_density)

    s = sub.add_parser("digits", help="grid of samples of an image flow")
    s.add_argument("model", metavar="DIR_or_MODEL")
    s.add_argument("-n", type=int, default=16, help="number of samples (default 16)")
    s.add_argument("--seed", type=int, default=None, help="knet sample -kn_seed (default: knet's)")
    s.add_argument("--threshold", action="store_true", help="binarise at 0.5 after the min-max scaling")
    common(s, "digits.png")
    s.set_defaults(fn=cmd_digits)

    args = p.parse_args(argv)
    if getattr(args, "n", 1) < 1:
        die("-n must be at least 1")
    if getattr(args, "grid", 2) < 2:
        die("--grid must be at least 2")
    args.fn(args)


if __name__ == "__main__":
    main()
