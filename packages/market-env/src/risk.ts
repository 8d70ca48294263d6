/**
 * Risk rules shared by the env and the app's live loop (pure, in place, no allocation).
 * All thresholds are fractions: 0.05 means 5 %.
 * - per-position stop-loss / take-profit against the average entry price,
 * - a daily portfolio stop: after a loss of `dailyLossLimit` since the day's start, no new
 *   entries for the rest of the (UTC) day (positions may only shrink),
 * - a maximum absolute weight per position.
 */

/** Risk settings (each rule is off when its field is absent). */
export interface RiskRules {
  /** Close a position whose return since entry is ≤ −stopLoss. */
  stopLoss?: number;
  /** Close a position whose return since entry is ≥ takeProfit. */
  takeProfit?: number;
  /** After the portfolio lost this fraction since the day's start, block new entries until the next day. */
  dailyLossLimit?: number;
  /** Cap |weight| of each position. */
  maxWeight?: number;
}

/**
 * Clips every |target weight| to `maxWeight`.
 * @example
 * capWeights(Float64Array.of(0.5, -0.4), 0.2); // [0.2, -0.2]
 */
export function capWeights(
  targets: Float64Array,
  maxWeight: number,
  nAssets: number = targets.length,
): Float64Array {
  for (let n = 0; n < nAssets; n++) {
    const w = targets[n]!;
    targets[n] = w > maxWeight ? maxWeight : Math.max(w, -maxWeight);
  }
  return targets;
}

/**
 * Return of a position since entry, signed by its side (a short gains when price falls).
 * @example
 * positionReturn(-10, 100, 90); // 0.1
 */
export function positionReturn(shares: number, entryPrice: number, price: number): number {
  if (shares === 0 || !(entryPrice > 0)) return 0;
  return shares > 0 ? price / entryPrice - 1 : 1 - price / entryPrice;
}

/**
 * Sets the target weight of every position that hit its stop-loss or take-profit to 0.
 * `shares`, `entryPrices` and `prices` are read from `offset`. Returns how many were closed.
 * @example
 * stopLossTakeProfit(targets, shares, entry, closeRow, { stopLoss: 0.05, takeProfit: 0.1 });
 */
export function stopLossTakeProfit(
  targets: Float64Array,
  shares: ArrayLike<number>,
  entryPrices: ArrayLike<number>,
  prices: ArrayLike<number>,
  rules: Pick<RiskRules, 'stopLoss' | 'takeProfit'>,
  offset = 0,
  priceOffset = 0,
  nAssets: number = targets.length,
): number {
  const sl = rules.stopLoss;
  const tp = rules.takeProfit;
  let closed = 0;
  for (let n = 0; n < nAssets; n++) {
    const h = shares[offset + n]!;
    if (h === 0) continue;
    const r = positionReturn(h, entryPrices[offset + n]!, prices[priceOffset + n]!);
    if ((sl !== undefined && r <= -sl) || (tp !== undefined && r >= tp)) {
      targets[n] = 0;
      closed++;
    }
  }
  return closed;
}

/**
 * True once the day's loss reaches `dailyLossLimit`.
 * @example
 * dailyStopHit(100_000, 97_000, 0.03); // true
 */
export function dailyStopHit(dayStartValue: number, value: number, dailyLossLimit: number): boolean {
  return dayStartValue > 0 && value / dayStartValue - 1 <= -dailyLossLimit;
}

/**
 * No new entries: each target may only move toward 0 from the current position (same
 * side, smaller or equal size). Works on weights or on shares; the env applies it to
 * target shares, so a falling position cannot grow through rebalancing.
 * @example
 * blockNewEntries(Float64Array.of(0.3, -0.2, 0.1), [0.2, 0, 0.3]); // [0.2, 0, 0.1]
 */
export function blockNewEntries(
  targets: Float64Array,
  current: ArrayLike<number>,
  nAssets: number = targets.length,
  offset = 0,
): Float64Array {
  for (let n = 0; n < nAssets; n++) {
    const w = targets[n]!;
    const c = current[offset + n]!;
    if (c > 0) targets[n] = w < 0 ? 0 : Math.min(w, c);
    else if (c < 0) targets[n] = w > 0 ? 0 : Math.max(w, c);
    else targets[n] = 0;
  }
  return targets;
}

/**
 * UTC day number of a time (ms), to detect a new trading day.
 * @example
 * utcDay(Date.UTC(2020, 0, 2, 15)) - utcDay(Date.UTC(2020, 0, 1, 20)); // 1
 */
export function utcDay(timeMs: number): number {
  return Math.floor(timeMs / 86_400_000);
}

/**
 * Updates the average entry price of one position after trading `q` shares at `price`:
 * a fresh or flipped position enters at `price`, an increase averages in, a reduction keeps it.
 * @example
 * updateEntryPrice(10, 100, 10, 110); // 105
 */
export function updateEntryPrice(sharesBefore: number, entryPrice: number, q: number, price: number): number {
  const after = sharesBefore + q;
  if (after === 0) return 0;
  if (sharesBefore === 0 || Math.sign(after) !== Math.sign(sharesBefore)) return price;
  if (Math.abs(after) > Math.abs(sharesBefore)) {
    return (entryPrice * Math.abs(sharesBefore) + price * Math.abs(q)) / Math.abs(after);
  }
  return entryPrice;
}
