import { describe, expect, it } from 'vitest';
import { isRlError } from '../errors.js';
import { spaceContains } from '../spaces.js';
import { CartPole } from './cartpole.js';

describe('CartPole', () => {
  it('resets reproducibly from a seed, inside ±0.05, and continues the stream without one', () => {
    const a = new CartPole().reset({ seed: 7 }).obs;
    const b = new CartPole().reset({ seed: 7 }).obs;
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    const env = new CartPole();
    const first = env.reset({ seed: 7 }).obs;
    expect(Array.from(env.reset().obs)).not.toEqual(Array.from(first));
  });

  it('falls with a constant push, rewards 1 on the terminating step and 0 after it', () => {
    const env = new CartPole();
    env.reset({ state: [0, 0, 0, 0] });
    let t = 0;
    let last = env.step(1);
    while (!last.terminated && t++ < 100) {
      expect(spaceContains(env.observationSpace, last.obs)).toBe(true);
      last = env.step(1);
    }
    expect(last.terminated).toBe(true);
    expect(last.reward).toBe(1);
    expect(env.step(1).reward).toBe(0);
  });

  it('truncates at maxEpisodeSteps, and resetting restarts the count', () => {
    const env = new CartPole({ maxEpisodeSteps: 3 });
    env.reset({ state: [0, 0, 0, 0] });
    const flags = [0, 1, 2].map((i) => env.step(i % 2).truncated);
    expect(flags).toEqual([false, false, true]);
    env.reset({ seed: 1 });
    expect(env.elapsedSteps).toBe(0);
  });

  it('rejects bad use with typed errors', () => {
    expect(() => new CartPole().step(0)).toThrow(/reset\(\) before step/);
    const env = new CartPole();
    env.reset();
    expect(() => env.step(2)).toSatisfy((f: () => void) => {
      try {
        f();
        return false;
      } catch (e) {
        return isRlError(e, 'SHAPE');
      }
    });
    try {
      new CartPole({ maxEpisodeSteps: 0 });
      expect.fail('should throw');
    } catch (e) {
      expect(isRlError(e, 'CONFIG') && e.field).toBe('maxEpisodeSteps');
    }
  });
});
