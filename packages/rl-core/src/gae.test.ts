import { describe, expect, it } from 'vitest';
import { isRlError } from './errors.js';
import { bootstrapTruncatedRewards, computeGae } from './gae.js';
import { discountedReturns } from './returns.js';
import { expectClose } from './testing.js';

// 2 envs x 5 steps; env 1 ends an episode after t = 1 (episode_starts[2][1] = 1).
const rewards = [1, 0.5, -1, 2, 0.3, 0.1, 0.7, -0.2, 1.5, 1];
const values = [0.4, 0.2, -0.3, 0.6, 1.0, -0.5, 0.2, 0.1, 0.3, 0.8];
const episodeStarts = [1, 1, 0, 0, 0, 1, 0, 0, 0, 0];
const base = {
  rewards,
  values,
  episodeStarts,
  lastValues: [0.9, -0.4],
  dones: [0, 0],
  nSteps: 5,
  nEnvs: 2,
  gamma: 0.9,
};

const column = (x: ArrayLike<number>, e: number) => Array.from({ length: 5 }, (_, t) => x[t * 2 + e]!);

describe('computeGae', () => {
  it('with lambda = 1 gives bootstrapped discounted returns − V (Monte Carlo), cut at episode starts', () => {
    const { advantages, returns } = computeGae({ ...base, gaeLambda: 1 });
    // env 0: no boundary, bootstrap from lastValues[0].
    expectClose(column(returns, 0), discountedReturns(column(rewards, 0), 0.9, { bootstrapValue: 0.9 }), {
      rtol: 1e-12,
      atol: 1e-12,
    });
    // env 1: the step t = 1 is the last of its episode.
    const r1 = column(rewards, 1);
    const dones1 = [0, 1, 0, 0, 0];
    expectClose(column(returns, 1), discountedReturns(r1, 0.9, { dones: dones1, bootstrapValue: -0.4 }), {
      rtol: 1e-12,
      atol: 1e-12,
    });
    expectClose(
      advantages.map((a, i) => a + values[i]!),
      returns,
      { rtol: 0, atol: 0 },
    );
  });

  it('with lambda = 0 gives one-step TD errors', () => {
    const { advantages } = computeGae({ ...base, gaeLambda: 0 });
    expect(advantages[0]).toBeCloseTo(1 + 0.9 * -0.3 - 0.4, 12);
    expect(advantages[3]).toBeCloseTo(2 + 0 - 0.6, 12); // next state starts a new episode
    expect(advantages[8]).toBeCloseTo(1.5 + 0.9 * 0.9 - 0.3, 12); // last step bootstraps lastValues
  });

  it('ignores lastValues of an env whose last step was done', () => {
    const a = computeGae({ ...base, gaeLambda: 0.95, dones: [1, 0], lastValues: [100, -0.4] });
    const b = computeGae({ ...base, gaeLambda: 0.95, dones: [1, 0], lastValues: [-7, -0.4] });
    expectClose(a.advantages, b.advantages, { rtol: 0, atol: 0 });
  });

  it('float32 mode returns float32 values close to float64', () => {
    const f64 = computeGae({ ...base, gaeLambda: 0.95 });
    const f32 = computeGae({ ...base, gaeLambda: 0.95 }, { dtype: 'float32' });
    for (const v of f32.advantages) expect(Math.fround(v)).toBe(v);
    expectClose(f32.advantages, f64.advantages, { rtol: 1e-6, atol: 1e-6 });
  });

  it('names the field with the wrong length', () => {
    try {
      computeGae({ ...base, gaeLambda: 0.95, values: [1, 2] });
      expect.fail('should throw');
    } catch (e) {
      expect(isRlError(e, 'SHAPE') && e.field).toBe('values');
    }
  });
});

describe('bootstrapTruncatedRewards', () => {
  it('adds gamma·V(terminal obs) only where the mask is set', () => {
    expectClose(bootstrapTruncatedRewards([1, 2, 3], [false, true, 0], [5, 10, 20], 0.5), [1, 7, 3], {
      rtol: 0,
      atol: 0,
    });
  });
});
