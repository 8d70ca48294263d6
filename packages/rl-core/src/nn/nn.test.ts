import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { Rng } from '../random.js';
import { Mlp, mlpApplyT } from '../testing/mlp-t.js';
import { expectClose } from '../testing.js';
import { FastForward } from './fast-forward.js';
import { orthogonal } from './init.js';
import { initMlpParams, mlpForward, mlpParamCount } from './mlp.js';

function gram(w: Float32Array, rows: number, cols: number, byColumns: boolean): Float64Array {
  const k = byColumns ? cols : rows;
  const g = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      if (byColumns) for (let r = 0; r < rows; r++) s += w[r * cols + i]! * w[r * cols + j]!;
      else for (let c = 0; c < cols; c++) s += w[i * cols + c]! * w[j * cols + c]!;
      g[i * k + j] = s;
    }
  return g;
}

describe('orthogonal init', () => {
  it.each([
    [64, 4, Math.SQRT2],
    [4, 64, 0.01],
    [16, 16, 1],
  ])('%i×%i with gain %f has orthogonal columns/rows scaled by the gain', (rows, cols, gain) => {
    const w = orthogonal(rows, cols, gain, new Rng(3));
    const g = gram(w, rows, cols, rows >= cols);
    const k = Math.min(rows, cols);
    const eye = Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? gain * gain : 0));
    expectClose(g, eye, { atol: 1e-5 * Math.max(1, gain * gain), rtol: 1e-4 });
  });

  it('is seeded', () => {
    expect(orthogonal(8, 3, 1, new Rng(1))).toEqual(orthogonal(8, 3, 1, new Rng(1)));
    expect(orthogonal(8, 3, 1, new Rng(1))).not.toEqual(orthogonal(8, 3, 1, new Rng(2)));
  });
});

describe.each(['cpu', 'wasm'] as const)('MLP and clip-grad on %s', (backend) => {
  it('tfjs and pure-JS forward passes agree; gradients have the parameter shape; no leak', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    for (const activation of ['tanh', 'relu'] as const) {
      const spec = { sizes: [3, 8, 5, 2], activation };
      const params = initMlpParams(spec, new Rng(0), {
        init: activation === 'tanh' ? 'orthogonal' : 'torch-default',
      });
      expect(params.length).toBe(mlpParamCount(spec.sizes));
      expect(params.length).toBe(3 * 8 + 8 + 8 * 5 + 5 + 5 * 2 + 2);
      const x = Float32Array.from({ length: 4 * 3 }, (_, i) => Math.sin(i));
      const js = mlpForward(spec, params, x, 4);
      const { y, g } = tf.tidy(() => {
        const p = tf.tensor1d(params);
        const xt = tf.tensor2d(x, [4, 3]);
        const out = mlpApplyT(spec, p, xt);
        const grad = tf.grad((q: tf.Tensor) => mlpApplyT(spec, q as tf.Tensor1D, xt).sum())(p);
        return { y: out.dataSync().slice(), g: grad.shape };
      });
      expect(g).toEqual([params.length]);
      expectClose(js, y, { atol: 1e-5 });
    }
    const net = new Mlp({ sizes: [4, 16, 2], activation: 'tanh', rng: new Rng(1), outputGain: 0.01 });
    const y = tf.tidy(() =>
      net
        .apply(tf.ones([1, 4]))
        .dataSync()
        .slice(),
    );
    expectClose(net.forward(new Float32Array(4).fill(1), 1), y, { atol: 1e-6 });
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('FastForward matches the JS forward pass, rebuilds on new weights, chunks large batches, frees its memory', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const allocated = wasmKernels().allocatedBytes;
    for (const activation of ['tanh', 'relu'] as const) {
      const spec = { sizes: [3, 128, 128, 2], activation };
      const ff = new FastForward(spec, 5);
      const batch = FastForward.MAX_BATCH + 3;
      const x = new Rng(9).fillNormal(new Float32Array(batch * 3)) as Float32Array;
      for (const seed of [1, 2]) {
        const params = new Float32Array(5 + mlpParamCount(spec.sizes));
        params.set(initMlpParams(spec, new Rng(seed), { init: 'torch-default' }), 5);
        expectClose(ff.forward(params, x, 2), mlpForward(spec, params, x, 2, 5), { atol: 1e-5, rtol: 1e-4 });
        expectClose(ff.forward(params, x, batch), mlpForward(spec, params, x, batch, 5), {
          atol: 1e-5,
          rtol: 1e-4,
        });
      }
      ff.dispose();
      expect(() => ff.forward(new Float32Array(0), x, 1)).toThrow(/disposed/);
    }
    expect(wasmKernels().allocatedBytes).toBe(allocated);
    expect(tf.memory().numTensors).toBe(before);
  });
});
