import { describe, expect, it } from 'vitest';
import { normalizeWeights } from './actions.js';
import { runBaselines } from './baselines.js';
import { computeMetrics, maxDrawdown } from './metrics.js';
import {
  buyAndHoldPolicy,
  equalWeightPolicy,
  marketMakerPolicy,
  meanReversionPolicy,
  momentumPolicy,
  type PolicyView,
} from './policies.js';
import {
  DifferentialSharpe,
  logReturnReward,
  type RewardSettings,
  shapedReward,
  stepRewards,
} from './rewards.js';
import {
  blockNewEntries,
  capWeights,
  dailyStopHit,
  positionReturn,
  stopLossTakeProfit,
  updateEntryPrice,
} from './risk.js';
import { generateSyntheticFrame } from './synthetic.js';

describe('normalizeWeights', () => {
  it('long: clip to [0,1], scale to Σw ≤ 1', () => {
    const w = normalizeWeights('long', [0.8, 0.6, -0.3], new Float64Array(3));
    for (const [i, x] of [0.8 / 1.4, 0.6 / 1.4, 0].entries()) expect(w[i]).toBeCloseTo(x, 14);
    expect(Array.from(normalizeWeights('long', [0.2, 0.3], new Float64Array(2)))).toEqual([0.2, 0.3]);
  });
  it('short: clip to [−1,0], gross limit', () => {
    const w = normalizeWeights('short', [-1, -1, 0.5], new Float64Array(3), 1.5);
    expect(Array.from(w)).toEqual([-0.75, -0.75, 0]);
  });
  it('long-short: longs ≤ 1 (proceeds held), then gross limit', () => {
    const w = normalizeWeights('long-short', [1, 1, -1], new Float64Array(3), 2);
    expect(w[0]! + w[1]!).toBeCloseTo(1, 12);
    expect(Math.abs(w[0]!) + Math.abs(w[1]!) + Math.abs(w[2]!)).toBeCloseTo(2, 12);
  });
});

describe('metrics', () => {
  it('computes return, Sharpe, Sortino, drawdown and Calmar annualised by bars per year', () => {
    const eq = [100, 110, 99, 121];
    const r = [0.1, -0.1, 121 / 99 - 1];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const sd = Math.sqrt(r.reduce((s, x) => s + (x - mean) ** 2, 0) / 2);
    const m = computeMetrics(eq, { barsPerYear: 252 });
    expect(m.totalReturn).toBeCloseTo(0.21, 12);
    expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 10);
    expect(m.sortino).toBeCloseTo((mean / Math.sqrt(0.01 / 3)) * Math.sqrt(252), 10);
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(m.annualizedReturn).toBeCloseTo(1.21 ** (252 / 3) - 1, 6);
    expect(m.calmar).toBeCloseTo(m.annualizedReturn / 0.1, 6);
    // Intraday: the same curve on 30-min bars annualises with √12480.
    expect(computeMetrics(eq, { barsPerYear: 12_480 }).sharpe / m.sharpe).toBeCloseTo(
      Math.sqrt(12_480 / 252),
      10,
    );
    expect(maxDrawdown([100, 120, 90, 130])).toBeCloseTo(0.25, 12);
    expect(() => computeMetrics(eq, { barsPerYear: 0 })).toThrow(/barsPerYear/);
  });
});

