import { Rng } from '@marlts/market-env';
import { describe, expect, it } from 'vitest';
import type { FoldSeries, SeedChainResult } from '../src/engine/seed-chain.js';
import { selectConfig, validationOnly } from '../src/sweep/select.js';

const BARS = 40;
const DAY = 86_400_000;

/** A fold's curve with the given per-bar mean return and noise (seeded). */
function series(name: string, fold: number, mean: number, seed: number): FoldSeries {
  const rng = new Rng(seed);
  const times: number[] = [];
  const equity: number[] = [];
  let v = 100_000;
  for (let i = 0; i <= BARS; i++) {
    times.push((fold * BARS + i) * DAY);
    equity.push(v);
    v *= 1 + mean + 0.01 * (rng.next() - 0.5);
  }
  return { name, times, equity, exposure: times.map(() => 1), fees: 1, impact: 0, borrow: 0, traded: 1000 };
}

/** One seed's chain: the long agent earns `means[f]` per bar on fold f; equal-weight a little. */
function chain(means: readonly number[], seed: number): SeedChainResult {
  return {
    seed,
    folds: means.map((_, f) => ({
      index: f,
      trainStart: f * BARS,
      trainEnd: f * BARS + 100,
      testStart: f * BARS + 100,
      testEnd: f * BARS + 100 + BARS,
    })),
    perFold: means.map((m, f) => [
      series('rl-long-0', f, m, seed * 100 + f),
      series('equal-weight', f, 0.0002, 7 + f),
    ]),
    trades: [],
    training: [],
    checkpoints: null,
    trainSeconds: 0,
  };
}

/** Makes a chain's test folds (index ≥ from) throw when anything reads them. */
function poisonTest(r: SeedChainResult, from: number): SeedChainResult {
  for (let f = from; f < r.perFold.length; f++) {
    Object.defineProperty(r.perFold, f, {
      get() {
        throw new Error(`test fold ${f} of a configuration that lost validation was read`);
      },
    });
  }
  return r;
}

/** Selection over 2 validation folds and 1 test fold of daily one-asset chains. */
function select(results: Map<number, SeedChainResult[]>) {
  return selectConfig({
    results,
    validationFolds: 2,
    testFolds: 1,
    barsPerYear: 252,
    nAssets: 1,
    significanceSeed: 1,
  })!;
}

describe('honest selection', () => {
  it('ranks on validation folds only: the validation-best wins even when another is test-best, and losers’ test folds are never read', () => {
    const results = new Map<number, SeedChainResult[]>([
      // Config 0: best on validation, poor on test.
      [0, [chain([0.004, 0.004, -0.003], 1), chain([0.004, 0.004, -0.003], 2)]],
      // Config 1: poor on validation, best on test (its test folds must not be looked at).
      [1, [poisonTest(chain([-0.002, -0.002, 0.01], 1), 2), poisonTest(chain([-0.002, -0.002, 0.01], 2), 2)]],
      [2, [poisonTest(chain([0.001, 0.0, 0.008], 1), 2), poisonTest(chain([0.001, 0.0, 0.008], 2), 2)]],
    ]);
    const sel = select(results);
    expect(sel.winner).toBe(0);
    expect(sel.ranking.map((r) => r.index)).toEqual([0, 2, 1]);
    expect(sel.trials).toBe(3);
    // The winner's test aggregate covers exactly the test fold, after the validation ones.
    expect(sel.test.folds.map((f) => f.index)).toEqual([2]);
    expect(sel.validation.folds.map((f) => f.index)).toEqual([0, 1]);
    expect(sel.test.metrics.get('rl-long-0')!.totalReturn).toBeLessThan(0);
    expect(sel.validation.metrics.get('rl-long-0')!.sharpe).toBeGreaterThan(0);
  });

  it('validationOnly cuts the chain at the last validation fold', () => {
    const cut = validationOnly(chain([0.001, 0.002, 0.003], 1), 2);
    expect(cut.perFold).toHaveLength(2);
    expect(cut.folds.map((f) => f.index)).toEqual([0, 1]);
    expect(cut.checkpoints).toBeNull();
  });

  it('reports the deflated Sharpe ratio over the number of trials, below the PSR when many configurations were tried', () => {
    const rng = new Rng(42);
    const results = new Map<number, SeedChainResult[]>();
    for (let i = 0; i < 20; i++) {
      const m = 0.002 * (rng.next() - 0.3);
      results.set(i, [chain([m, m, m], 10 + i)]);
    }
    const sel = select(results);
    const s = sel.significance;
    expect(sel.trials).toBe(20);
    expect(s.sharpeVariance).toBeGreaterThan(0);
    for (const v of [s.validationPsr, s.validationDsr, s.testPsr, s.testDsr]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(s.validationDsr).toBeLessThan(s.validationPsr);
    expect(s.testDsr).toBeLessThan(s.testPsr);
    // One trial: nothing to deflate.
    const one = select(new Map([[0, results.get(0)!]]));
    expect(one.significance.validationDsr).toBeCloseTo(one.significance.validationPsr, 12);
  });
});
