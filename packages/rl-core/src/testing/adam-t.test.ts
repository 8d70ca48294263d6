import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { AdamT } from './adam-t.js';
import { expectClose } from './expect.js';

/** torch.optim.Adam by hand, float64. */
function adamByHand(
  p: number[],
  grads: number[][],
  lr: number,
  b1: number,
  b2: number,
  eps: number,
): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const out = [...p];
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** t) + eps;
      out[i] = out[i]! - (lr / (1 - b1 ** t)) * (m[i]! / denom);
    }
  });
  return out;
}

describe.each(['cpu', 'wasm'] as const)('AdamT (tfjs) on %s', (backend) => {
  it('matches a hand computation of torch Adam, and its state round-trips', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const p0 = [0.5, -1, 2];
    const grads = [
      [0.1, -0.2, 0.3],
      [1, 0.5, -0.25],
      [-0.3, 0.2, 0.01],
    ];
    const w = tf.tidy(() => tf.variable(tf.tensor1d(p0)));
    const adam = new AdamT([w], { learningRate: 0.01, eps: 1e-5 });
    for (const g of grads) tf.tidy(() => adam.step([tf.tensor1d(g)]));
    expectClose(w.dataSync(), adamByHand(p0, grads, 0.01, 0.9, 0.999, 1e-5), { rtol: 1e-5, atol: 1e-6 });
    expect(adam.stepCount).toBe(3);

    // Restoring the state into a fresh optimiser continues identically.
    const state = adam.getState();
    const w2 = tf.tidy(() => tf.variable(tf.tensor1d(w.dataSync())));
    const adam2 = new AdamT([w2], { learningRate: 0.01, eps: 1e-5 });
    adam2.setState(state);
    tf.tidy(() => adam.step([tf.tensor1d([0.2, 0.2, 0.2])]));
    tf.tidy(() => adam2.step([tf.tensor1d([0.2, 0.2, 0.2])]));
    expect(Array.from(w2.dataSync())).toEqual(Array.from(w.dataSync()));
    expect(() => adam2.setState({ step: 1, m: [new Float32Array(2)], v: [new Float32Array(2)] })).toThrow(
      /values/,
    );

    for (const x of [w, w2, adam, adam2]) x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
