/**
 * The objects the client returns: Alpaca's field names in camelCase, decimal strings as
 * numbers, missing values as `null` (never 0 or NaN), timestamps as the RFC 3339 strings
 * Alpaca sent (they may carry nanoseconds). Trading objects keep the exact wire JSON in
 * `raw`, so exact decimal strings and fields added by Alpaca later stay reachable.
 */
import type { AlpacaError } from './errors.js';

/** Alpaca adds enum values without notice (new order statuses, events): known values plus any other string. */
export type Lenient<T extends string> = T | (string & {});

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
export type OrderClass = 'simple' | 'bracket' | 'oco' | 'oto';
export type OrderStatus =
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'done_for_day'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'pending_cancel'
  | 'pending_replace'
  | 'accepted'
  | 'pending_new'
  | 'accepted_for_bidding'
  | 'stopped'
  | 'rejected'
  | 'suspended'
  | 'calculated'
  | 'held'
  | 'pending_review';

/** An account (`GET /v2/account`). PDT fields are gone since 2026-07-06 and are `null` then. */
export interface Account {
  id: string;
  accountNumber: string | null;
  status: Lenient<
    'ACTIVE' | 'ONBOARDING' | 'SUBMITTED' | 'ACCOUNT_UPDATED' | 'APPROVAL_PENDING' | 'REJECTED'
  >;
  currency: string;
  cash: number;
  equity: number;
  lastEquity: number | null;
  portfolioValue: number | null;
  longMarketValue: number | null;
  /** ≤ 0. */
  shortMarketValue: number | null;
  buyingPower: number;
  regtBuyingPower: number | null;
  nonMarginableBuyingPower: number | null;
  effectiveBuyingPower: number | null;
  initialMargin: number | null;
  maintenanceMargin: number | null;
  lastMaintenanceMargin: number | null;
  sma: number | null;
  /** 1 (cash), 2 or 4. */
  multiplier: number | null;
  tradingBlocked: boolean;
  transfersBlocked: boolean;
  accountBlocked: boolean;
  tradeSuspendedByUser: boolean;
  shortingEnabled: boolean;
  createdAt: string | null;
  /** Legacy PDT field (removed 2026-07-06): `null` when absent. */
  patternDayTrader: boolean | null;
  /** Legacy PDT field (removed 2026-07-06): `null` when absent. */
  daytradeCount: number | null;
  /** Legacy PDT field (removed 2026-07-06): `null` when absent. */
  daytradingBuyingPower: number | null;
  raw: Record<string, unknown>;
}

/** `GET /v2/account/configurations`. */
export interface AccountConfig {
  noShorting: boolean;
  fractionalTrading: boolean | null;
  maxMarginMultiplier: number | null;
  suspendTrade: boolean;
  tradeConfirmEmail: string | null;
  dtbpCheck: string | null;
  pdtCheck: string | null;
  raw: Record<string, unknown>;
}

/** `GET /v2/clock`; times are RFC 3339 strings with the New York offset, plus epoch ms. */
export interface Clock {
  timestamp: string;
  isOpen: boolean;
  nextOpen: string;
  nextClose: string;
  timestampMs: number;
  nextOpenMs: number;
  nextCloseMs: number;
}

/** One trading day of `GET /v2/calendar`, with the wall times converted via America/New_York. */
export interface CalendarDay {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `HH:MM` New York wall time (`13:00` on early-close days). */
  open: string;
  close: string;
  /** `HHMM` (extended session). */
  sessionOpen: string | null;
  sessionClose: string | null;
  settlementDate: string | null;
  /** Epoch ms of the regular open / close. */
  openMs: number;
  closeMs: number;
}

/** An asset (`GET /v2/assets`). */
export interface Asset {
  id: string;
  /** The JSON key is `class`. */
  assetClass: Lenient<'us_equity' | 'us_option' | 'crypto'>;
  exchange: string;
  symbol: string;
  name: string | null;
  status: Lenient<'active' | 'inactive'>;
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  fractionable: boolean;
  /** Deprecated by Alpaca (2026-06-05); `null` when absent. */
  easyToBorrow: boolean | null;
  /** `borrow_status`, falling back to `easy_to_borrow`, else `'unknown'` (treat as not shortable). */
  borrowStatus: Lenient<'easy_to_borrow' | 'hard_to_borrow' | 'unknown'>;
  /** `shortable` and easy to borrow: the rule Alpaca applies before opening a short. */
  canOpenShort: boolean;
  attributes: string[];
  raw: Record<string, unknown>;
}

