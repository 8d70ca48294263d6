/**
 * One error class for data-eodhd, with a `code` that says what went wrong and
 * context fields that say where. Messages never contain the API token: URLs are
 * redacted before they reach an error. `isEodhdError` checks `name` too, so it works
 * when the ESM and CJS builds are both loaded (two copies of the class).
 */
import type { CsvReason } from './csv-reader.js';

/** What went wrong. */
export type EodhdErrorCode =
  | 'AUTH' // 401 bad/missing token, or 403 token not allowed for this data (demo ticker, plan)
  | 'QUOTA_EXHAUSTED' // 402: the daily API-call quota is used up (resets 00:00 GMT); never retried
  | 'RATE_LIMITED' // 429 still returned after the retries, or Retry-After longer than allowed
  | 'NOT_FOUND' // 404: unknown ticker or no data
  | 'BAD_RESPONSE' // a 2xx body that is not what the docs promise (names the field)
  | 'NETWORK' // the request never got an HTTP answer (connection refused, reset, DNS)
  | 'TIMEOUT' // no answer within `timeoutMs` (after the retries)
  | 'SERVER' // 5xx still returned after the retries
  | 'HTTP' // any other unexpected status (e.g. 400, 422 "max period length")
  | 'CONFIG' // an options object or argument failed validation
  | 'BAD_CSV'; // a local CSV file is malformed (names file, line and column)

export interface EodhdErrorOptions {
  /** HTTP status, when there was a response. */
  status?: number;
  /** The field, query parameter or CSV column at fault, e.g. `[3].close` or `from`. */
  field?: string;
  /** The request URL with `api_token` redacted. */
  url?: string;
  /** Milliseconds the server asked us to wait (429 `Retry-After`). */
  retryAfterMs?: number;
  /** For a refused CSV row (`BAD_CSV`): why, and where (docs/csv.md). */
  csv?: CsvErrorDetail;
  cause?: unknown;
}

/**
 * Where and why a bar CSV was refused (the same shape in every MARLTS package).
 *
 * @example
 * if (isEodhdError(e, 'BAD_CSV') && e.csv) console.error(`${e.csv.file}:${e.csv.row}`, e.csv.reason);
 */
export interface CsvErrorDetail {
  /** Why (docs/csv.md lists each reason). */
  reason: CsvReason;
  file: string;
  /** 1-based line number as an editor shows it. */
  row: number;
  /** The header name as written, when one column is at fault. */
  column: string | undefined;
}

/**
 * The only error type thrown by the client and the CSV reader.
 *
 * @example
 * try { await client.intraday('AAPL.US', { interval: '1m', from, to }); }
 * catch (e) {
 *   if (isEodhdError(e, 'QUOTA_EXHAUSTED')) console.error('no calls left until 00:00 GMT');
 *   else throw e;
 * }
 */
export class EodhdError extends Error {
  override readonly name = 'EodhdError';
  readonly code: EodhdErrorCode;
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly url: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly csv: CsvErrorDetail | undefined;

  constructor(code: EodhdErrorCode, message: string, options: EodhdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.field = options.field;
    this.url = options.url;
    this.retryAfterMs = options.retryAfterMs;
    this.csv = options.csv;
  }
}

/**
 * True for an `EodhdError` from any copy of this package (ESM or CJS), optionally
 * with the given code.
 *
 * @example
 * if (isEodhdError(err, 'RATE_LIMITED')) await sleep(err.retryAfterMs ?? 60_000);
 */
export function isEodhdError(error: unknown, code?: EodhdErrorCode): error is EodhdError {
  if (!(error instanceof Error) || error.name !== 'EodhdError') return false;
  return code === undefined || (error as EodhdError).code === code;
}
