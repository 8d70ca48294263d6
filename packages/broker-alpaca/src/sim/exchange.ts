/**
 * The paper exchange's order book and account, without any HTTP: a replay
 * clock stepping through a bar feed, Alpaca's order state machine, fills from
 * the bars, positions and cash, and the broker rules. `server.ts` puts the
 * Alpaca REST and websocket API in front of it.
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
 *   sibling's quantity and a complete fill cancels it;
 * - time in force: `day` orders expire at the end of the session in which they
 *   were first eligible; `ioc` fills what the next bar allows and cancels the
 *   rest; `fok` fills completely on the next bar or is canceled; `opg` is an ioc
 *   at the next bar's open, `cls` an ioc at the next bar's close; `gtc` stays.
 *
 * Account (documented simplification of Reg T): equity = cash + Σ qty × last
 * close; buying power = multiplier × equity − gross position value − the
 * estimated cost of open orders that would open or add to a position.
 */
import { randomUUID } from 'node:crypto';
import { isTerminalOrderStatus } from '../order-status.js';
import { checkDayTradeRule, countDayTrades } from '../rules/day-trade.js';
import { addDays, nyDate, nyParts, nyWallToUtc, weekdayOf } from '../rules/ny-time.js';
import type { RuleFill, RuleResult } from '../rules/result.js';
import { checkShortable } from '../rules/shortable.js';
import { checkWashTrade } from '../rules/wash-trade.js';
import { dec, decOrNull, iso, round } from './format.js';
import type { Bar, PaperExchangeConfig } from './options.js';

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
export type OrderClass = 'simple' | 'bracket' | 'oco' | 'oto';

const ACTIVE_STATUSES = new Set(['new', 'accepted', 'partially_filled']);

/** An order as the exchange keeps it (numbers, epoch ms). */
export interface SimOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  assetId: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Shares, or null for a notional order. */
  qty: number | null;
  notional: number | null;
  limitPrice: number | null;
  stopPrice: number | null;
  trailPrice: number | null;
  trailPercent: number | null;
  hwm: number | null;
  orderClass: OrderClass;
  extendedHours: boolean;
  positionIntent: string | null;
  status: string;
  filledQty: number;
  filledNotional: number;
  createdAt: number;
  updatedAt: number;
  submittedAt: number;
  filledAt: number | null;
  expiredAt: number | null;
  canceledAt: number | null;
  failedAt: number | null;
  replacedAt: number | null;
  replacedBy: string | null;
  replaces: string | null;
  parentId: string | null;
  legIds: string[];
  legRole: 'take_profit' | 'stop_loss' | null;
  /** A stop / stop-limit / trailing stop has triggered. */
  triggered: boolean;
  /** Session (`YYYY-MM-DD`) in which a day order was first eligible. */
  sessionDate: string | null;
  seq: number;
}

/** One execution. */
export interface SimFill {
  executionId: string;
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  /** Replay time of the execution (UTC ms): the open of its bar for daily bars, the bar start otherwise. */
  time: number;
  /** Signed position after this fill. */
  positionQty: number;
}

export interface SimPosition {
  symbol: string;
  assetId: string;
  /** Signed: negative for a short. */
  qty: number;
  avgEntryPrice: number;
}

/** A `trade_updates` event ready to send (`data` of the stream message). */
export interface TradeUpdateEvent {
  event: string;
  execution_id?: string;
  order: Record<string, unknown>;
  timestamp: string;
  price?: string;
  qty?: string;
  position_qty?: string;
}

export interface SimAsset {
  id: string;
  class: 'us_equity';
  exchange: string;
  symbol: string;
  name: string;
  status: 'active' | 'inactive';
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easy_to_borrow: boolean;
  borrow_status: 'easy_to_borrow' | 'hard_to_borrow';
  fractionable: boolean;
  maintenance_margin_requirement: number;
  margin_requirement_long: string;
  margin_requirement_short: string;
  attributes: string[];
}

/** A request the exchange refuses: the HTTP status and Alpaca's error body. */
export class Rejection extends Error {
  override readonly name = 'Rejection';
  constructor(
    readonly status: number,
    readonly body: { code?: number; message: string; [k: string]: unknown },
  ) {
    super(body.message);
  }
}

const unprocessable = (message: string, code = 42210000) => new Rejection(422, { code, message });
const forbidden = (message: string, extra: Record<string, unknown> = {}, code = 40310000) =>
  new Rejection(403, { code, message, ...extra });

/** Map a refused broker rule to Alpaca's HTTP answer. */
function ruleRejection(r: Exclude<RuleResult, { ok: true }>): Rejection {
  switch (r.code) {
    case 'DAY_TRADE_RULE':
      return forbidden('trade denied due to pattern day trading protection', {}, 40310100);
    case 'WASH_TRADE':
      return forbidden('potential wash trade detected. use complex orders', { reason: r.reason });
    case 'NOT_SHORTABLE':
      return forbidden(r.reason);
    default:
      return forbidden(r.reason);
  }
}

function parseDecimal(value: unknown, field: string, { allowZero = false } = {}): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw unprocessable(`invalid ${field}`, 40010001);
  return n;
}

function checkPriceIncrement(price: number | null, field: string): void {
  if (price === null) return;
  const digits = price >= 1 ? 2 : 4;
  if (Math.abs(round(price, digits) - price) > 1e-9) {
    throw unprocessable(
      `invalid ${field} ${price}. sub-penny increment does not fulfill minimum pricing criteria`,
      42210000,
    );
  }
}

const ORDER_TYPES = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const TIFS = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);
const CLASSES = new Set(['simple', 'bracket', 'oco', 'oto', '']);

/** Query of {@link PaperBook.listOrders} (GET /v2/orders). */
export interface ListOrdersQuery {
  status?: string;
  limit?: number;
  after?: number;
  until?: number;
  direction?: 'asc' | 'desc';
  nested?: boolean;
  symbols?: string[];
  side?: string;
}

