/**
 * What a broker rule answers. Codes are the same strings as the client's
 * `AlpacaError` codes, so an app can treat a local pre-check and a server
 * rejection alike.
 */

/** Why a rule refused an order (a subset of the client's `AlpacaErrorCode`). */
export type RuleCode =
  | 'DAY_TRADE_RULE'
  | 'NOT_SHORTABLE'
  | 'WASH_TRADE'
  | 'INSUFFICIENT_BUYING_POWER'
  | 'INSUFFICIENT_QTY'
  | 'UNPROCESSABLE';

/**
 * `{ ok: true }` or a refusal with a code and a human reason.
 * @example
 * const r: RuleResult = checkWashTrade({ order, openOrders });
 * if (!r.ok) log.warn(r.code, r.reason);
 */
export type RuleResult = { ok: true } | { ok: false; code: RuleCode; reason: string };

/** The order fields the rules look at (a subset of the POST /v2/orders body, numbers parsed). */
export interface RuleOrder {
  symbol: string;
  side: 'buy' | 'sell';
  /** Shares; may be fractional. Omit for notional orders. */
  qty?: number;
  /** Dollar amount of a notional order. */
  notional?: number;
  type?: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
}

/** An order already open at the broker (status new, accepted, partially_filled, held …). */
export interface RuleOpenOrder {
  symbol: string;
  side: 'buy' | 'sell';
  /** Server id, if known; used only in messages. */
  id?: string;
}

/** An execution: a (partial) fill. */
export interface RuleFill {
  symbol: string;
  side: 'buy' | 'sell';
  /** Execution time, UTC epoch ms. */
  time: number;
  qty?: number;
}

export const OK: RuleResult = Object.freeze({ ok: true }) as RuleResult;

export function refuse(code: RuleCode, reason: string): RuleResult {
  return { ok: false, code, reason };
}
