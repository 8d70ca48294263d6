import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, numericGrad, sum } from '../../test/grad-check.js';
import { initBackend, Rng, tf } from '../index.js';
import { categoricalEntropyT, categoricalLogProbT } from '../testing/categorical-t.js';
import { expectClose } from '../testing.js';
import {
  categoricalBackward,
  categoricalEntropy,
  categoricalLogProb,
  categoricalLogProbEntropy,
  categoricalLogProbs,
  categoricalMode,
  categoricalSample,
} from './categorical.js';

const logits = [0.5, -1.0, 2.0, 0.0, 0.0, 0.0, 3.0, 1.0, -2.0];
const actions = [2, 1, 0];

describe('categorical array-level', () => {
  it('samples with the softmax frequencies', () => {
    const rng = new Rng(9);
    const counts = [0, 0];
    const row = [0, Math.log(3)];
    for (let i = 0; i < 4000; i++) counts[categoricalSample(row, 2, rng)[0]!]!++;
    expect(counts[1]! / 4000).toBeGreaterThan(0.72);
    expect(counts[1]! / 4000).toBeLessThan(0.78);
  });

  it('takes the first maximum on ties, as torch.argmax', () => {
    expect(Array.from(categoricalMode([1, 1, 0], 3))).toEqual([0]);
  });

  it('rejects out-of-range actions', () => {
    expect(() => categoricalLogProb([0, 0], [2], 2)).toThrow(/not in \[0, 2\)/);
  });

  it('is stable for large logits', () => {
    expect(categoricalLogProb([1000, 0], [1], 2)[0]).toBe(-1000);
  });

  it('categoricalBackward is the gradient of Σ dLogProb·log p(a) + dEntropy·H (finite differences)', () => {
    const dLogProb = [0.3, -1.2, 0.7];
    const dEntropy = -0.05;
    const f = (z: Float64Array) => {
      const lp = categoricalLogProb(z, actions, 3);
      const h = categoricalEntropy(z, 3);
      return lp.reduce((a, x, b) => a + dLogProb[b]! * x + dEntropy * h[b]!, 0);
    };
    const logProbs = categoricalLogProbs(logits, 3);
    const { logProb, entropy } = categoricalLogProbEntropy(logProbs, actions, 3);
    expect(Array.from(logProb)).toEqual(Array.from(categoricalLogProb(logits, actions, 3)));
    expect(Array.from(entropy)).toEqual(Array.from(categoricalEntropy(logits, 3)));
    expect(() => categoricalLogProbEntropy(logProbs, [0, 3, 1], 3)).toThrow(/not in \[0, 3\)/);
    const got = categoricalBackward(logProbs, entropy, actions, 3, dLogProb, dEntropy);
    expectClose(got, numericGrad(f, logits), { rtol: 1e-5, atol: 1e-6 });
  });
});

describe.each(BACKENDS)('categorical tensors on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('log-prob and entropy gradients (oneHot, no gather) match finite differences, no leak', () => {
    const before = tf.memory().numTensors;
    const [gLp, gH] = tf.tidy(() => {
      const a = tf.tensor1d(actions, 'int32');
      const gLp = tf.grad((l: tf.Tensor) => tf.sum(categoricalLogProbT(l as tf.Tensor2D, a)))(
        tf.tensor2d(logits, [3, 3]),
      );
      const gH = tf.grad((l: tf.Tensor) => tf.sum(categoricalEntropyT(l as tf.Tensor2D)))(
        tf.tensor2d(logits, [3, 3]),
      );
      return [gLp.dataSync(), gH.dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(
      gLp!,
      numericGrad((l) => sum(categoricalLogProb(l, actions, 3)), logits),
      { rtol: 1e-3, atol: 1e-4 },
    );
    expectClose(
      gH!,
      numericGrad((l) => sum(categoricalEntropy(l, 3)), logits),
      { rtol: 1e-3, atol: 1e-4 },
    );
  });
});
