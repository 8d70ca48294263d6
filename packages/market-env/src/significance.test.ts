import { describe, expect, it } from 'vitest';
import { Rng } from './random.js';
import {
  deflatedSharpeRatio,
  normalCdf,
  normalQuantile,
  probabilisticSharpeRatio,
  returnMoments,
  sharpeDifferenceBootstrap,
} from './significance.js';

function normals(n: number, mean: number, sd: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => mean + sd * rng.normal());
}

describe('Sharpe significance', () => {
  it('Φ and Φ⁻¹ match reference values and invert each other', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
    for (const p of [0.01, 0.2, 0.5, 0.9, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it('PSR follows Bailey & López de Prado: normal returns, hand-computed', () => {
    const r = normals(500, 0.001, 0.01, 3);
    const m = returnMoments(r);
    const expected = normalCdf(
      (m.sharpe * Math.sqrt(499)) / Math.sqrt(1 - m.skew * m.sharpe + ((m.kurtosis - 1) / 4) * m.sharpe ** 2),
    );
    expect(probabilisticSharpeRatio(r)).toBeCloseTo(expected, 10);
    // A clear edge over many bars is near-certain; none at all is a coin flip or worse.
    expect(probabilisticSharpeRatio(normals(2000, 0.002, 0.01, 4))).toBeGreaterThan(0.99);
    expect(probabilisticSharpeRatio(normals(2000, 0, 0.01, 5))).toBeLessThan(0.9);
  });

  it('DSR deflates: more trials, less confidence', () => {
    const r = normals(750, 0.0008, 0.01, 6);
    const one = deflatedSharpeRatio(r, { trials: 1, sharpeVariance: 0.001 });
    const many = deflatedSharpeRatio(r, { trials: 100, sharpeVariance: 0.001 });
    expect(one).toBeCloseTo(probabilisticSharpeRatio(r), 12);
    expect(many).toBeLessThan(one);
  });

  it('the bootstrap finds a real edge, not a fake one, and is seeded', () => {
    const base = normals(504, 0, 0.01, 7);
    const better = base.map((x, i) => x * 0.5 + 0.0015 + 0.002 * Math.sin(i));
    const edge = sharpeDifferenceBootstrap(better, base, { barsPerYear: 252, seed: 1, resamples: 500 });
    expect(edge.lower).toBeGreaterThan(0);
    expect(edge.pValue).toBeLessThan(0.05);
    const same = sharpeDifferenceBootstrap(base, base, { barsPerYear: 252, seed: 1, resamples: 200 });
    expect(same.difference).toBe(0);
    expect(same.lower).toBeLessThanOrEqual(0);
    expect(same.upper).toBeGreaterThanOrEqual(0);
    const noise = normals(504, 0, 0.01, 8);
    const luck = sharpeDifferenceBootstrap(noise, base, { barsPerYear: 252, seed: 2, resamples: 500 });
    expect(luck.lower).toBeLessThan(0);
    expect(sharpeDifferenceBootstrap(better, base, { barsPerYear: 252, seed: 1, resamples: 500 })).toEqual(
      edge,
    );
    expect(edge.blockLength).toBe(23);
  });

  it('refuses series of different lengths or too short, naming the field', () => {
    expect(() => sharpeDifferenceBootstrap([1, 2, 3], [1, 2], { barsPerYear: 252, seed: 0 })).toThrow(
      /b has 2/,
    );
    expect(() => probabilisticSharpeRatio([0.1])).toThrow(/at least 3/);
  });
});
