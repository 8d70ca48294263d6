/**
 * Order intake: the body of `POST /v2/orders` or `PATCH /v2/orders/{id}` checked as Alpaca
 * checks it (422 with its codes and messages), then the broker rules (`intake-rules.ts`,
 * 403), then the order and its legs stored and announced. Bracket and OTO legs wait in
 * `held` until the entry fills; OCO legs are live at once.
 */
import { randomUUID } from 'node:crypto';
import type { Book } from './book.js';
import { round } from './format.js';
import { checkIntakeRules } from './intake-rules.js';
import { trailStop } from './matching.js';
import {
  canFill,
  type OrderClass,
  type OrderType,
  type Side,
  type SimOrder,
  type TimeInForce,
} from './model.js';
import { Rejection, unprocessable } from './rejection.js';

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
const TIMES_IN_FORCE = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);
const CLASSES = new Set(['simple', 'bracket', 'oco', 'oto', '']);

/**
 * Validate and accept an order (the body of POST /v2/orders). Throws a
 * {@link Rejection} with Alpaca's status and body when refused.
 * @example
 * submitOrder(book, { symbol: 'MSFT', qty: '10', side: 'buy', type: 'market', time_in_force: 'day' });
 */
export function submitOrder(
  book: Book,
  body: Record<string, unknown>,
  options: { skipRules?: boolean } = {},
): SimOrder {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Rejection(400, { code: 40010000, message: 'request body format is invalid' });
  }
  const symbol = typeof body.symbol === 'string' ? body.symbol.toUpperCase() : '';
  if (!symbol) throw unprocessable('symbol is required', 40010001);
  const asset = book.assets.get(symbol);
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
  if (!TIMES_IN_FORCE.has(tif)) throw unprocessable(`invalid time_in_force ${String(tif)}`, 40010001);
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
  const takeProfitLimit = takeProfit ? parseDecimal(takeProfit.limit_price, 'take_profit.limit_price') : null;
  const stopLossStop = stopLoss ? parseDecimal(stopLoss.stop_price, 'stop_loss.stop_price') : null;
  const stopLossLimit = stopLoss ? parseDecimal(stopLoss.limit_price, 'stop_loss.limit_price') : null;
  if (orderClass === 'oco') {
    if (type !== 'limit') throw unprocessable('oco orders must be limit orders', 42210000);
    if (takeProfitLimit === null || stopLossStop === null) {
      throw unprocessable('oco orders require take_profit.limit_price and stop_loss.stop_price', 40010001);
    }
  }
  // The OCO order itself is its take-profit limit: Alpaca prices it from
  // take_profit.limit_price and ignores a top-level limit_price
  // (https://github.com/alpacahq/alpaca-py/issues/401), so one sent anyway must not trade.
  const limitPrice = orderClass === 'oco' ? takeProfitLimit : parseDecimal(body.limit_price, 'limit_price');
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
    [takeProfitLimit, 'take_profit.limit_price'],
    [stopLossStop, 'stop_loss.stop_price'],
    [stopLossLimit, 'stop_loss.limit_price'],
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
  if (book.orders.byClientId.has(clientOrderId))
    throw unprocessable('client_order_id must be unique', 40010001);

  // Order classes
  const base = limitPrice ?? book.account.price(symbol) ?? 0;
  if (orderClass === 'bracket') {
    if (takeProfitLimit === null || stopLossStop === null) {
      throw unprocessable(
        'bracket orders require take_profit.limit_price and stop_loss.stop_price',
        40010001,
      );
    }
    if (tif !== 'day' && tif !== 'gtc') throw unprocessable('bracket orders must be DAY or GTC', 42210000);
    if (extendedHours) throw unprocessable('bracket orders cannot be extended hours', 42210000);
  }
  if (orderClass === 'bracket' || orderClass === 'oco') {
    if (takeProfitLimit === null || stopLossStop === null) {
      throw unprocessable(`${orderClass} orders require take_profit and stop_loss`, 40010001);
    }
    // A buy bracket (or a sell OCO, which exits a long) takes profit above its stop.
    const long = orderClass === 'oco' ? side === 'sell' : side === 'buy';
    if (long ? !(takeProfitLimit > stopLossStop) : !(takeProfitLimit < stopLossStop)) {
      throw unprocessable(
        long
          ? 'take_profit.limit_price must be > stop_loss.stop_price'
          : 'take_profit.limit_price must be < stop_loss.stop_price',
        42210000,
      );
    }
  }
  if (orderClass === 'bracket') {
    if (side === 'buy' ? stopLossStop! > base - 0.01 : stopLossStop! < base + 0.01) {
      throw unprocessable(
        side === 'buy'
          ? `stop_loss.stop_price must be <= base_price - 0.01 (base_price ${base})`
          : `stop_loss.stop_price must be >= base_price + 0.01 (base_price ${base})`,
        42210000,
      );
    }
  }
  if (orderClass === 'oto' && (takeProfitLimit === null) === (stopLossStop === null)) {
    throw unprocessable('oto orders require exactly one of take_profit or stop_loss', 40010001);
  }

  const candidate = {
    symbol,
    side,
    qty: qty ?? undefined,
    notional: notional ?? undefined,
    type: type as OrderType,
  };
  if (!options.skipRules) checkIntakeRules(book, candidate, orderClass, limitPrice, stopPrice);

  const at = book.clock.stamp();
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
      seq: book.orders.nextSeq(),
      ...over,
    };
    book.orders.add(o);
    return o;
  };
  const parent = make({});
  if (parent.type === 'trailing_stop') {
    parent.hwm = book.account.price(parent.symbol) ?? 0;
    parent.stopPrice = trailStop(parent);
  }
  book.orders.byClientId.set(clientOrderId, parent.id);
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
      type: stopLossLimit !== null ? 'stop_limit' : 'stop',
      stopPrice: stopLossStop,
      limitPrice: stopLossLimit,
      legRole: 'stop_loss',
    });
  const legs: SimOrder[] = [];
  if (orderClass === 'bracket' || orderClass === 'oto') {
    if (takeProfitLimit !== null) {
      legs.push(
        make({
          ...legBase,
          clientOrderId: randomUUID(),
          type: 'limit',
          limitPrice: takeProfitLimit,
          legRole: 'take_profit',
        }),
      );
    }
    if (stopLossStop !== null) {
      legs.push(stopLossLeg());
    }
  } else if (orderClass === 'oco') {
    parent.legRole = 'take_profit';
    legs.push(stopLossLeg());
  }
  parent.legIds = legs.map((l) => l.id);
  for (const l of legs) book.orders.byClientId.set(l.clientOrderId, l.id);
  book.orders.emit('new', parent);
  // OCO legs are live at once (bracket / OTO legs announce themselves when the entry fills).
  if (orderClass === 'oco') for (const l of legs) book.orders.emit('new', l);
  return parent;
}

