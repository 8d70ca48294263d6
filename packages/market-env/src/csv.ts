/**
 * CSV bars in the long format (`symbol,date|timestamp,open,high,low,close,volume`,
 * one header row, empty field = missing). Close-only files fill open/high/low with close and
 * volume with 0, as architecture.md asks. Errors name the file, symbol and 1-based line.
 */
import { MarketEnvError } from './errors.js';
import type { Bar } from './types.js';

export interface ParseBarsCsvOptions {
  /** File name used in error messages. */
  file?: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a date (`YYYY-MM-DD`, labelled as UTC midnight) or an ISO-8601 timestamp with a
 * zone into ms since the epoch; `NaN` if it is neither.
 * @example
 * parseBarTime('2000-09-27'); // Date.UTC(2000, 8, 27)
 */
export function parseBarTime(text: string): number {
  const d = DATE_RE.exec(text);
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const t = Date.UTC(y, m - 1, day);
    const check = new Date(t);
    return check.getUTCMonth() === m - 1 && check.getUTCDate() === day ? t : Number.NaN;
  }
  return TS_RE.test(text) ? Date.parse(text) : Number.NaN;
}

/**
 * Parses CSV text into bars, in file order. Checks each value (finite, positive prices,
 * non-negative volume) and that every symbol's times strictly increase.
 * @example
 * const bars = parseBarsCsv(readFileSync('prices.csv', 'utf8'), { file: 'prices.csv' });
 */
export function parseBarsCsv(text: string, options: ParseBarsCsvOptions = {}): Bar[] {
  const where = options.file ? `${options.file}: ` : '';
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').trim().split(',');
  const col = (name: string) => header.indexOf(name);
  const iSymbol = col('symbol');
  const iTime = col('date') >= 0 ? col('date') : col('timestamp');
  const iClose = col('close');
  if (iSymbol < 0 || iTime < 0 || iClose < 0) {
    throw new MarketEnvError(
      'DATA',
      `${where}the header must have symbol, date or timestamp, and close columns; got "${header.join(',')}"`,
      { row: 1 },
    );
  }
  const iOpen = col('open');
  const iHigh = col('high');
  const iLow = col('low');
  const iVolume = col('volume');
  const bars: Bar[] = [];
  const lastTime = new Map<string, number>();
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const row = li + 1;
    const f = line.split(',');
    const symbol = (f[iSymbol] ?? '').trim();
    if (symbol === '') throw new MarketEnvError('DATA', `${where}line ${row}: empty symbol`, { row });
    const fail = (msg: string): never => {
      throw new MarketEnvError('DATA', `${where}line ${row} (${symbol}): ${msg}`, { symbol, row });
    };
    const timeText = (f[iTime] ?? '').trim();
    const time = parseBarTime(timeText);
    if (!Number.isFinite(time)) fail(`bad date/timestamp "${timeText}"`);
    const num = (i: number, name: string, required: boolean): number | undefined => {
      const s = i >= 0 ? (f[i] ?? '').trim() : '';
      if (s === '') {
        if (required) fail(`${name} is missing`);
        return undefined;
      }
      const v = Number(s);
      if (!Number.isFinite(v)) fail(`${name} "${s}" is not a finite number`);
      if (name === 'volume' ? v < 0 : v <= 0)
        fail(`${name} ${v} must be ${name === 'volume' ? '>= 0' : '> 0'}`);
      return v;
    };
    const close = num(iClose, 'close', true)!;
    const open = num(iOpen, 'open', false) ?? close;
    const high = num(iHigh, 'high', false) ?? Math.max(open, close);
    const low = num(iLow, 'low', false) ?? Math.min(open, close);
    const volume = num(iVolume, 'volume', false) ?? 0;
    const prev = lastTime.get(symbol);
    if (prev !== undefined && time <= prev) {
      fail(
        `${time === prev ? 'duplicate' : 'unsorted'} time ${timeText} (times must strictly increase per symbol)`,
      );
    }
    lastTime.set(symbol, time);
    bars.push({ symbol, time, open, high, low, close, volume });
  }
  return bars;
}
