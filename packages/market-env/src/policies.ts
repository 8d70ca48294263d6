/**
 * Built-in heuristic agents as pure policies over a {@link PolicyView}. The env calls them
 * every step; the app can call the same functions on live bars. A policy writes target
 * weights into `out` and returns true, or returns false to keep the current holdings
 * (no trade at all, e.g. buy-and-hold after its first purchase).
 */
import type { AgentRole } from './actions.js';

/** What a heuristic policy sees at decision bar t (only data up to the close of t). */
export interface PolicyView {
  nAssets: number;
  /** Time-major closes `[rows × nAssets]`; row `t` is the decision bar (later rows are never read). */
  closes: ArrayLike<number>;
  /** Index of the decision bar in `closes`. */
  t: number;
  /** `[nAssets]` the agent's current weights. */
  weights: ArrayLike<number>;
  /** `[nAssets]` all agents' net traded notional in the last step ÷ the total value of all agents. */
  netFlow: ArrayLike<number>;
}

/** A heuristic policy: writes target weights into `out` (length nAssets); false = hold. */
export type HeuristicPolicy = (view: PolicyView, out: Float64Array) => boolean;

function spread(out: Float64Array, n: number, role: AgentRole): void {
  // Turn raw scores in `out` into weights for the role: long keeps positive scores,
  // short keeps negative ones, long-short keeps both; gross exposure 1.
  let gross = 0;
  for (let i = 0; i < n; i++) {
    let s = out[i]!;
    if (role === 'long' && s < 0) s = 0;
    if (role === 'short' && s > 0) s = 0;
    out[i] = s;
    gross += Math.abs(s);
  }
  if (gross > 0) for (let i = 0; i < n; i++) out[i] = out[i]! / gross;
}

/**
 * Momentum: score = log return over `lookback` bars; holds the winners (long), shorts the
 * losers (short), or both. All cash when no asset qualifies.
 * @example
 * const policy = momentumPolicy({ lookback: 20 });
 * policy({ nAssets: 2, closes, t: 40, weights: [0, 0], netFlow: [0, 0] }, out);
 */
export function momentumPolicy(options: { lookback?: number; role?: AgentRole } = {}): HeuristicPolicy {
  const lookback = options.lookback ?? 20;
  const role = options.role ?? 'long';
  return (view, out) => {
    const N = view.nAssets;
    const L = Math.min(lookback, view.t);
    const now = view.t * N;
    const then = (view.t - L) * N;
    for (let n = 0; n < N; n++) out[n] = L > 0 ? Math.log(view.closes[now + n]! / view.closes[then + n]!) : 0;
    spread(out, N, role);
    return true;
  };
}

/**
 * Mean reversion: z-score of the close against its `lookback`-bar mean; buys what is
 * below its mean (long), shorts what is above it (short), or both.
 * @example
 * const policy = meanReversionPolicy({ lookback: 20 });
 */
export function meanReversionPolicy(options: { lookback?: number; role?: AgentRole } = {}): HeuristicPolicy {
  const lookback = options.lookback ?? 20;
  const role = options.role ?? 'long';
  return (view, out) => {
    const N = view.nAssets;
    const L = Math.min(lookback, view.t + 1);
    const c = view.closes;
    for (let n = 0; n < N; n++) {
      let sum = 0;
      let sq = 0;
      for (let s = view.t - L + 1; s <= view.t; s++) {
        const x = c[s * N + n]!;
        sum += x;
        sq += x * x;
      }
      const mean = sum / L;
      const variance = Math.max(sq / L - mean * mean, 0);
      const sd = Math.sqrt(variance);
      out[n] = sd > 1e-12 * mean ? -(c[view.t * N + n]! - mean) / sd : 0;
    }
    spread(out, N, role);
    return true;
  };
}

/**
 * Market maker: leans against the net flow of the last step (sells what the market
 * bought) and keeps its inventory small: the previous weight decays by `decay` and each
 * weight is clipped to ±`maxInventory`.
 * @example
 * const policy = marketMakerPolicy({ lean: 2, maxInventory: 0.1 });
 */
export function marketMakerPolicy(
  options: { lean?: number; maxInventory?: number; decay?: number } = {},
): HeuristicPolicy {
  const lean = options.lean ?? 2;
  const maxInv = options.maxInventory ?? 0.1;
  const decay = options.decay ?? 0.5;
  return (view, out) => {
    for (let n = 0; n < view.nAssets; n++) {
      const w = (1 - decay) * view.weights[n]! - lean * view.netFlow[n]!;
      out[n] = w > maxInv ? maxInv : Math.max(w, -maxInv);
    }
    return true;
  };
}

/**
 * Buy-and-hold: equal weights on the first decision (while the agent holds nothing),
 * then never trades again.
 * @example
 * const policy = buyAndHoldPolicy();
 */
export function buyAndHoldPolicy(): HeuristicPolicy {
  return (view, out) => {
    for (let n = 0; n < view.nAssets; n++) if (view.weights[n] !== 0) return false;
    out.fill(1 / view.nAssets, 0, view.nAssets);
    return true;
  };
}

/**
 * Equal weight: rebalances to 1/N every `rebalanceEvery` bars (holds in between).
 * @example
 * const policy = equalWeightPolicy({ rebalanceEvery: 21 });
 */
export function equalWeightPolicy(options: { rebalanceEvery?: number } = {}): HeuristicPolicy {
  const every = options.rebalanceEvery ?? 1;
  return (view, out) => {
    let empty = true;
    for (let n = 0; n < view.nAssets; n++) if (view.weights[n] !== 0) empty = false;
    if (!empty && every > 1 && view.t % every !== 0) return false;
    out.fill(1 / view.nAssets, 0, view.nAssets);
    return true;
  };
}