/** A position. A short has `side: 'short'` and a negative `qty`, `marketValue` and `costBasis`. */
export interface Position {
  assetId: string | null;
  symbol: string;
  exchange: string | null;
  assetClass: string | null;
  side: Lenient<'long' | 'short'>;
  /** Signed: negative for a short. */
  qty: number;
  /** Signed like `qty`. */
  qtyAvailable: number | null;
  avgEntryPrice: number;
  marketValue: number | null;
  costBasis: number | null;
  unrealizedPl: number | null;
  unrealizedPlpc: number | null;
  unrealizedIntradayPl: number | null;
  unrealizedIntradayPlpc: number | null;
  currentPrice: number | null;
  lastdayPrice: number | null;
  changeToday: number | null;
  raw: Record<string, unknown>;
}

/** An order. `legs` holds the typed children of bracket / OCO / OTO orders (when nested). */
export interface Order {
  id: string;
  clientOrderId: string;
  createdAt: string | null;
  updatedAt: string | null;
  submittedAt: string | null;
  filledAt: string | null;
  expiredAt: string | null;
  expiresAt: string | null;
  canceledAt: string | null;
  failedAt: string | null;
  replacedAt: string | null;
  replacedBy: string | null;
  replaces: string | null;
  assetId: string | null;
  symbol: string;
  assetClass: string | null;
  /** `null` for notional orders. */
  qty: number | null;
  /** `null` for quantity orders. */
  notional: number | null;
  filledQty: number;
  /** `null` until the first fill (a wire `0` with nothing filled is also `null`). */
  filledAvgPrice: number | null;
  /** `'simple'` when Alpaca sends `""`. */
  orderClass: Lenient<OrderClass | 'mleg'>;
  type: Lenient<OrderType>;
  side: Lenient<OrderSide>;
  timeInForce: Lenient<TimeInForce>;
  limitPrice: number | null;
  stopPrice: number | null;
  trailPercent: number | null;
  trailPrice: number | null;
  hwm: number | null;
  status: Lenient<OrderStatus>;
  extendedHours: boolean;
  positionIntent: string | null;
  legs: Order[] | null;
  raw: Record<string, unknown>;
}

/** One event of the `trade_updates` stream. */
export interface TradeUpdate {
  event: Lenient<
    | 'new'
    | 'fill'
    | 'partial_fill'
    | 'canceled'
    | 'expired'
    | 'done_for_day'
    | 'replaced'
    | 'accepted'
    | 'rejected'
    | 'pending_new'
    | 'stopped'
    | 'pending_cancel'
    | 'pending_replace'
    | 'calculated'
    | 'suspended'
    | 'order_replace_rejected'
    | 'order_cancel_rejected'
    | 'restated'
    | 'held'
  >;
  order: Order;
  timestamp: string | null;
  /** Price of this execution (fills only). */
  price: number | null;
  /** Quantity of this execution (fills only). */
  qty: number | null;
  /** Signed position after the event (fills only). */
  positionQty: number | null;
  executionId: string | null;
  /**
   * True when the update was not received on the socket but rebuilt from `GET /v2/orders`
   * after a reconnect (the stream has no replay). `price` is then derived from the change
   * in average fill price, `positionQty` and `executionId` are `null`.
   */
  reconciled: boolean;
  raw: Record<string, unknown>;
}

/**
 * The bar shape shared by the MARLTS packages (declared here, not imported): `time` is the
 * bar START in UTC epoch ms. Close-only data sets repeat the close in open/high/low and put
 * volume 0. The paper exchange takes these.
 */
export interface BaseBar {
  symbol: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A bar from Alpaca's market data: the shared shape plus trade count and VWAP. */
export interface Bar extends BaseBar {
  /** Trade count (`n`), `null` when absent. */
  tradeCount: number | null;
  /** VWAP (`vw`), `null` when absent. */
  vwap: number | null;
}

/** Latest quote of a symbol (market data; prices and sizes can be 0 outside hours). */
export interface Quote {
  symbol: string;
  time: number;
  timestamp: string;
  askPrice: number;
  askSize: number;
  askExchange: string | null;
  bidPrice: number;
  bidSize: number;
  bidExchange: string | null;
  conditions: string[];
  tape: string | null;
}

/** Latest trade of a symbol. */
export interface Trade {
  symbol: string;
  time: number;
  timestamp: string;
  price: number;
  size: number;
  exchange: string | null;
  id: number | null;
  conditions: string[];
  tape: string | null;
}

/** One entry of a 207 multi-status answer (cancel all orders / close all positions). */
export interface MultiStatusResult {
  /** Order id (cancel all) or `null`. */
  id: string | null;
  /** Symbol (close all positions) or `null`. */
  symbol: string | null;
  /** HTTP status of this item. */
  status: number;
  /** The order in the body, when the item succeeded and carried one. */
  order: Order | null;
  /** The mapped error, when the item failed. */
  error: AlpacaError | null;
}
