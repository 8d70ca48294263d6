/**
 * Plans the orders that move the account from its current positions to the net
 * targets, following the broker's rules: cancel open orders on a symbol before
 * trading it (an opposite-side open order makes Alpaca reject the new one as a
 * potential wash trade, and same-side legs reserve quantity); never cross zero in
 * one order (close first, open once the close has filled); skip tiny changes.
 */
import { clientOrderId } from './client-id.js';
import { ORDER_LEG, type OrderLeg } from './order-legs.js';

export interface OpenOrderView {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: string;
}

export interface PlannedOrder {
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  leg: OrderLeg;
  type: 'market' | 'limit';
  limitPrice: number | null;
  timeInForce: 'day' | 'gtc';
  /** Bracket legs for an opening order (stop-loss and take-profit prices). */
  bracket: { stopPrice: number; takeProfitPrice: number } | null;
  /** When the order crosses zero, the open part waits for the close: the qty to open afterwards. */
  thenOpen: number;
}

export interface OrderPlan {
  cancels: OpenOrderView[];
  orders: PlannedOrder[];
}

export interface PlanOptions {
  runId: string;
  barTime: number;
  orderType: 'market' | 'limit';
  limitOffsetBps: number;
  timeInForce: 'day' | 'gtc';
  useBrackets: boolean;
  stopLossPct: number;
  takeProfitPct: number;
  /** Ignore resizes of an open position below this many USD (opening and closing never; market-env's deadband does the same). */
  minTradeUsd: number;
  /** Symbols already traded at this bar (a restart finishing a bar): skip them. */
  alreadyPlanned?: ReadonlySet<string>;
}

/** Rounds a price to Alpaca's tick: cents at or above $1, 4 decimals below. */
export function roundPrice(p: number): number {
  return p >= 1 ? Math.round(p * 100) / 100 : Math.round(p * 10_000) / 10_000;
}

/** One order for `qty` (signed) shares at this bar. */
function makeOrder(
  symbol: string,
  signedQty: number,
  price: number,
  leg: OrderLeg,
  opening: boolean,
  opts: PlanOptions,
): PlannedOrder {
  const side = signedQty > 0 ? 'buy' : 'sell';
  const off = opts.limitOffsetBps / 10_000;
  const limitPrice =
    opts.orderType === 'limit' ? roundPrice(side === 'buy' ? price * (1 + off) : price * (1 - off)) : null;
  let bracket: PlannedOrder['bracket'] = null;
  if (opening && opts.useBrackets) {
    const sl = side === 'buy' ? price * (1 - opts.stopLossPct) : price * (1 + opts.stopLossPct);
    const tp = side === 'buy' ? price * (1 + opts.takeProfitPct) : price * (1 - opts.takeProfitPct);
    bracket = { stopPrice: roundPrice(sl), takeProfitPrice: roundPrice(tp) };
  }
  return {
    clientOrderId: clientOrderId(opts.runId, opts.barTime, symbol, leg),
    symbol,
    side,
    qty: Math.abs(signedQty),
    leg,
    type: opts.orderType,
    limitPrice,
    timeInForce: opts.timeInForce,
    bracket,
    thenOpen: 0,
  };
}

/**
 * Plans cancels and orders for one bar.
 *
 * @example
 * const plan = planOrders({ positions: new Map([['A', 10]]), targets: new Map([['A', -5]]),
 *   prices: new Map([['A', 20]]), openOrders: [] }, opts);
 * // one sell of 10 (close) with thenOpen = -5
 */
export function planOrders(
  state: {
    positions: ReadonlyMap<string, number>;
    targets: ReadonlyMap<string, number>;
    prices: ReadonlyMap<string, number>;
    openOrders: readonly OpenOrderView[];
  },
  opts: PlanOptions,
): OrderPlan {
  const cancels: OpenOrderView[] = [];
  const orders: PlannedOrder[] = [];
  for (const [symbol, target] of state.targets) {
    if (opts.alreadyPlanned?.has(symbol)) continue;
    const p = state.positions.get(symbol) ?? 0;
    const price = state.prices.get(symbol);
    if (price === undefined || !(price > 0)) continue;
    const dq = target - p;
    // Opening and closing are never too small: a sliver would stay open for good, and an entry
    // smaller than the band would never happen.
    if (dq === 0 || (Math.abs(dq) * price < opts.minTradeUsd && target !== 0 && p !== 0)) continue;
    // Trading this symbol: cancel everything still open on it (stale entries, bracket legs).
    for (const o of state.openOrders) if (o.symbol === symbol) cancels.push(o);
    if (p !== 0 && target !== 0 && Math.sign(p) !== Math.sign(target)) {
      // Crossing zero: close now, open the rest once the close has filled.
      const close = makeOrder(symbol, -p, price, ORDER_LEG.adjust, false, opts);
      close.thenOpen = target;
      orders.push(close);
    } else {
      orders.push(makeOrder(symbol, dq, price, ORDER_LEG.adjust, p === 0, opts));
    }
  }
  return { cancels, orders };
}

/** The opening order that follows a filled close (the second half of a zero crossing). */
export function openAfterClose(
  symbol: string,
  target: number,
  price: number,
  opts: PlanOptions,
): PlannedOrder {
  return makeOrder(symbol, target, price, ORDER_LEG.openAfterClose, true, opts);
}
