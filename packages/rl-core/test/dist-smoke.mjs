// Runs the BUILT package under plain node (no vitest, no loader): catches tfjs packaging
// bugs that vitest's resolver hides (ecosystem.md §3). ESM half.
import assert from 'node:assert/strict';
import { initBackend, isRlError, RlError, tf } from '@marlts/rl-core';

const f = (x) => tf.tanh(x).square().sum();
const analytic = (x) => 2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2);
for (const backend of ['wasm', 'cpu']) {
  assert.equal(await initBackend(backend), backend);
  const before = tf.memory().numTensors;
  const xs = [0.5, -1, 2];
  const g = tf.tidy(() => tf.grad(f)(tf.tensor1d(xs)).arraySync());
  for (const [i, v] of g.entries())
    assert.ok(Math.abs(v - analytic(xs[i])) < 1e-5, `${backend} grad[${i}] ${v}`);
  assert.equal(tf.memory().numTensors, before, 'no tensor leak');
}
try {
  await initBackend({ backend: 'tensorflow' });
  assert.fail('tensorflow backend should fail without @tensorflow/tfjs-node');
} catch (e) {
  assert.ok(isRlError(e, 'BACKEND') && e instanceof RlError, String(e));
  assert.match(e.message, /npm install @tensorflow\/tfjs-node/);
}
console.log('rl-core dist smoke (ESM): ok');
