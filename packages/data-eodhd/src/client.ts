/**
 * `createEodhdClient`: typed access to EODHD market data that never wastes a paid
 * call (windowing at the per-interval cap, a content-addressed cache that refetches
 * only missing windows, no retries on 402, a fail-fast quota block) and never returns
 * bad bars (zod at the boundary; rows with missing prices are skipped and counted).
 */
import { z } from 'zod';
import { type CanonicalRequest, cacheNamespaceOf, DiskCache, type IndexedWindow } from './cache.js';
import type {
  BulkEodOptions,
  DateRangeOptions,
  EodhdClient,
  EodhdUser,
  EodOptions,
  ExchangeSymbolsOptions,
  IntradayOptions,
} from './client-types.js';
import { type Clock, systemClock } from './clock.js';
import { type EodhdClientOptions, parseClientOptions } from './config.js';
import { EodhdError } from './errors.js';
import { safeLogger } from './logger.js';
import { RateLimiter } from './rate-limiter.js';
import { REDACTED, redactToken } from './redact.js';
import {
  bulkEodRowSchema,
  dividendRowSchema,
  eodRowSchema,
  exchangeSymbolRowSchema,
  parseBody,
  parseIntradayRows,
  splitRowSchema,
  tryParseIntradayRows,
  userSchema,
} from './schemas.js';
import { DAY_MS, parseIsoDate, startOfUtcDay, toEpochMs, toIsoDate } from './time.js';
import { emptyReport, eodRowsToBars, intradayRowsToBars, type MapReport, mergeBars } from './to-bars.js';
import { type ApiRequest, Transport } from './transport.js';
import type { Bar, Dividend, EodBar, ExchangeSymbol, Split, TimeInput } from './types.js';
import { missingRanges, planWindows, WINDOW_SPAN_SECONDS, type Window } from './windows.js';

/** API-call cost per request (api-contracts.md B8). */
export const CALL_COST = {
  intraday: 5,
  eod: 1,
  splits: 1,
  dividends: 1,
  exchangeSymbols: 1,
  bulk: 100,
  user: 0,
} as const;

const symbolSchema = z.string().regex(/^[A-Za-z0-9^][A-Za-z0-9._\-^=]*$/, 'expected a ticker like AAPL.US');
const exchangeSchema = z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an exchange code like US');
const intervalSchema = z.enum(['1m', '5m', '1h']);

/**
 * Creates an EODHD client.
 *
 * @example
 * import { createEodhdClient } from '@marlts/data-eodhd';
 * const eodhd = createEodhdClient({ apiToken: process.env.EODHD_API_TOKEN!, cache: { dir: '.cache/eodhd' } });
 * const bars = await eodhd.intraday('AAPL.US', { interval: '1m', from: '2024-01-01', to: '2024-12-31' });
 * console.log(bars.length, eodhd.callsSpent); // 4 windows × 5 calls = 20
 */