/**
 * PATCH /v2/orders/:id — a new order replaces the old one (which ends `replaced`).
 * @example
 * replaceOrder(book, order.id, { limit_price: '190.5' }).replaces === order.id; // true
 */
export function replaceOrder(book: Book, id: string, body: Record<string, unknown>): SimOrder {
  const old = book.orders.getOrder(id);
  if (!canFill(old.status) && old.status !== 'held') {
    throw unprocessable(`order is already in "${old.status}" state`, 42210000);
  }
  if (old.filledQty > 0) throw unprocessable('order is partially filled and cannot be replaced', 42210000);
  if (old.orderClass === 'oto' && old.parentId === null) throw unprocessable('oto orders cannot be replaced');
  const qty = body.qty !== undefined ? parseDecimal(body.qty, 'qty') : old.qty;
  const limitPrice =
    body.limit_price !== undefined ? parseDecimal(body.limit_price, 'limit_price') : old.limitPrice;
  const stopPrice =
    body.stop_price !== undefined ? parseDecimal(body.stop_price, 'stop_price') : old.stopPrice;
  const trail = body.trail !== undefined ? parseDecimal(body.trail, 'trail') : null;
  const tif = (body.time_in_force as TimeInForce | undefined) ?? old.timeInForce;
  if (!TIMES_IN_FORCE.has(tif)) throw unprocessable(`invalid time_in_force ${tif}`, 40010001);
  checkPriceIncrement(limitPrice, 'limit_price');
  checkPriceIncrement(stopPrice, 'stop_price');
  const clientOrderId =
    typeof body.client_order_id === 'string' && body.client_order_id ? body.client_order_id : randomUUID();
  if (book.orders.byClientId.has(clientOrderId))
    throw unprocessable('client_order_id must be unique', 40010001);
  const at = book.clock.stamp();
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
    seq: book.orders.nextSeq(),
  };
  if (next.type === 'trailing_stop') next.stopPrice = trailStop(next);
  book.orders.add(next);
  book.orders.byClientId.set(clientOrderId, next.id);
  for (const legId of next.legIds) book.orders.byId.get(legId)!.parentId = next.id;
  if (old.parentId !== null) {
    const parent = book.orders.byId.get(old.parentId)!;
    parent.legIds = parent.legIds.map((l) => (l === old.id ? next.id : l));
  }
  old.legIds = [];
  old.status = 'replaced';
  book.orders.live.delete(old);
  old.replacedAt = at;
  old.replacedBy = next.id;
  old.updatedAt = at;
  book.orders.emit('replaced', old, {}, at);
  book.orders.emit('new', next, {}, at);
  return next;
}
