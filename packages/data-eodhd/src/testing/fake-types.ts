/**
 * Public types of the fake EODHD server: options, faults, in-memory data, the
 * request log and the handle `startFakeEodhd` returns.
 */
import type { IntradayInterval } from '../types.js';

/** Endpoints the fake serves (the first path segment after `/api/`). */
export type FakeEndpoint =
  | 'intraday'
  | 'eod'
  | 'splits'
  | 'div'
  | 'exchange-symbol-list'
  | 'eod-bulk-last-day'
  | 'exchanges-list'
  | 'user';

/** A fault to inject. It hits the next `times` (default 1) requests to `endpoint` (default any). */
export type FakeFault = { endpoint?: FakeEndpoint; times?: number } & (
  | { kind: 'status'; status: number; retryAfterSec?: number; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'csv' }
  | { kind: 'html' }
  | { kind: 'empty' }
  | { kind: 'nulls'; every?: number }
  | { kind: 'boundary' }
);

/** In-memory rows, keyed by symbol (`AAPL.US`) or exchange (`US`); they replace generated data. */
export interface FakeEodhdData {
  intraday?: Record<string, Partial<Record<IntradayInterval, unknown[]>>>;
  eod?: Record<string, unknown[]>;
  splits?: Record<string, unknown[]>;
  dividends?: Record<string, unknown[]>;
  exchangeSymbols?: Record<string, unknown[]>;
  bulkEod?: Record<string, unknown[]>;
}

/** Options of {@link startFakeEodhd}. */
export interface FakeEodhdOptions {
  /** The accepted API token. @default 'test-token' (`demo` also works, for demo tickers only) */
  token?: string;
  /**
   * Folder of JSON files that replace generated data: `intraday/<SYMBOL>.<interval>.json`,
   * `eod/<SYMBOL>.json`, `splits/<SYMBOL>.json`, `div/<SYMBOL>.json`,
   * `exchange-symbol-list/<EX>.json`, `eod-bulk-last-day/<EX>.json`. Rows are filtered by the request's range.
   */
  dataDir?: string;
  data?: FakeEodhdData;
  faults?: FakeFault[];
  /** What an intraday request wider than the cap gets: a 422 error (default) or only the last allowed span. */
  overCap?: 'error' | 'truncate';
  /** API calls per day before 402. @default Infinity */
  dailyCallLimit?: number;
  /** Requests per minute before 429. @default Infinity */
  requestsPerMinute?: number;
  /** `Retry-After` seconds sent with the per-minute 429. @default 60 */
  retryAfterSec?: number;
  /** "Now" in ms, for default ranges and the quota day. @default Date.now */
  now?: () => number;
}

/** One request as the fake saw it (the token is never stored). */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/api/intraday/AAPL.US`. */
  path: string;
  endpoint: string;
  /** Symbol or exchange in the path, if any. */
  target: string | undefined;
  /** Query parameters except `api_token`. */
  query: Record<string, string>;
  /** True when `api_token` matched. */
  tokenValid: boolean;
  status: number;
  /** Receive time, ms since the epoch. */
  at: number;
  /** API calls charged (0 unless the answer was 2xx). */
  cost: number;
}

/** A running fake server. */
export interface FakeEodhd {
  /** Base URL to pass as `baseUrl`, e.g. `http://127.0.0.1:40123/api`. */
  url: string;
  /** The accepted token. */
  token: string;
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[];
  /** API calls charged so far (what EODHD would bill). */
  readonly callsCharged: number;
  /** Replaces the pending faults. */
  setFaults(faults: FakeFault[]): void;
  /** Forgets recorded requests (not the quota). */
  clearRequests(): void;
  close(): Promise<void>;
}
