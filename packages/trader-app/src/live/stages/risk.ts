/**
 * Stage: risk. From the agents' sleeve weights to the whole-share target of each symbol
 * the account may hold: shorts only where the broker allows them (asset flags, account
 * switch, the $2,000 minimum), both sleeves netted and capped per symbol, then the risk
 * rules (stop-loss / take-profit per position, the daily stop).
 */
import { type Asset, checkShortable } from '@marlts/broker-alpaca';
import type { AppConfig } from '../../config.js';
import type { LiveSession } from '../loop-state.js';
import { applyRiskRules } from '../risk.js';
import { netTargets } from '../targets.js';
import type { BarAccount } from './bookkeeping.js';

/**
 * The targets the execute stage trades toward.
 *
 * @example
 * const { targets, notes } = await riskCheckedTargets(session, input);
 */
export interface RiskCheckedTargets {
  /** Symbol → signed whole shares. */
  targets: Map<string, number>;
  /** Symbol → the bar's close. */
  prices: Map<string, number>;
  /** What the rules changed, for the log. */
  notes: string[];
}

/**
 * The risk-checked targets at one bar. Looks up (once per session, into `assets`) each
 * symbol's asset record for its shortability.
 *
 * @example
 * await riskCheckedTargets(session, { symbols, weights, bar, assets, env: config.env, risk: config.risk });
 */
export async function riskCheckedTargets(
  session: LiveSession,
  input: {
    symbols: readonly string[];
    weights: { long: ArrayLike<number>; short: ArrayLike<number> };
    bar: BarAccount;
    assets: Map<string, Asset>;
    env: Pick<AppConfig['env'], 'longSleeve' | 'shortSleeve'>;
    risk: AppConfig['risk'];
  },
): Promise<RiskCheckedTargets> {
  const { symbols, bar, assets, risk } = input;
  const { account, equity } = bar;
  const noShort = new Set<string>();
  for (const symbol of symbols) {
    let asset = assets.get(symbol);
    if (!asset) {
      asset = await session.broker.getAsset(symbol);
      assets.set(symbol, asset);
    }
    const shortable = checkShortable({ asset, qty: 1, equity, shortingEnabled: account.shortingEnabled });
    if (!shortable.ok) noShort.add(symbol);
  }
  const netted = netTargets({
    symbols,
    prices: bar.prices,
    longWeights: input.weights.long,
    shortWeights: input.weights.short,
    equity,
    longSleeve: input.env.longSleeve,
    shortSleeve: input.env.shortSleeve,
    maxPositionWeight: risk.maxPositionWeight,
    noShort,
  });
  const targets = new Map(netted.map((x) => [x.symbol, x.qty]));
  const prices = new Map(symbols.map((s, n) => [s, bar.prices[n]!]));
  const notes = applyRiskRules(
    targets,
    bar.positions,
    prices,
    { equity, dayStartEquity: bar.dayStartEquity },
    risk,
  );
  return { targets, prices, notes };
}
