import { describe, expect, it } from 'vitest';
import { isMarketEnvError } from './errors.js';
import { expectedLogReturns, generateSyntheticFrame, parseSyntheticOptions } from './synthetic.js';

function logReturns(close: Float64Array, N: number, n: number): number[] {
  const out: number[] = [];
  for (let t = 1; t < close.length / N; t++) out.push(Math.log(close[t * N + n]! / close[(t - 1) * N + n]!));
  return out;
}

function lag1(x: number[]): number {
  const m = x.reduce((a, v) => a + v, 0) / x.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    den += (x[i]! - m) ** 2;
    if (i > 0) num += (x[i]! - m) * (x[i - 1]! - m);
  }
  return num / den;
}

function std(x: number[]): number {
  const m = x.reduce((a, v) => a + v, 0) / x.length;
  return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / (x.length - 1));
}

describe('planted signals', () => {
  it('plants AR(1) momentum and reversal per asset and keeps the unconditional volatility', () => {
    const N = 3;
    const f = generateSyntheticFrame({
      nAssets: N,
      nBars: 20_000,
      seed: 4,
      volatility: 0.24,
      autocorrelation: [0.3, 0, -0.25],
    });
    const r = [0, 1, 2].map((n) => logReturns(f.close, N, n));
    // 20k samples: the lag-1 estimate's standard error is about 0.007.
    expect(lag1(r[0]!)).toBeCloseTo(0.3, 1);
    expect(Math.abs(lag1(r[1]!))).toBeLessThan(0.03);
    expect(lag1(r[2]!)).toBeCloseTo(-0.25, 1);
    const daily = 0.24 / Math.sqrt(252);
    for (const x of r) expect(std(x) / daily).toBeGreaterThan(0.95);
    for (const x of r) expect(std(x) / daily).toBeLessThan(1.05);
  });

  it('plants persistent winners and losers with per-asset drifts', () => {
    const f = generateSyntheticFrame({ nAssets: 2, nBars: 2_500, seed: 1, drifts: [0.378, -0.378] });
    const total = (n: number) => Math.log(f.close[(f.nBars - 1) * 2 + n]! / f.close[n]!);
    expect(total(0)).toBeGreaterThan(1);
    expect(total(1)).toBeLessThan(-1);
  });

  it('expectedLogReturns is the generator rule: it explains the returns it predicts', () => {
    const N = 2;
    const c = parseSyntheticOptions({ nAssets: N, nBars: 5_000, seed: 9, autocorrelation: 0.3 });
    const f = generateSyntheticFrame(c);
    // Regress the realised next return on the prediction: slope ≈ 1.
    let sxy = 0;
    let sxx = 0;
    for (let t = 1; t < f.nBars - 1; t++) {
      const m = expectedLogReturns(c, f.close.subarray((t - 1) * N, (t + 1) * N));
      const next = Math.log(f.close[(t + 1) * N]! / f.close[t * N]!);
      sxy += m[0]! * next;
      sxx += m[0]! * m[0]!;
    }
    expect(sxy / sxx).toBeGreaterThan(0.8);
    expect(sxy / sxx).toBeLessThan(1.2);
  });

  it('names the field when per-asset lists do not match nAssets, and refuses regime drifts', () => {
    const bad = (o: Parameters<typeof parseSyntheticOptions>[0], field: string) => {
      try {
        parseSyntheticOptions(o);
        expect.unreachable();
      } catch (e) {
        expect(isMarketEnvError(e, 'CONFIG')).toBe(true);
        expect((e as { field?: string }).field).toBe(field);
      }
    };
    bad({ nAssets: 3, autocorrelation: [0.1, 0.2] }, 'synthetic.autocorrelation');
    bad({ nAssets: 2, drifts: [0.1] }, 'synthetic.drifts');
    bad({ nAssets: 2, drifts: [0.1, 0.2], model: 'regime' }, 'synthetic.drifts');
    bad({ nAssets: 2, autocorrelation: 1 }, 'synthetic.autocorrelation');
    expect(() => expectedLogReturns(parseSyntheticOptions({ nAssets: 1, model: 'regime' }), [1, 1])).toThrow(
      /gbm/,
    );
  });
});
