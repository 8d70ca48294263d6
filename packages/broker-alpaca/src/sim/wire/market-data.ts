/**
 * Market data in Alpaca's JSON (https://docs.alpaca.markets/reference/stockbars): a bar's
 * `t/o/h/l/c/v`, and a quote and a trade made from a bar's close (the exchange has bars only).
 */
import type { Bar } from '../options.js';

/**
 * A bar as `GET /v2/stocks/bars` sends it; `vw` is the typical price (high + low + close) / 3.
 * @example
 * barJson(bar).t; // '2000-09-28T00:00:00Z'
 */
export function barJson(bar: Bar): Record<string, unknown> {
  return {
    t: new Date(bar.time).toISOString().replace('.000Z', 'Z'),
    o: bar.open,
    h: bar.high,
    l: bar.low,
    c: bar.close,
    v: bar.volume,
    n: 0,
    vw: Number(((bar.high + bar.low + bar.close) / 3).toFixed(4)),
  };
}

/**
 * The latest quote: bid and ask at the bar's close, stamped `now`.
 * @example
 * quoteJson(bar, clock.now()).ap === bar.close; // true
 */
export function quoteJson(bar: Bar, now: number): Record<string, unknown> {
  const t = new Date(now).toISOString();
  return { t, ax: 'V', ap: bar.close, as: 1, bx: 'V', bp: bar.close, bs: 1, c: ['R'], z: 'C' };
}

/**
 * The latest trade: 100 shares at the bar's close, stamped `now`; `tradeId` numbers the steps.
 * @example
 * tradeJson(bar, clock.now(), clock.cursor + 1).p === bar.close; // true
 */
export function tradeJson(bar: Bar, now: number, tradeId: number): Record<string, unknown> {
  const t = new Date(now).toISOString();
  return { t, x: 'V', p: bar.close, s: 100, c: ['@'], i: tradeId, z: 'C' };
}
