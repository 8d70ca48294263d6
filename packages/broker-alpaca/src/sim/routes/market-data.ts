/**
 * The market-data routes (data.alpaca.markets paths): `GET /v2/stocks/bars` and
 * `/v2/stocks/{symbol}/bars` with paging, and the latest bar, quote and trade. Only bars up
 * to the current step are visible: the exchange never shows the future.
 */
import { addDays, nyWallToUtc } from '../../rules/ny-time.js';
import type { PaperBook } from '../exchange.js';
import type { Bar } from '../options.js';
import { Rejection } from '../rejection.js';
import { barJson, quoteJson, tradeJson } from '../wire/market-data.js';
import type { AreaRoutes } from './route.js';

function splitSymbols(q: URLSearchParams): string[] {
  const s = q.get('symbols');
  if (!s) throw new Rejection(400, { message: 'symbols is required' });
  return s
    .split(',')
    .map((x) => x.trim().toUpperCase())
    .filter(Boolean);
}

/** Bars up to the current step only: the exchange never shows the future. */
function visibleBars(book: PaperBook, symbol: string): Bar[] {
  const t = book.clock.currentBarTime();
  if (t === null) return [];
  const list = book.clock.barsBySymbol.get(symbol) ?? [];
  let hi = list.length;
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.time <= t) lo = mid + 1;
    else hi = mid;
  }
  return list.slice(0, lo);
}

function visibleLatest(book: PaperBook, symbol: string): Bar | undefined {
  const v = visibleBars(book, symbol);
  return v[v.length - 1];
}

function latestMap(
  book: PaperBook,
  symbols: string[],
  f: (b: Bar) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of symbols) {
    const bar = visibleLatest(book, s);
    if (bar) out[s] = f(bar);
  }
  return out;
}

function parseTime(value: string | null, endOfDay: boolean): number | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return endOfDay ? nyWallToUtc(addDays(value, 1), 0, 0) - 1 : nyWallToUtc(value, 0, 0);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Rejection(422, { code: 42210000, message: `invalid time ${value}` });
  return ms;
}

function barsJson(
  book: PaperBook,
  q: URLSearchParams,
  symbols: string[],
  single: boolean,
): Record<string, unknown> {
  const timeframe = q.get('timeframe');
  if (!timeframe || !/^\d+(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.test(timeframe)) {
    throw new Rejection(422, { code: 42210000, message: 'invalid timeframe' });
  }
  const start = parseTime(q.get('start'), false);
  const end = parseTime(q.get('end'), true);
  const limit = q.get('limit') === null ? 1000 : Number(q.get('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new Rejection(422, { code: 42210000, message: 'invalid limit' });
  }
  const desc = q.get('sort') === 'desc';
  // Pages run through symbols (sorted), then time; the token is the last key served.
  const rows: Bar[] = [];
  // A daily bar is compared as Alpaca stamps it (midnight New York of its session), so
  // start=2000-09-28 finds the 2000-09-28 bar however its feed stamped it (CSV: UTC midnight).
  const { clock } = book;
  const stamp = (bar: Bar) => (clock.daily ? nyWallToUtc(clock.sessionOf(bar.time), 0, 0) : bar.time);
  for (const s of [...new Set(symbols)].sort()) {
    let list = visibleBars(book, s).filter(
      (bar) => (start === undefined || stamp(bar) >= start) && (end === undefined || stamp(bar) <= end),
    );
    if (desc) list = [...list].reverse();
    rows.push(...list);
  }
  let from = 0;
  const token = q.get('page_token');
  if (token) {
    let key: [string, number];
    try {
      key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, number];
    } catch {
      throw new Rejection(422, { code: 42210000, message: 'invalid page_token' });
    }
    const idx = rows.findIndex((r) => r.symbol === key[0] && r.time === key[1]);
    if (idx < 0) throw new Rejection(422, { code: 42210000, message: 'invalid page_token' });
    from = idx + 1;
  }
  const page = rows.slice(from, from + limit);
  const lastRow = page[page.length - 1];
  const next =
    from + limit < rows.length && lastRow
      ? Buffer.from(JSON.stringify([lastRow.symbol, lastRow.time]), 'utf8').toString('base64url')
      : null;
  if (single) {
    return { bars: page.length > 0 ? page.map(barJson) : null, symbol: symbols[0], next_page_token: next };
  }
  const bars: Record<string, unknown[]> = {};
  for (const r of page) (bars[r.symbol] ??= []).push(barJson(r));
  return { bars, next_page_token: next };
}

/**
 * The market-data routes.
 * @example
 * marketDataRoutes(book, { method: 'GET', segments: ['stocks', 'bars'], query, body: undefined });
 */
export const marketDataRoutes: AreaRoutes = (book, { method, segments, query: q }) => {
  if (method !== 'GET') return undefined;
  // /v2/stocks/{kind}/latest, /v2/stocks/{symbol}/bars, /v2/stocks/{symbol}/{kind}/latest
  const [, first, second, third] = segments;
  const quote = (bar: Bar) => quoteJson(bar, book.clock.now());
  const trade = (bar: Bar) => tradeJson(bar, book.clock.now(), book.clock.cursor + 1);
  if (first === 'bars' && second === undefined) return [200, barsJson(book, q, splitSymbols(q), false)];
  if (first === 'bars' && second === 'latest')
    return [200, { bars: latestMap(book, splitSymbols(q), barJson) }];
  if (first === 'quotes' && second === 'latest')
    return [200, { quotes: latestMap(book, splitSymbols(q), quote) }];
  if (first === 'trades' && second === 'latest')
    return [200, { trades: latestMap(book, splitSymbols(q), trade) }];
  if (first !== undefined && second === 'bars' && third === undefined) {
    return [200, barsJson(book, q, [decodeURIComponent(first).toUpperCase()], true)];
  }
  if (first !== undefined && third === 'latest') {
    const symbol = decodeURIComponent(first).toUpperCase();
    const bar = visibleLatest(book, symbol);
    if (second === 'bars') return [200, { symbol, bar: bar ? barJson(bar) : null }];
    if (second === 'quotes') return [200, { symbol, quote: bar ? quote(bar) : null }];
    if (second === 'trades') return [200, { symbol, trade: bar ? trade(bar) : null }];
  }
  return undefined;
};
