/**
 * zod schemas for the Trading API v2 (https://docs.alpaca.markets/reference) and the
 * `trade_updates` stream. Each schema accepts
 * the snake_case wire object (loose: unknown fields are kept in `raw`, never rejected) and
 * outputs the camelCase type from `types.ts`.
 */
import { z } from 'zod';
import type {
  Account,
  AccountConfig,
  Asset,
  CalendarDay,
  Clock,
  Order,
  Position,
  TradeUpdate,
} from '../types.js';
import {
  decimal,
  flag,
  newYorkWallTimeToMs,
  nullableBoolean,
  nullableDecimal,
  nullableString,
  parseTimestamp,
} from './primitives.js';

/**
 * Validate with `wire`, then map to the public type; `raw` is the exact input object
 * (before any decimal conversion), so exact wire strings stay reachable.
 */
function mapped<W extends z.ZodType, T>(wire: W, map: (w: z.output<W>, raw: Record<string, unknown>) => T) {
  return z.unknown().transform((value, ctx): T => {
    const r = wire.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return map(r.data, value as Record<string, unknown>);
  });
}

const AccountSchemaWire = z.looseObject({
  id: z.string(),
  account_number: nullableString,
  status: z.string(),
  currency: z.string().nullish(),
  cash: decimal,
  equity: decimal,
  last_equity: nullableDecimal,
  portfolio_value: nullableDecimal,
  long_market_value: nullableDecimal,
  short_market_value: nullableDecimal,
  buying_power: decimal,
  regt_buying_power: nullableDecimal,
  non_marginable_buying_power: nullableDecimal,
  effective_buying_power: nullableDecimal,
  initial_margin: nullableDecimal,
  maintenance_margin: nullableDecimal,
  last_maintenance_margin: nullableDecimal,
  sma: nullableDecimal,
  multiplier: nullableDecimal,
  trading_blocked: flag,
  transfers_blocked: flag,
  account_blocked: flag,
  trade_suspended_by_user: flag,
  shorting_enabled: flag,
  created_at: nullableString,
  pattern_day_trader: nullableBoolean,
  daytrade_count: nullableDecimal,
  daytrading_buying_power: nullableDecimal,
});

/**
 * `GET /v2/account`. Both shapes parse: with the legacy PDT fields and without (2026-07-06+).
 * @example
 * AccountSchema.parse({ id: 'a', status: 'ACTIVE', currency: 'USD', cash: '10', equity: '10', buying_power: '20' });
 */
export const AccountSchema = mapped(
  AccountSchemaWire,
  (w, raw): Account => ({
    id: w.id,
    accountNumber: w.account_number,
    status: w.status,
    currency: w.currency ?? 'USD',
    cash: w.cash,
    equity: w.equity,
    lastEquity: w.last_equity,
    portfolioValue: w.portfolio_value,
    longMarketValue: w.long_market_value,
    shortMarketValue: w.short_market_value,
    buyingPower: w.buying_power,
    regtBuyingPower: w.regt_buying_power,
    nonMarginableBuyingPower: w.non_marginable_buying_power,
    effectiveBuyingPower: w.effective_buying_power,
    initialMargin: w.initial_margin,
    maintenanceMargin: w.maintenance_margin,
    lastMaintenanceMargin: w.last_maintenance_margin,
    sma: w.sma,
    multiplier: w.multiplier,
    tradingBlocked: w.trading_blocked,
    transfersBlocked: w.transfers_blocked,
    accountBlocked: w.account_blocked,
    tradeSuspendedByUser: w.trade_suspended_by_user,
    shortingEnabled: w.shorting_enabled,
    createdAt: w.created_at,
    patternDayTrader: w.pattern_day_trader,
    daytradeCount: w.daytrade_count,
    daytradingBuyingPower: w.daytrading_buying_power,
    raw,
  }),
);

const AccountConfigSchemaWire = z.looseObject({
  no_shorting: flag,
  fractional_trading: nullableBoolean,
  max_margin_multiplier: nullableDecimal,
  suspend_trade: flag,
  trade_confirm_email: nullableString,
  dtbp_check: nullableString,
  pdt_check: nullableString,
});

/**
 * `GET /v2/account/configurations` (PDT fields optional since 2026-07-06).
 * @example
 * AccountConfigSchema.parse({ no_shorting: false, max_margin_multiplier: '4' }).maxMarginMultiplier; // 4
 */
export const AccountConfigSchema = mapped(
  AccountConfigSchemaWire,
  (w, raw): AccountConfig => ({
    noShorting: w.no_shorting,
    fractionalTrading: w.fractional_trading,
    maxMarginMultiplier: w.max_margin_multiplier,
    suspendTrade: w.suspend_trade,
    tradeConfirmEmail: w.trade_confirm_email,
    dtbpCheck: w.dtbp_check,
    pdtCheck: w.pdt_check,
    raw,
  }),
);

