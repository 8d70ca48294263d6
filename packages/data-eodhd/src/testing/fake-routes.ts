/**
 * The fake EODHD server's routes: what each documented endpoint answers for a request
 * that passed the token and limit checks, plus the body faults. Data come from
 * `options.data`, `options.dataDir` files, or the deterministic generator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntradayInterval } from '../types.js';
import {
  type FakeEodRow,
  generateDividendRows,
  generateEodRows,
  generateIntradayRows,
  INTERVAL_SECONDS,
  KNOWN_SPLITS,
  US_SYMBOLS,
} from './fake-data.js';
import type { FakeEodhdOptions, FakeFault } from './fake-types.js';

export const MAX_SPAN_DAYS: Record<string, number> = { '1m': 120, '5m': 600, '1h': 7200 };
export const COST: Record<string, number> = {
  intraday: 5,
  eod: 1,
  splits: 1,
  div: 1,
  'exchange-symbol-list': 1,
  'eod-bulk-last-day': 100,
  'exchanges-list': 1,
  user: 0,
};
export const DEMO_TICKERS = new Set([
  'AAPL.US',
  'MSFT.US',
  'TSLA.US',
  'VTI.US',
  'AMZN.US',
  'SWPPX.US',
  'EURUSD.FOREX',
  'BTC-USD.CC',
]);
const BULK_CODES = ['AAPL', 'MSFT', 'TSLA', 'SPY', 'BRK-B'];

/** An HTTP answer. */
export interface Reply {
  status: number;
  body: string;
  type: string;
  headers?: Record<string, string>;
}

/** What a route needs from the server. */
export interface RouteContext {
  options: FakeEodhdOptions;
  now: () => number;
  /** API calls charged today. */
  callsUsed: () => number;
}

function fileRows(options: FakeEodhdOptions, dir: string, name: string): unknown[] | undefined {
  if (!options.dataDir) return undefined;
  try {
    return JSON.parse(readFileSync(join(options.dataDir, dir, `${name}.json`), 'utf8')) as unknown[];
  } catch {
    return undefined;
  }
}

/**
 * Answers one authorised, within-limits request from the configured data: files,
 * memory or the generator; applies a body fault (`malformed`, `csv`, `nulls`, …).
 */
export function serveRoute(
  ctx: RouteContext,
  endpoint: string,
  target: string | undefined,
  query: Record<string, string>,
  fault: FakeFault | undefined,
): Reply {
  const { options, now } = ctx;
  const today = new Date(now()).toISOString().slice(0, 10);
  let rows: Record<string, unknown>[];
  let csvHeader: string | undefined;
  switch (endpoint) {
    case 'intraday': {
      const interval = (query['interval'] ?? '5m') as IntradayInterval;
      if (!(interval in INTERVAL_SECONDS)) return json(422, { errors: { interval: ['invalid interval'] } });
      const nowSec = Math.floor(now() / 1000);
      let to = query['to'] !== undefined ? Number(query['to']) : nowSec;
      let from = query['from'] !== undefined ? Number(query['from']) : to - 120 * 86_400;
      if (!Number.isInteger(from) || !Number.isInteger(to))
        return json(422, { errors: { from: ['from/to must be Unix seconds'] } });
      const cap = MAX_SPAN_DAYS[interval]! * 86_400;
      if (to - from > cap) {
        if ((options.overCap ?? 'error') === 'error')
          return json(422, {
            message: `Max period length for interval ${interval} is ${MAX_SPAN_DAYS[interval]} days`,
          });
        from = to - cap;
      }
      if (fault?.kind === 'boundary') {
        from -= INTERVAL_SECONDS[interval];
        to += INTERVAL_SECONDS[interval];
      }
      const stored =
        options.data?.intraday?.[target!]?.[interval] ??
        fileRows(options, 'intraday', `${target}.${interval}`);
      rows = stored
        ? (stored as Record<string, unknown>[]).filter(
            (r) => Number(r['timestamp']) >= from && Number(r['timestamp']) <= to,
          )
        : (generateIntradayRows(target!, interval, from, Math.min(to, nowSec)) as unknown as Record<
            string,
            unknown
          >[]);
      csvHeader = 'Timestamp,Gmtoffset,Datetime,Open,High,Low,Close,Volume';
      break;
    }
    case 'eod': {
      const from = query['from'] ?? '2000-01-01';
      const to = query['to'] !== undefined && query['to'] < today ? query['to'] : today;
      const stored = options.data?.eod?.[target!] ?? fileRows(options, 'eod', target!);
      let eod = (
        stored
          ? (stored as FakeEodRow[]).filter((r) => r.date >= from && r.date <= to)
          : generateEodRows(target!, from, to)
      ) as FakeEodRow[];
      if (query['period'] === 'w' || query['period'] === 'm') eod = aggregate(eod, query['period']);
      if (query['order'] === 'd') eod = [...eod].reverse();
      rows = eod as unknown as Record<string, unknown>[];
      csvHeader = 'Date,Open,High,Low,Close,Adjusted_close,Volume';
      if (query['fmt'] !== 'json' && fault?.kind !== 'nulls') return csv(rows, csvHeader);
      break;
    }
    case 'splits':
    case 'div': {
      const from = query['from'] ?? '1970-01-01';
      const to = query['to'] ?? today;
      const stored =
        endpoint === 'splits'
          ? (options.data?.splits?.[target!] ??
            fileRows(options, 'splits', target!) ??
            KNOWN_SPLITS[target!] ??
            [])
          : (options.data?.dividends?.[target!] ??
            fileRows(options, 'div', target!) ??
            generateDividendRows(target!, from, to));
      rows = (stored as Record<string, unknown>[]).filter(
        (r) => String(r['date']) >= from && String(r['date']) <= to,
      );
      break;
    }
    case 'exchange-symbol-list': {
      const stored =
        options.data?.exchangeSymbols?.[target!] ?? fileRows(options, 'exchange-symbol-list', target!);
      rows = (stored ?? (target === 'US' ? US_SYMBOLS : [])) as Record<string, unknown>[];
      if (query['type'] === 'etf') rows = rows.filter((r) => r['Type'] === 'ETF');
      if (query['type'] === 'common_stock') rows = rows.filter((r) => r['Type'] === 'Common Stock');
      break;
    }
    case 'eod-bulk-last-day': {
      const date = query['date'] ?? lastWeekday(today);
      const codes = query['symbols'] ? query['symbols'].split(',') : BULK_CODES;
      const stored = options.data?.bulkEod?.[target!] ?? fileRows(options, 'eod-bulk-last-day', target!);
      rows = stored
        ? (stored as Record<string, unknown>[]).filter(
            (r) => !query['symbols'] || codes.includes(String(r['code'])),
          )
        : codes.flatMap((code) =>
            generateEodRows(`${code}.${target}`, date, date).map((r) => ({
              code,
              exchange_short_name: target,
              ...r,
            })),
          );
      break;
    }
    case 'exchanges-list':
      rows = [
        {
          Name: 'USA Stocks',
          Code: 'US',
          OperatingMIC: 'XNAS, XNYS',
          Country: 'USA',
          Currency: 'USD',
          CountryISO2: 'US',
          CountryISO3: 'USA',
        },
      ];
      break;
    case 'user':
      return json(200, {
        name: 'Fake User',
        email: 'fake@example.com',
        subscriptionType: 'fake',
        paymentMethod: 'none',
        apiRequests: ctx.callsUsed(),
        apiRequestsDate: today,
        dailyRateLimit: Number.isFinite(options.dailyCallLimit ?? Number.POSITIVE_INFINITY)
          ? options.dailyCallLimit
          : 100_000,
        extraLimit: 0,
      });
    default:
      return text(404, 'Not Found');
  }
  switch (fault?.kind) {
    case 'malformed':
      return { status: 200, type: 'application/json', body: JSON.stringify(rows).slice(0, -7) };
    case 'csv':
      return csv(rows, csvHeader);
    case 'html':
      return { status: 200, type: 'text/html', body: '<html><body><h1>Maintenance</h1></body></html>' };
    case 'empty':
      return json(200, []);
    case 'nulls':
      return json(200, withNulls(rows, fault.every ?? 10));
    default:
      return json(200, rows);
  }
}

