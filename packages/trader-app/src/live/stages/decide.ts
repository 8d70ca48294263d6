/**
 * Stage: decide. Builds each agent's observation exactly as market-env does in training
 * (the same window of closes, and the agent's own sleeve drifted to this bar) and asks
 * both policies for their target weights.
 */
import { buildObservation } from '@marlts/market-env';
import type { observationOptions } from '../../engine/agent-design.js';
import { type AgentPair, policyWeights } from '../../engine/agents.js';
import { driftSleeve } from '../drift-sleeve.js';
import type { BarHistory } from '../history.js';
import type { Sleeves } from '../loop-state.js';

/**
 * The features the agents were trained on (`observationOptions(config)`).
 *
 * @example
 * const view: ObservationView = observationOptions(config);
 */
export type ObservationView = ReturnType<typeof observationOptions>;

/**
 * Both agents' target weights of their sleeves at bar `t` (long ≥ 0, short ≤ 0 within
 * `shortGrossLimit`).
 *
 * @example
 * const weights = decideWeights({ pair, sleeves, history, t, prices, nAssets: 10, view, shortGrossLimit: 1 });
 */
export function decideWeights(input: {
  pair: AgentPair;
  sleeves: Sleeves;
  history: BarHistory;
  t: number;
  /** The bar's close per symbol. */
  prices: ArrayLike<number>;
  nAssets: number;
  view: ObservationView;
  shortGrossLimit: number;
}): { long: Float64Array; short: Float64Array } {
  const { pair, sleeves, history, t, prices, nAssets, view } = input;
  const { closes } = history.closes(view.window + 1, t);
  // In training the agent sees its weights as filled at the next bar's open and marked at
  // this bar's close, not its last targets: drift the sleeves the same way so the live
  // features equal the training features (no drift for close-only data, where open = close).
  const fillPrices = sleeves.decidedAt === undefined ? undefined : history.fillOpens(sleeves.decidedAt, t);
  const observe = (weights: readonly number[]) => {
    const drifted = driftSleeve(weights, fillPrices, prices);
    return buildObservation({
      closes,
      nAssets,
      window: view.window,
      kind: view.kind,
      horizons: view.horizons,
      assetIdentity: view.assetIdentity,
      weights: drifted.weights,
      cashFraction: drifted.cashFraction,
    });
  };
  const longObservation = observe(sleeves.long);
  const shortObservation = observe(sleeves.short);
  return {
    long: policyWeights(pair.long, 'long', longObservation, nAssets),
    short: policyWeights(pair.short, 'short', shortObservation, nAssets, input.shortGrossLimit),
  };
}
