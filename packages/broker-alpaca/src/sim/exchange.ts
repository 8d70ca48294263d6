/**
 * The paper exchange's book, without any HTTP: a replay clock stepping through a bar feed,
 * Alpaca's order state machine, fills from the bars, positions and cash, and the broker
 * rules. `server.ts` puts the Alpaca REST and websocket API in front of it.
 *
 * Where each part lives:
 * - `session-clock.ts`: the feed by time and symbol, sessions and holidays, the replay clock;
 * - `order-intake.ts` (+ `intake-rules.ts`): accepting and replacing orders;
 * - `order-book.ts`: the orders, their end states (cancel, expire), the order queries;
 * - `matching.ts`: the fill model, what each bar fills;
 * - `account.ts`: cash, positions, equity and buying power;
 * - `wire/`: Alpaca's JSON of all of it.
 *
 * This file holds the replay step and closing positions. Time in force across sessions:
 * `day` orders expire at the end of the session in which they were first eligible; `gtc`
 * stays (the one-shot kinds are `matching.ts`'s).
 */
import { nyWallToUtc } from '../rules/ny-time.js';
import { SimAccount } from './account.js';
import { buildAssets, type SimAsset } from './assets.js';
import type { Book } from './book.js';
import { dec, round } from './format.js';
import { fillBar } from './matching.js';
import type { Side, SimOrder } from './model.js';
import type { PaperExchangeConfig } from './options.js';
import { OrderBook } from './order-book.js';
import { replaceOrder, submitOrder } from './order-intake.js';
import { forbidden, notFound, Rejection, unprocessable } from './rejection.js';
import { SessionClock } from './session-clock.js';
import { orderJson } from './wire/orders.js';

/**
 * The order book, account and replay clock of one paper exchange.
 * @example
 * const book = new PaperBook(config);
 * book.submitOrder({ symbol: 'MSFT', qty: '10', side: 'buy', type: 'market', time_in_force: 'day' });
 * book.advance(); // fills at the next bar's open
 */
export class PaperBook implements Book {
  readonly config: PaperExchangeConfig;
  readonly clock: SessionClock;
  readonly orders: OrderBook;
  readonly account: SimAccount;
  readonly assets: Map<string, SimAsset>;

  constructor(config: PaperExchangeConfig) {
    this.config = config;
    this.clock = new SessionClock(config.bars, config.timestamps);
    this.orders = new OrderBook(this.clock);
    this.account = new SimAccount(config, this.clock, this.orders);
    this.assets = buildAssets(config, this.clock.barsBySymbol.keys());
  }

  /** POST /v2/orders (see `order-intake.ts`). */
  submitOrder(body: Record<string, unknown>, options: { skipRules?: boolean } = {}): SimOrder {
    return submitOrder(this, body, options);
  }

  /** PATCH /v2/orders/:id (see `order-intake.ts`). */
  replaceOrder(id: string, body: Record<string, unknown>): SimOrder {
    return replaceOrder(this, id, body);
  }

  /** DELETE /v2/positions/:symbol — a market order that closes all or part of the position. */
  closePosition(symbol: string, opts: { qty?: number; percentage?: number } = {}): SimOrder {
    const p = this.account.positions.get(symbol.toUpperCase());
    if (!p) throw notFound('position not found');
    if (opts.qty !== undefined && opts.percentage !== undefined) {
      throw unprocessable('only one of qty or percentage is accepted', 40010001);
    }
    let qty = Math.abs(p.qty);
    if (opts.qty !== undefined) qty = opts.qty;
    if (opts.percentage !== undefined) qty = round((Math.abs(p.qty) * opts.percentage) / 100, 9);
    const side: Side = p.qty > 0 ? 'sell' : 'buy';
    const held = this.orders.heldForOrders(p.symbol, side);
    if (qty > Math.abs(p.qty) - held + 1e-9) {
      throw forbidden(
        `insufficient qty available for order (requested: ${dec(qty)}, available: ${dec(Math.max(0, Math.abs(p.qty) - held))})`,
        { symbol: p.symbol, held_for_orders: dec(held), existing_qty: dec(Math.abs(p.qty)) },
      );
    }
    return submitOrder(
      this,
      {
        symbol: p.symbol,
        qty: dec(qty),
        side,
        type: 'market',
        time_in_force: Number.isInteger(qty) ? 'gtc' : 'day',
      },
      { skipRules: true },
    );
  }

  /** DELETE /v2/positions — close every position (optionally canceling open orders first). */
  closeAll(cancelOrders: boolean): { symbol: string; status: number; body: Record<string, unknown> }[] {
    if (cancelOrders) this.orders.cancelAll();
    const out: { symbol: string; status: number; body: Record<string, unknown> }[] = [];
    for (const p of [...this.account.positions.values()]) {
      try {
        out.push({
          symbol: p.symbol,
          status: 200,
          body: orderJson(this.closePosition(p.symbol), true, this.orders.orderById),
        });
      } catch (e) {
        if (!(e instanceof Rejection)) throw e;
        out.push({ symbol: p.symbol, status: e.status, body: e.body });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- the replay step

  /**
   * Move the clock to the next bar time and fill what that bar allows. Returns
   * false (and does nothing) when the feed is exhausted.
   */
  advance(): boolean {
    const step = this.clock.step();
    if (step === undefined) return false;
    const { time: t, session } = step;
    if (step.sessionChanged) this.account.startSession();
    const execAt = this.clock.execTime(t);
    // Day orders belong to the first session in which they are eligible.
    for (const o of this.orders.openOrders()) {
      if (o.timeInForce === 'day' && o.sessionDate === null) o.sessionDate = session;
      if (o.timeInForce === 'day' && o.sessionDate !== null && o.sessionDate < session) {
        this.orders.finish(o, 'expired', this.clock.stamp(nyWallToUtc(o.sessionDate, 16, 0)));
      }
    }
    for (const bar of this.clock.barsAt.get(t) ?? []) fillBar(this, bar, execAt);
    for (const bar of this.clock.barsAt.get(t) ?? []) this.account.lastClose.set(bar.symbol, bar.close);
    // End of session: the next step belongs to another session (or there is none).
    if (this.clock.sessionEnds()) {
      // Stamped at the end of the last bar of the session (the feed may stop before 16:00).
      for (const o of this.orders.openOrders()) {
        if (o.timeInForce === 'day' && o.sessionDate !== null && o.sessionDate <= session) {
          this.orders.finish(o, 'expired', this.clock.stamp());
        }
      }
    }
    return true;
  }
}
