/**
 * The paper exchange's own records: orders, fills and positions as it keeps them (numbers,
 * epoch ms, camelCase). `wire/` turns them into Alpaca's JSON.
 */
import { round } from './format.js';

/** Order fields as Alpaca spells them. */
export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
export type OrderClass = 'simple' | 'bracket' | 'oco' | 'oto';

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
  /** A trailing stop's high-water mark (low-water for a buy), Alpaca's `hwm`. */
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
  /** The entry (bracket, OTO) or the take-profit order (OCO) this order is a leg of. */
  parentId: string | null;
  legIds: string[];
  /** Which exit a leg is (an OCO's own order is its `take_profit`). */
  legRole: 'take_profit' | 'stop_loss' | null;
  /** A stop / stop-limit / trailing stop has triggered. */
  triggered: boolean;
  /** Session (`YYYY-MM-DD`) in which a day order was first eligible. */
  sessionDate: string | null;
  /** Submission order across the book. */
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

/** A position (one per symbol). */
export interface SimPosition {
  symbol: string;
  assetId: string;
  /** Signed: negative for a short. */
  qty: number;
  avgEntryPrice: number;
}

/**
 * Statuses in which an order can fill on the next bar (an open order that is not `held`:
 * a bracket or OTO leg waits in `held` until its entry has filled).
 */
const FILLABLE_STATUSES: ReadonlySet<string> = new Set(['new', 'accepted', 'partially_filled']);

/**
 * True when an order in this status takes part in matching.
 * @example
 * canFill('held'); // false: a leg waiting for its entry
 */
export function canFill(status: string): boolean {
  return FILLABLE_STATUSES.has(status);
}

/**
 * Shares still to fill; a notional order's remaining dollars at `price`.
 * @example
 * remainingQty({ qty: 10, filledQty: 4, notional: null, filledNotional: 0 }, 100); // 6
 */
export function remainingQty(
  o: Pick<SimOrder, 'qty' | 'filledQty' | 'notional' | 'filledNotional'>,
  price: number,
): number {
  if (o.qty !== null) return round(o.qty - o.filledQty);
  return round(Math.max(0, (o.notional ?? 0) - o.filledNotional) / price);
}

/** Query of the order list (GET /v2/orders), times as epoch ms. */
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
