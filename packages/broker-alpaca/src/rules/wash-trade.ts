/**
 * Wash-trade protection: Alpaca refuses an order while an opposite-side order
 * is open in the same symbol ("potential wash trade detected. use complex
 * orders"; "cannot open a long buy while a short sell order is open"). Bracket,
 * OCO and OTO legs submitted together with their entry are the allowed way.
 */
import { OK, type RuleOpenOrder, type RuleOrder, type RuleResult, refuse } from './result.js';

/** Input of {@link checkWashTrade}. */
export interface WashTradeInput {
  order: RuleOrder;
  /** Orders open at the broker (any symbol; only the same symbol matters). */
  openOrders: readonly RuleOpenOrder[];
}

/**
 * Refuse an order when an opposite-side order in the same symbol is open.
 * @example
 * checkWashTrade({ order: { symbol: 'MSFT', side: 'buy', qty: 1 }, openOrders: [{ symbol: 'MSFT', side: 'sell' }] });
 * // { ok: false, code: 'WASH_TRADE', reason: 'potential wash trade detected …' }
 */
export function checkWashTrade(input: WashTradeInput): RuleResult {
  const { order } = input;
  const clash = input.openOrders.find((o) => o.symbol === order.symbol && o.side !== order.side);
  if (clash === undefined) return OK;
  return refuse(
    'WASH_TRADE',
    `potential wash trade detected. use complex orders (an open ${clash.side} order${clash.id ? ` ${clash.id}` : ''} exists in ${order.symbol})`,
  );
}
