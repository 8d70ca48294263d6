/**
 * Matching and fills: what each bar does to the open orders of its symbol.
 *
 * Fill model (per bar of the order's symbol, orders in submission order):
 * - an order submitted while bar t is current is first eligible on the next bar
 *   of its symbol (no look-ahead);
 * - market: that bar's open (`cls`: its close);
 * - limit buy: when low ≤ limit, at min(open, limit); limit sell: when high ≥ limit, at max(open, limit);
 * - stop buy: when high ≥ stop, at max(open, stop); stop sell: when low ≤ stop, at min(open, stop);
 *   a triggered stop that was only partly filled continues as a market order;
 * - stop-limit: triggers like a stop; on the trigger bar it fills at the trigger
 *   price only if that is within the limit, afterwards it rests as a limit order;
 * - trailing stop: the stop is checked against the bar first, then the
 *   high-water mark (low-water for buys) moves with the bar's high (low);
 * - volume: one bar fills at most `maxVolumeShare × volume` shares per symbol
 *   (shared by the orders in submission order, whole shares for whole-share
 *   orders); the rest stays open (`partially_filled`). Volume 0 means unlimited;
 * - bracket / OTO legs become active when the entry is completely filled and may
 *   fill on the same bar; when both legs could fill on one bar the stop-loss wins
 *   (pessimistic, the order inside a bar is unknown); a leg's fill reduces its
 *   sibling's quantity and a complete fill cancels it (OCO the same);
 * - time in force: `ioc` fills what the next bar allows and cancels the rest; `fok`
 *   fills completely on the next bar or is canceled; `opg` is an ioc at the next bar's
 *   open, `cls` an ioc at the next bar's close (`day` expiry is the replay step's, in
 *   `exchange.ts`).
 */
import { randomUUID } from 'node:crypto';
import { isTerminalOrderStatus } from '../order-status.js';
import type { Book } from './book.js';
import { dec, round } from './format.js';
import { canFill, remainingQty, type SimFill, type SimOrder } from './model.js';
import type { Bar } from './options.js';

/** One-shot times in force: whatever the next bar does not fill is canceled. */
const ONE_SHOT = ['ioc', 'fok', 'opg', 'cls'];

/**
 * Fill what one bar allows of the open orders in its symbol (stop-loss legs first, then
 * submission order), within the bar's volume cap; one-shot orders (`ioc`, `fok`, `opg`,
 * `cls`) are canceled after it.
 * @example
 * for (const bar of clock.barsAt.get(t) ?? []) fillBar(book, bar, clock.execTime(t));
 */
export function fillBar(book: Book, bar: Bar, execAt: number): void {
  let cap = bar.volume > 0 ? book.config.maxVolumeShare * bar.volume : Number.POSITIVE_INFINITY;
  const queue = [...book.orders.live]
    .filter((o) => o.symbol === bar.symbol && canFill(o.status))
    .sort((a, b) => priority(a) - priority(b) || a.seq - b.seq);
  const oneShot: SimOrder[] = [];
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i]!;
    if (!canFill(o.status)) continue; // canceled by a sibling on this bar
    if (ONE_SHOT.includes(o.timeInForce)) oneShot.push(o);
    const price = fillPrice(o, bar);
    if (price === null) continue;
    const remaining = remainingQty(o, price);
    const whole = o.qty !== null && Number.isInteger(o.qty);
    let q = Math.min(remaining, whole ? Math.floor(cap + 1e-9) : cap);
    if (o.parentId !== null) {
      // Exit legs never reverse the position.
      q = Math.min(q, Math.abs(book.account.positions.get(o.symbol)?.qty ?? 0));
    }
    if (o.timeInForce === 'fok' && q < remaining - 1e-9) continue;
    q = round(q);
    if (q <= 0) continue;
    if (o.parentId === null && book.account.opens(o.side, o.symbol) && !affordable(book, o, q, price)) {
      // Accepted on an estimate, but the execution price is beyond buying power (a gap).
      reject(book, o, book.clock.stamp(execAt));
      continue;
    }
    cap -= q;
    const activated = applyFill(book, o, q, price, book.clock.stamp(execAt), execAt);
    if (activated.length > 0) {
      queue.splice(i + 1, 0, ...activated.sort((a, b) => priority(a) - priority(b)));
    }
  }
  for (const o of oneShot) book.orders.finish(o, 'canceled', book.clock.stamp(execAt));
}

/** Can the account pay for this execution? Its own reservation is given back first. */
function affordable(book: Book, o: SimOrder, q: number, price: number): boolean {
  const estimate = book.account.estimatePrice(o, o.side === 'sell');
  const own = o.qty !== null ? (o.qty - o.filledQty) * estimate : (o.notional ?? 0) - o.filledNotional;
  return q * price <= book.account.buyingPower() + own + 1e-9;
}

