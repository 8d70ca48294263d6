import { initBackend } from '@marlts/rl-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { type PlantedMarket, runLearnability } from './learnability.js';

/**
 * The learnability benchmark's fast version: one small momentum market, a few thousand PPO
 * steps. The long agent must beat equal-weight out of sample after costs; it does not when
 * learning breaks (a wrong gradient sign, features that leak nothing, a head that cannot
 * express a tilt). The full benchmark is `pnpm bench:learn`.
 */
const market: PlantedMarket = {
  name: 'momentum-small',
  description: 'AR(1) φ = 0.35 on 4 assets, 1.5 % daily vol',
  synthetic: {
    nAssets: 4,
    nBars: 900,
    seed: 11,
    autocorrelation: 0.35,
    volatility: 0.015 * Math.sqrt(252),
    drift: (0.015 * 0.015 * 252) / 2,
  },
  goals: ['long-vs-equal-weight'],
};

const config = parseConfig({
  runDir: '/tmp/unused',
  env: { heuristics: ['momentum'] },
  train: {
    ppo: { totalTimesteps: 12_288 },
    sac: { totalTimesteps: 64, learningStarts: 16, batchSize: 16 },
  },
  backtest: { trainBars: 500, testBars: 50, ppoSteps: 2048, sacSteps: 16 },
});

describe('learnability (fast)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('the long agent finds a planted momentum signal and beats equal-weight after costs', async () => {
    const report = await runLearnability({ config, markets: [market], seeds: 1, folds: 6 });
    const m = report.markets[0]!;
    const long = m.agents['rl-long-0']!;
    const ew = m.agents['equal-weight']!;
    const oracle = m.agents['oracle-long']!;
    // The market has something to find: the oracle beats equal-weight by far.
    expect(oracle.sharpe).toBeGreaterThan(ew.sharpe + 1);
    expect(m.goals[0]!.passed).toBe(true);
    expect(long.totalReturn).toBeGreaterThan(ew.totalReturn);
    // Each path's own figures ride along with the mean (one path here: they are the mean).
    expect(long.paths).toEqual([{ totalReturn: long.totalReturn, sharpe: long.sharpe }]);
    // The budget's seconds are the whole run's, not the last path's.
    expect(report.budget.trainSeconds).toBeCloseTo(m.trainSeconds, 6);
  }, 120_000);
});
