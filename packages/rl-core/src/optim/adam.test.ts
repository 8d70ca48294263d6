import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { Rng } from '../random.js';
import { AdamT } from '../testing/adam-t.js';
import { expectClose } from '../testing/expect.js';
import { Adam } from './adam.js';

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

const P0 = [0.5, -1, 2, 0.25, -0.125];
const GRADS = [
  [0.1, -0.2, 0.3, 0, 1e-3],
  [1, 0.5, -0.25, 2, -1],
  [-0.3, 0.2, 0.01, -0.5, 0.5],
];

describe('Adam', () => {
  it('matches a hand computation of torch Adam, and its state round-trips split per tensor', () => {
    const p = Float32Array.from(P0);
    const adam = new Adam(5, { learningRate: 0.01, eps: 1e-5 }, { tensorSizes: [3, 2] });
    for (const g of GRADS) adam.step(p, Float32Array.from(g));
    expectClose(p, adamByHand(P0, GRADS, 0.01, 0.9, 0.999, 1e-5), { rtol: 1e-6, atol: 1e-7 });
    expect(adam.stepCount).toBe(3);
    const state = adam.getState();
    expect(state.m.map((x) => x.length)).toEqual([3, 2]);

    // Restoring the state into a fresh optimiser continues identically.
    const again = new Adam(5, { learningRate: 0.01, eps: 1e-5 }, { tensorSizes: [3, 2] });
    again.setState(state);
    const q = p.slice();
    const g = Float32Array.of(0.2, 0.2, 0.2, -0.1, 0);
    adam.step(p, g, 0.02);
    again.step(q, g, 0.02);
    expect(Array.from(q)).toEqual(Array.from(p));
    expect(() => again.setState({ step: 1, m: [new Float32Array(5)], v: [new Float32Array(5)] })).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'optimizer.m' }),
    );
    expect(() =>
      again.setState({ step: 1, m: [new Float32Array(3), new Float32Array(1)], v: state.v }),
    ).toThrow(/m\[1\] has 1 values, expected 2/);
    expect(() => new Adam(5, { learningRate: 1 }, { tensorSizes: [4] })).toThrow(/do not add up/);
  });

  it('in kernel memory: the adam kernel (float32) agrees with the JS step, and frees its moments', () => {
    const k = wasmKernels();
    const allocated = k.allocatedBytes;
    const rng = new Rng(4);
    const n = 37; // leftover lanes after the 4-wide SIMD loop
    const p0 = rng.fillNormal(new Float32Array(n)) as Float32Array;
    const js = p0.slice();
    const params = k.alloc(n);
    const grad = k.alloc(n);
    k.view(params).set(p0);
    const options = { learningRate: 3e-3, beta1: 0.8, beta2: 0.99, eps: 1e-8 };
    const onJs = new Adam(n, options);
    const onKernels = new Adam(n, options, { kernels: k, tensorSizes: [30, 7] });
    for (let t = 0; t < 4; t++) {
      const g = rng.fillNormal(new Float32Array(n)) as Float32Array;
      k.view(grad).set(g);
      onJs.step(js, g);
      onKernels.step(params, grad);
    }
    expectClose(k.view(params), js, { rtol: 1e-6, atol: 1e-7 });
    const s = onKernels.getState();
    expect(s.step).toBe(4);
    expectClose([...s.m[0]!, ...s.m[1]!], onJs.getState().m[0]!, { rtol: 1e-6, atol: 1e-9 });
    onKernels.setState({ ...s, step: 9 });
    expect(onKernels.getState()).toEqual({ ...s, step: 9 });
    onKernels.dispose();
    onKernels.dispose();
    expect(() => onKernels.step(params, grad)).toThrow(/disposed/);
    k.free(params);
    k.free(grad);
    expect(k.allocatedBytes).toBe(allocated);
  });

  it.each(['cpu', 'wasm'] as const)('agrees with its tfjs reference AdamT on %s', async (backend) => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d(P0)));
    const reference = new AdamT([w], { learningRate: 0.01, eps: 1e-5 });
    const p = Float32Array.from(P0);
    const adam = new Adam(5, { learningRate: 0.01, eps: 1e-5 });
    for (const g of GRADS) {
      tf.tidy(() => reference.step([tf.tensor1d(g)]));
      adam.step(p, Float32Array.from(g));
    }
    expectClose(p, w.dataSync(), { rtol: 1e-5, atol: 1e-6 });
    const [a, b] = [adam.getState(), reference.getState()];
    expect(a.step).toBe(b.step);
    expectClose(a.v[0]!, b.v[0]!, { rtol: 1e-5, atol: 1e-9 });
    reference.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
