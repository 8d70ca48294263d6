/**
 * Bar CSV files in the MARLTS dialect (docs/csv.md): long format, one header row
 * (`symbol,date,open,high,low,close,volume`, names case-insensitive, aliases), RFC 4180
 * quoting, CRLF or LF, an optional UTF-8 BOM. Close-only files fill open/high/low with the
 * close and volume with 0, as architecture.md asks. A bad row is a `DATA` error whose `csv`
 * detail names the file, line, column and reason; the message says how to fix it.
 */
import { z } from 'zod';
import { BarsCsvReader, parseCsvTime } from './csv-reader.js';
import { MarketEnvError } from './errors.js';
import type { Bar } from './types.js';

const optionsSchema = z.strictObject({
  /** File name used in messages. @default '(csv)' */
  file: z.string().min(1).optional(),
  /** The symbol of every row when the file has no symbol (or ticker) column. */
  symbol: z.string().min(1).optional(),
  /** "Now" in ms since the epoch; rows after now + 1 day are refused. @default Date.now() */
  now: z.number().finite().optional(),
});

/** Options of {@link parseBarsCsv} and {@link createBarsCsvParser}. */
export type ParseBarsCsvOptions = z.input<typeof optionsSchema>;

/** An incremental bar-CSV parser: feed it chunks of text, collect the bars it returns. */
export interface BarsCsvParser {
  /** Reads a chunk (any size, split anywhere); returns the bars of the rows it completed. */
  push(chunk: string): Bar[];
  /** Reads the last line (when the file does not end with a line break); returns its bars. */
  end(): Bar[];
  /** Data rows read so far. */
  readonly rows: number;
  /** True when no row had an open, high or low (they were filled from the close). */
  readonly closeOnly: boolean;
  /** Symbols seen so far, in order of first appearance. */
  readonly symbols: string[];
}

/**
 * An incremental parser for files too big to hold as one string: feed it from a stream.
 * Every row is checked as it arrives (docs/csv.md); the first bad one throws.
 * @example
 * const parser = createBarsCsvParser({ file: 'big.csv' });
 * for await (const chunk of createReadStream('big.csv', { encoding: 'utf8' })) keep(parser.push(chunk));
 * keep(parser.end());
 */
export function createBarsCsvParser(options: ParseBarsCsvOptions = {}): BarsCsvParser {
  const r = optionsSchema.safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(options)';
    throw new MarketEnvError('CONFIG', `parseBarsCsv option ${field}: ${issue.message}`, {
      field,
      cause: r.error,
    });
  }
  const reader = new BarsCsvReader({
    file: r.data.file ?? '(csv)',
    symbol: r.data.symbol,
    now: r.data.now ?? Date.now(),
    toError: (p) =>
      new MarketEnvError('DATA', p.message, {
        ...(p.symbol === undefined ? {} : { symbol: p.symbol }),
        ...(p.column === undefined ? {} : { field: p.column }),
        row: p.row,
        csv: { reason: p.reason, file: p.file, row: p.row, column: p.column },
      }),
  });
  return {
    push: (chunk) => reader.push(chunk),
    end: () => reader.end(),
    get rows() {
      return reader.rows;
    },
    get closeOnly() {
      return reader.closeOnly;
    },
    get symbols() {
      return reader.symbols;
    },
  };
}

/**
 * Parses CSV text into bars, in file order (docs/csv.md). Times must increase per symbol.
 * @example
 * const bars = parseBarsCsv(readFileSync('prices.csv', 'utf8'), { file: 'prices.csv' });
 */
export function parseBarsCsv(text: string, options: ParseBarsCsvOptions = {}): Bar[] {
  const parser = createBarsCsvParser(options);
  const bars = parser.push(text);
  for (const b of parser.end()) bars.push(b);
  return bars;
}

/**
 * Parses a bar time: a date `YYYY-MM-DD` (UTC midnight) or an ISO-8601 time with a zone,
 * into ms since the epoch; `NaN` if it is neither.
 * @example
 * parseBarTime('2000-09-27'); // Date.UTC(2000, 8, 27)
 */
export function parseBarTime(text: string): number {
  const t = parseCsvTime(text);
  return 'time' in t ? t.time : Number.NaN;
}