/** An accepted order that cannot be paid for at its execution price ends `rejected` (with its legs). */
function reject(book: Book, o: SimOrder, at: number): void {
  if (o.filledQty > 0) {
    book.orders.finish(o, 'canceled', at);
    return;
  }
  o.status = 'rejected';
  book.orders.live.delete(o);
  o.failedAt = at;
  o.updatedAt = at;
  book.orders.emit('rejected', o, {}, at);
  for (const id of o.legIds) {
    const leg = book.orders.byId.get(id);
    if (leg && !isTerminalOrderStatus(leg.status)) book.orders.finish(leg, 'canceled', at);
  }
}

/** Stop-loss legs before take-profit legs on the same bar (pessimistic); otherwise submission order. */
function priority(o: SimOrder): number {
  return o.legRole === 'stop_loss' ? 0 : o.legRole === 'take_profit' ? 1 : 0;
}

/** The price `o` trades at on `bar`, or null; triggers stops and moves a trailing stop. */
function fillPrice(o: SimOrder, bar: Bar): number | null {
  const buy = o.side === 'buy';
  const limitCross = (l: number) =>
    buy ? (bar.low <= l ? Math.min(bar.open, l) : null) : bar.high >= l ? Math.max(bar.open, l) : null;
  const stopCross = (s: number) =>
    buy ? (bar.high >= s ? Math.max(bar.open, s) : null) : bar.low <= s ? Math.min(bar.open, s) : null;
  switch (o.type) {
    case 'market':
      return o.timeInForce === 'cls' ? bar.close : bar.open;
    case 'limit':
      return limitCross(o.limitPrice!);
    case 'stop': {
      if (o.triggered) return bar.open;
      const p = stopCross(o.stopPrice!);
      if (p !== null) o.triggered = true;
      return p;
    }
    case 'stop_limit': {
      if (o.triggered) return limitCross(o.limitPrice!);
      const p = stopCross(o.stopPrice!);
      if (p === null) return null;
      o.triggered = true;
      const l = o.limitPrice!;
      return (buy ? p <= l : p >= l) ? p : null;
    }
    case 'trailing_stop': {
      if (o.triggered) return bar.open;
      const p = stopCross(o.stopPrice!);
      if (p !== null) {
        o.triggered = true;
        return p;
      }
      o.hwm = buy ? Math.min(o.hwm ?? bar.low, bar.low) : Math.max(o.hwm ?? bar.high, bar.high);
      o.stopPrice = trailStop(o);
      return null;
    }
  }
}

/** Book one execution; returns bracket/OTO legs that became active. */
function applyFill(
  book: Book,
  o: SimOrder,
  q: number,
  price: number,
  at: number,
  replayAt: number,
): SimOrder[] {
  const after = book.account.applyExecution(o, q, price);
  const notional = q * price;
  o.filledQty = round(o.filledQty + q);
  o.filledNotional += notional;
  o.updatedAt = at;
  const complete = remainingQty(o, price) <= 1e-9;
  if (complete) {
    o.status = 'filled';
    book.orders.live.delete(o);
    o.filledAt = at;
  } else o.status = 'partially_filled';
  const fill: SimFill = {
    executionId: randomUUID(),
    orderId: o.id,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    qty: q,
    price,
    time: book.config.timestamps === 'wall' ? replayAt : at,
    positionQty: after,
  };
  book.account.fills.push(fill);
  book.orders.emit(
    complete ? 'fill' : 'partial_fill',
    o,
    { execution_id: fill.executionId, price: dec(price), qty: dec(q), position_qty: dec(after) },
    at,
  );
  // OCO siblings: shrink by what filled, cancel when this one is done.
  const group = book.orders.ocoGroup(o).filter((s) => s !== o && !isTerminalOrderStatus(s.status));
  for (const s of group) {
    if (complete) book.orders.finish(s, 'canceled', at);
    else if (s.qty !== null) s.qty = round(Math.max(s.filledQty, s.qty - q));
  }
  // Entry of a bracket / OTO filled: its legs go live.
  const activated: SimOrder[] = [];
  if (complete && o.parentId === null && (o.orderClass === 'bracket' || o.orderClass === 'oto')) {
    for (const id of o.legIds) {
      const leg = book.orders.byId.get(id)!;
      if (leg.status !== 'held') continue;
      leg.status = 'new';
      leg.qty = o.filledQty;
      leg.updatedAt = at;
      leg.submittedAt = at;
      if (leg.timeInForce === 'day') leg.sessionDate = book.clock.currentSession;
      book.orders.emit('new', leg, {}, at);
      activated.push(leg);
    }
  }
  return activated;
}

/**
 * A trailing stop's stop price from its high-water mark (low-water for a buy).
 * @example
 * trailStop({ side: 'sell', hwm: 100, trailPrice: 2, trailPercent: null }); // 98
 */
export function trailStop(o: Pick<SimOrder, 'side' | 'hwm' | 'trailPrice' | 'trailPercent'>): number {
  const hwm = o.hwm ?? 0;
  if (o.trailPrice !== null) return round(o.side === 'sell' ? hwm - o.trailPrice : hwm + o.trailPrice, 4);
  const pct = (o.trailPercent ?? 0) / 100;
  return round(o.side === 'sell' ? hwm * (1 - pct) : hwm * (1 + pct), 4);
}