describe('rewards', () => {
  it('log return and the differential Sharpe ratio', () => {
    expect(logReturnReward(100, 110)).toBeCloseTo(Math.log(1.1), 14);
    expect(logReturnReward(100, -5)).toBe(-10);
    const d = new DifferentialSharpe(0.1);
    expect(d.update(0.01)).toBe(0); // no variance estimate yet
    const second = d.update(0.02);
    // A = 0.001, B = 1e-5 after the first update; D = (B·ΔA − ½A·ΔB)/(B − A²)^1.5
    const A = 0.001;
    const B = 1e-5;
    expect(second).toBeCloseTo((B * (0.02 - A) - 0.5 * A * (0.0004 - B)) / (B - A * A) ** 1.5, 8);
  });

  it("the env's step rewards: each kind, scaled, 0 for an agent already out", () => {
    const prev = Float64Array.of(100, 100, 100);
    const values = Float64Array.of(101, 98, 0);
    const base = values.map((v, a) => v - prev[a]!);
    const hold = Uint8Array.of(0, 1, 2);
    const out = new Float64Array(3);
    const settings = { coopWeight: 0.05, compWeight: 0.1, scale: 2 };
    const run = (kind: RewardSettings['kind'], dsr: DifferentialSharpe[] = []) => {
      stepRewards({ kind, ...settings }, values, prev, base, hold, dsr, out);
      return Array.from(out);
    };
    const shaped = new Float64Array(3);
    shapedReward(values, base, 0.05, 0.1, shaped);
    expect(run('shaped')).toEqual([shaped[0]! * 2, shaped[1]! * 2, 0]);
    expect(run('pnl')).toEqual([2, -4, 0]);
    expect(run('log-return')).toEqual([logReturnReward(100, 101) * 2, logReturnReward(100, 98) * 2, 0]);
    // The differential Sharpe state advances for every agent, also one that is out.
    const dsr = [0, 1, 2].map(() => new DifferentialSharpe(0.1));
    run('differential-sharpe', dsr);
    expect(dsr.map((d) => d.a)).toEqual([0.1 * (101 / 100 - 1), 0.1 * (98 / 100 - 1), 0.1 * -1]);
    const twin = new DifferentialSharpe(0.1);
    twin.update(101 / 100 - 1);
    expect(run('differential-sharpe', dsr)[0]).toBe(twin.update(101 / 100 - 1) * 2);
  });
});

