/**
 * Shared inputs of the sweep tests: a tiny budget (these tests check plumbing and
 * selection, not what the agents learn) on a one-symbol daily fixture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { frameFromCsv, type PriceFrame } from '@marlts/market-env';
import { type AppConfig, type ConfigInput, deepMerge, parseConfig } from '../src/config.js';

/** 755 daily S&P 500 bars, 2007-2009. */
export const SP500 = join(import.meta.dirname, 'fixtures/sp500_daily_ohlcv_2007-2009.csv');

/** The tiny config as a config file (3 folds of 40 bars after 120 training bars). */
export const TINY: ConfigInput = {
  backend: 'cpu',
  train: {
    ppo: { totalTimesteps: 256, nSteps: 128 },
    sac: { totalTimesteps: 64, learningStarts: 16, batchSize: 16 },
  },
  backtest: { ppoSteps: 128, sacSteps: 16, trainBars: 120, testBars: 40, maxFolds: 3 },
  env: { heuristics: ['momentum'] },
};

/**
 * The tiny config with `over` merged in.
 *
 * @example
 * tinyConfig({ train: { sac: { learningRate: 10 } } });
 */
export function tinyConfig(over: Record<string, unknown> = {}): AppConfig {
  return parseConfig(deepMerge(TINY as Record<string, unknown>, over));
}

/** The last `bars` bars of the S&P 500 fixture. */
export function sp500Frame(): PriceFrame {
  return frameFromCsv(readFileSync(SP500, 'utf8'));
}