/** The order book, account and replay clock. */
export class PaperBook {
  readonly config: PaperExchangeConfig;
  readonly accountId = randomUUID();
  readonly accountNumber = `PA${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  readonly createdAt: number;
  /** Distinct bar times, ascending. */
  readonly times: number[];
  readonly barsAt = new Map<number, Bar[]>();
  readonly barsBySymbol = new Map<string, Bar[]>();
  /** True when the feed holds daily bars (sessions are whole bars). */
  readonly daily: boolean;
  readonly interval: number;
  /** Weekdays inside the feed's range that have no bar (exchange holidays). */
  readonly holidays: Set<string>;
  readonly sessions: string[];
  readonly assets = new Map<string, SimAsset>();
  /** Index of the current (last processed) step in `times`; −1 before the first bar. */
  cursor = -1;
  cash: number;
  lastEquity: number;
  readonly orders = new Map<string, SimOrder>();
  /** Orders in an open status (new, accepted, partially_filled, held …): the working set of every step. */
  private readonly live = new Set<SimOrder>();
  readonly byClientId = new Map<string, string>();
  readonly positions = new Map<string, SimPosition>();
  readonly fills: SimFill[] = [];
  readonly lastClose = new Map<string, number>();
  readonly lastdayPrice = new Map<string, number>();
  /** Every event emitted, for assertions (the websocket server keeps no replay). */
  readonly events: TradeUpdateEvent[] = [];
  /** Called for every trade update; the server broadcasts it. */
  onEvent: (e: TradeUpdateEvent) => void = () => {};
  private seq = 0;
  private lastStamp = 0;
  private currentSession: string | null = null;

  constructor(config: PaperExchangeConfig) {
    this.config = config;
    this.cash = config.initialCash;
    this.lastEquity = config.initialCash;
    const all = Array.isArray(config.bars) ? config.bars : Object.values(config.bars).flat();
    const sorted = [...all].sort((a, b) => a.time - b.time || a.symbol.localeCompare(b.symbol));
    for (const bar of sorted) {
      const atTime = this.barsAt.get(bar.time);
      if (atTime) {
        if (atTime.some((b) => b.symbol === bar.symbol)) continue; // duplicate bar: keep the first
        atTime.push(bar);
      } else this.barsAt.set(bar.time, [bar]);
      const list = this.barsBySymbol.get(bar.symbol);
      if (list) list.push(bar);
      else this.barsBySymbol.set(bar.symbol, [bar]);
    }
    this.times = [...this.barsAt.keys()];
    let interval = Number.POSITIVE_INFINITY;
    for (const list of this.barsBySymbol.values()) {
      for (let i = 1; i < list.length; i++) interval = Math.min(interval, list[i]!.time - list[i - 1]!.time);
    }
    if (!Number.isFinite(interval)) {
      const t = this.times[0];
      interval = t !== undefined && nyParts(t).hour === 0 ? 86_400_000 : 60_000;
    }
    this.interval = interval;
    this.daily = interval >= 20 * 3_600_000;
    const sessions = [...new Set(this.times.map((t) => this.sessionOf(t)))].sort();
    this.sessions = sessions;
    this.holidays = new Set();
    if (sessions.length > 0) {
      const have = new Set(sessions);
      for (let d = sessions[0]!; d <= sessions[sessions.length - 1]!; d = addDays(d, 1)) {
        const wd = weekdayOf(d);
        if (wd !== 0 && wd !== 6 && !have.has(d)) this.holidays.add(d);
      }
    }
    const symbols = new Set([...this.barsBySymbol.keys(), ...config.assets.map((a) => a.symbol)]);
    for (const symbol of [...symbols].sort()) {
      const given = config.assets.find((a) => a.symbol === symbol) ?? { symbol };
      const etb = given.borrow_status
        ? given.borrow_status === 'easy_to_borrow'
        : (given.easy_to_borrow ?? true);
      this.assets.set(symbol, {
        id: randomUUID(),
        class: 'us_equity',
        exchange: given.exchange ?? 'NASDAQ',
        symbol,
        name: given.name ?? `${symbol} (paper exchange)`,
        status: given.status ?? 'active',
        tradable: given.tradable ?? true,
        marginable: given.marginable ?? true,
        shortable: given.shortable ?? true,
        easy_to_borrow: etb,
        borrow_status: etb ? 'easy_to_borrow' : 'hard_to_borrow',
        fractionable: given.fractionable ?? true,
        maintenance_margin_requirement: 30,
        margin_requirement_long: '30',
        margin_requirement_short: '100',
        attributes: [],
      });
    }
    this.createdAt = this.now();
  }

  // ---------------------------------------------------------------- time

  /** The New York session date a bar belongs to. */
  sessionOf(time: number): string {
    // Daily bars stamped at midnight UTC are 19:00/20:00 the previous day in New York.
    return this.daily ? nyDate(time + 12 * 3_600_000) : nyDate(time);
  }

  /** When a bar's executions are stamped: the regular open for daily bars, the bar start otherwise. */
  private execTime(time: number): number {
    return this.daily ? nyWallToUtc(this.sessionOf(time), 9, 30) : time;
  }

  /** When a bar is complete: the regular close for daily bars, start + interval otherwise. */
  private endOf(time: number): number {
    return this.daily ? nyWallToUtc(this.sessionOf(time), 16, 0) : time + this.interval;
  }

  /** The replay clock: the end of the current bar (a minute before the first bar's open before any step). */
  now(): number {
    const t = this.times[this.cursor];
    if (t !== undefined) return this.endOf(t);
    const first = this.times[0];
    return first === undefined ? Date.UTC(2026, 0, 2, 14, 29) : this.execTime(first) - 60_000;
  }

  /** The current bar time, or null before the first step. */
  currentBarTime(): number | null {
    return this.times[this.cursor] ?? null;
  }

  /** True when every bar has been replayed. */
  get done(): boolean {
    return this.cursor >= this.times.length - 1;
  }

  /** Strictly increasing timestamps at or after the replay clock (orders and events get distinct times). */
  private stamp(at = this.now()): number {
    const base = this.config.timestamps === 'wall' ? Date.now() : at;
    this.lastStamp = Math.max(base, this.lastStamp + 1);
    return this.lastStamp;
  }

  // ---------------------------------------------------------------- prices and account

  /** Last close of a symbol; before its first bar, the first bar's open (used for estimates only). */
  price(symbol: string): number | null {
    const c = this.lastClose.get(symbol);
    if (c !== undefined) return c;
    const first = this.barsBySymbol.get(symbol)?.[0];
    return first ? first.open : null;
  }

  private markPrice(p: SimPosition): number {
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

  private remainingQty(o: SimOrder, price: number): number {
    if (o.qty !== null) return round(o.qty - o.filledQty);
    return round(Math.max(0, (o.notional ?? 0) - o.filledNotional) / price);
  }

  private estimatePrice(
    o: Pick<SimOrder, 'symbol' | 'side' | 'limitPrice' | 'stopPrice'>,
    opensShort: boolean,
  ): number {
    const last = this.price(o.symbol) ?? 0;
    if (opensShort) return Math.max(o.limitPrice ?? 0, last * 1.03);
    return o.limitPrice ?? Math.max(o.stopPrice ?? 0, last);
  }

  private opens(side: Side, symbol: string): boolean {
    const q = this.positions.get(symbol)?.qty ?? 0;
    return side === 'buy' ? q >= 0 : q <= 0;
  }

  /** Estimated cost of open orders that would open or add to a position. */
  private reservedBuyingPower(): number {
    let r = 0;
    for (const o of this.live) {
      if (!ACTIVE_STATUSES.has(o.status) || o.parentId !== null) continue;
      if (!this.opens(o.side, o.symbol)) continue;
      const px = this.estimatePrice(o, o.side === 'sell');
      const rem = o.qty !== null ? o.qty - o.filledQty : ((o.notional ?? 0) - o.filledNotional) / (px || 1);
      r += rem * px;
    }
    return r;
  }

  buyingPower(): number {
    const m = this.config.marginMultiplier;
    return Math.max(0, m * this.equity() - this.grossExposure() - this.reservedBuyingPower());
  }

  private shortingEnabled(): boolean {
    return this.config.marginMultiplier > 1 && !this.config.noShorting;
  }

  accountJson(): Record<string, unknown> {
    let long = 0;
    let short = 0;
    for (const p of this.positions.values()) {
      const mv = p.qty * this.markPrice(p);
      if (mv >= 0) long += mv;
      else short += mv;
    }
    const equity = this.equity();
    const m = this.config.marginMultiplier;
    const bp = this.buyingPower();
    const gross = long - short;
    const out: Record<string, unknown> = {
      id: this.accountId,
      admin_configurations: {},
      user_configurations: null,
      account_number: this.accountNumber,
      status: 'ACTIVE',
      crypto_status: 'INACTIVE',
      options_approved_level: 0,
      options_trading_level: 0,
      currency: 'USD',
      buying_power: dec(round(bp, 2)),
      regt_buying_power: dec(round(bp, 2)),
      non_marginable_buying_power: dec(round(Math.max(0, this.cash), 2)),
      options_buying_power: dec(round(Math.max(0, this.cash), 2)),
      effective_buying_power: dec(round(bp, 2)),
      accrued_fees: '0',
      cash: dec(round(this.cash, 4)),
      portfolio_value: dec(round(equity, 4)),
      equity: dec(round(equity, 4)),
      last_equity: dec(round(this.lastEquity, 4)),
      long_market_value: dec(round(long, 4)),
      short_market_value: dec(round(short, 4)),
      position_market_value: dec(round(gross, 4)),
      initial_margin: dec(round(gross / m, 4)),
      maintenance_margin: dec(round(0.3 * gross, 4)),
      last_maintenance_margin: '0',
      sma: '0',
      multiplier: String(m),
      pending_transfer_in: '0',
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      trade_suspended_by_user: false,
      shorting_enabled: this.shortingEnabled(),
      crypto_tier: 0,
      created_at: iso(this.createdAt),
      balance_asof: this.sessions[Math.max(0, this.sessionIndex() - 1)] ?? nyDate(this.now()),
    };
    if (this.config.dayTradeRule === 'legacy-pdt') {
      // The pre-2026-07-06 shape (account_legacy_pdt.json): these fields exist only in legacy mode.
      const count = countDayTrades(this.ruleFills(), { now: this.now(), holidays: this.holidays });
      out.pattern_day_trader = count >= 4;
      out.daytrade_count = count;
      out.daytrading_buying_power = dec(round(m >= 4 ? 4 * this.lastEquity : 0, 2));
      out.bod_dtbp = out.daytrading_buying_power;
      out.last_daytrade_count = count;
      out.last_daytrading_buying_power = out.daytrading_buying_power;
    }
    return out;
  }

  private sessionIndex(): number {
    const t = this.currentBarTime();
    return t === null ? 0 : this.sessions.indexOf(this.sessionOf(t));
  }

  configurationsJson(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      dtbp_check: undefined,
      no_shorting: !this.shortingEnabled(),
      fractional_trading: true,
      max_margin_multiplier: String(this.config.marginMultiplier),
      max_options_trading_level: 0,
      pdt_check: undefined,
      ptp_no_exception_entry: false,
      suspend_trade: false,
      trade_confirm_email: 'all',
    };
    if (this.config.dayTradeRule === 'legacy-pdt') {
      out.dtbp_check = 'entry';
      out.pdt_check = 'entry';
    } else {
      delete out.dtbp_check;
      delete out.pdt_check;
    }
    return out;
  }

  private heldForOrders(symbol: string, side: Side): number {
    // Open orders that would reduce the position; an OCO group holds its shares once.
    const byGroup = new Map<string, number>();
    for (const o of this.live) {
      if (o.symbol !== symbol || o.side !== side || !ACTIVE_STATUSES.has(o.status)) continue;
      const group = o.orderClass === 'oco' || o.legRole !== null ? (o.parentId ?? o.id) : o.id;
      const rem = o.qty !== null ? o.qty - o.filledQty : 0;
      byGroup.set(group, Math.max(byGroup.get(group) ?? 0, rem));
    }
    let held = 0;
    for (const v of byGroup.values()) held += v;
    return held;
  }

  positionJson(p: SimPosition): Record<string, unknown> {
    const price = this.markPrice(p);
    const lastday = this.lastdayPrice.get(p.symbol) ?? price;
    const mv = p.qty * price;
    const cost = p.qty * p.avgEntryPrice;
    const pl = mv - cost;
    const intraday = p.qty * (price - lastday);
    const held = this.heldForOrders(p.symbol, p.qty > 0 ? 'sell' : 'buy');
    const available = p.qty > 0 ? Math.max(0, p.qty - held) : Math.min(0, p.qty + held);
    const asset = this.assets.get(p.symbol);
    return {
      asset_id: p.assetId,
      symbol: p.symbol,
      exchange: asset?.exchange ?? 'NASDAQ',
      asset_class: 'us_equity',
      asset_marginable: asset?.marginable ?? true,
      qty: dec(p.qty),
      qty_available: dec(available),
      avg_entry_price: dec(round(p.avgEntryPrice, 6)),
      side: p.qty >= 0 ? 'long' : 'short',
      market_value: dec(round(mv, 4)),
      cost_basis: dec(round(cost, 4)),
      unrealized_pl: dec(round(pl, 4)),
      unrealized_plpc: dec(round(cost === 0 ? 0 : pl / Math.abs(cost), 6)),
      unrealized_intraday_pl: dec(round(intraday, 4)),
      unrealized_intraday_plpc: dec(round(lastday === 0 ? 0 : (price - lastday) / lastday, 6)),
      current_price: dec(price),
      lastday_price: dec(lastday),
      change_today: dec(round(lastday === 0 ? 0 : (price - lastday) / lastday, 6)),
    };
  }

  // ---------------------------------------------------------------- orders: JSON

  orderJson(o: SimOrder, nested = true): Record<string, unknown> {
    return {
      id: o.id,
      client_order_id: o.clientOrderId,
      created_at: iso(o.createdAt),
      updated_at: iso(o.updatedAt),
      submitted_at: iso(o.submittedAt),
      filled_at: iso(o.filledAt),
      expired_at: iso(o.expiredAt),
      expires_at: iso(this.expiresAt(o)),
      canceled_at: iso(o.canceledAt),
      failed_at: iso(o.failedAt),
      replaced_at: iso(o.replacedAt),
      replaced_by: o.replacedBy,
      replaces: o.replaces,
      asset_id: o.assetId,
      symbol: o.symbol,
      asset_class: 'us_equity',
      notional: decOrNull(o.notional),
      qty: decOrNull(o.qty),
      filled_qty: dec(o.filledQty),
      filled_avg_price: o.filledQty > 0 ? dec(round(o.filledNotional / o.filledQty, 6)) : null,
      order_class: o.orderClass,
      order_type: o.type,
      type: o.type,
      side: o.side,
      position_intent: o.positionIntent,
      time_in_force: o.timeInForce,
      limit_price: decOrNull(o.limitPrice),
      stop_price: decOrNull(o.stopPrice),
      status: o.status,
      extended_hours: o.extendedHours,
      legs:
        nested && o.legIds.length > 0
          ? o.legIds.map((id) => this.orderJson(this.orders.get(id)!, false))
          : null,
      trail_percent: decOrNull(o.trailPercent),
      trail_price: decOrNull(o.trailPrice),
      hwm: decOrNull(o.hwm),
      subtag: null,
      source: null,
    };
  }

  private expiresAt(o: SimOrder): number | null {
    if (o.timeInForce === 'gtc') return o.createdAt + 90 * 86_400_000;
    if (o.timeInForce === 'day' && o.sessionDate) return nyWallToUtc(o.sessionDate, 16, 0);
    return null;
  }

  private emit(event: string, o: SimOrder, extra: Partial<TradeUpdateEvent> = {}, at?: number): void {
    const e: TradeUpdateEvent = {
      event,
      ...(extra.execution_id ? { execution_id: extra.execution_id } : {}),
      order: this.orderJson(o, true),
      timestamp: iso(at ?? o.updatedAt) ?? '',
      ...(extra.price !== undefined ? { price: extra.price } : {}),
      ...(extra.qty !== undefined ? { qty: extra.qty } : {}),
      ...(extra.position_qty !== undefined ? { position_qty: extra.position_qty } : {}),
    };
    this.events.push(e);
    this.onEvent(e);
  }

  // ---------------------------------------------------------------- orders: queries

  getOrder(id: string): SimOrder {
    const o = this.orders.get(id);
    if (!o) throw new Rejection(404, { code: 40410000, message: 'order not found' });
    return o;
  }

  getByClientOrderId(clientOrderId: string): SimOrder {
    const id = this.byClientId.get(clientOrderId);
    if (id === undefined) throw new Rejection(404, { code: 40410000, message: 'order not found' });
    return this.getOrder(id);
  }

  listOrders(q: ListOrdersQuery): SimOrder[] {
    const status = q.status ?? 'open';
    if (!['open', 'closed', 'all'].includes(status))
      throw unprocessable(`invalid status ${status}`, 40010001);
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw unprocessable('invalid limit', 40010001);
    let list = [...this.orders.values()].filter((o) => {
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

  openOrders(): SimOrder[] {
    return [...this.live].sort((a, b) => a.seq - b.seq);
  }

  // ---------------------------------------------------------------- orders: submit

  /**
   * Validate and accept an order (the body of POST /v2/orders). Throws a
   * {@link Rejection} with Alpaca's status and body when refused.
   */
  submitOrder(body: Record<string, unknown>, options: { skipRules?: boolean } = {}): SimOrder {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new Rejection(400, { code: 40010000, message: 'request body format is invalid' });
    }
    const symbol = typeof body.symbol === 'string' ? body.symbol.toUpperCase() : '';
    if (!symbol) throw unprocessable('symbol is required', 40010001);
    const asset = this.assets.get(symbol);
    if (!asset) throw unprocessable(`asset "${symbol}" not found`, 42210000);
    if (!asset.tradable || asset.status !== 'active') throw unprocessable(`asset ${symbol} is not tradable`);
    if (body.side !== 'buy' && body.side !== 'sell') throw unprocessable('invalid side', 40010001);
    const side: Side = body.side;
    const orderClass = (
      body.order_class === '' || body.order_class === undefined ? 'simple' : body.order_class
    ) as OrderClass | string;
    if (!CLASSES.has(orderClass)) throw unprocessable(`invalid order_class ${String(orderClass)}`, 40010001);
    const type = (body.type ?? body.order_type ?? (orderClass === 'oco' ? 'limit' : undefined)) as string;
    if (!ORDER_TYPES.has(type)) throw unprocessable(`invalid order type ${String(type)}`, 40010001);
    const tif = body.time_in_force as string;
    if (!TIFS.has(tif)) throw unprocessable(`invalid time_in_force ${String(tif)}`, 40010001);
    const qty = parseDecimal(body.qty, 'qty');
    const notional = parseDecimal(body.notional, 'notional');
    if (qty === null && notional === null) throw unprocessable('qty or notional is required', 40010001);
    if (qty !== null && notional !== null)
      throw unprocessable('only one of qty or notional is accepted', 40010001);
    const stopPrice = parseDecimal(body.stop_price, 'stop_price');
    const trailPrice = parseDecimal(body.trail_price, 'trail_price');
    const trailPercent = parseDecimal(body.trail_percent, 'trail_percent');
    const takeProfit = (body.take_profit ?? null) as Record<string, unknown> | null;
    const stopLoss = (body.stop_loss ?? null) as Record<string, unknown> | null;
    const tpLimit = takeProfit ? parseDecimal(takeProfit.limit_price, 'take_profit.limit_price') : null;
    const slStop = stopLoss ? parseDecimal(stopLoss.stop_price, 'stop_loss.stop_price') : null;
    const slLimit = stopLoss ? parseDecimal(stopLoss.limit_price, 'stop_loss.limit_price') : null;
    if (orderClass === 'oco') {
      if (type !== 'limit') throw unprocessable('oco orders must be limit orders', 42210000);
      if (tpLimit === null || slStop === null) {
        throw unprocessable('oco orders require take_profit.limit_price and stop_loss.stop_price', 40010001);
      }
    }
    // The OCO order itself is its take-profit limit: Alpaca prices it from
    // take_profit.limit_price and ignores a top-level limit_price
    // (https://github.com/alpacahq/alpaca-py/issues/401), so one sent anyway must not trade.
    const limitPrice = orderClass === 'oco' ? tpLimit : parseDecimal(body.limit_price, 'limit_price');
    if ((type === 'limit' || type === 'stop_limit') && limitPrice === null) {
      throw unprocessable('limit_price is required', 40010001);
    }
    if ((type === 'stop' || type === 'stop_limit') && stopPrice === null) {
      throw unprocessable('stop_price is required', 40010001);
    }
    if (type === 'trailing_stop') {
      if ((trailPrice === null) === (trailPercent === null)) {
        throw unprocessable('exactly one of trail_price or trail_percent is required', 40010001);
      }
      if (tif !== 'day' && tif !== 'gtc')
        throw unprocessable('trailing stop orders must be day or gtc', 42210000);
    }
    for (const [p, f] of [
      [orderClass === 'oco' ? null : limitPrice, 'limit_price'], // an OCO's is take_profit's
      [stopPrice, 'stop_price'],
      [tpLimit, 'take_profit.limit_price'],
      [slStop, 'stop_loss.stop_price'],
      [slLimit, 'stop_loss.limit_price'],
    ] as const) {
      checkPriceIncrement(p, f);
    }
    const extendedHours = body.extended_hours === true;
    if (extendedHours && !(type === 'limit' && (tif === 'day' || tif === 'gtc'))) {
      throw unprocessable('extended hours order must be DAY or GTC limit orders', 42210000);
    }
    const fractional = notional !== null || (qty !== null && !Number.isInteger(qty));
    if (fractional) {
      if (!asset.fractionable) throw unprocessable(`requested asset is not fractionable`, 42210000);
      if (tif !== 'day') throw unprocessable('fractional orders must be DAY orders', 42210000);
      if (orderClass !== 'simple') throw unprocessable('fractional orders must be simple orders', 42210000);
    }
    if (notional !== null && type !== 'market')
      throw unprocessable('notional orders must be market orders', 42210000);
    const clientOrderId =
      typeof body.client_order_id === 'string' && body.client_order_id ? body.client_order_id : randomUUID();
    if (clientOrderId.length > 128)
      throw unprocessable('client_order_id must be no more than 128 characters', 40010001);
    if (this.byClientId.has(clientOrderId)) throw unprocessable('client_order_id must be unique', 40010001);

    // Order classes
    const base = limitPrice ?? this.price(symbol) ?? 0;
    if (orderClass === 'bracket') {
      if (tpLimit === null || slStop === null) {
        throw unprocessable(
          'bracket orders require take_profit.limit_price and stop_loss.stop_price',
          40010001,
        );
      }
      if (tif !== 'day' && tif !== 'gtc') throw unprocessable('bracket orders must be DAY or GTC', 42210000);
      if (extendedHours) throw unprocessable('bracket orders cannot be extended hours', 42210000);
    }
    if (orderClass === 'bracket' || orderClass === 'oco') {
      if (tpLimit === null || slStop === null) {
        throw unprocessable(`${orderClass} orders require take_profit and stop_loss`, 40010001);
      }
      // A buy bracket (or a sell OCO, which exits a long) takes profit above its stop.
      const long = orderClass === 'oco' ? side === 'sell' : side === 'buy';
      if (long ? !(tpLimit > slStop) : !(tpLimit < slStop)) {
        throw unprocessable(
          long
            ? 'take_profit.limit_price must be > stop_loss.stop_price'
            : 'take_profit.limit_price must be < stop_loss.stop_price',
          42210000,
        );
      }
    }
    if (orderClass === 'bracket') {
      if (side === 'buy' ? slStop! > base - 0.01 : slStop! < base + 0.01) {
        throw unprocessable(
          side === 'buy'
            ? `stop_loss.stop_price must be <= base_price - 0.01 (base_price ${base})`
            : `stop_loss.stop_price must be >= base_price + 0.01 (base_price ${base})`,
          42210000,
        );
      }
    }
    if (orderClass === 'oto' && (tpLimit === null) === (slStop === null)) {
      throw unprocessable('oto orders require exactly one of take_profit or stop_loss', 40010001);
    }

    const candidate = {
      symbol,
      side,
      qty: qty ?? undefined,
      notional: notional ?? undefined,
      type: type as OrderType,
    };
    if (!options.skipRules) this.checkRules(candidate, orderClass, limitPrice, stopPrice);

    const at = this.stamp();
    const make = (over: Partial<SimOrder>): SimOrder => {
      const o: SimOrder = {
        id: randomUUID(),
        clientOrderId,
        symbol,
        assetId: asset.id,
        side,
        type: type as OrderType,
        timeInForce: tif as TimeInForce,
        qty,
        notional,
        limitPrice,
        stopPrice,
        trailPrice,
        trailPercent,
        hwm: null,
        orderClass: orderClass as OrderClass,
        extendedHours,
        positionIntent: typeof body.position_intent === 'string' ? body.position_intent : null,
        status: 'new',
        filledQty: 0,
        filledNotional: 0,
        createdAt: at,
        updatedAt: at,
        submittedAt: at,
        filledAt: null,
        expiredAt: null,
        canceledAt: null,
        failedAt: null,
        replacedAt: null,
        replacedBy: null,
        replaces: null,
        parentId: null,
        legIds: [],
        legRole: null,
        triggered: false,
        sessionDate: null,
        seq: this.seq++,
        ...over,
      };
      this.orders.set(o.id, o);
      this.live.add(o);
      return o;
    };
    const parent = make({});
    if (parent.type === 'trailing_stop') this.initTrailing(parent);
    this.byClientId.set(clientOrderId, parent.id);
    const exitSide: Side = side === 'buy' ? 'sell' : 'buy';
    const legBase: Partial<SimOrder> = {
      parentId: parent.id,
      side: orderClass === 'oco' ? side : exitSide,
      limitPrice: null,
      stopPrice: null,
      trailPrice: null,
      trailPercent: null,
      status: orderClass === 'oco' ? 'new' : 'held',
    };
    const stopLossLeg = () =>
      make({
        ...legBase,
        clientOrderId: randomUUID(),
        type: slLimit !== null ? 'stop_limit' : 'stop',
        stopPrice: slStop,
        limitPrice: slLimit,
        legRole: 'stop_loss',
      });
    const legs: SimOrder[] = [];
    if (orderClass === 'bracket' || orderClass === 'oto') {
      if (tpLimit !== null) {
        legs.push(
          make({
            ...legBase,
            clientOrderId: randomUUID(),
            type: 'limit',
            limitPrice: tpLimit,
            legRole: 'take_profit',
          }),
        );
      }
      if (slStop !== null) {
        legs.push(stopLossLeg());
      }
    } else if (orderClass === 'oco') {
      parent.legRole = 'take_profit';
      legs.push(stopLossLeg());
    }
    parent.legIds = legs.map((l) => l.id);
    for (const l of legs) this.byClientId.set(l.clientOrderId, l.id);
    this.emit('new', parent);
    // OCO legs are live at once (bracket / OTO legs announce themselves when the entry fills).
    if (orderClass === 'oco') for (const l of legs) this.emit('new', l);
    return parent;
  }

  private initTrailing(o: SimOrder): void {
    const last = this.price(o.symbol) ?? 0;
    o.hwm = last;
    o.stopPrice = this.trailStop(o);
  }

  private trailStop(o: SimOrder): number {
    const hwm = o.hwm ?? 0;
    if (o.trailPrice !== null) return round(o.side === 'sell' ? hwm - o.trailPrice : hwm + o.trailPrice, 4);
    const pct = (o.trailPercent ?? 0) / 100;
    return round(o.side === 'sell' ? hwm * (1 - pct) : hwm * (1 + pct), 4);
  }

  /** Wash trade, quantity available, shortability, buying power and the day-trade rule. */
  private checkRules(
    order: { symbol: string; side: Side; qty?: number; notional?: number; type: OrderType },
    orderClass: string,
    limitPrice: number | null,
    stopPrice: number | null,
  ): void {
    const active = this.openOrders().filter((o) => o.status !== 'held');
    const wash = checkWashTrade({
      order,
      openOrders: active.map((o) => ({ symbol: o.symbol, side: o.side, id: o.id })),
    });
    if (!wash.ok) throw ruleRejection(wash);
    const pos = this.positions.get(order.symbol)?.qty ?? 0;
    const reduces = order.side === 'sell' ? pos > 0 : pos < 0;
    const price = this.price(order.symbol) ?? 0;
    const qty = order.qty ?? (order.notional ?? 0) / (limitPrice ?? (price || 1));
    if (reduces) {
      const held = this.heldForOrders(order.symbol, order.side);
      const available = Math.max(0, Math.abs(pos) - held);
      if (qty > available + 1e-9) {
        throw forbidden(
          `insufficient qty available for order (requested: ${dec(qty)}, available: ${dec(available)})`,
          {
            available: dec(available),
            existing_qty: dec(Math.abs(pos)),
            held_for_orders: dec(held),
            related_orders: active
              .filter((o) => o.symbol === order.symbol && o.side === order.side)
              .map((o) => o.id),
            symbol: order.symbol,
          },
        );
      }
    } else {
      if (order.side === 'sell') {
        const asset = this.assets.get(order.symbol)!;
        const r = checkShortable({
          asset: {
            symbol: asset.symbol,
            shortable: asset.shortable,
            easyToBorrow: asset.easy_to_borrow,
            borrowStatus: asset.borrow_status,
          },
          qty: order.qty,
          notional: order.notional,
          equity: this.equity(),
          shortingEnabled: this.shortingEnabled(),
        });
        if (!r.ok) throw ruleRejection(r);
      }
      if (orderClass !== 'oco') {
        const px = this.estimatePrice(
          { symbol: order.symbol, side: order.side, limitPrice, stopPrice },
          order.side === 'sell',
        );
        const cost = order.notional ?? qty * px;
        const bp = this.buyingPower();
        if (cost > bp + 1e-9) {
          throw forbidden('insufficient buying power', {
            buying_power: dec(round(bp, 2)),
            cost_basis: dec(round(cost, 2)),
          });
        }
      }
    }
    if (this.config.dayTradeRule === 'legacy-pdt') {
      const fills = this.ruleFills();
      const pdt = checkDayTradeRule('legacy-pdt', {
        equity: this.lastEquity,
        dayTrades: countDayTrades(fills, { now: this.now(), holidays: this.holidays }),
        order,
        pendingOrders: active,
        fills,
        now: this.now(),
        holidays: this.holidays,
      });
      if (!pdt.ok) throw ruleRejection(pdt);
    }
  }

  private ruleFills(): RuleFill[] {
    return this.fills.map((f) => ({ symbol: f.symbol, side: f.side, time: f.time, qty: f.qty }));
  }

  // ---------------------------------------------------------------- orders: cancel and replace

  private ocoGroup(o: SimOrder): SimOrder[] {
    if (o.orderClass === 'oco') {
      const root = o.parentId ? this.orders.get(o.parentId)! : o;
      return [root, ...root.legIds.map((id) => this.orders.get(id)!)];
    }
    if (o.parentId !== null) {
      const parent = this.orders.get(o.parentId)!;
      if (parent.orderClass === 'bracket') return parent.legIds.map((id) => this.orders.get(id)!);
    }
    return [o];
  }

  private finish(o: SimOrder, status: 'canceled' | 'expired', at: number): void {
    if (isTerminalOrderStatus(o.status)) return;
    o.status = status;
    this.live.delete(o);
    o.updatedAt = at;
    if (status === 'canceled') o.canceledAt = at;
    else o.expiredAt = at;
    this.emit(status, o, {}, at);
    // Legs still waiting for an entry that will never (completely) fill go with it.
    for (const id of o.legIds) {
      const leg = this.orders.get(id);
      if (leg?.status === 'held') this.finish(leg, 'canceled', at);
    }
  }

  /** DELETE /v2/orders/:id — cancels the order and its group (bracket legs, OCO siblings). */
  cancelOrder(id: string): void {
    const o = this.getOrder(id);
    if (isTerminalOrderStatus(o.status)) {
      throw unprocessable(`order is already in "${o.status}" state`, 42210000);
    }
    const at = this.stamp();
    const targets = new Set<SimOrder>([o, ...this.ocoGroup(o)]);
    for (const legId of o.legIds) targets.add(this.orders.get(legId)!);
    for (const t of targets) this.finish(t, 'canceled', at);
  }

  /** DELETE /v2/orders — cancel every open order; the per-order results of the 207 answer. */
  cancelAll(): { id: string; status: number; body: Record<string, unknown> }[] {
    const before = this.openOrders();
    for (const o of before) if (!isTerminalOrderStatus(o.status)) this.cancelOrder(o.id);
    return before.map((o) => ({ id: o.id, status: 200, body: this.orderJson(o) }));
  }

  /** PATCH /v2/orders/:id — a new order replaces the old one (which ends `replaced`). */
  replaceOrder(id: string, body: Record<string, unknown>): SimOrder {
    const old = this.getOrder(id);
    if (!ACTIVE_STATUSES.has(old.status) && old.status !== 'held') {
      throw unprocessable(`order is already in "${old.status}" state`, 42210000);
    }
    if (old.filledQty > 0) throw unprocessable('order is partially filled and cannot be replaced', 42210000);
    if (old.orderClass === 'oto' && old.parentId === null)
      throw unprocessable('oto orders cannot be replaced');
    const qty = body.qty !== undefined ? parseDecimal(body.qty, 'qty') : old.qty;
    const limitPrice =
      body.limit_price !== undefined ? parseDecimal(body.limit_price, 'limit_price') : old.limitPrice;
    const stopPrice =
      body.stop_price !== undefined ? parseDecimal(body.stop_price, 'stop_price') : old.stopPrice;
    const trail = body.trail !== undefined ? parseDecimal(body.trail, 'trail') : null;
    const tif = (body.time_in_force as TimeInForce | undefined) ?? old.timeInForce;
    if (!TIFS.has(tif)) throw unprocessable(`invalid time_in_force ${tif}`, 40010001);
    checkPriceIncrement(limitPrice, 'limit_price');
    checkPriceIncrement(stopPrice, 'stop_price');
    const clientOrderId =
      typeof body.client_order_id === 'string' && body.client_order_id ? body.client_order_id : randomUUID();
    if (this.byClientId.has(clientOrderId)) throw unprocessable('client_order_id must be unique', 40010001);
    const at = this.stamp();
    const next: SimOrder = {
      ...old,
      id: randomUUID(),
      clientOrderId,
      qty,
      limitPrice,
      stopPrice,
      timeInForce: tif,
      trailPrice: trail !== null && old.trailPrice !== null ? trail : old.trailPrice,
      trailPercent: trail !== null && old.trailPercent !== null ? trail : old.trailPercent,
      createdAt: at,
      updatedAt: at,
      submittedAt: at,
      replaces: old.id,
      replacedBy: null,
      legIds: [...old.legIds],
      seq: this.seq++,
    };
    if (next.type === 'trailing_stop') next.stopPrice = this.trailStop(next);
    this.orders.set(next.id, next);
    this.live.add(next);
    this.byClientId.set(clientOrderId, next.id);
    for (const legId of next.legIds) this.orders.get(legId)!.parentId = next.id;
    if (old.parentId !== null) {
      const parent = this.orders.get(old.parentId)!;
      parent.legIds = parent.legIds.map((l) => (l === old.id ? next.id : l));
    }
    old.legIds = [];
    old.status = 'replaced';
    this.live.delete(old);
    old.replacedAt = at;
    old.replacedBy = next.id;
    old.updatedAt = at;
    this.emit('replaced', old, {}, at);
    this.emit('new', next, {}, at);
    return next;
  }

  // ---------------------------------------------------------------- positions

  /** DELETE /v2/positions/:symbol — a market order that closes all or part of the position. */
  closePosition(symbol: string, opts: { qty?: number; percentage?: number } = {}): SimOrder {
    const p = this.positions.get(symbol.toUpperCase());
    if (!p) throw new Rejection(404, { code: 40410000, message: 'position not found' });
    if (opts.qty !== undefined && opts.percentage !== undefined) {
      throw unprocessable('only one of qty or percentage is accepted', 40010001);
    }
    let qty = Math.abs(p.qty);
    if (opts.qty !== undefined) qty = opts.qty;
    if (opts.percentage !== undefined) qty = round((Math.abs(p.qty) * opts.percentage) / 100, 9);
    const side: Side = p.qty > 0 ? 'sell' : 'buy';
    const held = this.heldForOrders(p.symbol, side);
    if (qty > Math.abs(p.qty) - held + 1e-9) {
      throw forbidden(
        `insufficient qty available for order (requested: ${dec(qty)}, available: ${dec(Math.max(0, Math.abs(p.qty) - held))})`,
        { symbol: p.symbol, held_for_orders: dec(held), existing_qty: dec(Math.abs(p.qty)) },
      );
    }
    return this.submitOrder(
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
    if (cancelOrders) this.cancelAll();
    const out: { symbol: string; status: number; body: Record<string, unknown> }[] = [];
    for (const p of [...this.positions.values()]) {
      try {
        out.push({ symbol: p.symbol, status: 200, body: this.orderJson(this.closePosition(p.symbol)) });
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
    if (this.done) return false;
    const t = this.times[this.cursor + 1]!;
    const session = this.sessionOf(t);
    if (this.currentSession !== null && session !== this.currentSession) {
      this.lastEquity = this.equity();
      for (const [s, c] of this.lastClose) this.lastdayPrice.set(s, c);
    }
    this.currentSession = session;
    this.cursor++;
    const execAt = this.execTime(t);
    // Day orders belong to the first session in which they are eligible.
    for (const o of this.openOrders()) {
      if (o.timeInForce === 'day' && o.sessionDate === null) o.sessionDate = session;
      if (o.timeInForce === 'day' && o.sessionDate !== null && o.sessionDate < session) {
        this.finish(o, 'expired', this.stamp(nyWallToUtc(o.sessionDate, 16, 0)));
      }
    }
    for (const bar of this.barsAt.get(t) ?? []) this.fillBar(bar, execAt);
    for (const bar of this.barsAt.get(t) ?? []) this.lastClose.set(bar.symbol, bar.close);
    // End of session: the next step belongs to another session (or there is none).
    const nextT = this.times[this.cursor + 1];
    if (nextT === undefined || this.sessionOf(nextT) !== session) {
      // Stamped at the end of the last bar of the session (the feed may stop before 16:00).
      for (const o of this.openOrders()) {
        if (o.timeInForce === 'day' && o.sessionDate !== null && o.sessionDate <= session) {
          this.finish(o, 'expired', this.stamp());
        }
      }
    }
    return true;
  }

  private fillBar(bar: Bar, execAt: number): void {
    let cap = bar.volume > 0 ? this.config.maxVolumeShare * bar.volume : Number.POSITIVE_INFINITY;
    const queue = [...this.live]
      .filter((o) => o.symbol === bar.symbol && ACTIVE_STATUSES.has(o.status))
      .sort((a, b) => this.priority(a) - this.priority(b) || a.seq - b.seq);
    const oneShot: SimOrder[] = [];
    for (let i = 0; i < queue.length; i++) {
      const o = queue[i]!;
      if (!ACTIVE_STATUSES.has(o.status)) continue; // canceled by a sibling on this bar
      if (['ioc', 'fok', 'opg', 'cls'].includes(o.timeInForce)) oneShot.push(o);
      const price = this.fillPrice(o, bar);
      if (price === null) continue;
      const remaining = this.remainingQty(o, price);
      const whole = o.qty !== null && Number.isInteger(o.qty);
      let q = Math.min(remaining, whole ? Math.floor(cap + 1e-9) : cap);
      if (o.parentId !== null) {
        // Exit legs never reverse the position.
        q = Math.min(q, Math.abs(this.positions.get(o.symbol)?.qty ?? 0));
      }
      if (o.timeInForce === 'fok' && q < remaining - 1e-9) continue;
      q = round(q);
      if (q <= 0) continue;
      if (o.parentId === null && this.opens(o.side, o.symbol) && !this.affordable(o, q, price)) {
        // Accepted on an estimate, but the execution price is beyond buying power (a gap).
        this.reject(o, this.stamp(execAt));
        continue;
      }
      cap -= q;
      const activated = this.applyFill(o, q, price, this.stamp(execAt), execAt);
      if (activated.length > 0) {
        queue.splice(i + 1, 0, ...activated.sort((a, b) => this.priority(a) - this.priority(b)));
      }
    }
    for (const o of oneShot) this.finish(o, 'canceled', this.stamp(execAt));
  }

  /** Can the account pay for this execution? Its own reservation is given back first. */
  private affordable(o: SimOrder, q: number, price: number): boolean {
    const px = this.estimatePrice(o, o.side === 'sell');
    const own = o.qty !== null ? (o.qty - o.filledQty) * px : (o.notional ?? 0) - o.filledNotional;
    return q * price <= this.buyingPower() + own + 1e-9;
  }

  private reject(o: SimOrder, at: number): void {
    if (o.filledQty > 0) {
      this.finish(o, 'canceled', at);
      return;
    }
    o.status = 'rejected';
    this.live.delete(o);
    o.failedAt = at;
    o.updatedAt = at;
    this.emit('rejected', o, {}, at);
    for (const id of o.legIds) {
      const leg = this.orders.get(id);
      if (leg && !isTerminalOrderStatus(leg.status)) this.finish(leg, 'canceled', at);
    }
  }

  /** Stop-loss legs before take-profit legs on the same bar (pessimistic); otherwise submission order. */
  private priority(o: SimOrder): number {
    return o.legRole === 'stop_loss' ? 0 : o.legRole === 'take_profit' ? 1 : 0;
  }

  private fillPrice(o: SimOrder, bar: Bar): number | null {
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
        o.stopPrice = this.trailStop(o);
        return null;
      }
    }
  }

  /** Book one execution; returns bracket/OTO legs that became active. */
  private applyFill(o: SimOrder, q: number, price: number, at: number, replayAt: number): SimOrder[] {
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
    o.filledQty = round(o.filledQty + q);
    o.filledNotional += notional;
    o.updatedAt = at;
    const complete = this.remainingQty(o, price) <= 1e-9;
    if (complete) {
      o.status = 'filled';
      this.live.delete(o);
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
      time: this.config.timestamps === 'wall' ? replayAt : at,
      positionQty: after,
    };
    this.fills.push(fill);
    this.emit(
      complete ? 'fill' : 'partial_fill',
      o,
      { execution_id: fill.executionId, price: dec(price), qty: dec(q), position_qty: dec(after) },
      at,
    );
    // OCO siblings: shrink by what filled, cancel when this one is done.
    const group = this.ocoGroup(o).filter((s) => s !== o && !isTerminalOrderStatus(s.status));
    for (const s of group) {
      if (complete) this.finish(s, 'canceled', at);
      else if (s.qty !== null) s.qty = round(Math.max(s.filledQty, s.qty - q));
    }
    // Entry of a bracket / OTO filled: its legs go live.
    const activated: SimOrder[] = [];
    if (complete && o.parentId === null && (o.orderClass === 'bracket' || o.orderClass === 'oto')) {
      for (const id of o.legIds) {
        const leg = this.orders.get(id)!;
        if (leg.status !== 'held') continue;
        leg.status = 'new';
        leg.qty = o.filledQty;
        leg.updatedAt = at;
        leg.submittedAt = at;
        if (leg.timeInForce === 'day') leg.sessionDate = this.currentSession;
        this.emit('new', leg, {}, at);
        activated.push(leg);
      }
    }
    return activated;
  }
}
