/**
 * A request the exchange refuses, as Alpaca answers it: the HTTP status and Alpaca's
 * `{ code, message, … }` body. The routes turn it into the response.
 */
import type { RuleResult } from '../rules/result.js';

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

/**
 * 422: the request is understood but not allowed (Alpaca's 42210000, or 40010001 for a bad field).
 * @example
 * throw unprocessable('qty or notional is required', 40010001);
 */
export const unprocessable = (message: string, code = 42210000) => new Rejection(422, { code, message });

/**
 * 403: a broker rule refuses the order (buying power, quantity, shorting, wash trade, day trades).
 * @example
 * throw forbidden('insufficient buying power', { buying_power: '10', cost_basis: '190' });
 */
export const forbidden = (message: string, extra: Record<string, unknown> = {}, code = 40310000) =>
  new Rejection(403, { code, message, ...extra });

/** 404 with Alpaca's body, e.g. `notFound('order not found')`. */
export const notFound = (message: string) => new Rejection(404, { code: 40410000, message });

/**
 * Map a refused broker rule to Alpaca's HTTP answer.
 * @example
 * const r = checkWashTrade({ order, openOrders });
 * if (!r.ok) throw ruleRejection(r); // 403 'potential wash trade detected. use complex orders'
 */
export function ruleRejection(r: Exclude<RuleResult, { ok: true }>): Rejection {
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
