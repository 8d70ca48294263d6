import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { Rng } from '../random.js';
import { expectClose } from '../testing.js';
import { initMlpParams, type MlpSpec, mlpApplyT, mlpParamCount } from './mlp.js';
import { mlpBackward, mlpForwardTape } from './mlp-grad.js';

const maxAbs = (x: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
};

describe.each(BACKENDS)('mlpForwardTape / mlpBackward on %s', (backend) => {
  it.each(['tanh', 'relu'] as const)(
    'equal mlpApplyT and its tfjs gradient (%s, at an offset)',
    async (act) => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const rng = new Rng(5);
      // 48·40·70 multiply-adds takes the tfjs route, the 3-wide input and 2-wide output layers the JS one.
      const spec: MlpSpec = { sizes: [3, 40, 70, 2], activation: act };
      const batch = 48;
      const offset = 7;
      const n = mlpParamCount(spec.sizes);
      const params = new Float32Array(offset + n + 3);
      params.set(initMlpParams(spec, rng, { outputGain: 1 }), offset);
      for (let i = offset; i < offset + n; i++) params[i] = params[i]! + 0.05 * rng.normal();
      const x = rng.fillNormal(new Float32Array(batch * 3)) as Float32Array;
      const dOut = rng.fillNormal(new Float32Array(batch * 2)) as Float32Array;

      const tape = mlpForwardTape(spec, params, offset, x, batch);
      const grad = new Float32Array(params.length).fill(123);
      mlpBackward(spec, params, offset, tape, dOut, grad);

      const { y, g } = tf.tidy(() => {
        const p = tf.tensor1d(params.subarray(offset, offset + n));
        const xt = tf.tensor2d(x, [batch, 3]);
        const r = tf.tensor2d(dOut, [batch, 2]);
        const yy = mlpApplyT(spec, p, xt).dataSync().slice() as Float32Array;
        const gg = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(mlpApplyT(spec, q as tf.Tensor1D, xt), r)))(p);
        return { y: yy, g: gg.dataSync().slice() as Float32Array };
      });
      expectClose(tape.out, y, { rtol: 1e-5, atol: 1e-5, label: 'forward' });
      expectClose(grad.subarray(offset, offset + n), g, {
        rtol: 1e-4,
        atol: 1e-5 * maxAbs(g),
        label: 'grad',
      });
      // Only the network's slice of `grad` is written.
      expect(Array.from(grad.subarray(0, offset))).toEqual(new Array(offset).fill(123));
      expect(Array.from(grad.subarray(offset + n))).toEqual([123, 123, 123]);
      expect(maxAbs(g)).toBeGreaterThan(1e-2);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
