import { describe, expect, it } from 'vitest';
import { MarketEnv } from './env.js';
import { isMarketEnvError } from './errors.js';
import { buildObservation, observationLayout } from './features.js';
import { generateSyntheticFrame } from './synthetic.js';

describe('asset-features observation', () => {
  it('lays out one block per asset, then the global block', () => {
    const l = observationLayout({
      kind: 'asset-features',
      window: 20,
      nAssets: 3,
      horizons: [5, 1],
      nExtraFeatures: 2,
    });
    expect(l.horizons).toEqual([1, 5]);
    expect(l.itemDim).toBe(2 + 1 + 2);
    expect(l.globalDim).toBe(1);
    expect(l.size).toBe(3 * 5 + 1);
    expect(l.cashOffset).toBe(15);
  });

  it('computes volatility-normalised horizon returns from the window alone', () => {
    // One asset whose log returns alternate +1 % / −1 %, then a last bar of +3 %.
    const W = 4;
    const r = [0.01, -0.01, 0.01, 0.03];
    const closes = [100];
    for (const x of r) closes.push(closes.at(-1)! * Math.exp(x));
    const obs = buildObservation({
      closes,
      nAssets: 1,
      window: W,
      weights: [0.25],
      cashFraction: 0.75,
      kind: 'asset-features',
      horizons: [1, 2, 4],
    });
    const alpha = 2 / (W + 1);
    let v = 0;
    let w = 0;
    for (let k = 0; k < W; k++) {
      v += (1 - alpha) ** k * r[W - 1 - k]! ** 2;
      w += (1 - alpha) ** k;
    }
    const sigma = Math.sqrt(v / w);
    expect(obs[0]).toBeCloseTo(0.03 / sigma, 5);
    expect(obs[1]).toBeCloseTo((0.03 + 0.01) / (sigma * Math.sqrt(2)), 5);
    expect(obs[2]).toBeCloseTo(0.04 / (sigma * 2), 5);
    expect(obs[3]).toBeCloseTo(0.25, 6);
    expect(obs[4]).toBeCloseTo(0.75, 6);
  });

  it('clips extreme moves and gives 0 for flat prices', () => {
    // Asset 0 flat; asset 1 flat, then one jump on the last bar: z = √(Σ EW weights) ≈ 5.5 > 5.
    const closes: number[] = [];
    for (let t = 0; t <= 60; t++) closes.push(10, t === 60 ? 20 : 10);
    const obs = buildObservation({
      closes,
      nAssets: 2,
      window: 60,
      weights: [0, 0],
      cashFraction: 1,
      kind: 'asset-features',
      horizons: [1, 60],
    });
    expect(Array.from(obs.subarray(0, 2))).toEqual([0, 0]);
    expect(obs[3]).toBe(5);
    expect(obs[4]).toBeCloseTo(
      Math.sqrt(Array.from({ length: 60 }, (_, k) => (1 - 2 / 61) ** k).reduce((a, v) => a + v)) /
        Math.sqrt(60),
      5,
    );
  });

  it('the env and buildObservation on the last window + 1 closes agree, and future bars change nothing', () => {
    const frame = generateSyntheticFrame({ nAssets: 3, nBars: 300, seed: 2, autocorrelation: 0.2 });
    const opts = {
      agents: [{ kind: 'learned' as const, role: 'long' as const }],
      window: 60,
      observation: { kind: 'asset-features' as const },
      episodeLength: 100,
      randomStart: false,
      startIndex: 120,
    };
    const env = new MarketEnv({ frame, ...opts });
    const first = env.reset({ seed: 1 }).obs['rl-long-0']!;
    const t = 120;
    const live = buildObservation({
      closes: frame.close.subarray((t - 60) * 3, (t + 1) * 3),
      nAssets: 3,
      window: 60,
      weights: [0, 0, 0],
      cashFraction: 1,
      kind: 'asset-features',
    });
    expect(Array.from(first)).toEqual(Array.from(live));
    // Overwrite every bar after t: today's observation must not move.
    const future = { ...frame, close: frame.close.slice(), open: frame.open.slice() };
    for (let i = (t + 1) * 3; i < future.close.length; i++) future.close[i] = future.open[i] = 1 + i;
    const env2 = new MarketEnv({ frame: future, ...opts });
    expect(Array.from(env2.reset({ seed: 1 }).obs['rl-long-0']!)).toEqual(Array.from(first));
    expect(env.observationSpace('rl-long-0').shape).toEqual([3 * 5 + 1]);
  });

  it('assetIdentity ends each block with a one-hot of its asset, in the env and live alike', () => {
    const frame = generateSyntheticFrame({ nAssets: 3, nBars: 200, seed: 3 });
    const l = observationLayout({
      kind: 'asset-features',
      window: 20,
      nAssets: 3,
      horizons: [1, 5],
      assetIdentity: true,
    });
    expect(l.itemDim).toBe(2 + 1 + 3);
    expect(l.size).toBe(3 * 6 + 1);
    const env = new MarketEnv({
      frame,
      agents: [{ kind: 'learned' as const, role: 'long' as const }],
      window: 20,
      observation: { kind: 'asset-features' as const, horizons: [1, 5], assetIdentity: true },
      episodeLength: 50,
      randomStart: false,
      startIndex: 40,
    });
    const obs = env.reset({ seed: 1 }).obs['rl-long-0']!;
    expect(obs.length).toBe(l.size);
    for (let n = 0; n < 3; n++) {
      expect(Array.from(obs.subarray(n * 6 + 3, n * 6 + 6))).toEqual([0, 1, 2].map((m) => (m === n ? 1 : 0)));
    }
    const inputs = {
      closes: frame.close.subarray((40 - 20) * 3, 41 * 3),
      nAssets: 3,
      window: 20,
      weights: [0, 0, 0],
      cashFraction: 1,
      kind: 'asset-features' as const,
      horizons: [1, 5],
    };
    const live = buildObservation({ ...inputs, assetIdentity: true });
    expect(Array.from(live)).toEqual(Array.from(obs));
    // Without it, the same blocks minus the one-hot.
    const plain = buildObservation(inputs);
    expect(plain.length).toBe(3 * 3 + 1);
    expect(Array.from(plain.subarray(3, 6))).toEqual(Array.from(obs.subarray(6, 9)));
  });

  it('refuses a horizon longer than the window, naming the field', () => {
    try {
      observationLayout({ kind: 'asset-features', window: 20, nAssets: 2 });
      expect.unreachable();
    } catch (e) {
      expect(isMarketEnvError(e, 'CONFIG')).toBe(true);
      expect((e as Error).message).toMatch(/observation.horizons.*window = 20/);
    }
  });
});