export function createEodhdClient(options: EodhdClientOptions): EodhdClient {
  const config = parseClientOptions(options);
  const now = config.now ?? (() => Date.now());
  const clock: Clock = { now, sleep: systemClock.sleep };
  const logger = safeLogger(config.logger, (text) => redactToken(text, config.apiToken));
  const transport = new Transport({
    apiToken: config.apiToken,
    baseUrl: config.baseUrl,
    fetch: config.fetch,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    limiter: new RateLimiter(config.rateLimit.requestsPerMinute, systemClock),
    clock,
    logger,
    random: Math.random,
  });
  const cache = config.cache ? new DiskCache(config.cache.dir, logger) : undefined;
  const settleMs = config.cache?.settleMs ?? 0;
  const counters = { cacheHits: 0, rowsSkipped: 0, rowsMissingVolume: 0 };

  /** A range ending at `endMs` can no longer change: it ended before today and has settled. */
  const isClosed = (endMs: number): boolean => {
    const t = now();
    return endMs < startOfUtcDay(t) && endMs + settleMs <= t;
  };
  const namespace = config.cache?.namespace ?? cacheNamespaceOf(config.baseUrl);
  const canonical = (req: ApiRequest): CanonicalRequest => ({
    namespace,
    path: req.path,
    query: req.query,
  });

  const account = (what: string, report: MapReport): void => {
    counters.rowsSkipped += report.skipped;
    counters.rowsMissingVolume += report.missingVolume;
    if (report.skipped > 0 || report.missingVolume > 0)
      logger.warn('eodhd: incomplete rows', {
        what,
        skipped: report.skipped,
        missingVolume: report.missingVolume,
      });
  };

  /** GET through the cache (when `endMs` says the range is closed) and validate with `schema`. */
  async function fetchParsed<S extends z.ZodType>(
    req: ApiRequest,
    schema: S,
    endMs: number | undefined,
    refresh: boolean | undefined,
  ): Promise<z.output<S>> {
    const closed = endMs !== undefined && isClosed(endMs);
    const key = cache && closed ? cache.keyOf(canonical(req)) : undefined;
    if (cache && key && !refresh) {
      const entry = await cache.get(key);
      const hit = entry?.closed ? schema.safeParse(entry.body) : undefined;
      if (hit?.success) {
        counters.cacheHits++;
        logger.debug('eodhd: cache hit', { path: req.path, key });
        return hit.data;
      }
    }
    const body = await transport.get(req);
    const parsed = parseBody(schema, body, req.path);
    if (cache && key)
      await cache.put(key, {
        request: canonical(req),
        fetchedAt: new Date(now()).toISOString(),
        closed,
        body,
      });
    return parsed;
  }

  const checkSymbol = (symbol: unknown): string => check(symbolSchema, symbol, 'symbol');

  async function intraday(symbol: string, options: IntradayOptions): Promise<Bar[]> {
    checkSymbol(symbol);
    const interval = check(intervalSchema, options?.interval, 'interval');
    const fromMs = toEpochMs(options.from, 'from');
    const toMs = Math.min(options.to === undefined ? now() : toEpochMs(options.to, 'to'), now());
    if (fromMs > toMs) {
      if (options.to !== undefined && toEpochMs(options.to, 'to') < fromMs)
        throw new EodhdError('CONFIG', `intraday: from (${new Date(fromMs).toISOString()}) is after to`, {
          field: 'from',
        });
      return []; // the whole range is in the future: nothing to pay for
    }
    const range: Window = { from: Math.ceil(fromMs / 1000), to: Math.floor(toMs / 1000) };
    const path = `intraday/${encodeURIComponent(symbol)}`;
    const series = { namespace, symbol, interval };
    const indexKey = cache?.indexKeyOf(series);
    // Arrays of windows, flattened once: `push(...rows)` overflows the stack past ~100k
    // bars (a 119-day 1m window of a 24/7 crypto pair has 171k).
    const parts: Bar[][] = [];
    const report = emptyReport();
    // 1. Closed windows already on disk cover part of the range.
    const covered: IndexedWindow[] = [];
    if (cache && indexKey && !options.refresh) {
      for (const w of await cache.readIndex(indexKey)) {
        if (w.to < range.from || w.from > range.to) continue;
        const entry = await cache.get(w.key);
        const rows = entry?.closed ? tryParseIntradayRows(entry.body) : undefined;
        if (!rows) continue;
        parts.push(intradayRowsToBars(symbol, rows, report));
        covered.push(w);
        counters.cacheHits++;
      }
    }
    // 2. The rest is fetched in as few capped windows as possible, oldest first; each
    //    closed window is cached as soon as it arrives, so a failure later loses nothing.
    const windows = planWindows(missingRanges(range, covered), WINDOW_SPAN_SECONDS[interval]);
    logger.debug('eodhd: intraday plan', {
      symbol,
      interval,
      cached: covered.length,
      windows: windows.length,
    });
    for (const w of windows) {
      const req: ApiRequest = {
        path,
        query: { interval, from: String(w.from), to: String(w.to) },
        cost: CALL_COST.intraday,
      };
      const body = await transport.get(req);
      const rows = parseIntradayRows(body, path);
      parts.push(intradayRowsToBars(symbol, rows, report));
      if (cache && indexKey && isClosed(w.to * 1000 + 999)) {
        const key = cache.keyOf(canonical(req));
        await cache.put(key, {
          request: canonical(req),
          fetchedAt: new Date(now()).toISOString(),
          closed: true,
          body,
        });
        await cache.addToIndex(indexKey, series, [{ ...w, key }]);
      }
    }
    account(`intraday ${symbol} ${interval}`, report);
    return mergeBars(parts.flat().filter((b) => b.time >= fromMs && b.time <= toMs));
  }

  async function eod(symbol: string, options: EodOptions = {}): Promise<EodBar[]> {
    checkSymbol(symbol);
    const period = check(z.enum(['d', 'w', 'm']).default('d'), options.period, 'period');
    const query: Record<string, string> = { period, order: 'a' };
    const range = dateRange(options, query);
    const req: ApiRequest = { path: `eod/${encodeURIComponent(symbol)}`, query, cost: CALL_COST.eod };
    const rows = await fetchParsed(req, z.array(eodRowSchema), range.endMs, options.refresh);
    const report = emptyReport();
    const bars = eodRowsToBars(symbol, rows, report);
    account(`eod ${symbol}`, report);
    return mergeBars(bars);
  }

  async function splits(symbol: string, options: DateRangeOptions = {}): Promise<Split[]> {
    checkSymbol(symbol);
    const query: Record<string, string> = {};
    const range = dateRange(options, query);
    const req: ApiRequest = { path: `splits/${encodeURIComponent(symbol)}`, query, cost: CALL_COST.splits };
    const rows = await fetchParsed(req, z.array(splitRowSchema), range.endMs, options.refresh);
    return rows
      .map((row) => {
        const [num, den] = row.split.split('/').map((s) => Number(s.trim())) as [number, number];
        return { symbol, date: row.date, time: parseIsoDate(row.date)!, ratio: num / den, text: row.split };
      })
      .filter((s) => Number.isFinite(s.ratio) && s.ratio > 0 && Number.isFinite(s.time))
      .sort((a, b) => a.time - b.time);
  }

  async function dividends(symbol: string, options: DateRangeOptions = {}): Promise<Dividend[]> {
    checkSymbol(symbol);
    const query: Record<string, string> = {};
    const range = dateRange(options, query);
    const req: ApiRequest = { path: `div/${encodeURIComponent(symbol)}`, query, cost: CALL_COST.dividends };
    const rows = await fetchParsed(req, z.array(dividendRowSchema), range.endMs, options.refresh);
    const report = emptyReport();
    const out: Dividend[] = [];
    for (const row of rows) {
      const time = parseIsoDate(row.date);
      if (row.value === null || time === undefined) {
        report.skipped++;
        continue;
      }
      out.push({
        symbol,
        date: row.date,
        time,
        value: row.value,
        unadjustedValue: row.unadjustedValue,
        currency: row.currency,
        declarationDate: row.declarationDate,
        recordDate: row.recordDate,
        paymentDate: row.paymentDate,
        period: row.period,
      });
    }
    account(`dividends ${symbol}`, report);
    return out.sort((a, b) => a.time - b.time);
  }

  async function exchangeSymbols(
    exchange: string,
    options: ExchangeSymbolsOptions = {},
  ): Promise<ExchangeSymbol[]> {
    check(exchangeSchema, exchange, 'exchange');
    const query: Record<string, string> = {};
    if (options.type !== undefined) query['type'] = options.type;
    if (options.delisted) query['delisted'] = '1';
    const req: ApiRequest = {
      path: `exchange-symbol-list/${exchange}`,
      query,
      cost: CALL_COST.exchangeSymbols,
    };
    const rows = await fetchParsed(req, z.array(exchangeSymbolRowSchema), undefined, true);
    return rows.map((r) => ({
      symbol: `${r.Code.replace(/\./g, '-')}.${exchange}`,
      code: r.Code,
      name: r.Name ?? '',
      country: r.Country,
      exchange: r.Exchange,
      currency: r.Currency,
      type: r.Type,
      isin: r.Isin,
    }));
  }

  async function bulkEod(exchange: string, options: BulkEodOptions = {}): Promise<EodBar[]> {
    check(exchangeSchema, exchange, 'exchange');
    const query: Record<string, string> = { type: 'eod' };
    let endMs: number | undefined;
    if (options.date !== undefined) {
      const day = startOfUtcDay(toEpochMs(options.date, 'date'));
      query['date'] = toIsoDate(day);
      endMs = day + DAY_MS - 1;
    }
    const symbols = options.symbols ?? [];
    for (const [i, s] of symbols.entries()) check(symbolSchema, s, `symbols[${i}]`);
    if (symbols.length > 0) query['symbols'] = symbols.join(',');
    const req: ApiRequest = {
      path: `eod-bulk-last-day/${exchange}`,
      query,
      cost: CALL_COST.bulk + symbols.length,
    };
    const rows = await fetchParsed(req, z.array(bulkEodRowSchema), endMs, options.refresh);
    const report = emptyReport();
    const bars = eodRowsToBars((row) => `${row.code}.${exchange}`, rows, report);
    account(`bulk eod ${exchange}`, report);
    return bars.sort((a, b) => a.time - b.time || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  async function user(): Promise<EodhdUser> {
    return fetchParsed({ path: 'user', query: {}, cost: CALL_COST.user }, userSchema, undefined, true);
  }

  return {
    config: Object.freeze({ ...config, apiToken: REDACTED }),
    get callsSpent() {
      return transport.stats.callsSpent;
    },
    get stats() {
      return { ...transport.stats, ...counters };
    },
    intraday,
    eod,
    splits,
    dividends,
    exchangeSymbols,
    bulkEod,
    user,
  };
}

/** Puts `from`/`to` dates into `query` and returns the end of the range in ms (for the cache). */
function dateRange(
  options: { from?: TimeInput; to?: TimeInput },
  query: Record<string, string>,
): { endMs?: number } {
  let fromDay: number | undefined;
  if (options.from !== undefined) {
    fromDay = startOfUtcDay(toEpochMs(options.from, 'from'));
    query['from'] = toIsoDate(fromDay);
  }
  if (options.to === undefined) return {};
  const toDay = startOfUtcDay(toEpochMs(options.to, 'to'));
  if (fromDay !== undefined && fromDay > toDay)
    throw new EodhdError('CONFIG', `from (${query['from']}) is after to (${toIsoDate(toDay)})`, {
      field: 'from',
    });
  query['to'] = toIsoDate(toDay);
  return { endMs: toDay + DAY_MS - 1 };
}

function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new EodhdError(
    'CONFIG',
    `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(value)})`,
    {
      field,
    },
  );
}
