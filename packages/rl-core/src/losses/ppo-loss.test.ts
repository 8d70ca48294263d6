import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, numericGrad } from '../../test/grad-check.js';
import { initBackend, tf } from '../index.js';
import { ppoLossT } from '../testing/ppo-loss-t.js';
import { expectClose } from '../testing.js';
import { type PpoLossInputs, ppoLoss, ppoLossBackward } from './ppo-loss.js';

// Ratios chosen on both sides of the clip range (and away from its kinks).
const base: PpoLossInputs = {
  oldLogProb: [-1.0, -0.5, -2.0, -1.2, -0.8],
  newLogProb: [-0.7, -0.55, -2.4, -1.19, -0.5],
  advantages: [1.5, -0.3, 0.8, -1.1, 0.4],
  oldValues: [0.2, -0.1, 0.5, 1.0, 0.0],
  newValues: [0.6, -0.05, 0.1, 1.02, -0.4],
  returns: [1.0, 0.3, 0.2, 0.9, -0.2],
  entropy: [1.1, 0.9, 1.3, 1.0, 1.2],
  clipRange: 0.2,
  clipRangeVf: 0.25,
  normalizeAdvantage: true,
  entCoef: 0.01,
  vfCoef: 0.5,
};

describe('ppoLoss array-level', () => {
  it('skips normalisation for a batch of one (SB3)', () => {
    const one = ppoLoss({
      ...base,
      oldLogProb: [-1],
      newLogProb: [-1],
      advantages: [3],
      oldValues: [0],
      newValues: [0],
      returns: [0],
      entropy: [1],
    });
    expect(one.advantagesUsed[0]).toBe(3);
    expect(one.policyLoss).toBe(-3);
  });

  it('names the field whose length is wrong', () => {
    expect(() => ppoLoss({ ...base, returns: [1] })).toThrow(/returns has 1 values/);
  });

  it('ppoLossBackward is the gradient of the loss in the new log-probs, entropies and values', () => {
    for (const variant of [
      base,
      { ...base, clipRangeVf: null, normalizeAdvantage: false },
      { ...base, entropy: null },
    ]) {
      const loss = (patch: Partial<PpoLossInputs>) => ppoLoss({ ...variant, ...patch }).loss;
      const g = ppoLossBackward(variant, ppoLoss(variant));
      const rtol = { rtol: 1e-5, atol: 1e-8 };
      expectClose(
        g.dLogProb,
        numericGrad((x) => loss({ newLogProb: x }), variant.newLogProb),
        rtol,
      );
      expectClose(
        g.dValues,
        numericGrad((x) => loss({ newValues: x }), variant.newValues),
        { rtol: 1e-5, atol: 1e-6 },
      );
      if (variant.entropy !== null) {
        const dEntropy = numericGrad((x) => loss({ entropy: x }), variant.entropy);
        expectClose(dEntropy, new Float64Array(5).fill(g.dEntropy), rtol);
      }
    }
  });
});

describe.each(BACKENDS)('ppoLossT on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  for (const clipRangeVf of [null, 0.25]) {
    it(`gradients wrt newLogProb, newValues, entropy match finite differences (clipRangeVf ${clipRangeVf}), no leak`, () => {
      const inputs = { ...base, clipRangeVf };
      const before = tf.memory().numTensors;
      const { grads, values } = tf.tidy(() => {
        const t = (x: ArrayLike<number>) => tf.tensor1d(Array.from(x));
        const f = (lp: tf.Tensor, v: tf.Tensor, h: tf.Tensor) =>
          ppoLossT({
            ...inputs,
            oldLogProb: t(inputs.oldLogProb),
            advantages: t(inputs.advantages),
            oldValues: t(inputs.oldValues),
            returns: t(inputs.returns),
            newLogProb: lp as tf.Tensor1D,
            newValues: v as tf.Tensor1D,
            entropy: h as tf.Tensor1D,
          }).loss;
        const args = [t(inputs.newLogProb), t(inputs.newValues), t(inputs.entropy!)];
        const out = ppoLossT({
          ...inputs,
          oldLogProb: t(inputs.oldLogProb),
          advantages: t(inputs.advantages),
          oldValues: t(inputs.oldValues),
          returns: t(inputs.returns),
          newLogProb: args[0] as tf.Tensor1D,
          newValues: args[1] as tf.Tensor1D,
          entropy: args[2] as tf.Tensor1D,
        });
        const values = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.dataSync()[0]!]));
        return {
          grads: tf
            .grads(f)(args)
            .map((g) => g.dataSync()),
          values,
        };
      });
      expect(tf.memory().numTensors).toBe(before);
      const ref = ppoLoss(inputs);
      for (const k of [
        'loss',
        'policyLoss',
        'valueLoss',
        'entropyLoss',
        'approxKl',
        'clipFraction',
      ] as const) {
        expectClose(values[k]!, ref[k], { rtol: 1e-5, atol: 1e-6, label: k });
      }
      expectClose(
        grads[0]!,
        numericGrad((x) => ppoLoss({ ...inputs, newLogProb: x }).loss, inputs.newLogProb),
        { rtol: 1e-3, atol: 1e-5 },
      );
      expectClose(
        grads[1]!,
        numericGrad((x) => ppoLoss({ ...inputs, newValues: x }).loss, inputs.newValues),
        { rtol: 1e-3, atol: 1e-5 },
      );
      expectClose(
        grads[2]!,
        numericGrad((x) => ppoLoss({ ...inputs, entropy: x }).loss, inputs.entropy!),
        { rtol: 1e-3, atol: 1e-5 },
      );
    });
  }

  it('uses −mean(−logProb) as the entropy loss when entropy is null, and does not normalise a batch of one', () => {
    const out = tf.tidy(() => {
      const r = ppoLossT({
        oldLogProb: tf.tensor1d([-1]),
        newLogProb: tf.tensor1d([-0.9]),
        advantages: tf.tensor1d([2]),
        oldValues: tf.tensor1d([0]),
        newValues: tf.tensor1d([0]),
        returns: tf.tensor1d([0]),
        entropy: null,
        clipRange: 0.2,
        clipRangeVf: null,
        normalizeAdvantage: true,
        entCoef: 0,
        vfCoef: 0,
      });
      return [r.entropyLoss.dataSync()[0]!, r.policyLoss.dataSync()[0]!];
    });
    expect(out[0]).toBeCloseTo(-0.9, 6);
    expect(out[1]).toBeCloseTo(-2 * Math.exp(0.1), 5);
  });
});
