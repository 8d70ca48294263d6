/**
 * From the two agents' target weights to one target quantity per symbol on one
 * account (architecture.md, "Long and short agents on one account"): each agent
 * manages a sleeve of the account's equity; their notional targets are summed per
 * symbol, capped by the maximum position weight, blocked by shortability, and cut to
 * whole shares (no fractional shorts; whole shares everywhere keeps both sides equal).
 */

export interface NetTargetsInput {
  symbols: readonly string[];
  /** Last close per symbol (same order as `symbols`). */
  prices: ArrayLike<number>;
  /** Long agent's weights (≥ 0, Σ ≤ 1) of its sleeve. */
  longWeights: ArrayLike<number>;
  /** Short agent's weights (≤ 0, Σ|w| ≤ its gross limit) of its sleeve. */
  shortWeights: ArrayLike<number>;
  /** Account equity in USD. */
  equity: number;
  /** Fraction of equity managed by each agent. */
  longSleeve: number;
  shortSleeve: number;
  /** Cap of |position value| / equity. */
  maxPositionWeight: number;
  /** Symbols that may not be held short (not shortable / hard to borrow / account too small). */
  noShort?: ReadonlySet<string>;
}

export interface NetTarget {
  symbol: string;
  /** Net target weight of equity after caps. */
  weight: number;
  /** Whole shares, signed. */
  qty: number;
  /** Why the raw target changed, if it did. */
  notes: string[];
}

/**
 * Nets both agents' targets into signed whole-share quantities per symbol.
 *
 * @example
 * netTargets({ symbols: ['A'], prices: [10], longWeights: [0.4], shortWeights: [-0.1], equity: 1000,
 *   longSleeve: 0.5, shortSleeve: 0.5, maxPositionWeight: 1 }); // A: weight 0.15, qty 15
 */
export function netTargets(input: NetTargetsInput): NetTarget[] {
  const out: NetTarget[] = [];
  for (let i = 0; i < input.symbols.length; i++) {
    const symbol = input.symbols[i]!;
    const notes: string[] = [];
    const wl = Math.max(0, input.longWeights[i] ?? 0);
    const ws = Math.min(0, input.shortWeights[i] ?? 0);
    let w = wl * input.longSleeve + ws * input.shortSleeve;
    if (Math.abs(w) > input.maxPositionWeight) {
      notes.push(`capped ${w.toFixed(3)} to ±${input.maxPositionWeight}`);
      w = Math.sign(w) * input.maxPositionWeight;
    }
    if (w < 0 && input.noShort?.has(symbol)) {
      notes.push('short not allowed');
      w = 0;
    }
    const price = input.prices[i]!;
    const qty = price > 0 && input.equity > 0 ? Math.trunc((w * input.equity) / price) : 0;
    out.push({ symbol, weight: w, qty: qty === 0 ? 0 : qty, notes });
  }
  return out;
}
