/**
 * Read the MARLTS data files (`symbol,date|timestamp,open,high,low,close,volume`)
 * into bars for the paper exchange.
 */
import { AlpacaError } from '../errors.js';
import { nyWallToUtc } from '../rules/ny-time.js';
import type { Bar } from './options.js';

/** Options of {@link parseBarsCsv}. */
export interface ParseBarsCsvOptions {
  /** Symbol for files without a `symbol` column. */
  symbol?: string;
  /** Keep only these symbols. */
  symbols?: readonly string[];
}

/**
 * Parse CSV text into bars. A `date` (`YYYY-MM-DD`) becomes midnight New York
 * of that date, as Alpaca stamps daily bars; a `timestamp` is ISO-8601 UTC.
 * Empty open/high/low fall back to the close and empty volume to 0 (close-only
 * data: volume 0 means the exchange fills any size).
 * @example
 * const bars = parseBarsCsv(readFileSync('prices.csv', 'utf8')); // header symbol,date,open,high,low,close,volume
 */
export function parseBarsCsv(text: string, options: ParseBarsCsvOptions = {}): Bar[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const iSymbol = col('symbol');
  const iDate = col('date');
  const iTs = col('timestamp');
  const iClose = col('close');
  if ((iDate < 0 && iTs < 0) || iClose < 0) {
    throw new AlpacaError('CONFIG', 'CSV needs a date or timestamp column and a close column', {
      field: 'csv',
    });
  }
  if (iSymbol < 0 && !options.symbol) {
    throw new AlpacaError('CONFIG', 'CSV has no symbol column: pass options.symbol', { field: 'symbol' });
  }
  const keep = options.symbols ? new Set(options.symbols) : null;
  const bars: Bar[] = [];
  lines.forEach((line, n) => {
    const f = line.split(',');
    const symbol = iSymbol >= 0 ? (f[iSymbol] ?? '').trim() : options.symbol!;
    if (keep && !keep.has(symbol)) return;
    const close = Number(f[iClose]);
    if (!Number.isFinite(close) || close <= 0) {
      throw new AlpacaError('CONFIG', `CSV line ${n + 2}: bad close "${f[iClose]}"`, { field: 'close' });
    }
    const num = (name: string, fallback: number) => {
      const i = col(name);
      const v = i >= 0 ? (f[i] ?? '').trim() : '';
      return v === '' ? fallback : Number(v);
    };
    const time = iTs >= 0 ? Date.parse((f[iTs] ?? '').trim()) : nyWallToUtc((f[iDate] ?? '').trim(), 0, 0);
    if (!Number.isFinite(time))
      throw new AlpacaError('CONFIG', `CSV line ${n + 2}: bad date`, { field: 'date' });
    bars.push({
      symbol,
      time,
      open: num('open', close),
      high: num('high', close),
      low: num('low', close),
      close,
      volume: num('volume', 0),
    });
  });
  return bars;
}