const timestampString = z
  .string()
  .refine((s) => Number.isFinite(parseTimestamp(s)), 'expected an RFC 3339 time');

const ClockSchemaWire = z.looseObject({
  timestamp: timestampString,
  is_open: z.boolean(),
  next_open: timestampString,
  next_close: timestampString,
});

/**
 * `GET /v2/clock`.
 * @example
 * ClockSchema.parse({ timestamp: '2026-11-20T10:31:07-05:00', is_open: true, next_open: '2026-11-23T09:30:00-05:00', next_close: '2026-11-20T16:00:00-05:00' }).isOpen;
 */
export const ClockSchema = mapped(
  ClockSchemaWire,
  (w): Clock => ({
    timestamp: w.timestamp,
    isOpen: w.is_open,
    nextOpen: w.next_open,
    nextClose: w.next_close,
    timestampMs: parseTimestamp(w.timestamp),
    nextOpenMs: parseTimestamp(w.next_open),
    nextCloseMs: parseTimestamp(w.next_close),
  }),
);

const wallTime = z.string().regex(/^\d{2}:?\d{2}$/, 'expected HH:MM or HHMM');

const CalendarDaySchemaWire = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD'),
  open: wallTime,
  close: wallTime,
  session_open: nullableString,
  session_close: nullableString,
  settlement_date: nullableString,
});

/**
 * One day of `GET /v2/calendar`.
 * @example
 * CalendarDaySchema.parse({ date: '2026-11-27', open: '09:30', close: '13:00' }).closeMs; // 18:00 UTC
 */
export const CalendarDaySchema = mapped(
  CalendarDaySchemaWire,
  (w): CalendarDay => ({
    date: w.date,
    open: w.open,
    close: w.close,
    sessionOpen: w.session_open,
    sessionClose: w.session_close,
    settlementDate: w.settlement_date,
    openMs: newYorkWallTimeToMs(w.date, w.open),
    closeMs: newYorkWallTimeToMs(w.date, w.close),
  }),
);

const AssetSchemaWire = z.looseObject({
  id: z.string(),
  class: z.string().nullish(),
  exchange: z.string().nullish(),
  symbol: z.string(),
  name: nullableString,
  status: z.string().nullish(),
  tradable: flag,
  marginable: flag,
  shortable: flag,
  fractionable: flag,
  easy_to_borrow: nullableBoolean,
  borrow_status: nullableString,
  attributes: z.array(z.string()).nullish(),
});

/**
 * `GET /v2/assets/{symbol}`.
 * @example
 * AssetSchema.parse({ id: 'x', symbol: 'GME', shortable: true, borrow_status: 'hard_to_borrow' }).canOpenShort; // false
 */
export const AssetSchema = mapped(AssetSchemaWire, (w, raw): Asset => {
  const borrowStatus =
    w.borrow_status ??
    (w.easy_to_borrow === true
      ? 'easy_to_borrow'
      : w.easy_to_borrow === false
        ? 'hard_to_borrow'
        : 'unknown');
  return {
    id: w.id,
    assetClass: w.class ?? 'us_equity',
    exchange: w.exchange ?? '',
    symbol: w.symbol,
    name: w.name,
    status: w.status ?? 'active',
    tradable: w.tradable,
    marginable: w.marginable,
    shortable: w.shortable,
    fractionable: w.fractionable,
    easyToBorrow: w.easy_to_borrow,
    borrowStatus,
    canOpenShort: w.shortable && borrowStatus === 'easy_to_borrow',
    attributes: w.attributes ?? [],
    raw,
  };
});

const signed = (value: number | null, short: boolean): number | null =>
  value === null ? null : short ? -Math.abs(value) : value;

const PositionSchemaWire = z.looseObject({
  asset_id: nullableString,
  symbol: z.string(),
  exchange: nullableString,
  asset_class: nullableString,
  side: z.string().nullish(),
  qty: decimal,
  qty_available: nullableDecimal,
  avg_entry_price: decimal,
  market_value: nullableDecimal,
  cost_basis: nullableDecimal,
  unrealized_pl: nullableDecimal,
  unrealized_plpc: nullableDecimal,
  unrealized_intraday_pl: nullableDecimal,
  unrealized_intraday_plpc: nullableDecimal,
  current_price: nullableDecimal,
  lastday_price: nullableDecimal,
  change_today: nullableDecimal,
});

/**
 * A position; shorts get a negative `qty` even if a server sent it unsigned.
 * @example
 * PositionSchema.parse({ symbol: 'TSLA', qty: '-25', avg_entry_price: '344.5', side: 'short' }).qty; // -25
 */
