/**
 * The account: cash, positions, executions and the closing prices that mark them, and
 * what follows from them (documented simplification of Reg T): equity = cash + Σ qty × last
 * close; buying power = multiplier × equity − gross position value − the estimated cost of
 * open orders that would open or add to a position.
 */
import { randomUUID } from 'node:crypto';
import type { RuleFill } from '../rules/result.js';
import { round } from './format.js';
import { canFill, type Side, type SimFill, type SimOrder, type SimPosition } from './model.js';
import type { PaperExchangeConfig } from './options.js';
import type { OrderBook } from './order-book.js';
import type { SessionClock } from './session-clock.js';

/**
 * The paper account of one exchange.
 * @example
 * const account = new SimAccount(config, clock, orders);
 * account.buyingPower(); // 2 × 100 000 before any order
 */
export class SimAccount {
  readonly id = randomUUID();
  readonly accountNumber = `PA${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  readonly createdAt: number;
  cash: number;
  /** Equity at the previous session's close (`last_equity`). */
  lastEquity: number;
  readonly positions = new Map<string, SimPosition>();
  readonly fills: SimFill[] = [];
  /** The last close of each symbol replayed so far. */
  readonly lastClose = new Map<string, number>();
  /** Each symbol's close at the end of the previous session. */
  readonly lastdayPrice = new Map<string, number>();

  constructor(
    private readonly config: PaperExchangeConfig,
    private readonly clock: SessionClock,
    private readonly orders: OrderBook,
  ) {
    this.cash = config.initialCash;
    this.lastEquity = config.initialCash;
    this.createdAt = clock.now();
  }

  /** Last close of a symbol; before its first bar, the first bar's open (used for estimates only). */
  price(symbol: string): number | null {
    const c = this.lastClose.get(symbol);
    if (c !== undefined) return c;
    const first = this.clock.barsBySymbol.get(symbol)?.[0];
    return first ? first.open : null;
  }

  /** The price a position is valued at: the last close, else its entry price. */
  markPrice(p: SimPosition): number {
    return this.price(p.symbol) ?? p.avgEntryPrice;
  }

  equity(): number {
    let e = this.cash;
    for (const p of this.positions.values()) e += p.qty * this.markPrice(p);
    return e;
  }

  private grossExposure(): number {
    let g = 0;
    for (const p of this.positions.values()) g += Math.abs(p.qty * this.markPrice(p));
    return g;
  }

  /**
   * The price an order is expected to trade at, for buying power: its limit, else the higher
   * of its stop and the last close; a short is estimated at least 3 % above the last close.
   */
  estimatePrice(
    o: Pick<SimOrder, 'symbol' | 'side' | 'limitPrice' | 'stopPrice'>,
    opensShort: boolean,
  ): number {
    const last = this.price(o.symbol) ?? 0;
    if (opensShort) return Math.max(o.limitPrice ?? 0, last * 1.03);
    return o.limitPrice ?? Math.max(o.stopPrice ?? 0, last);
  }

  /** A `side` order in `symbol` would open or add to a position (rather than reduce one). */
  opens(side: Side, symbol: string): boolean {
    const q = this.positions.get(symbol)?.qty ?? 0;
    return side === 'buy' ? q >= 0 : q <= 0;
  }

  /** Estimated cost of open orders that would open or add to a position. */
  private reservedBuyingPower(): number {
    let r = 0;
    for (const o of this.orders.live) {
      if (!canFill(o.status) || o.parentId !== null) continue;
      if (!this.opens(o.side, o.symbol)) continue;
      const estimate = this.estimatePrice(o, o.side === 'sell');
      const rem =
        o.qty !== null ? o.qty - o.filledQty : ((o.notional ?? 0) - o.filledNotional) / (estimate || 1);
      r += rem * estimate;
    }
    return r;
  }

  buyingPower(): number {
    const multiplier = this.config.marginMultiplier;
    return Math.max(0, multiplier * this.equity() - this.grossExposure() - this.reservedBuyingPower());
  }

  /** A margin account without `noShorting`. */
  shortingEnabled(): boolean {
    return this.config.marginMultiplier > 1 && !this.config.noShorting;
  }

  /** The executions as the day-trade rule reads them. */
  ruleFills(): RuleFill[] {
    return this.fills.map((f) => ({ symbol: f.symbol, side: f.side, time: f.time, qty: f.qty }));
  }

  /** A new session starts: today's equity and closes become "last day"'s. */
  startSession(): void {
    this.lastEquity = this.equity();
    for (const [s, c] of this.lastClose) this.lastdayPrice.set(s, c);
  }

  /**
   * Book an execution of `q` shares at `price` into the position and cash (fees included);
   * returns the signed position after it.
   */
  applyExecution(o: Pick<SimOrder, 'side' | 'symbol' | 'assetId'>, q: number, price: number): number {
    const signed = o.side === 'buy' ? q : -q;
    const p = this.positions.get(o.symbol);
    const before = p?.qty ?? 0;
    const after = round(before + signed);
    if (after === 0) this.positions.delete(o.symbol);
    else if (!p || before === 0 || Math.sign(before) !== Math.sign(after)) {
      this.positions.set(o.symbol, {
        symbol: o.symbol,
        assetId: o.assetId,
        qty: after,
        avgEntryPrice: price,
      });
    } else if (Math.abs(after) > Math.abs(before)) {
      p.avgEntryPrice = (Math.abs(before) * p.avgEntryPrice + q * price) / Math.abs(after);
      p.qty = after;
    } else p.qty = after;
    const notional = q * price;
    this.cash += o.side === 'buy' ? -notional : notional;
    this.cash -= (notional * this.config.feeBps) / 10_000;
    this.cash = round(this.cash, 9);
    return after;
  }
}