describe('heuristic policies', () => {
  // Asset 0 rises, asset 1 falls, asset 2 is flat.
  const T = 30;
  const closes = new Float64Array(T * 3);
  for (let t = 0; t < T; t++) {
    closes[3 * t] = 100 * 1.01 ** t;
    closes[3 * t + 1] = 100 * 0.99 ** t;
    closes[3 * t + 2] = 50;
  }
  const view = (weights = [0, 0, 0], netFlow = [0, 0, 0]): PolicyView => ({
    nAssets: 3,
    closes,
    t: T - 1,
    weights,
    netFlow,
  });

  it('momentum holds the winner; mean reversion the loser', () => {
    const out = new Float64Array(3);
    expect(momentumPolicy({ lookback: 10 })(view(), out)).toBe(true);
    expect(Array.from(out)).toEqual([1, 0, 0]);
    momentumPolicy({ lookback: 10, role: 'long-short' })(view(), out);
    expect(out[0]! > 0 && out[1]! < 0 && out[2] === 0).toBe(true);
    meanReversionPolicy({ lookback: 10 })(view(), out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(1, 12);
  });

  it('never reads bars after t', () => {
    const out = new Float64Array(3);
    const v = { ...view(), t: 15 };
    momentumPolicy()(v, out);
    const a = Array.from(out);
    const poisoned = closes.slice();
    poisoned.fill(Number.NaN, 16 * 3);
    momentumPolicy()({ ...v, closes: poisoned }, out);
    expect(Array.from(out)).toEqual(a);
    meanReversionPolicy()({ ...v, closes: poisoned }, out);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('market maker leans against the flow within its inventory cap', () => {
    const out = new Float64Array(3);
    marketMakerPolicy({ lean: 2, maxInventory: 0.1 })(view([0.05, 0, 0], [0.01, -0.2, 0]), out);
    expect(out[0]).toBeCloseTo(0.5 * 0.05 - 0.02, 12);
    expect(out[1]).toBe(0.1);
    expect(out[2]).toBeCloseTo(0, 12);
  });

  it('buy-and-hold buys once; equal weight rebalances', () => {
    const out = new Float64Array(3);
    expect(buyAndHoldPolicy()(view(), out)).toBe(true);
    expect(Array.from(out)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(buyAndHoldPolicy()(view([0.4, 0.3, 0.3]), out)).toBe(false);
    expect(equalWeightPolicy()(view([0.4, 0.3, 0.3]), out)).toBe(true);
    expect(equalWeightPolicy({ rebalanceEvery: 5 })({ ...view([0.4, 0.3, 0.3]), t: 27 }, out)).toBe(false);
  });
});

describe('risk rules', () => {
  it('stop-loss, take-profit, caps, daily stop, entry prices', () => {
    const targets = Float64Array.of(0.3, 0.3, -0.2, 0.1);
    const shares = [10, 10, -5, 0];
    const entry = [100, 100, 100, 0];
    const closed = stopLossTakeProfit(targets, shares, entry, [94, 111, 106, 50], {
      stopLoss: 0.05,
      takeProfit: 0.1,
    });
    expect(closed).toBe(3);
    expect(Array.from(targets)).toEqual([0, 0, 0, 0.1]);
    expect(positionReturn(-5, 100, 90)).toBeCloseTo(0.1, 12);
    expect(Array.from(capWeights(Float64Array.of(0.5, -0.4, 0.1), 0.2))).toEqual([0.2, -0.2, 0.1]);
    expect(dailyStopHit(100_000, 97_000, 0.03)).toBe(true);
    expect(dailyStopHit(100_000, 97_500, 0.03)).toBe(false);
    expect(Array.from(blockNewEntries(Float64Array.of(0.3, -0.2, 0.1, -0.5), [0.2, 0, 0.3, -0.1]))).toEqual([
      0.2, 0, 0.1, -0.1,
    ]);
    expect(updateEntryPrice(10, 100, 10, 110)).toBe(105);
    expect(updateEntryPrice(10, 100, -5, 120)).toBe(100);
    expect(updateEntryPrice(10, 100, -15, 120)).toBe(120);
    expect(updateEntryPrice(10, 100, -10, 120)).toBe(0);
  });
});

describe('synthetic prices and baselines', () => {
  it('is seeded, correlated and switches regimes', () => {
    const a = generateSyntheticFrame({ nAssets: 4, nBars: 2000, seed: 5, correlation: 0.6 });
    const b = generateSyntheticFrame({ nAssets: 4, nBars: 2000, seed: 5, correlation: 0.6 });
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(Array.from(generateSyntheticFrame({ nAssets: 4, nBars: 50, seed: 6 }).close)).not.toEqual(
      Array.from(a.close.subarray(0, 200)),
    );
    // close-to-close log returns of assets 0 and 1 correlate at about 0.6
    const r = (n: number) =>
      Array.from({ length: 1999 }, (_, t) => Math.log(a.close[(t + 1) * 4 + n]! / a.close[t * 4 + n]!));
    const x = r(0);
    const y = r(1);
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < x.length; i++) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
      syy += (y[i]! - my) ** 2;
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.5);
    expect(sxy / Math.sqrt(sxx * syy)).toBeLessThan(0.7);
    for (let i = 0; i < a.close.length; i++) {
      expect(
        a.high[i]! >= Math.max(a.open[i]!, a.close[i]!) && a.low[i]! <= Math.min(a.open[i]!, a.close[i]!),
      ).toBe(true);
    }
    expect(() => generateSyntheticFrame({ nAssets: 0 })).toThrow(/synthetic.nAssets/);
  });

  it('baselines: buy-and-hold tracks the prices, equal weight rebalances', () => {
    const f = generateSyntheticFrame({ nAssets: 3, nBars: 100, seed: 2 });
    const { buyAndHold, equalWeight } = runBaselines(f, { start: 10, end: 60, cashUsd: 1000, feeBps: 0 });
    // bought 1/3 of 1000 of each asset at the open of bar 11
    let v = 0;
    for (let n = 0; n < 3; n++) v += (1000 / 3 / f.open[11 * 3 + n]!) * f.close[60 * 3 + n]!;
    expect(buyAndHold.equity[50]).toBeCloseTo(v, 9);
    expect(buyAndHold.equity).toHaveLength(51);
    expect(equalWeight.tradedNotionalUsd).toBeGreaterThan(buyAndHold.tradedNotionalUsd);
  });
});