/** API calls EODHD charges for a request. */
export function cost(endpoint: string, query: Record<string, string>): number {
  const base = COST[endpoint] ?? 1;
  return endpoint === 'eod-bulk-last-day' && query['symbols']
    ? base + query['symbols'].split(',').length
    : base;
}

export function json(status: number, value: unknown): Reply {
  return { status, type: 'application/json', body: JSON.stringify(value) };
}

export function text(status: number, body: string): Reply {
  return { status, type: 'text/plain', body };
}

/** An error answer with EODHD-like bodies (plain-text 401, HTML 429 with Retry-After). */
export function statusReply(status: number, retryAfterSec?: number, body?: string): Reply {
  const headers: Record<string, string> =
    status === 429 ? { 'retry-after': String(retryAfterSec ?? 60) } : {};
  const defaults: Record<number, string> = {
    401: 'Unauthenticated',
    402: JSON.stringify({ error: 'You exceeded your daily API requests limit', code: 402 }),
    403: JSON.stringify({ error: 'Forbidden' }),
    404: JSON.stringify({ error: 'Ticker Not Found.' }),
    429: '<html><body><h1>429 Too Many Requests</h1></body></html>',
    500: 'Internal Server Error',
  };
  const reply = text(status, body ?? defaults[status] ?? `HTTP ${status}`);
  return { ...reply, headers };
}

function csv(rows: Record<string, unknown>[], header: string | undefined): Reply {
  const cols = header ? header.split(',') : Object.keys(rows[0] ?? {});
  const lines = rows.map((r) => cols.map((c) => r[c.toLowerCase()] ?? r[c] ?? '').join(','));
  return { status: 200, type: 'text/csv', body: `${cols.join(',')}\n${lines.join('\n')}\n` };
}

/** Every `every`-th row loses its close (null); the next gets `"NA"` prices; the next a null volume. */
function withNulls(rows: Record<string, unknown>[], every: number): Record<string, unknown>[] {
  return rows.map((row, i) => {
    if (i % every === 1) return { ...row, close: null };
    if (i % every === 2) return { ...row, open: 'NA', high: 'NA' };
    if (i % every === 3) return { ...row, volume: null };
    return row;
  });
}

function aggregate(rows: FakeEodRow[], period: 'w' | 'm'): FakeEodRow[] {
  const groups = new Map<string, FakeEodRow[]>();
  for (const r of rows) {
    const d = new Date(`${r.date}T00:00:00Z`);
    const key =
      period === 'm'
        ? r.date.slice(0, 7)
        : new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => ({
    date: g[0]!.date,
    open: g[0]!.open,
    high: Math.max(...g.map((r) => Number(r.high))),
    low: Math.min(...g.map((r) => Number(r.low))),
    close: g[g.length - 1]!.close,
    adjusted_close: g[g.length - 1]!.adjusted_close,
    volume: g.reduce((s, r) => s + Number(r.volume), 0),
  }));
}

function lastWeekday(date: string): string {
  let t = Date.parse(`${date}T00:00:00Z`) - 86_400_000;
  while ([0, 6].includes(new Date(t).getUTCDay())) t -= 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
