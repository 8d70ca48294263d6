/**
 * The retrain cadence in bars, shared by the live loop and the walk-forward backtest so
 * both retrain at the same rhythm: `retrain.everyBars` when set, else
 * `retrain.everyMinutes` of bar time — except on daily (or slower) bars, where 60
 * minutes would mean every bar and the cadence is 21 bars (about a month).
 */
import type { AppConfig } from '../config.js';

export const DAILY_CADENCE_BARS = 21;

/**
 * @example
 * retrainCadenceBars(config, 30 * 60_000); // 2 (60 minutes of 30-minute bars)
 */
export function retrainCadenceBars(config: AppConfig, barMs: number): number {
  const r = config.retrain;
  if (r.everyBars !== undefined) return r.everyBars;
  if (barMs >= 20 * 3_600_000) return DAILY_CADENCE_BARS;
  return Math.max(1, Math.round((r.everyMinutes * 60_000) / barMs));
}

/** Smallest spacing of bar times (ms). */
export function barSpacingMs(times: ArrayLike<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) min = Math.min(min, times[i]! - times[i - 1]!);
  return Number.isFinite(min) ? min : 86_400_000;
}
