/**
 * Walk-forward folds: rolling training windows, each followed by an unseen test window one
 * retrain cadence long; train and test windows never overlap (asserted).
 */
import type { PriceFrame } from '@marlts/market-env';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import { barSpacingMs, retrainCadenceBars } from './cadence.js';

export interface Fold {
  index: number;
  /** Bars the agents train on: `[trainStart, trainEnd)`. */
  trainStart: number;
  trainEnd: number;
  /** Decision bars of the test `[testStart, testEnd)`; fills and marks run to `testEnd`. */
  testStart: number;
  testEnd: number;
}

/**
 * Splits `nBars` into walk-forward folds; keeps the last `maxFolds` (0 = all).
 *
 * @example
 * walkForwardFolds(1000, { trainBars: 500, testBars: 100, window: 10, maxFolds: 0 }).length; // 5
 */
export function walkForwardFolds(
  nBars: number,
  o: { trainBars: number; testBars: number; window: number; maxFolds: number },
): Fold[] {
  const folds: Fold[] = [];
  const minTrain = o.window + 8;
  if (o.trainBars < minTrain) {
    throw new AppError(
      'CONFIG',
      `backtest.trainBars ${o.trainBars} is too small for env.windowBars ${o.window}`,
      {
        field: 'backtest.trainBars',
      },
    );
  }
  for (let trainStart = 0; ; trainStart += o.testBars) {
    const trainEnd = trainStart + o.trainBars;
    const testStart = trainEnd;
    const testEnd = Math.min(testStart + o.testBars, nBars - 1);
    // A short last window (less than half the cadence) is dropped unless it is the only one.
    if (testEnd - testStart < 2 || (folds.length > 0 && testEnd - testStart < o.testBars / 2)) break;
    folds.push({ index: folds.length, trainStart, trainEnd, testStart, testEnd });
    if (testEnd >= nBars - 1) break;
  }
  if (folds.length === 0) {
    throw new AppError(
      'DATA',
      `not enough bars for a walk-forward backtest: ${nBars} bars, need trainBars ${o.trainBars} + at least 3 test bars`,
      { hint: 'use a longer file, or lower --train-bars / --test-bars' },
    );
  }
  const kept = o.maxFolds > 0 ? folds.slice(-o.maxFolds) : folds;
  assertNoOverlap(kept);
  return kept.map((f, i) => ({ ...f, index: i }));
}

/** Throws if any fold's training bars reach into its own (or an earlier fold's) test bars. */
export function assertNoOverlap(folds: readonly Fold[]): void {
  for (const f of folds) {
    if (f.trainEnd > f.testStart) {
      throw new Error(
        `walk-forward fold ${f.index}: training bars [${f.trainStart}, ${f.trainEnd}) overlap its test from ${f.testStart}`,
      );
    }
  }
  for (let i = 1; i < folds.length; i++) {
    if (folds[i]!.testStart < folds[i - 1]!.testEnd) {
      throw new Error(`walk-forward folds ${i - 1} and ${i}: test windows overlap`);
    }
  }
}

/**
 * The walk-forward folds a config asks for on `frame` (backtest.trainBars, testBars or the
 * retrain cadence, maxFolds).
 *
 * @example
 * foldsFor(frame, config).length; // ≤ config.backtest.maxFolds
 */
export function foldsFor(frame: PriceFrame, config: AppConfig): Fold[] {
  const bt = config.backtest;
  return walkForwardFolds(frame.nBars, {
    trainBars: bt.trainBars,
    testBars: bt.testBars ?? retrainCadenceBars(config, barSpacingMs(frame.times)),
    window: config.env.windowBars,
    maxFolds: bt.maxFolds,
  });
}

/** The seeds a backtest runs: the master seed, then +1000 per further seed. */
export function backtestSeeds(config: AppConfig): number[] {
  return Array.from({ length: config.backtest.seeds }, (_, i) => config.seed + i * 1000);
}
