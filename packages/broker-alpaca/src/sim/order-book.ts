/**
 * The order book: every order by id and by client id, the open ones (the working set of
 * each replay step), Alpaca's end states (`canceled`, `expired`) with what they pull along
 * (held legs, OCO siblings), the queries of `GET /v2/orders`, and the `trade_updates`
 * events every change emits.
 */
import { isTerminalOrderStatus } from '../order-status.js';
import { canFill, type ListOrdersQuery, type Side, type SimOrder } from './model.js';
import { notFound, unprocessable } from './rejection.js';
import type { SessionClock } from './session-clock.js';
import { orderJson, type TradeUpdateEvent, tradeUpdateEvent } from './wire/orders.js';

/**
 * The orders of one exchange.
 * @example
 * const orders = new OrderBook(clock);
 * orders.onEvent = (e) => broadcast(e);
 * orders.listOrders({ status: 'open' });
 */
export class OrderBook {
  readonly byId = new Map<string, SimOrder>();
  /** Orders in an open status (new, accepted, partially_filled, held …): the working set of every step. */
  readonly live = new Set<SimOrder>();
  readonly byClientId = new Map<string, string>();
  /** Every event emitted, for assertions (the websocket server keeps no replay). */
  readonly events: TradeUpdateEvent[] = [];
  /** Called for every trade update; the server broadcasts it. */
  onEvent: (e: TradeUpdateEvent) => void = () => {};
  /** Submission order across the book (ties of equal timestamps keep it). */
  private seq = 0;
  readonly orderById = (id: string): SimOrder => this.byId.get(id)!;

  constructor(private readonly clock: SessionClock) {}

  /** The next submission sequence number. */
  nextSeq(): number {
    return this.seq++;
  }

  /** Store a new open order. */
  add(o: SimOrder): void {
    this.byId.set(o.id, o);
    this.live.add(o);
  }

  /** Record and announce a trade update about `o` (serialized as it is now). */
  emit(event: string, o: SimOrder, extra: Partial<TradeUpdateEvent> = {}, at?: number): void {
    const e = tradeUpdateEvent(event, o, extra, at, this.orderById);
    this.events.push(e);
    this.onEvent(e);
  }

  // ---------------------------------------------------------------- queries

  getOrder(id: string): SimOrder {
    const o = this.byId.get(id);
    if (!o) throw notFound('order not found');
    return o;
  }

  getByClientOrderId(clientOrderId: string): SimOrder {
    const id = this.byClientId.get(clientOrderId);
    if (id === undefined) throw notFound('order not found');
    return this.getOrder(id);
  }

  listOrders(q: ListOrdersQuery): SimOrder[] {
    const status = q.status ?? 'open';
    if (!['open', 'closed', 'all'].includes(status))
      throw unprocessable(`invalid status ${status}`, 40010001);
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw unprocessable('invalid limit', 40010001);
    let list = [...this.byId.values()].filter((o) => {
      if (q.nested && o.parentId !== null) return false;
      const open = !isTerminalOrderStatus(o.status);
      if (status === 'open' && !open) return false;
      if (status === 'closed' && open) return false;
      if (q.after !== undefined && !(o.submittedAt > q.after)) return false;
      if (q.until !== undefined && !(o.submittedAt < q.until)) return false;
      if (q.symbols && q.symbols.length > 0 && !q.symbols.includes(o.symbol)) return false;
      if (q.side && o.side !== q.side) return false;
      return true;
    });
    list.sort((a, b) => a.submittedAt - b.submittedAt || a.seq - b.seq);
    if ((q.direction ?? 'desc') === 'desc') list.reverse();
    list = list.slice(0, limit);
    return list;
  }

  /** Open orders in submission order. */
  openOrders(): SimOrder[] {
    return [...this.live].sort((a, b) => a.seq - b.seq);
  }

  /** Shares of `symbol` that open `side` orders would take out of the position. */
  heldForOrders(symbol: string, side: Side): number {
    // Open orders that would reduce the position; an OCO group holds its shares once.
    const byGroup = new Map<string, number>();
    for (const o of this.live) {
      if (o.symbol !== symbol || o.side !== side || !canFill(o.status)) continue;
      const group = o.orderClass === 'oco' || o.legRole !== null ? (o.parentId ?? o.id) : o.id;
      const rem = o.qty !== null ? o.qty - o.filledQty : 0;
      byGroup.set(group, Math.max(byGroup.get(group) ?? 0, rem));
    }
    let held = 0;
    for (const v of byGroup.values()) held += v;
    return held;
  }

  // ---------------------------------------------------------------- end states

  /** The orders that go together: an OCO pair, or a bracket's two exit legs; else the order alone. */
  ocoGroup(o: SimOrder): SimOrder[] {
    if (o.orderClass === 'oco') {
      const root = o.parentId ? this.byId.get(o.parentId)! : o;
      return [root, ...root.legIds.map((id) => this.byId.get(id)!)];
    }
    if (o.parentId !== null) {
      const parent = this.byId.get(o.parentId)!;
      if (parent.orderClass === 'bracket') return parent.legIds.map((id) => this.byId.get(id)!);
    }
    return [o];
  }

  /** End an open order as `canceled` or `expired` (with its held legs). */
  finish(o: SimOrder, status: 'canceled' | 'expired', at: number): void {
    if (isTerminalOrderStatus(o.status)) return;
    o.status = status;
    this.live.delete(o);
    o.updatedAt = at;
    if (status === 'canceled') o.canceledAt = at;
    else o.expiredAt = at;
    this.emit(status, o, {}, at);
    // Legs still waiting for an entry that will never (completely) fill go with it.
    for (const id of o.legIds) {
      const leg = this.byId.get(id);
      if (leg?.status === 'held') this.finish(leg, 'canceled', at);
    }
  }

  /** DELETE /v2/orders/:id — cancels the order and its group (bracket legs, OCO siblings). */
  cancelOrder(id: string): void {
    const o = this.getOrder(id);
    if (isTerminalOrderStatus(o.status)) {
      throw unprocessable(`order is already in "${o.status}" state`, 42210000);
    }
    const at = this.clock.stamp();
    const targets = new Set<SimOrder>([o, ...this.ocoGroup(o)]);
    for (const legId of o.legIds) targets.add(this.byId.get(legId)!);
    for (const t of targets) this.finish(t, 'canceled', at);
  }

  /** DELETE /v2/orders — cancel every open order; the per-order results of the 207 answer. */
  cancelAll(): { id: string; status: number; body: Record<string, unknown> }[] {
    const before = this.openOrders();
    for (const o of before) if (!isTerminalOrderStatus(o.status)) this.cancelOrder(o.id);
    return before.map((o) => ({ id: o.id, status: 200, body: orderJson(o, true, this.orderById) }));
  }
}
