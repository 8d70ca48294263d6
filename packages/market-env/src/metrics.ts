/**
 * Performance metrics of an equity curve, annualised with the frame's bars per year
 * (use `inferBarsPerYear(times)`; never assume 252 for intraday bars). Returns are simple
 * bar-to-bar returns. Sharpe uses the sample std (n − 1); Sortino uses the downside
 * deviation `sqrt(mean(min(r − rf, 0)²))` over all bars; Calmar = CAGR / max drawdown.
 */
import { MarketEnvError } from './errors.js';

export interface MetricsOptions {
  barsPerYear: number;
  /** Annual risk-free rate (default 0). */
  riskFreeRate?: number;
}

/** Metrics of one equity curve. Ratios are `Infinity` when their denominator is 0 and the numerator positive. */
export interface PerformanceMetrics {
  /** Number of returns (equity points − 1). */
  nBars: number;
  totalReturn: number;
  /** CAGR: `(V_end / V_0)^(barsPerYear / nBars) − 1`. */
  annualizedReturn: number;
  annualizedVolatility: number;
  sharpe: number;
  sortino: number;
  /** Largest peak-to-trough loss as a positive fraction. */
  maxDrawdown: number;
  calmar: number;
}

/**
 * Largest peak-to-trough decline, as a positive fraction (0.25 = −25 %).
 * @example
 * maxDrawdown([100, 120, 90, 130]); // 0.25
 */
export function maxDrawdown(equity: ArrayLike<number>): number {
  let peak = Number.NEGATIVE_INFINITY;
  let mdd = 0;
  for (let i = 0; i < equity.length; i++) {
    const v = equity[i]!;
    if (v > peak) peak = v;
    if (peak > 0) {
      const dd = 1 - v / peak;
      if (dd > mdd) mdd = dd;
    }
  }
  return mdd;
}

function ratio(num: number, den: number): number {
  if (den > 0) return num / den;
  return num > 0 ? Number.POSITIVE_INFINITY : 0;
}

/**
 * @example
 * computeMetrics(equityCurve, { barsPerYear: inferBarsPerYear(frame.times) }).sharpe;
 */
export function computeMetrics(equity: ArrayLike<number>, options: MetricsOptions): PerformanceMetrics {
  const { barsPerYear } = options;
  if (!(barsPerYear > 0)) {
    throw new MarketEnvError('CONFIG', `barsPerYear must be > 0, got ${barsPerYear}`, {
      field: 'barsPerYear',
    });
  }
  const n = equity.length - 1;
  if (n < 1 || !(equity[0]! > 0)) {
    return {
      nBars: Math.max(n, 0),
      totalReturn: 0,
      annualizedReturn: 0,
      annualizedVolatility: 0,
      sharpe: 0,
      sortino: 0,
      maxDrawdown: maxDrawdown(equity),
      calmar: 0,
    };
  }
  const rf = (1 + (options.riskFreeRate ?? 0)) ** (1 / barsPerYear) - 1;
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += equity[i]! / equity[i - 1]! - 1 - rf;
  const mean = sum / n;
  let ss = 0;
  let down = 0;
  for (let i = 1; i <= n; i++) {
    const r = equity[i]! / equity[i - 1]! - 1 - rf;
    ss += (r - mean) * (r - mean);
    if (r < 0) down += r * r;
  }
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const downside = Math.sqrt(down / n);
  const totalReturn = equity[n]! / equity[0]! - 1;
  const annualizedReturn = equity[n]! > 0 ? (equity[n]! / equity[0]!) ** (barsPerYear / n) - 1 : -1;
  const mdd = maxDrawdown(equity);
  const sqrtYear = Math.sqrt(barsPerYear);
  return {
    nBars: n,
    totalReturn,
    annualizedReturn,
    annualizedVolatility: std * sqrtYear,
    sharpe: ratio(mean, std) * (std > 0 ? sqrtYear : 1),
    sortino: ratio(mean, downside) * (downside > 0 ? sqrtYear : 1),
    maxDrawdown: mdd,
    calmar: ratio(annualizedReturn, mdd),
  };
}
