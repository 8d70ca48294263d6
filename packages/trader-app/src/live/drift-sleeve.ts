/**
 * How an agent's sleeve drifts between its trades. In training the agent sees its
 * weights as filled at the next bar's open and marked at the bar's close, not as its last
 * targets; the live loop drifts the sleeves the same way so live features equal training
 * features.
 */

/**
 * A sleeve's weights after prices moved from `from` (the fill prices) to `to` with no trade; each position's
 * value scales by its price ratio, cash stays (for a short sleeve cash includes the
 * proceeds, so its cash fraction is above 1). This is how market-env's observation sees
 * an agent between its trades.
 * @example
 * driftSleeve([0.5, 0], [100, 10], [110, 10]) // weights ≈ [0.5238, 0], cashFraction ≈ 0.4762
 */
export function driftSleeve(
  weights: readonly number[],
  from: ArrayLike<number> | undefined,
  to: ArrayLike<number>,
): { weights: number[]; cashFraction: number } {
  const cash = 1 - weights.reduce((a, w) => a + w, 0);
  if (!from) return { weights: [...weights], cashFraction: cash };
  const moved = weights.map((w, i) => (from[i]! > 0 && to[i]! > 0 ? (w * to[i]!) / from[i]! : w));
  const value = cash + moved.reduce((a, w) => a + w, 0);
  if (!(value > 0)) return { weights: [...weights], cashFraction: cash };
  return { weights: moved.map((w) => w / value), cashFraction: cash / value };
}
