/**
 * The live loop's risk rules on net target quantities, using market-env's rule
 * functions so the env and the live loop apply the same thresholds:
 * stop-loss / take-profit per held position (against its average entry price), the
 * daily portfolio stop (no new entries once the day's loss reaches the limit), and
 * buying power (buys that add exposure are scaled down to fit).
 */
import { blockNewEntries, dailyStopHit, positionReturn } from '@marlts/market-env';
import type { AppConfig } from '../config.js';
import type { PlannedOrder } from './order-plan.js';

export interface HeldPosition {
  symbol: string;
  qty: number;
  avgEntryPrice: number;
}

/**
 * Adjusts `targets` (symbol → signed whole shares) in place; returns what it did.
 *
 * @example
 * const notes = applyRiskRules(targets, positions, prices, { equity: 97_000, dayStartEquity: 100_000 }, config.risk);
 */
export function applyRiskRules(
  targets: Map<string, number>,
  positions: readonly HeldPosition[],
  prices: ReadonlyMap<string, number>,
  account: { equity: number; dayStartEquity: number },
  risk: AppConfig['risk'],
): string[] {
  const notes: string[] = [];
  for (const p of positions) {
    const price = prices.get(p.symbol);
    if (price === undefined || !targets.has(p.symbol)) continue;
    const r = positionReturn(p.qty, p.avgEntryPrice, price);
    if (r <= -risk.stopLossPct || r >= risk.takeProfitPct) {
      targets.set(p.symbol, 0);
      notes.push(`${p.symbol} ${r <= 0 ? 'stop-loss' : 'take-profit'} at ${(r * 100).toFixed(1)}%`);
    }
  }
  if (dailyStopHit(account.dayStartEquity, account.equity, risk.dailyLossStopPct)) {
    const symbols = [...targets.keys()];
    const held = new Map(positions.map((p) => [p.symbol, p.qty]));
    const cur = Float64Array.from(symbols, (s) => held.get(s) ?? 0);
    const tgt = Float64Array.from(symbols, (s) => targets.get(s) ?? 0);
    blockNewEntries(tgt, cur);
    for (const [i, s] of symbols.entries()) targets.set(s, Math.trunc(tgt[i]!));
    notes.push(
      `daily stop: equity ${account.equity.toFixed(0)} is ${((account.equity / account.dayStartEquity - 1) * 100).toFixed(1)}% from the day's start; no new entries`,
    );
  }
  return notes;
}

/**
 * Scales down (in place) the buys that open or add to long positions so their notional
 * fits in 95 % of the buying power. Returns a note when it had to.
 */
export function fitBuyingPower(
  orders: PlannedOrder[],
  positions: ReadonlyMap<string, number>,
  prices: ReadonlyMap<string, number>,
  buyingPower: number,
): string | undefined {
  const adds = orders.filter((o) => o.side === 'buy' && (positions.get(o.symbol) ?? 0) >= 0);
  const notional = adds.reduce((a, o) => a + o.qty * (prices.get(o.symbol) ?? 0), 0);
  const budget = Math.max(0, buyingPower * 0.95);
  if (notional <= budget || notional === 0) return undefined;
  const s = budget / notional;
  for (const o of adds) o.qty = Math.floor(o.qty * s);
  return `buying power ${buyingPower.toFixed(0)}: buys scaled by ${s.toFixed(2)}`;
}
