/**
 * Orders and trade updates in Alpaca's JSON: every decimal a string without trailing zeros,
 * every time RFC 3339 UTC, legs nested in their parent
 * (https://docs.alpaca.markets/reference/getorderbyorderid).
 */
import { nyWallToUtc } from '../../rules/ny-time.js';
import { dec, decOrNull, iso, round } from '../format.js';
import type { SimOrder } from '../model.js';

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

/** `expires_at`: 90 days after creation for `gtc`, the session's 16:00 close for `day` once known. */
function expiresAt(o: SimOrder): number | null {
  if (o.timeInForce === 'gtc') return o.createdAt + 90 * 86_400_000;
  if (o.timeInForce === 'day' && o.sessionDate) return nyWallToUtc(o.sessionDate, 16, 0);
  return null;
}

/**
 * An order as Alpaca's order endpoints return it; `nested` puts its legs' JSON in `legs`.
 * @example
 * orderJson(order, true, (id) => book.orders.byId.get(id)!).filled_avg_price; // '412.468' or null
 */
export function orderJson(
  o: SimOrder,
  nested: boolean,
  orderById: (id: string) => SimOrder,
): Record<string, unknown> {
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
    submitted_at: iso(o.submittedAt),
    filled_at: iso(o.filledAt),
    expired_at: iso(o.expiredAt),
    expires_at: iso(expiresAt(o)),
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
      nested && o.legIds.length > 0 ? o.legIds.map((id) => orderJson(orderById(id), false, orderById)) : null,
    trail_percent: decOrNull(o.trailPercent),
    trail_price: decOrNull(o.trailPrice),
    hwm: decOrNull(o.hwm),
    subtag: null,
    source: null,
  };
}

/**
 * A trade update about `o` as the stream sends it, `o` serialized as it is now.
 * @example
 * tradeUpdateEvent('fill', order, { price: '412.5', qty: '10', position_qty: '10' }, at, orderById);
 */
export function tradeUpdateEvent(
  event: string,
  o: SimOrder,
  extra: Partial<TradeUpdateEvent>,
  at: number | undefined,
  orderById: (id: string) => SimOrder,
): TradeUpdateEvent {
  return {
    event,
    ...(extra.execution_id ? { execution_id: extra.execution_id } : {}),
    order: orderJson(o, true, orderById),
    timestamp: iso(at ?? o.updatedAt) ?? '',
    ...(extra.price !== undefined ? { price: extra.price } : {}),
    ...(extra.qty !== undefined ? { qty: extra.qty } : {}),
    ...(extra.position_qty !== undefined ? { position_qty: extra.position_qty } : {}),
  };
}
