import { describe, expect, it } from 'vitest';
import { isRlError } from '../errors.js';
import { angleNormalize, Pendulum } from './pendulum.js';

describe('angleNormalize', () => {
  it('wraps into [−π, π) like Python modulo, also for negative angles', () => {
    expect(angleNormalize((3 * Math.PI) / 2)).toBeCloseTo(-Math.PI / 2, 12);
    expect(angleNormalize((-3 * Math.PI) / 2)).toBeCloseTo(Math.PI / 2, 12);
    expect(angleNormalize(-Math.PI)).toBeCloseTo(-Math.PI, 12);
    expect(angleNormalize(0.3)).toBeCloseTo(0.3, 12);
  });
});

describe('Pendulum', () => {
  it('resets reproducibly within θ ∈ [−π, π), θ̇ ∈ [−1, 1)', () => {
    const env = new Pendulum();
    const obs = env.reset({ seed: 3 }).obs;
    expect(Array.from(new Pendulum().reset({ seed: 3 }).obs)).toEqual(Array.from(obs));
    const [th, thDot] = env.state;
    expect(Math.abs(th!)).toBeLessThanOrEqual(Math.PI);
    expect(Math.abs(thDot!)).toBeLessThanOrEqual(1);
    expect(obs[0]).toBeCloseTo(Math.cos(th!), 6);
  });

  it('clips the torque to ±2 (same step for 2 and 50) and never terminates; truncates at 200', () => {
    const a = new Pendulum();
    const b = new Pendulum();
    a.reset({ state: [1, 0] });
    b.reset({ state: [1, 0] });
    expect(a.step([50]).reward).toBe(b.step([2]).reward);
    expect(Array.from(a.state)).toEqual(Array.from(b.state));
    let truncatedAt = -1;
    for (let t = 2; t <= 200; t++) {
      const r = a.step([0]);
      expect(r.terminated).toBe(false);
      if (r.truncated && truncatedAt < 0) truncatedAt = t;
    }
    expect(truncatedAt).toBe(200);
  });

  it('rejects an empty action', () => {
    const env = new Pendulum();
    env.reset();
    expect(() => env.step([])).toThrow(/one number/);
    expect(() => new Pendulum({ g: -1 })).toSatisfy((f: () => void) => {
      try {
        f();
        return false;
      } catch (e) {
        return isRlError(e, 'CONFIG') && e.field === 'g';
      }
    });
  });
});
