// Shared by the ESM and CJS dist smoke tests, each passing the package as it loaded it. The
// build inlines tfjs-core's gradient and chained-op registrations but points their imports at
// the real tfjs-core (scripts/tfjs-public-imports.ts). Checked here, on the built files:
// - every gradient and chained op tfjs-core ships is registered on the tfjs the user gets;
// - gradients whose imports the build rewrote (namespace members such as
//   backend_util.getUndoAxesPermutation, gradient-only ops it still inlines such as
//   avgPoolGrad, conv2DBackpropFilter) match central finite differences;
// - the bundle carries no copy of tfjs-core's engine, tensor, ops or registry modules.
const assert = require('node:assert/strict');
const { readdirSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const tfjsDist = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');

/** Kernel-name constants of every gradient config, and every chained op method, tfjs-core ships. */
function shipped() {
  const kernelNames = new Set();
  for (const f of readdirSync(join(tfjsDist, 'gradients')).filter((f) => f.endsWith('_grad.js'))) {
    for (const m of readFileSync(join(tfjsDist, 'gradients', f), 'utf8').matchAll(/kernelName: (\w+)/g))
      kernelNames.add(m[1]);
  }
  const methods = new Set();
  const chained = join(tfjsDist, 'public', 'chained_ops');
  for (const f of readdirSync(chained).filter((f) => f.endsWith('.js'))) {
    for (const m of readFileSync(join(chained, f), 'utf8').matchAll(/prototype\.(\w+) = function/g))
      methods.add(m[1]);
  }
  return { kernelNames, methods };
}

/** Central differences of Σ f(x)·w (w fixed, so every output element matters) at x. */
function numericGrad(tf, f, x, w) {
  const base = x.dataSync();
  const out = new Float64Array(base.length);
  const eps = 1e-2;
  const at = (i, d) =>
    tf.tidy(() => {
      const v = Float32Array.from(base);
      v[i] += d;
      return f(tf.tensor(v, x.shape)).mul(w).sum().dataSync()[0];
    });
  for (let i = 0; i < base.length; i++) out[i] = (at(i, eps) - at(i, -eps)) / (2 * eps);
  return out;
}

/** @param {typeof import('@marlts/rl-core')} lib */
function checkRegistrations({ tf, initBackend }, bundleFile) {
  const { kernelNames, methods } = shipped();
  assert.ok(kernelNames.size > 90 && methods.size > 120, 'found tfjs-core registration lists');
  const missingGrads = [...kernelNames].filter((k) => !tf.getGradient(tf[k]));
  assert.deepEqual(missingGrads, [], 'gradients registered on the user-facing tfjs');
  const missingOps = [...methods].filter((m) => typeof tf.Tensor.prototype[m] !== 'function');
  assert.deepEqual(missingOps, [], 'chained ops patched onto the user-facing Tensor');

  const rng = (n, seed) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233));
  const cases = {
    transpose: [[2, 3, 4], (x) => x.transpose([2, 0, 1])],
    prod: [[3, 4], (x) => x.add(2).prod(1)],
    max: [[3, 5], (x) => x.max(1)],
    min: [[3, 5], (x) => x.min(0)],
    logSumExp: [[2, 6], (x) => x.logSumExp(1)],
    avgPool: [[1, 4, 4, 2], (x) => tf.avgPool(x, 2, 2, 'valid')],
    maxPool: [[1, 4, 4, 1], (x) => tf.maxPool(x, 2, 1, 'valid')],
    conv2d: [[1, 5, 5, 2], (x) => tf.conv2d(x, tf.tensor4d(rng(2 * 2 * 2 * 3, 7), [2, 2, 2, 3]), 1, 'same')],
    depthwiseConv2d: [
      [1, 4, 4, 2],
      (x) => tf.depthwiseConv2d(x, tf.tensor4d(rng(3 * 3 * 2, 5), [3, 3, 2, 1]), 1, 'same'),
    ],
  };
  return (async () => {
    // The CPU backend has every kernel these gradients call (the WASM one lacks some, e.g.
    // DepthwiseConv2dNativeBackpropInput); registration does not depend on the backend.
    for (const backend of ['cpu']) {
      await initBackend(backend);
      for (const [name, [shape, f]] of Object.entries(cases)) {
        tf.tidy(() => {
          const x = tf.tensor(
            rng(
              shape.reduce((a, b) => a * b),
              name.length,
            ),
            shape,
          );
          const w = tf.tensor(rng(f(x).size, 3), f(x).shape);
          const got = tf
            .grad((v) => f(v).mul(w).sum())(x)
            .dataSync();
          const want = numericGrad(tf, f, x, w);
          for (let i = 0; i < want.length; i++) {
            assert.ok(
              Math.abs(got[i] - want[i]) <= 2e-2 * (1 + Math.abs(want[i])),
              `${backend} ${name} grad[${i}]: ${got[i]} vs finite difference ${want[i]}`,
            );
          }
        });
      }
    }
    // Inlined tfjs-core modules, by esbuild's per-module comments: only registrations and the
    // gradient-only helpers tfjs-core does not export.
    const bundle = readFileSync(bundleFile, 'utf8');
    const inlined = [...bundle.matchAll(/^\/\/ .*@tensorflow\/tfjs-core\/dist\/(\S+)$/gm)].map((m) => m[1]);
    for (const core of [
      'engine.js',
      'tensor.js',
      'kernel_registry.js',
      'environment.js',
      'ops/ops.js',
      'base.js',
    ]) {
      assert.ok(!inlined.includes(core), `${bundleFile} inlines a copy of tfjs-core's ${core}`);
    }
    const extra = inlined.filter(
      (f) =>
        !f.startsWith('gradients/') &&
        !f.startsWith('public/chained_ops/') &&
        f !== 'register_all_gradients.js',
    );
    assert.ok(extra.length <= 20, `${bundleFile} inlines ${extra.length} other tfjs-core modules: ${extra}`);
  })();
}

module.exports = { checkRegistrations };
