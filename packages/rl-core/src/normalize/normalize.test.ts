import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import { expectClose } from '../testing.js';
import { RunningMeanStd } from './running-mean-std.js';
import { ObsNormalizer, RewardNormalizer } from './vec-normalize.js';

describe('RunningMeanStd', () => {
  it('matches the mean and population variance of all data seen (up to the 1e-4 prior)', () => {
    const rng = new Rng(5);
    const rms = new RunningMeanStd(2);
    const all: number[][] = [[], []];
    for (const batch of [1, 7, 32, 3]) {
      const x = new Float32Array(batch * 2);
      for (let b = 0; b < batch; b++) {
        x[b * 2] = rng.normal(3, 2);
        x[b * 2 + 1] = rng.normal(-1, 0.5);
        all[0]!.push(x[b * 2]!);
        all[1]!.push(x[b * 2 + 1]!);
      }
      rms.update(x, batch);
    }
    for (let j = 0; j < 2; j++) {
      const d = all[j]!;
      const mean = d.reduce((a, b) => a + b, 0) / d.length;
      const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length;
      expectClose(rms.mean[j]!, mean, { rtol: 1e-4, atol: 1e-4 });
      expectClose(rms.var[j]!, variance, { rtol: 1e-4, atol: 1e-4 });
    }
    expect(rms.count).toBeCloseTo(43 + 1e-4, 8);
    const copy = new RunningMeanStd(2);
    copy.setState(rms.getState());
    expect(Array.from(copy.mean)).toEqual(Array.from(rms.mean));
    expect(() => copy.setState({ mean: [0], var: [1], count: 1 })).toThrow(/dimension/);
  });
});

describe('VecNormalize-style normalisers', () => {
  it('standardises and clips observations', () => {
    const norm = new ObsNormalizer(1, 2);
    norm.update([0, 10], 2); // mean ≈ 5, var ≈ 25
    const z = norm.normalize([5, 10, 100]);
    expect(z[0]).toBeCloseTo(0, 3);
    expect(z[1]).toBeCloseTo(1, 3);
    expect(z[2]).toBe(2);
  });

  it('scales rewards by the std of the discounted return and resets it on done', () => {
    const norm = new RewardNormalizer(1, 0.5);
    const returns: number[] = [];
    let ret = 0;
    for (const r of [1, 1, 1]) {
      ret = ret * 0.5 + r;
      returns.push(ret);
      norm.step([r], [0]);
    }
    expect(norm.returns[0]).toBeCloseTo(1.75, 10);
    const direct = new RunningMeanStd(1);
    for (const g of returns) direct.update([g], 1);
    expect(norm.rms.var[0]).toBeCloseTo(direct.var[0]!, 12);
    const scaled = norm.step([2], [1]);
    expect(norm.returns[0]).toBe(0);
    expect(scaled[0]).toBeCloseTo(2 / Math.sqrt(norm.rms.var[0]! + 1e-8), 5);
  });
});
