/**
 * Order input: typed camelCase input → checked locally → the snake_case JSON body of
 * `POST /v2/orders` (https://docs.alpaca.markets/reference/postorder,
 * https://docs.alpaca.markets/docs/orders-at-alpaca). Every rule that Alpaca documents for a
 * single order is checked here so the error names the field before anything is sent.
 * Quantities and prices may be numbers or decimal strings; strings are sent unchanged
 * (exactness).
 */
import { randomUUID } from 'node:crypto';
import { AlpacaError } from './errors.js';
import { decimalPlaces, isPlainDecimal, toDecimalString } from './schemas/primitives.js';
import type { OrderClass, OrderSide, OrderType, TimeInForce } from './types.js';

/** A decimal given as a number or as an exact decimal string (`'0.123456789'`). */
export type DecimalInput = number | string;

/**
 * Input of `submitOrder` (camelCase names of the `POST /v2/orders` fields).
 * @example
 * // A bracket entry: buy, then exit at 200 or stop out at 185.
 * const entry: OrderInput = { symbol: 'AAPL', qty: 10, side: 'buy', type: 'limit', limitPrice: 190.5,
 *   orderClass: 'bracket', takeProfit: { limitPrice: 200 }, stopLoss: { stopPrice: 185 } };
 * // An OCO exit of a long already held: no top-level limitPrice, the limit is takeProfit's.
 * const exit: OrderInput = { symbol: 'AAPL', qty: 10, side: 'sell', type: 'limit', timeInForce: 'gtc',
 *   orderClass: 'oco', takeProfit: { limitPrice: 200 }, stopLoss: { stopPrice: 185 } };
 */
export interface OrderInput {
  symbol: string;
  /** Shares (up to 9 decimals). Exactly one of `qty` and `notional`. */
  qty?: DecimalInput;
  /** Dollar amount (market `day` orders on fractionable assets). */
  notional?: DecimalInput;
  side: OrderSide;
  /** Default `'market'` (`'limit'` for `orderClass: 'oco'`, the only type an OCO takes). */
  type?: OrderType;
  /** Default `'day'`. */
  timeInForce?: TimeInForce;
  /**
   * Required for `limit` and `stop_limit`. Not used by `oco` orders: their limit price is
   * `takeProfit.limitPrice` (Alpaca has no top-level `limit_price` for an OCO).
   */
  limitPrice?: DecimalInput;
  /** Required for `stop` and `stop_limit`. */
  stopPrice?: DecimalInput;
  /** `trailing_stop`: exactly one of `trailPrice` and `trailPercent`. */
  trailPrice?: DecimalInput;
  trailPercent?: DecimalInput;
  /** Only `limit` orders with `day` or `gtc`. */
  extendedHours?: boolean;
  /** ≤ 48 characters, unique per account; generated (UUID) when absent. */
  clientOrderId?: string;
  /**
   * Default `'simple'`. `bracket`: an entry plus both exit legs; `oco`: an exit of an open
   * position, `takeProfit` and `stopLoss` both required, `side` is the exit's side; `oto`: an
   * entry plus exactly one exit leg.
   */
  orderClass?: OrderClass;
  /** The take-profit limit leg (`bracket`, `oco`, `oto`). */
  takeProfit?: { limitPrice: DecimalInput };
  /** The stop-loss leg (`bracket`, `oco`, `oto`); with `limitPrice` it is a stop-limit. */
  stopLoss?: { stopPrice: DecimalInput; limitPrice?: DecimalInput };
  positionIntent?: 'buy_to_open' | 'buy_to_close' | 'sell_to_open' | 'sell_to_close';
}

/** Input of `replaceOrder` (`PATCH /v2/orders/{id}`). */
export interface ReplaceOrderInput {
  qty?: DecimalInput;
  timeInForce?: TimeInForce;
  limitPrice?: DecimalInput;
  stopPrice?: DecimalInput;
  /** New trail (price or percent, per the order's trail kind). */
  trail?: DecimalInput;
  /** Client id of the replacement order; generated when absent (it makes the replace reconcilable). */
  clientOrderId?: string;
}

/** The JSON body of `POST /v2/orders`. */
export interface OrderBody {
  symbol: string;
  qty?: string;
  notional?: string;
  side: OrderSide;
  type: OrderType;
  time_in_force: TimeInForce;
  limit_price?: string;
  stop_price?: string;
  trail_price?: string;
  trail_percent?: string;
  extended_hours?: boolean;
  client_order_id: string;
  order_class?: OrderClass;
  take_profit?: { limit_price: string };
  stop_loss?: { stop_price: string; limit_price?: string };
  position_intent?: string;
}

const TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const TIFS: readonly TimeInForce[] = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'];
const CLASSES: readonly OrderClass[] = ['simple', 'bracket', 'oco', 'oto'];
const INTENTS = ['buy_to_open', 'buy_to_close', 'sell_to_open', 'sell_to_close'];

/**
 * Alpaca's published maximum length of `client_order_id`.
 * @example
 * myId.length <= MAX_CLIENT_ORDER_ID_LENGTH;
 */
export const MAX_CLIENT_ORDER_ID_LENGTH = 48;

function invalid(field: string, message: string, clientOrderId?: string): AlpacaError {
  return new AlpacaError('UNPROCESSABLE', `invalid order: ${field} ${message}`, {
    field,
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
  });
}

/** Check one decimal input; returns the wire string or throws naming `field`. */
function decimalField(
  field: string,
  value: DecimalInput,
  opts: { positive?: boolean; maxDecimals?: number; price?: boolean } = {},
): string {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw invalid(field, `must be a finite number, got ${value}`);
  if (typeof value !== 'number' && typeof value !== 'string')
    throw invalid(field, `must be a number or a decimal string, got ${typeof value}`);
  if (typeof value === 'string' && !isPlainDecimal(value))
    throw invalid(field, `must be a plain decimal string like "10.5", got ${JSON.stringify(value)}`);
  const text = toDecimalString(value, opts.maxDecimals ?? 9);
  const n = Number(text);
  if (opts.positive !== false && !(n > 0)) throw invalid(field, `must be greater than 0, got ${text}`);
  const places = decimalPlaces(typeof value === 'string' ? value : String(value));
  if (opts.maxDecimals !== undefined && places > opts.maxDecimals)
    throw invalid(field, `has ${places} decimals, at most ${opts.maxDecimals} allowed`);
  if (opts.price) {
    // Alpaca's sub-penny rule: ≥ $1 → 2 decimals, < $1 → 4 decimals (else 422 42210000).
    const max = n >= 1 ? 2 : 4;
    if (places > max)
      throw invalid(
        field,
        `${text} is a sub-penny increment: prices ≥ $1 allow 2 decimals, below $1 allow 4`,
      );
  }
  return text;
}

/**
 * Check an order input and build the request body. Throws `AlpacaError` with code
 * `UNPROCESSABLE` and `field` set (e.g. `limitPrice`) when a rule is broken.
 * @example
 * buildOrderBody({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit', limitPrice: 190.5 });
 * // { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', time_in_force: 'day', limit_price: '190.5', client_order_id: '…' }
 */
export function buildOrderBody(input: OrderInput, generateId: () => string = randomUUID): OrderBody {
  if (input === null || typeof input !== 'object') throw invalid('input', 'must be an object');
  const clientOrderId = input.clientOrderId ?? generateId();
  try {
    return buildBody(input, clientOrderId);
  } catch (e) {
    if (e instanceof AlpacaError && e.clientOrderId === undefined)
      throw new AlpacaError(e.code, e.message, { field: e.field as string, clientOrderId });
    throw e;
  }
}

