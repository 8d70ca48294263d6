/**
 * Day-trading limits as a pluggable rule.
 *
 * - `intraday-margin` (default): FINRA's revised Rule 4210 replaced the
 *   pattern-day-trader framework on 2026-06-04 with intraday margin standards.
 *   There is no day-trade count any more; the limit is buying power, which the
 *   broker (and the sim) check on every order (`INSUFFICIENT_BUYING_POWER`).
 *   This rule therefore never refuses on its own.
 * - `legacy-pdt`: the pre-2026 protection Alpaca applied: an order that
 *   **could** become the 4th day trade within 5 business days is refused when
 *   the previous close's equity is under $25,000. Pending orders count: an open
 *   sell plus a new buy in the same symbol is a potential day trade.
 *   Use it for historical backtests and brokers still phasing the change in.
 *
 * A day trade is buying and selling (or selling and buying) the same symbol on
 * the same New York trading day (FINRA 4210(f)(8)(B)). Within one symbol and
 * day, fills are collapsed into runs of one side; every two runs make one day
 * trade (B,B,S → 1; B,S,B,S → 2; S,B → 1, a short covered the same day).
 */
import { type BusinessDayOptions, lastBusinessDays } from './business-days.js';
import { nyDate } from './ny-time.js';
import { OK, type RuleFill, type RuleOpenOrder, type RuleOrder, type RuleResult, refuse } from './result.js';

/** Which day-trading regime applies. */
export type DayTradeRule = 'intraday-margin' | 'legacy-pdt';

/** Options for {@link countDayTrades}. */
export interface CountDayTradesOptions extends BusinessDayOptions {
  /** The instant the window ends at (UTC ms); its New York date is the last day counted. */
  now: number;
  /** Window length in business days (legacy rule: 5). */
  businessDays?: number;
}

/**
 * Day trades completed in the last `businessDays` business days up to `now`.
 * @example
 * const t = Date.parse('2026-03-02T15:00:00Z');
 * countDayTrades(
 *   [{ symbol: 'AAPL', side: 'buy', time: t }, { symbol: 'AAPL', side: 'sell', time: t + 60_000 }],
 *   { now: t },
 * ); // 1
 */
export function countDayTrades(fills: readonly RuleFill[], options: CountDayTradesOptions): number {
  const window = new Set(lastBusinessDays(options.now, options.businessDays ?? 5, options));
  const groups = new Map<string, RuleFill[]>();
  for (const f of fills) {
    if (f.time > options.now) continue;
    const day = nyDate(f.time);
    if (!window.has(day)) continue;
    const key = `${f.symbol}\u0000${day}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  let count = 0;
  for (const list of groups.values()) {
    list.sort((a, b) => a.time - b.time);
    let runs = 0;
    let last: RuleFill['side'] | undefined;
    for (const f of list) {
      if (f.side !== last) runs++;
      last = f.side;
    }
    count += Math.floor(runs / 2);
  }
  return count;
}

/** Input of {@link checkDayTradeRule}. */
export interface DayTradeCheckInput extends BusinessDayOptions {
  /** Equity at the previous session's close (Alpaca's `last_equity`). */
  equity: number;
  /**
   * Day trades already made: a count over the window, or the times (UTC ms) of
   * each completed day trade (those outside the window are ignored).
   */
  dayTrades: number | readonly number[];
  /** The order about to be sent. */
  order: RuleOrder;
  /** Orders open at the broker; an opposite-side one in the same symbol makes this a potential day trade. */
  pendingOrders?: readonly RuleOpenOrder[];
  /** Fills so far (only today's, same symbol, are used): an opposite-side fill today makes this a potential day trade. */
  fills?: readonly RuleFill[];
  /** Current time (UTC ms). */
  now: number;
  /** Window length in business days (default 5). */
  businessDays?: number;
  /** Day trades that make a pattern day trader (default 4). */
  maxDayTrades?: number;
  /** Equity below which pattern day trading is refused (default 25,000). */
  minEquity?: number;
}

/**
 * Apply a day-trading rule to an order before it is sent.
 * @example
 * checkDayTradeRule('legacy-pdt', {
 *   equity: 10_000, dayTrades: 3, now: Date.now(),
 *   order: { symbol: 'MSFT', side: 'sell', qty: 10 },
 *   pendingOrders: [{ symbol: 'MSFT', side: 'buy' }],
 * }); // { ok: false, code: 'DAY_TRADE_RULE', … }
 */
export function checkDayTradeRule(rule: DayTradeRule, input: DayTradeCheckInput): RuleResult {
  if (rule === 'intraday-margin') return OK;
  const { order, now } = input;
  const today = nyDate(now);
  const opposite = order.side === 'buy' ? 'sell' : 'buy';
  const potential =
    (input.pendingOrders ?? []).some((o) => o.symbol === order.symbol && o.side === opposite) ||
    (input.fills ?? []).some(
      (f) => f.symbol === order.symbol && f.side === opposite && f.time <= now && nyDate(f.time) === today,
    );
  if (!potential) return OK;
  let count: number;
  if (typeof input.dayTrades === 'number') count = input.dayTrades;
  else {
    const window = new Set(lastBusinessDays(now, input.businessDays ?? 5, input));
    count = input.dayTrades.filter((t) => t <= now && window.has(nyDate(t))).length;
  }
  const max = input.maxDayTrades ?? 4;
  const minEquity = input.minEquity ?? 25_000;
  if (count + 1 >= max && input.equity < minEquity) {
    return refuse(
      'DAY_TRADE_RULE',
      `trade denied due to pattern day trading protection: this ${order.side} of ${order.symbol} could be day trade ${count + 1} in ${input.businessDays ?? 5} business days with equity ${input.equity} < ${minEquity}`,
    );
  }
  return OK;
}
