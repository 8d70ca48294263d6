import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, numericGrad, sum } from '../../test/grad-check.js';
import { initBackend, Rng, tf } from '../index.js';
import { diagGaussianEntropyT, diagGaussianLogProbT } from '../testing/diag-gaussian-t.js';
import { expectClose } from '../testing.js';
import {
  diagGaussianBackward,
  diagGaussianEntropy,
  diagGaussianLogProb,
  diagGaussianSample,
  diagGaussianSharedEntropy,
} from './diag-gaussian.js';

const mean = [0.2, -0.4, 1.0, 0.5, -1.5, 0.3];
const logStd = [-0.3, 0.4];
const actions = [0.7, -0.1, 0.2, 1.1, -1.0, 0.0];

describe('diagGaussian array-level', () => {
  it('agrees with the product of 1-D normal densities', () => {
    const lp = diagGaussianLogProb([1], [Math.log(2)], [3], 1)[0]!;
    expect(lp).toBeCloseTo(Math.log(Math.exp(-((3 - 1) ** 2) / 8) / (2 * Math.sqrt(2 * Math.PI))), 12);
  });

  it('samples with the right mean and std', () => {
    const n = 20000;
    const x = diagGaussianSample(new Float64Array(n).fill(1), [Math.log(0.5)], 1, new Rng(3));
    const m = sum(x) / n;
    const sd = Math.sqrt(sum(x.map((v) => (v - m) ** 2)) / n);
    expect(Math.abs(m - 1)).toBeLessThan(0.02);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.02);
  });

  it('rejects a logStd of the wrong length', () => {
    expect(() => diagGaussianLogProb([0, 0], [0, 0, 0], [0, 0], 2)).toThrow(/logStd/);
  });

  it('a shared logStd: the entropy of every sample, and the gradient of Σ dLogProb·log N + dEntropy·H', () => {
    expect(diagGaussianSharedEntropy(logStd)).toBeCloseTo(diagGaussianEntropy(logStd, 2, 1)[0]!, 14);
    const dLogProb = [0.4, -0.9, 1.3];
    const dEntropy = -0.02;
    const f = (m: ArrayLike<number>, ls: ArrayLike<number>) =>
      diagGaussianLogProb(m, ls, actions, 2).reduce((a, x, b) => a + dLogProb[b]! * x, 0) +
      3 * dEntropy * diagGaussianSharedEntropy(ls);
    const { dMean, dLogStd } = diagGaussianBackward(mean, logStd, actions, 2, dLogProb, dEntropy);
    expectClose(
      dMean,
      numericGrad((m) => f(m, logStd), mean),
      { rtol: 1e-5, atol: 1e-6 },
    );
    expectClose(
      dLogStd,
      numericGrad((ls) => f(mean, ls), logStd),
      { rtol: 1e-6, atol: 1e-8 },
    );
    expect(() => diagGaussianBackward(mean, mean, actions, 2, dLogProb, 0)).toThrow(/shared/);
  });
});

describe.each(BACKENDS)('diagGaussian tensors on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('log-prob gradients wrt mean and logStd match finite differences, no leak', () => {
    const before = tf.memory().numTensors;
    const [gMean, gLogStd] = tf.tidy(() => {
      const f = (m: tf.Tensor, ls: tf.Tensor) =>
        tf.sum(diagGaussianLogProbT(m as tf.Tensor2D, ls, tf.tensor2d(actions, [3, 2])));
      return tf
        .grads(f)([tf.tensor2d(mean, [3, 2]), tf.tensor1d(logStd)])
        .map((g) => g.dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(
      gMean!,
      numericGrad((m) => sum(diagGaussianLogProb(m, logStd, actions, 2)), mean),
      { rtol: 1e-3, atol: 1e-4 },
    );
    expectClose(
      gLogStd!,
      numericGrad((ls) => sum(diagGaussianLogProb(mean, ls, actions, 2)), logStd),
      { rtol: 1e-3, atol: 1e-4 },
    );
  });

  it('entropy broadcasts [D] logStd over the batch and differentiates', () => {
    const before = tf.memory().numTensors;
    const [h, g] = tf.tidy(() => {
      const ls = tf.tensor1d(logStd);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(diagGaussianEntropyT(x, 3)))(ls);
      return [diagGaussianEntropyT(ls, 3).dataSync(), grad.dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(h!, diagGaussianEntropy(logStd, 2, 3));
    expectClose(g!, [3, 3]);
  });
});