function buildBody(input: OrderInput, clientOrderId: string): OrderBody {
  if (typeof clientOrderId !== 'string' || clientOrderId.length === 0)
    throw invalid('clientOrderId', 'must be a non-empty string');
  if (clientOrderId.length > MAX_CLIENT_ORDER_ID_LENGTH)
    throw invalid('clientOrderId', `must be at most ${MAX_CLIENT_ORDER_ID_LENGTH} characters`);
  if (typeof input.symbol !== 'string' || input.symbol.trim() === '')
    throw invalid('symbol', 'is required (e.g. "AAPL")');
  if (input.side !== 'buy' && input.side !== 'sell')
    throw invalid('side', `must be "buy" or "sell", got ${JSON.stringify(input.side)}`);
  const orderClass = input.orderClass ?? 'simple';
  if (!CLASSES.includes(orderClass))
    throw invalid('orderClass', `must be one of ${CLASSES.join(', ')}, got ${JSON.stringify(orderClass)}`);
  const oco = orderClass === 'oco';
  // An OCO is always a limit order (its take-profit half), so the type may be left out.
  const type = input.type ?? (oco ? 'limit' : 'market');
  if (!TYPES.includes(type))
    throw invalid('type', `must be one of ${TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  if (oco && type !== 'limit')
    throw invalid(
      'type',
      `oco orders must be type "limit" (the take-profit half), got ${JSON.stringify(type)}`,
    );
  const tif = input.timeInForce ?? 'day';
  if (!TIFS.includes(tif))
    throw invalid('timeInForce', `must be one of ${TIFS.join(', ')}, got ${JSON.stringify(tif)}`);

  const body: OrderBody = {
    symbol: input.symbol.trim().toUpperCase(),
    side: input.side,
    type,
    time_in_force: tif,
    client_order_id: clientOrderId,
  };

  // Quantity: exactly one of qty and notional.
  const hasQty = input.qty !== undefined && input.qty !== null;
  const hasNotional = input.notional !== undefined && input.notional !== null;
  if (hasQty === hasNotional)
    throw invalid(hasQty ? 'notional' : 'qty', 'exactly one of qty and notional must be given');
  if (hasQty) {
    body.qty = decimalField('qty', input.qty as DecimalInput, { maxDecimals: 9 });
    if (decimalPlaces(body.qty) > 0 && tif !== 'day')
      throw invalid('timeInForce', 'fractional quantities need timeInForce "day"');
  } else {
    body.notional = decimalField('notional', input.notional as DecimalInput, { maxDecimals: 2 });
    if (type !== 'market') throw invalid('type', 'notional orders must be market orders');
    if (tif !== 'day') throw invalid('timeInForce', 'notional orders need timeInForce "day"');
  }

  // Prices required (and only allowed) where the type uses them. An OCO has no top-level
  // limit price: Alpaca reads its take-profit price from take_profit.limit_price and drops a
  // top-level limit_price without a word (https://github.com/alpacahq/alpaca-py/issues/401),
  // so a price sent there would not be the one that trades. Refuse it rather than guess
  // which of two prices is meant.
  const hasLimit = input.limitPrice !== undefined && input.limitPrice !== null;
  if (oco && hasLimit)
    throw invalid(
      'limitPrice',
      'is not used by oco orders: Alpaca takes the take-profit price from takeProfit.limitPrice ' +
        '(a top-level limit_price is ignored); move the price to takeProfit.limitPrice',
    );
  const needsLimit = !oco && (type === 'limit' || type === 'stop_limit');
  const needsStop = type === 'stop' || type === 'stop_limit';
  if (needsLimit) {
    if (input.limitPrice === undefined || input.limitPrice === null)
      throw invalid('limitPrice', `is required for ${type} orders`);
    body.limit_price = decimalField('limitPrice', input.limitPrice, { price: true });
  } else if (hasLimit) {
    throw invalid('limitPrice', `is not used by ${type} orders (use type "limit" or "stop_limit")`);
  }
  if (needsStop) {
    if (input.stopPrice === undefined || input.stopPrice === null)
      throw invalid('stopPrice', `is required for ${type} orders`);
    body.stop_price = decimalField('stopPrice', input.stopPrice, { price: true });
  } else if (input.stopPrice !== undefined && input.stopPrice !== null) {
    throw invalid('stopPrice', `is not used by ${type} orders (use type "stop" or "stop_limit")`);
  }
  const hasTrailPrice = input.trailPrice !== undefined && input.trailPrice !== null;
  const hasTrailPercent = input.trailPercent !== undefined && input.trailPercent !== null;
  if (type === 'trailing_stop') {
    if (hasTrailPrice === hasTrailPercent)
      throw invalid('trailPrice', 'trailing_stop orders need exactly one of trailPrice and trailPercent');
    if (hasTrailPrice)
      body.trail_price = decimalField('trailPrice', input.trailPrice as DecimalInput, { price: true });
    else body.trail_percent = decimalField('trailPercent', input.trailPercent as DecimalInput);
    if (tif !== 'day' && tif !== 'gtc')
      throw invalid('timeInForce', 'trailing_stop orders need "day" or "gtc"');
  } else if (hasTrailPrice || hasTrailPercent) {
    throw invalid(hasTrailPrice ? 'trailPrice' : 'trailPercent', 'is only used by trailing_stop orders');
  }

  if (input.extendedHours !== undefined) {
    if (typeof input.extendedHours !== 'boolean') throw invalid('extendedHours', 'must be a boolean');
    if (input.extendedHours) {
      if (type !== 'limit') throw invalid('extendedHours', 'is only allowed for limit orders');
      if (tif !== 'day' && tif !== 'gtc') throw invalid('extendedHours', 'needs timeInForce "day" or "gtc"');
    }
    body.extended_hours = input.extendedHours;
  }
  if (input.positionIntent !== undefined) {
    if (!INTENTS.includes(input.positionIntent))
      throw invalid('positionIntent', `must be one of ${INTENTS.join(', ')}`);
    body.position_intent = input.positionIntent;
  }

  addLegs(body, input, orderClass);
  return body;
}

function addLegs(body: OrderBody, input: OrderInput, orderClass: OrderClass): void {
  const tp = input.takeProfit;
  const sl = input.stopLoss;
  if (orderClass === 'simple') {
    if (tp !== undefined) throw invalid('takeProfit', 'needs orderClass "bracket", "oco" or "oto"');
    if (sl !== undefined) throw invalid('stopLoss', 'needs orderClass "bracket", "oco" or "oto"');
    return;
  }
  body.order_class = orderClass;
  if (tp !== undefined) {
    if (tp === null || typeof tp !== 'object' || tp.limitPrice === undefined)
      throw invalid('takeProfit.limitPrice', 'is required in takeProfit');
    body.take_profit = { limit_price: decimalField('takeProfit.limitPrice', tp.limitPrice, { price: true }) };
  }
  if (sl !== undefined) {
    if (sl === null || typeof sl !== 'object' || sl.stopPrice === undefined)
      throw invalid('stopLoss.stopPrice', 'is required in stopLoss');
    body.stop_loss = { stop_price: decimalField('stopLoss.stopPrice', sl.stopPrice, { price: true }) };
    if (sl.limitPrice !== undefined)
      body.stop_loss.limit_price = decimalField('stopLoss.limitPrice', sl.limitPrice, { price: true });
  }
  if (orderClass === 'bracket' || orderClass === 'oco') {
    if (tp === undefined) throw invalid('takeProfit', `is required for ${orderClass} orders`);
    if (sl === undefined) throw invalid('stopLoss', `is required for ${orderClass} orders`);
  }
  if (orderClass === 'oto' && (tp === undefined) === (sl === undefined))
    throw invalid('takeProfit', 'oto orders need exactly one of takeProfit and stopLoss');
  if (orderClass === 'bracket') {
    if (body.time_in_force !== 'day' && body.time_in_force !== 'gtc')
      throw invalid('timeInForce', 'bracket orders need "day" or "gtc"');
    if (body.extended_hours) throw invalid('extendedHours', 'is not allowed for bracket orders');
  }
  if (body.take_profit && body.stop_loss) {
    // Bracket `side` is the entry (buy → exits above and below); OCO `side` is the exit
    // itself (sell closes a long: take profit above the stop).
    const take = Number(body.take_profit.limit_price);
    const stop = Number(body.stop_loss.stop_price);
    const longExit = orderClass === 'oco' ? body.side === 'sell' : body.side === 'buy';
    if (longExit && !(take > stop))
      throw invalid(
        'takeProfit.limitPrice',
        `must be above stopLoss.stopPrice when exiting a long (${take} ≤ ${stop})`,
      );
    if (!longExit && !(take < stop))
      throw invalid(
        'takeProfit.limitPrice',
        `must be below stopLoss.stopPrice when exiting a short (${take} ≥ ${stop})`,
      );
  }
}

/** The JSON body of `PATCH /v2/orders/{id}`. */
export interface ReplaceBody {
  qty?: string;
  time_in_force?: TimeInForce;
  limit_price?: string;
  stop_price?: string;
  trail?: string;
  client_order_id: string;
}

/**
 * Check a replace patch and build its body (a client order id is always set).
 * @example
 * buildReplaceBody({ limitPrice: 191 }); // { limit_price: '191', client_order_id: '…' }
 */
export function buildReplaceBody(
  patch: ReplaceOrderInput,
  generateId: () => string = randomUUID,
): ReplaceBody {
  if (patch === null || typeof patch !== 'object') throw invalid('patch', 'must be an object');
  const clientOrderId = patch.clientOrderId ?? generateId();
  if (clientOrderId.length === 0 || clientOrderId.length > MAX_CLIENT_ORDER_ID_LENGTH)
    throw invalid('clientOrderId', `must be 1 to ${MAX_CLIENT_ORDER_ID_LENGTH} characters`);
  const body: ReplaceBody = { client_order_id: clientOrderId };
  if (patch.qty !== undefined) body.qty = decimalField('qty', patch.qty, { maxDecimals: 9 });
  if (patch.timeInForce !== undefined) {
    if (!TIFS.includes(patch.timeInForce)) throw invalid('timeInForce', `must be one of ${TIFS.join(', ')}`);
    body.time_in_force = patch.timeInForce;
  }
  if (patch.limitPrice !== undefined)
    body.limit_price = decimalField('limitPrice', patch.limitPrice, { price: true });
  if (patch.stopPrice !== undefined)
    body.stop_price = decimalField('stopPrice', patch.stopPrice, { price: true });
  if (patch.trail !== undefined) body.trail = decimalField('trail', patch.trail);
  if (Object.keys(body).length === 1)
    throw invalid('patch', 'must change at least one of qty, timeInForce, limitPrice, stopPrice, trail');
  return body;
}
