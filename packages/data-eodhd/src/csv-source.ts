/**
 * Local CSV bar files in the long format (examples and provenance: `test/fixtures/csv/README.md`):
 * `symbol,date,open,high,low,close,volume` (or `timestamp` instead of `date`), one
 * header row, no quoting, an empty field = the value is missing. They become the same
 * `Bar`s the client returns. Close-only rows (empty open/high/low) get open = high =
 * low = close, and a missing volume becomes 0. Broken rows throw `BAD_CSV` naming the
 * file, line and column.
 */
import { readFile } from 'node:fs/promises';
import { EodhdError } from './errors.js';
import { parseIsoDate, toEpochMs } from './time.js';
import type { Bar } from './types.js';

/** Options of {@link parseBarsCsv}. */
export interface ParseBarsCsvOptions {
  /** File name used in error messages. @default '(csv)' */
  file?: string;
  /** Keep only these symbols (as written in the file). */
  symbols?: readonly string[];
  /**
   * Added to every time, in ms. Use it when a file's label is the bar END: e.g.
   * `-30 * 60_000` makes `usdchf_30min` times bar starts. @default 0
   */
  shiftMs?: number;
}

const REQUIRED = ['symbol', 'close'] as const;

/**
 * Parses CSV text into bars, in file order.
 *
 * @example
 * parseBarsCsv('symbol,date,open,high,low,close,volume\nAA,1991-01-02,,,,5.92,\n');
 * // [{ symbol: 'AA', time: Date.UTC(1991, 0, 2), open: 5.92, high: 5.92, low: 5.92, close: 5.92, volume: 0 }]
 */
export function parseBarsCsv(text: string, options: ParseBarsCsvOptions = {}): Bar[] {
  const file = options.file ?? '(csv)';
  const shiftMs = options.shiftMs ?? 0;
  const keep = options.symbols ? new Set(options.symbols) : undefined;
  const lines = text.split('\n');
  const header = (lines[0] ?? '')
    .replace(/\r$/, '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const name of REQUIRED)
    if (col(name) < 0)
      throw csvError(file, 1, name, `missing column "${name}" (header: ${header.join(',')})`);
  const timeCol = col('date') >= 0 ? 'date' : col('timestamp') >= 0 ? 'timestamp' : undefined;
  if (!timeCol) throw csvError(file, 1, 'date', 'missing column "date" or "timestamp"');
  const at = {
    symbol: col('symbol'),
    time: col(timeCol),
    open: col('open'),
    high: col('high'),
    low: col('low'),
    close: col('close'),
    volume: col('volume'),
  };

  const bars: Bar[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    const cells = line.split(',');
    if (cells.length !== header.length)
      throw csvError(file, lineNo, undefined, `expected ${header.length} fields, found ${cells.length}`);
    const symbol = cells[at.symbol]!.trim();
    if (symbol === '') throw csvError(file, lineNo, 'symbol', 'empty symbol');
    if (keep && !keep.has(symbol)) continue;

    const timeText = cells[at.time]!.trim();
    let time: number | undefined;
    if (timeCol === 'date') time = parseIsoDate(timeText);
    else if (/(Z|[+-]\d{2}:?\d{2})$/i.test(timeText)) {
      try {
        time = toEpochMs(timeText);
      } catch {
        time = undefined;
      }
    }
    if (time === undefined)
      throw csvError(
        file,
        lineNo,
        timeCol,
        timeCol === 'date'
          ? `"${timeText}" is not a date YYYY-MM-DD`
          : `"${timeText}" is not an ISO-8601 time with a zone`,
      );

    const num = (name: keyof typeof at): number | undefined => {
      const idx = at[name];
      if (idx < 0) return undefined;
      const cell = cells[idx]!.trim();
      if (cell === '') return undefined;
      const n = Number(cell);
      if (!Number.isFinite(n)) throw csvError(file, lineNo, name, `"${cell}" is not a number`);
      return n;
    };
    const close = num('close');
    if (close === undefined) throw csvError(file, lineNo, 'close', 'close is empty (a bar needs a close)');
    bars.push({
      symbol,
      time: time + shiftMs,
      open: num('open') ?? close,
      high: num('high') ?? close,
      low: num('low') ?? close,
      close,
      volume: num('volume') ?? 0,
    });
  }
  return bars;
}

/**
 * Reads a CSV bar file from disk (see {@link parseBarsCsv}).
 *
 * @example
 * const bars = await readBarsCsv('prices.csv'); // header symbol,date,open,high,low,close,volume
 */
export async function readBarsCsv(
  path: string,
  options: Omit<ParseBarsCsvOptions, 'file'> = {},
): Promise<Bar[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new EodhdError('BAD_CSV', `${path}: cannot read the file (${(cause as Error).message})`, {
      field: path,
      cause,
    });
  }
  return parseBarsCsv(text, { ...options, file: path });
}

function csvError(file: string, line: number, column: string | undefined, message: string): EodhdError {
  const where = column ? `${file}:${line} column "${column}"` : `${file}:${line}`;
  return new EodhdError('BAD_CSV', `${where}: ${message}`, { field: column ?? `line ${line}` });
}