export const PositionSchema = mapped(PositionSchemaWire, (w, raw): Position => {
  const side = w.side ?? (w.qty < 0 ? 'short' : 'long');
  const short = side === 'short';
  return {
    assetId: w.asset_id,
    symbol: w.symbol,
    exchange: w.exchange,
    assetClass: w.asset_class,
    side,
    qty: signed(w.qty, short) as number,
    qtyAvailable: signed(w.qty_available, short),
    avgEntryPrice: w.avg_entry_price,
    marketValue: signed(w.market_value, short),
    costBasis: signed(w.cost_basis, short),
    unrealizedPl: w.unrealized_pl,
    unrealizedPlpc: w.unrealized_plpc,
    unrealizedIntradayPl: w.unrealized_intraday_pl,
    unrealizedIntradayPlpc: w.unrealized_intraday_plpc,
    currentPrice: w.current_price,
    lastdayPrice: w.lastday_price,
    changeToday: w.change_today,
    raw,
  };
});

const orderWire = z.looseObject({
  id: z.string(),
  client_order_id: z.string(),
  created_at: nullableString,
  updated_at: nullableString,
  submitted_at: nullableString,
  filled_at: nullableString,
  expired_at: nullableString,
  expires_at: nullableString,
  canceled_at: nullableString,
  failed_at: nullableString,
  replaced_at: nullableString,
  replaced_by: nullableString,
  replaces: nullableString,
  asset_id: nullableString,
  symbol: z.string(),
  asset_class: nullableString,
  qty: nullableDecimal,
  notional: nullableDecimal,
  filled_qty: nullableDecimal,
  filled_avg_price: nullableDecimal,
  order_class: z.string().nullish(),
  type: z.string().nullish(),
  order_type: z.string().nullish(),
  side: z.string(),
  time_in_force: z.string(),
  limit_price: nullableDecimal,
  stop_price: nullableDecimal,
  trail_percent: nullableDecimal,
  trail_price: nullableDecimal,
  hwm: nullableDecimal,
  status: z.string(),
  extended_hours: flag,
  position_intent: nullableString,
  legs: z.array(z.lazy((): z.ZodType<Order, unknown> => OrderSchema)).nullish(),
});

/**
 * An order, legs included (recursively typed).
 * @example
 * OrderSchema.parse(wireOrder).filledAvgPrice; // null until the first fill
 */
export const OrderSchema: z.ZodType<Order, unknown> = mapped(orderWire, (w, raw): Order => {
  const filledQty = w.filled_qty ?? 0;
  return {
    id: w.id,
    clientOrderId: w.client_order_id,
    createdAt: w.created_at,
    updatedAt: w.updated_at,
    submittedAt: w.submitted_at,
    filledAt: w.filled_at,
    expiredAt: w.expired_at,
    expiresAt: w.expires_at,
    canceledAt: w.canceled_at,
    failedAt: w.failed_at,
    replacedAt: w.replaced_at,
    replacedBy: w.replaced_by,
    replaces: w.replaces,
    assetId: w.asset_id,
    symbol: w.symbol,
    assetClass: w.asset_class,
    qty: w.qty,
    notional: w.notional,
    filledQty,
    // Alpaca can send 0 for orders passed outside market hours: no fill means no price.
    filledAvgPrice: filledQty === 0 ? null : w.filled_avg_price,
    orderClass: w.order_class === '' || w.order_class == null ? 'simple' : w.order_class,
    type: w.type ?? w.order_type ?? '',
    side: w.side,
    timeInForce: w.time_in_force,
    limitPrice: w.limit_price,
    stopPrice: w.stop_price,
    trailPercent: w.trail_percent,
    trailPrice: w.trail_price,
    hwm: w.hwm,
    status: w.status,
    extendedHours: w.extended_hours,
    positionIntent: w.position_intent,
    legs: w.legs ?? null,
    raw,
  };
});

const TradeUpdateSchemaWire = z.looseObject({
  event: z.string(),
  order: OrderSchema,
  timestamp: nullableString,
  price: nullableDecimal,
  qty: nullableDecimal,
  position_qty: nullableDecimal,
  execution_id: nullableString,
});

/**
 * A `trade_updates` message's `data`.
 * @example
 * TradeUpdateSchema.parse({ event: 'fill', order: wireOrder, price: '190.01', qty: '10' }).price; // 190.01
 */
export const TradeUpdateSchema = mapped(
  TradeUpdateSchemaWire,
  (w, raw): TradeUpdate => ({
    event: w.event,
    order: w.order,
    timestamp: w.timestamp,
    price: w.price,
    qty: w.qty,
    positionQty: w.position_qty,
    executionId: w.execution_id,
    reconciled: false,
    raw,
  }),
);

/**
 * One item of a 207 answer (`DELETE /v2/orders`, `DELETE /v2/positions`).
 * @example
 * MultiStatusItemSchema.parse({ id: 'o1', status: 200 });
 */
export const MultiStatusItemSchema = z.looseObject({
  id: nullableString,
  symbol: nullableString,
  status: z.number().int(),
  body: z.unknown().optional(),
});

/**
 * An Alpaca error body `{code, message, ...}` (both optional; proxies may send anything).
 * @example
 * ErrorBodySchema.parse({ code: 40310000, message: 'insufficient buying power' });
 */
export const ErrorBodySchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
});
