/**
 * Buy-and-hold and equal-weight baselines on the same frame, span, cash, fees and fill
 * timing as an env episode (decide on the close of t, fill at the open of t + 1, mark at
 * the close), so an agent's report can be read beside them. Each baseline trades alone,
 * so there is no impact.
 */
import { MarketEnvError } from './errors.js';
import { inferBarsPerYear } from './frame.js';
import { computeMetrics, type PerformanceMetrics } from './metrics.js';
import type { PriceFrame } from './types.js';

export interface BaselineOptions {
  /** First decision bar (default 0) and last bar (default nBars − 1). */
  start?: number;
  end?: number;
  cashUsd?: number;
  feeBps?: number;
  /** Default: inferred from the frame times. */
  barsPerYear?: number;
  /** Equal weight rebalance period in bars (default 1). */
  rebalanceEvery?: number;
}

export interface BaselineResult extends PerformanceMetrics {
  /** Values at the close of bars start … end. */
  equity: Float64Array;
  feesUsd: number;
  tradedNotionalUsd: number;
}

export interface BaselineResults {
  buyAndHold: BaselineResult;
  equalWeight: BaselineResult;
}

function simulate(
  frame: PriceFrame,
  start: number,
  end: number,
  cash0: number,
  feeRate: number,
  rebalanceEvery: number,
  buyAndHold: boolean,
  barsPerYear: number,
): BaselineResult {
  const N = frame.nAssets;
  const shares = new Float64Array(N);
  const equity = new Float64Array(end - start + 1);
  let cash = cash0;
  let fees = 0;
  let traded = 0;
  equity[0] = cash0;
  for (let t = start; t < end; t++) {
    const k = t - start;
    const trade = buyAndHold ? k === 0 : k % rebalanceEvery === 0;
    if (trade) {
      const ref = (t + 1) * N;
      let v = cash;
      for (let n = 0; n < N; n++) v += shares[n]! * frame.open[ref + n]!;
      // Size so that the fees fit in the budget: Σ|q|·p·(1 + fee) ≤ v for a fresh book.
      const budget = buyAndHold ? v / (1 + feeRate) : v;
      for (let n = 0; n < N; n++) {
        const p = frame.open[ref + n]!;
        const q = budget / N / p - shares[n]!;
        const fee = Math.abs(q) * p * feeRate;
        cash -= q * p + fee;
        fees += fee;
        traded += Math.abs(q) * p;
        shares[n] = shares[n]! + q;
      }
    }
    let v = cash;
    for (let n = 0; n < N; n++) v += shares[n]! * frame.close[(t + 1) * N + n]!;
    equity[k + 1] = v;
  }
  return { ...computeMetrics(equity, { barsPerYear }), equity, feesUsd: fees, tradedNotionalUsd: traded };
}

/**
 * @example
 * const { buyAndHold, equalWeight } = runBaselines(frame, { start: 32, cashUsd: 1e5, feeBps: 10 });
 * console.log(buyAndHold.sharpe, equalWeight.maxDrawdown);
 */
export function runBaselines(frame: PriceFrame, options: BaselineOptions = {}): BaselineResults {
  const start = options.start ?? 0;
  const end = options.end ?? frame.nBars - 1;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end < frame.nBars && start < end)) {
    throw new MarketEnvError(
      'CONFIG',
      `runBaselines: need 0 <= start < end < ${frame.nBars}, got ${start}, ${end}`,
      {
        field: 'start',
      },
    );
  }
  const cash = options.cashUsd ?? 100_000;
  const fee = (options.feeBps ?? 0) / 1e4;
  const bpy = options.barsPerYear ?? inferBarsPerYear(frame.times);
  const every = options.rebalanceEvery ?? 1;
  return {
    buyAndHold: simulate(frame, start, end, cash, fee, every, true, bpy),
    equalWeight: simulate(frame, start, end, cash, fee, every, false, bpy),
  };
}
