import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, numericGrad, sum } from '../../test/grad-check.js';
import { initBackend, Rng, tf } from '../index.js';
import { squashedGaussianLogProbT, squashedGaussianRsampleT } from '../testing/squashed-gaussian-t.js';
import { expectClose } from '../testing.js';
import {
  clippedAtanh,
  FLOAT32_EPSILON,
  squashedGaussianBackward,
  squashedGaussianLogProb,
  squashedGaussianRsample,
  squashedGaussianSample,
} from './squashed-gaussian.js';

const mean = [0.3, -1.2, 0.8, 0.1];
const logStd = [-0.5, 0.2, -1.0, 0.0];
const noise = [0.4, -1.3, 0.9, 0.2];

describe('squashedGaussian array-level', () => {
  it('clippedAtanh inverts tanh and stays finite at ±1', () => {
    expect(clippedAtanh(Math.tanh(0.7))).toBeCloseTo(0.7, 12);
    expect(clippedAtanh(1, FLOAT32_EPSILON)).toBeCloseTo(
      0.5 * Math.log((2 - FLOAT32_EPSILON) / FLOAT32_EPSILON),
      9,
    );
    expect(Number.isFinite(clippedAtanh(-1))).toBe(true);
  });

  it('sample returns tanh of the pre-tanh draw and its log-prob', () => {
    const s = squashedGaussianSample(mean, logStd, 2, new Rng(5));
    expectClose(s.actions, s.gaussianActions.map(Math.tanh), { rtol: 0, atol: 0 });
    expectClose(s.logProb, squashedGaussianLogProb(mean, logStd, s.actions, 2), { rtol: 1e-6, atol: 1e-6 });
  });

  it('rsample (float32, as SAC runs it) agrees with the float64 reference for the same noise', () => {
    const r = squashedGaussianRsample(mean, logStd, noise, 2);
    const u = mean.map((m, i) => m + Math.exp(logStd[i]!) * noise[i]!);
    expectClose(r.actions, u.map(Math.tanh), { rtol: 1e-6, atol: 1e-7 });
    expect(Array.from(r.actions)).toEqual(Array.from(Float32Array.from(r.actions)));
    const reference = squashedGaussianLogProb(mean, logStd, r.actions, 2, { gaussianActions: u });
    expectClose(r.logProb, reference, { rtol: 1e-5, atol: 1e-5 });
  });

  it('backward is the gradient of (α/B)·Σ log π + Σ dActions·a in the means and log-stds', () => {
    const alpha = 0.3;
    const dActions = [0.5, -0.2, 1.1, -0.7];
    const f = (m: ArrayLike<number>, ls: ArrayLike<number>) => {
      const u = Array.from(m, (v, i) => v + Math.exp(ls[i]!) * noise[i]!);
      const a = u.map(Math.tanh);
      const lp = squashedGaussianLogProb(m, ls, a, 2, { gaussianActions: u });
      return (alpha / 2) * sum(lp) + sum(a.map((x, i) => x * dActions[i]!));
    };
    const { actions } = squashedGaussianRsample(mean, logStd, noise, 2);
    const g = squashedGaussianBackward(actions, logStd, noise, dActions, alpha, 2);
    // The backward reads the float32 actions, the reference differentiates in float64.
    expectClose(
      g.dMean,
      numericGrad((m) => f(m, logStd), mean),
      { rtol: 1e-5, atol: 1e-6 },
    );
    expectClose(
      g.dLogStd,
      numericGrad((ls) => f(mean, ls), logStd),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });
});

describe.each(BACKENDS)('squashedGaussian tensors on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('rsample gradients (reparameterised) match finite differences, no leak', () => {
    const f64 = (m: ArrayLike<number>, ls: ArrayLike<number>) => {
      const u = Array.from(m, (v, i) => v + Math.exp(ls[i]!) * noise[i]!);
      const a = u.map(Math.tanh);
      // A loss that uses both the action and its log-prob, as SAC's actor does.
      return (
        sum(a.map((x, i) => x * (i + 1))) + sum(squashedGaussianLogProb(m, ls, a, 2, { gaussianActions: u }))
      );
    };
    const before = tf.memory().numTensors;
    const [gm, gls] = tf.tidy(() => {
      const loss = (m: tf.Tensor, ls: tf.Tensor) => {
        const { actions, logProb } = squashedGaussianRsampleT(
          m as tf.Tensor2D,
          ls as tf.Tensor2D,
          tf.tensor2d(noise, [2, 2]),
        );
        return tf.add(tf.sum(tf.mul(actions, tf.tensor2d([1, 2, 3, 4], [2, 2]))), tf.sum(logProb));
      };
      return tf
        .grads(loss)([tf.tensor2d(mean, [2, 2]), tf.tensor2d(logStd, [2, 2])])
        .map((g) => g.dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(
      gm!,
      numericGrad((m) => f64(m, logStd), mean),
      { rtol: 1e-3, atol: 1e-3 },
    );
    expectClose(
      gls!,
      numericGrad((ls) => f64(mean, ls), logStd),
      { rtol: 1e-3, atol: 1e-3 },
    );
  });

  it('log-prob of given actions matches the array-level float32 clamp, incl. |a| = 1', () => {
    const acts = [0.5, -0.999, 1, -1];
    const lp = tf.tidy(() =>
      squashedGaussianLogProbT(
        tf.tensor2d(mean, [2, 2]),
        tf.tensor2d(logStd, [2, 2]),
        tf.tensor2d(acts, [2, 2]),
      ).dataSync(),
    );
    expectClose(lp, squashedGaussianLogProb(mean, logStd, acts, 2, { dtype: 'float32' }), {
      rtol: 1e-4,
      atol: 1e-3,
    });
  });
});
