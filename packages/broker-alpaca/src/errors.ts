/**
 * One error class for the Alpaca client, with a `code` that says what went wrong and
 * context fields (`status`, `alpacaCode`, `field`, `clientOrderId`) that say where.
 * `isAlpacaError` checks `name` too, so it works when the ESM and CJS builds are both
 * loaded (two copies of the class).
 *
 * Messages never contain the API key id or secret: every message built by this package
 * goes through {@link redactSecrets} with the client's keys.
 */
import type { CsvReason } from './sim/csv-reader.js';

/** What went wrong. */
export type AlpacaErrorCode =
  | 'AUTH' // 401: bad or missing credentials (also a websocket "unauthorized")
  | 'FORBIDDEN' // 403 that is not one of the business rules below (account restricted, ...)
  | 'INSUFFICIENT_BUYING_POWER' // 403 "insufficient buying power"
  | 'WASH_TRADE' // 403/422 "potential wash trade detected", opposite-side order open
  | 'NOT_SHORTABLE' // 403 "account is not allowed to short", asset not shortable, fractional short
  | 'DAY_TRADE_RULE' // 403 code 40310100 (PDT protection / intraday margin), day-trading buying power
  | 'INSUFFICIENT_QTY' // 403 "insufficient qty available for order"
  | 'NOT_FOUND' // 404
  | 'UNPROCESSABLE' // 400/422 from Alpaca, or an order input rejected locally (see `field`)
  | 'RATE_LIMITED' // 429 after the retries ran out
  | 'BAD_RESPONSE' // a response that is not valid JSON, does not match the documented shape, or a 3xx
  | 'NETWORK' // no usable answer: connection failure, timeout, 5xx after retries, stream failure
  | 'CONFIG' // the client options are invalid (bad URL, live host without env: 'live', ...)
  | 'BAD_CSV'; // the paper exchange's parseBarsCsv refused a row (see `csv`: file, line, column, reason)

export interface AlpacaErrorOptions {
  /** HTTP status of the response, if there was one. */
  status?: number;
  /** Alpaca's 8-digit error code from the body (`40310000`), if present. */
  alpacaCode?: number;
  /** The input field at fault for local validation errors, e.g. `limitPrice` or `takeProfit.limitPrice`. */
  field?: string;
  /** The order's client id when the error concerns an order submission (use it to reconcile). */
  clientOrderId?: string;
  /** `METHOD /path` of the request (no host, no query, never headers). */
  request?: string;
  /** The parsed error body (Alpaca's `{code, message, ...}`), without secrets. */
  body?: unknown;
  /** For a refused CSV row (`BAD_CSV`): why, and where (docs/csv.md). */
  csv?: CsvErrorDetail;
  cause?: unknown;
}

/**
 * Where and why a bar CSV was refused (the same shape in every MARLTS package).
 * @example
 * if (isAlpacaError(e, 'BAD_CSV') && e.csv) console.error(`${e.csv.file}:${e.csv.row}`, e.csv.reason);
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
 * @example
 * try { await alpaca.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit' }); }
 * catch (e) { if (isAlpacaError(e, 'UNPROCESSABLE')) console.error(e.field, e.message); }
 */
export class AlpacaError extends Error {
  override readonly name = 'AlpacaError';
  readonly code: AlpacaErrorCode;
  readonly status: number | undefined;
  readonly alpacaCode: number | undefined;
  readonly field: string | undefined;
  readonly clientOrderId: string | undefined;
  readonly request: string | undefined;
  readonly body: unknown;
  readonly csv: CsvErrorDetail | undefined;

  constructor(code: AlpacaErrorCode, message: string, options: AlpacaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.alpacaCode = options.alpacaCode;
    this.field = options.field;
    this.clientOrderId = options.clientOrderId;
    this.request = options.request;
    this.body = options.body;
    this.csv = options.csv;
  }

  /** True when retrying the same request later may succeed (rate limit, network, 5xx). */
  get retryable(): boolean {
    return this.code === 'RATE_LIMITED' || this.code === 'NETWORK';
  }
}

/**
 * True for an `AlpacaError` from any copy of this package (ESM or CJS).
 * @example
 * if (isAlpacaError(err, 'INSUFFICIENT_BUYING_POWER')) shrinkOrder();
 */
export function isAlpacaError(error: unknown, code?: AlpacaErrorCode): error is AlpacaError {
  if (!(error instanceof Error) || error.name !== 'AlpacaError') return false;
  return code === undefined || (error as AlpacaError).code === code;
}

/** Secrets shorter than this are not redacted (they would mangle every message; real keys are 20+ chars). */
export const MIN_REDACTED_SECRET_LENGTH = 8;

/**
 * Replace every occurrence of the given secrets in `text` with `***`.
 * @example
 * redactSecrets('key PKXYZ12345 failed', ['PKXYZ12345']); // 'key *** failed'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= MIN_REDACTED_SECRET_LENGTH) out = out.split(s).join('***');
  return out;
}

/** Deep-copy a JSON-like value with every string redacted (for error bodies and log fields). */
export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, depth + 1);
  return out;
}

/**
 * Map an Alpaca error response to an error code, by (status, Alpaca code, message
 * substring): the 8-digit code is optional and the same code (40310000) covers several
 * business rules, so the message decides.
 * @example
 * classifyHttpError(403, 40310000, 'insufficient buying power'); // 'INSUFFICIENT_BUYING_POWER'
 */
export function classifyHttpError(
  status: number,
  alpacaCode: number | undefined,
  message: string,
): AlpacaErrorCode {
  const m = message.toLowerCase();
  if (status === 401) return 'AUTH';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'NETWORK';
  if (m.includes('wash trade')) return 'WASH_TRADE';
  if (status === 403 || status === 422) {
    if (alpacaCode === 40310100 || m.includes('pattern day trad') || m.includes('day trading buying power'))
      return 'DAY_TRADE_RULE';
    if (m.includes('buying power')) return 'INSUFFICIENT_BUYING_POWER';
    if (
      m.includes('not allowed to short') ||
      m.includes('not shortable') ||
      m.includes('cannot be sold short')
    )
      return 'NOT_SHORTABLE';
    if (m.includes('insufficient qty')) return 'INSUFFICIENT_QTY';
    if (m.includes('cannot open a long buy while a short sell order is open')) return 'WASH_TRADE';
  }
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400 || status === 409 || status === 422) return 'UNPROCESSABLE';
  return 'BAD_RESPONSE';
}
