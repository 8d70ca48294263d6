/**
 * @marlts/data-eodhd — EODHD market data as `Bar`s: windowed intraday, end of day,
 * splits, dividends, symbol lists and bulk EOD, with a cache, quota accounting,
 * rate limiting and retries; plus a reader for local CSV bar files.
 *
 * This file is the table of contents of the public API. The fake EODHD server for
 * tests lives at `@marlts/data-eodhd/testing`.
 */

// Client
export { cacheNamespaceOf } from './cache.js';
export { CALL_COST, createEodhdClient } from './client.js';
export { DEFAULT_BASE_URL } from './config.js';
export type { EodhdClientConfig, EodhdClientOptions } from './config.js';
export type {
  BulkEodOptions,
  DateRangeOptions,
  EodhdClient,
  EodhdStats,
  EodhdUser,
  EodOptions,
  ExchangeSymbolsOptions,
  IntradayOptions,
} from './client-types.js';
export type { EodhdLogger, LogFn } from './logger.js';

// Data shapes
export type { Bar, Dividend, EodBar, ExchangeSymbol, IntradayInterval, Split, TimeInput } from './types.js';

// Request windows (what one paid call can cover)
export { MAX_SPAN_DAYS, missingRanges, planWindows, WINDOW_SPAN_SECONDS } from './windows.js';
export type { Window } from './windows.js';

// Local CSV files
export { parseBarsCsv, readBarsCsv } from './csv-source.js';
export type { ParseBarsCsvOptions } from './csv-source.js';
export type { CsvReason } from './csv-reader.js';

// Errors and redaction
export { EodhdError, isEodhdError } from './errors.js';
export type { CsvErrorDetail, EodhdErrorCode, EodhdErrorOptions } from './errors.js';
export { redactToken } from './redact.js';
