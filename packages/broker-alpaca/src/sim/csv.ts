/**
 * Bar CSV files in the MARLTS dialect (docs/csv.md) for the paper exchange: long format,
 * one header row (`symbol,date,open,high,low,close,volume`, names case-insensitive,
 * aliases), RFC 4180 quoting, CRLF or LF, an optional UTF-8 BOM. A date is UTC midnight
 * of that date, as in every MARLTS package; the exchange derives the New York session
 * from it. A bad row is `AlpacaError('BAD_CSV')` whose `csv` detail names the file, line,
 * column and reason.
 */
import { z } from 'zod';
import { AlpacaError } from '../errors.js';
import { BarsCsvReader } from './csv-reader.js';
import type { Bar } from './options.js';

const optionsSchema = z.strictObject({
  /** File name used in messages. @default '(csv)' */
  file: z.string().min(1).optional(),
  /** The symbol of every row when the file has no symbol (or ticker) column. */
  symbol: z.string().min(1).optional(),
  /** Keep only these symbols; the other rows are still checked. */
  symbols: z.array(z.string()).readonly().optional(),
  /** "Now" in ms since the epoch; rows after now + 1 day are refused. @default Date.now() */
  now: z.number().finite().optional(),
});

/** Options of {@link parseBarsCsv}. */
export type ParseBarsCsvOptions = z.input<typeof optionsSchema>;

/**
 * Parses CSV text into bars, in file order (docs/csv.md). Empty open/high/low fall back
 * to the close and an empty volume to 0 (close-only data: volume 0 means the exchange
 * fills any size).
 * @example
 * const bars = parseBarsCsv(readFileSync('prices.csv', 'utf8'), { file: 'prices.csv' });
 * const ex = await startPaperExchange({ bars });
 */
export function parseBarsCsv(text: string, options: ParseBarsCsvOptions = {}): Bar[] {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'options';
    throw new AlpacaError(
      'CONFIG',
      `parseBarsCsv: invalid ${field}: ${issue?.message ?? 'invalid options'}`,
      {
        field,
      },
    );
  }
  const o = parsed.data;
  const reader = new BarsCsvReader({
    file: o.file ?? '(csv)',
    symbol: o.symbol,
    now: o.now ?? Date.now(),
    toError: (p) =>
      new AlpacaError('BAD_CSV', p.message, {
        field: p.column ?? `line ${p.row}`,
        csv: { reason: p.reason, file: p.file, row: p.row, column: p.column },
      }),
  });
  const bars = reader.push(text);
  for (const b of reader.end()) bars.push(b);
  if (!o.symbols) return bars;
  const keep = new Set(o.symbols);
  return bars.filter((b) => keep.has(b.symbol));
}
