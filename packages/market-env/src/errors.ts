/**
 * One error class for market-env, with a `code` that says what went wrong and context
 * fields (`field`, `symbol`, `row`) that say where. `isMarketEnvError` checks `name`, so it
 * works when the ESM and CJS builds are both loaded (two copies of the class).
 */
import type { CsvReason } from './csv-reader.js';

/** What went wrong. */
export type MarketEnvErrorCode =
  | 'CONFIG' // an options object failed validation
  | 'DATA' // bars / CSV / frame are malformed (NaN, negative, unsorted, misaligned, too short)
  | 'ACTION' // an action has the wrong length, is not finite, or names an unknown agent
  | 'STATE' // a method was called in the wrong state (step before reset, after the episode ended)
  | 'CHECK'; // checkEnv found a contract violation

export interface MarketEnvErrorOptions {
  /** The option or field at fault, e.g. `window` or `agents.1.kind`. */
  field?: string;
  /** The symbol at fault (data errors). */
  symbol?: string;
  /** The row at fault: a 1-based CSV line number, or a 0-based index into a `Bar[]`. */
  row?: number;
  /** For a refused CSV row: why, and where (docs/csv.md). */
  csv?: CsvErrorDetail;
  cause?: unknown;
}

/**
 * Where and why a bar CSV was refused (the same shape in every MARLTS package).
 * @example
 * if (isMarketEnvError(e, 'DATA') && e.csv) console.error(`${e.csv.file}:${e.csv.row}`, e.csv.reason);
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
 * try { buildFrame(bars); }
 * catch (e) { if (isMarketEnvError(e, 'DATA')) console.error(e.symbol, e.row, e.message); }
 */
export class MarketEnvError extends Error {
  override readonly name = 'MarketEnvError';
  readonly code: MarketEnvErrorCode;
  readonly field: string | undefined;
  readonly symbol: string | undefined;
  readonly row: number | undefined;
  readonly csv: CsvErrorDetail | undefined;

  constructor(code: MarketEnvErrorCode, message: string, options: MarketEnvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.symbol = options.symbol;
    this.row = options.row;
    this.csv = options.csv;
  }
}

/**
 * True for a `MarketEnvError` from any copy of this package (ESM or CJS).
 * @example
 * if (isMarketEnvError(err, 'DATA')) console.error(`bad data in ${err.symbol} at row ${err.row}`);
 */
export function isMarketEnvError(error: unknown, code?: MarketEnvErrorCode): error is MarketEnvError {
  if (!(error instanceof Error) || error.name !== 'MarketEnvError') return false;
  return code === undefined || (error as MarketEnvError).code === code;
}
