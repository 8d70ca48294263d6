/**
 * Local bar CSV files in the MARLTS dialect (docs/csv.md): long format, one header row
 * (`symbol,date,open,high,low,close,volume`, names case-insensitive, aliases), RFC 4180
 * quoting, CRLF or LF, an optional UTF-8 BOM. They become the same `Bar`s the client
 * returns. Close-only rows (empty open/high/low) get open = high = low = close, and a
 * missing volume becomes 0. A bad row throws `BAD_CSV` whose `csv` detail names the file,
 * line, column and reason; the message says how to fix it. Files are read as a stream,
 * so their size is not limited by the longest string V8 can hold.
 */
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { BarsCsvReader } from './csv-reader.js';
import { EodhdError, isEodhdError } from './errors.js';
import type { Bar } from './types.js';

const optionsSchema = z.strictObject({
  /** File name used in error messages. @default '(csv)' */
  file: z.string().min(1).optional(),
  /** The symbol of every row when the file has no symbol (or ticker) column, e.g. an EODHD CSV export. */
  symbol: z.string().min(1).optional(),
  /** Keep only these symbols (as written in the file); the other rows are still checked. */
  symbols: z.array(z.string()).readonly().optional(),
  /**
   * Added to every time, in ms. Use it when a file's label is the bar END: e.g.
   * `-30 * 60_000` makes `usdchf_30min` times bar starts. @default 0
   */
  shiftMs: z.number().finite().optional(),
  /** "Now" in ms since the epoch; rows after now + 1 day are refused. @default Date.now() */
  now: z.number().finite().optional(),
});

/** Options of {@link parseBarsCsv}. */
export type ParseBarsCsvOptions = z.input<typeof optionsSchema>;

/** A reader plus the options' filter and shift. */
function createParser(options: ParseBarsCsvOptions): {
  push(chunk: string, out: Bar[]): void;
  end(out: Bar[]): void;
} {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'options';
    throw new EodhdError('CONFIG', `parseBarsCsv: invalid ${field}: ${issue?.message ?? 'invalid options'}`, {
      field,
    });
  }
  const o = parsed.data;
  const keep = o.symbols ? new Set(o.symbols) : undefined;
  const shiftMs = o.shiftMs ?? 0;
  const reader = new BarsCsvReader({
    file: o.file ?? '(csv)',
    symbol: o.symbol,
    now: o.now ?? Date.now(),
    toError: (p) =>
      new EodhdError('BAD_CSV', p.message, {
        field: p.column ?? `line ${p.row}`,
        csv: { reason: p.reason, file: p.file, row: p.row, column: p.column },
      }),
  });
  const take = (bars: Bar[], out: Bar[]) => {
    for (const b of bars) {
      if (keep && !keep.has(b.symbol)) continue;
      b.time += shiftMs;
      out.push(b);
    }
  };
  return {
    push: (chunk, out) => take(reader.push(chunk), out),
    end: (out) => take(reader.end(), out),
  };
}

/**
 * Parses CSV text into bars, in file order (docs/csv.md).
 *
 * @example
 * parseBarsCsv('symbol,date,open,high,low,close,volume\nAA,1991-01-02,,,,5.92,\n');
 * // [{ symbol: 'AA', time: Date.UTC(1991, 0, 2), open: 5.92, high: 5.92, low: 5.92, close: 5.92, volume: 0 }]
 */
export function parseBarsCsv(text: string, options: ParseBarsCsvOptions = {}): Bar[] {
  const parser = createParser(options);
  const bars: Bar[] = [];
  parser.push(text, bars);
  parser.end(bars);
  return bars;
}

/**
 * Reads a CSV bar file from disk as a stream (see {@link parseBarsCsv}).
 *
 * @example
 * // symbol,date,open,high,low,close,volume — or an EODHD export without a symbol column:
 * const bars = await readBarsCsv('prices.csv');
 * const msft = await readBarsCsv('MSFT.US.csv', { symbol: 'MSFT.US' });
 */
export async function readBarsCsv(
  path: string,
  options: Omit<ParseBarsCsvOptions, 'file'> = {},
): Promise<Bar[]> {
  const parser = createParser({ ...options, file: path });
  const bars: Bar[] = [];
  try {
    for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }))
      parser.push(chunk as string, bars);
  } catch (cause) {
    if (isEodhdError(cause)) throw cause;
    throw new EodhdError('BAD_CSV', `${path}: cannot read the file (${(cause as Error).message})`, {
      field: path,
      cause,
    });
  }
  parser.end(bars);
  return bars;
}
