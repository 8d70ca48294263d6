import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { clipGradNormT } from '../testing/clip-grad-t.js';
import { expectClose } from '../testing/expect.js';
import { clipGradNorm } from './clip-grad.js';

describe('clipGradNorm', () => {
  it('scales by maxNorm/(norm+1e-6) only above maxNorm and returns the norm before clipping', () => {
    const g = Float32Array.of(3, 4);
    expect(clipGradNorm(g, 1)).toBeCloseTo(5, 12);
    expectClose(g, [3 / (5 + 1e-6), 4 / (5 + 1e-6)], { rtol: 1e-6 });
    const small = Float32Array.of(0.3, 0.4);
    expect(clipGradNorm(small, 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(small)).toEqual(Array.from(Float32Array.of(0.3, 0.4)));
    expect(clipGradNorm(Float32Array.of(1, Number.NaN), 1)).toBeNaN();
  });

  it.each(['cpu', 'wasm'] as const)('agrees with its tfjs reference clipGradNormT on %s', async (backend) => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    for (const maxNorm of [0.5, 10]) {
      const ref = tf.tidy(() => {
        const r = clipGradNormT([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], maxNorm);
        return { norm: r.norm.dataSync()[0]!, grads: [...r.grads[0]!.dataSync(), ...r.grads[1]!.dataSync()] };
      });
      const flat = Float32Array.of(3, 0, 0, 4);
      expect(clipGradNorm(flat, maxNorm)).toBeCloseTo(ref.norm, 5);
      expectClose(flat, ref.grads);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
