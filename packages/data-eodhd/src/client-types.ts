/**
 * The client's public types: per-method options, counters and the client interface
 * returned by `createEodhdClient`.
 */
import type { EodhdClientConfig } from './config.js';
import type { Bar, Dividend, EodBar, ExchangeSymbol, IntradayInterval, Split, TimeInput } from './types.js';

/** Options of `intraday`. `to` defaults to now; both ends are inclusive. */
export interface IntradayOptions {
  interval: IntradayInterval;
  from: TimeInput;
  to?: TimeInput;
  /** Ignore the cache for this call (fresh data is still written to it). */
  refresh?: boolean;
}

/** Options of `eod`. Dates are inclusive trading dates (UTC date of the input). */
export interface EodOptions {
  from?: TimeInput;
  to?: TimeInput;
  /** `d` daily (default), `w` weekly, `m` monthly. */
  period?: 'd' | 'w' | 'm';
  refresh?: boolean;
}

/** A date range for splits and dividends. */
export interface DateRangeOptions {
  from?: TimeInput;
  to?: TimeInput;
  refresh?: boolean;
}

/** Options of `exchangeSymbols`. */
export interface ExchangeSymbolsOptions {
  type?: 'common_stock' | 'preferred_stock' | 'stock' | 'etf' | 'fund';
  delisted?: boolean;
}

/** Options of `bulkEod`. */
export interface BulkEodOptions {
  /** Trading date; default the last trading day (then the answer is never cached). */
  date?: TimeInput;
  /** Only these codes (without the exchange suffix), e.g. `['AAPL', 'MSFT']`. */
  symbols?: string[];
  refresh?: boolean;
}

/** The account's quota state from `/api/user`. */
export interface EodhdUser {
  apiRequests: number | null;
  dailyRateLimit: number | null;
  extraLimit: number | null;
  apiRequestsDate: string | null;
  subscriptionType: string | null;
}

/** Counters since the client was created. */
export interface EodhdStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** API-call units charged (cost of every 2xx answer: intraday 5, EOD 1, bulk 100). */
  callsSpent: number;
  retries: number;
  /** Responses served from the cache instead of the network. */
  cacheHits: number;
  /** Rows dropped because a price or the time was null / `"NA"` / empty. */
  rowsSkipped: number;
  /** Rows kept whose missing volume is reported as 0. */
  rowsMissingVolume: number;
}

/** The client returned by {@link createEodhdClient}. */
export interface EodhdClient {
  /** The resolved options, with the token shown as `***`. */
  readonly config: Readonly<Omit<EodhdClientConfig, 'apiToken'> & { apiToken: string }>;
  /** API-call units used so far (the same as `stats.callsSpent`). */
  readonly callsSpent: number;
  readonly stats: Readonly<EodhdStats>;
  intraday(symbol: string, options: IntradayOptions): Promise<Bar[]>;
  eod(symbol: string, options?: EodOptions): Promise<EodBar[]>;
  splits(symbol: string, options?: DateRangeOptions): Promise<Split[]>;
  dividends(symbol: string, options?: DateRangeOptions): Promise<Dividend[]>;
  exchangeSymbols(exchange: string, options?: ExchangeSymbolsOptions): Promise<ExchangeSymbol[]>;
  bulkEod(exchange: string, options?: BulkEodOptions): Promise<EodBar[]>;
  user(): Promise<EodhdUser>;
}
