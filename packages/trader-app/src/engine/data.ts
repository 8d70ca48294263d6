/**
 * Loading bars for the app: read a CSV in the shared long format (market-env's
 * parser), keep the wanted symbols and dates, refuse real data gaps with a clear
 * message, and build the aligned frame every command reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Bar,
  buildFrame,
  inferBarsPerYear,
  isMarketEnvError,
  type PriceFrame,
  parseBarsCsv,
  parseBarTime,
} from '@marlts/market-env';
import { AppError } from '../app-error.js';
import { sha256 } from '../store.js';

/** The bundled daily data set (10 Dow stocks, daily closes 1991–2000). */
export const BUNDLED_DAILY_FILE = 'dow30_daily_close_1991-2000.csv';
/** The bundled intraday data set (USD/CHF, 30-minute closes, 2001-01-01 .. 2001-03-30 UTC). */
export const BUNDLED_INTRADAY_FILE = 'usdchf_30min_2001-q1.csv';

/**
 * The path of a bundled data file (default: the Dow-10 daily closes).
 *
 * @example
 * loadBars({ file: bundledDataFile(BUNDLED_INTRADAY_FILE) });
 */
export function bundledDataFile(name: string = BUNDLED_DAILY_FILE): string {
  // Bundled: dist/cli.js sits one level below the package root, src/engine/data.ts two.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const p = resolve(here, up, 'data', name);
    if (existsSync(p)) return p;
  }
  throw new AppError('DATA', `the bundled data file data/${name} is missing from the package`);
}

export interface LoadedData {
  file: string;
  sha256: string;
  bars: Bar[];
  frame: PriceFrame;
  symbols: string[];
  barsPerYear: number;
  /** Close-only file (open/high/low/volume were empty). */
  closeOnly: boolean;
}

function parseDateOption(text: string | undefined, name: string, endOfDay: boolean): number | undefined {
  if (text === undefined) return undefined;
  const t = parseBarTime(text);
  if (!Number.isFinite(t))
    throw new AppError('USAGE', `${name}: "${text}" is not a date (YYYY-MM-DD) or ISO timestamp`);
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(text) ? t + 86_400_000 - 1 : t;
}

/**
 * Finds runs of bars a symbol is missing while others trade. Runs longer than
 * `maxGapBars` are a data gap (forward-filling them would invent prices).
 */
export function findGaps(
  bars: readonly Bar[],
  maxGapBars: number,
): Array<{ symbol: string; from: number; to: number; bars: number }> {
  const times = [...new Set(bars.map((b) => b.time))].sort((a, b) => a - b);
  const bySymbol = new Map<string, Set<number>>();
  for (const b of bars) {
    if (!bySymbol.has(b.symbol)) bySymbol.set(b.symbol, new Set());
    bySymbol.get(b.symbol)!.add(b.time);
  }
  const gaps: Array<{ symbol: string; from: number; to: number; bars: number }> = [];
  for (const [symbol, have] of bySymbol) {
    let run = 0;
    let from = 0;
    for (let i = 0; i <= times.length; i++) {
      const missing = i < times.length && !have.has(times[i]!);
      if (missing) {
        if (run === 0) from = times[i]!;
        run++;
      } else if (run > 0) {
        if (run > maxGapBars) gaps.push({ symbol, from, to: times[i - 1]!, bars: run });
        run = 0;
      }
    }
  }
  return gaps;
}

const iso = (t: number) => new Date(t).toISOString().replace('T00:00:00.000Z', '');

/**
 * Reads, filters and aligns a bars CSV.
 *
 * @example
 * const { frame } = loadBars({ file: 'bars.csv', symbols: ['AA', 'KO'] });
 */
export function loadBars(options: {
  file?: string | undefined;
  symbols?: readonly string[] | undefined;
  start?: string | undefined;
  end?: string | undefined;
  maxGapBars?: number;
  minBars?: number;
}): LoadedData {
  const file = resolve(options.file ?? bundledDataFile());
  if (!existsSync(file)) throw new AppError('DATA', `data file not found: ${file}`);
  const text = readFileSync(file, 'utf8');
  let bars: Bar[];
  try {
    bars = parseBarsCsv(text, { file });
  } catch (e) {
    if (isMarketEnvError(e)) throw new AppError('DATA', e.message, { cause: e });
    throw e;
  }
  const header = text.slice(0, text.indexOf('\n'));
  const firstRow = text.slice(header.length + 1, text.indexOf('\n', header.length + 1)).split(',');
  const cols = header.split(',');
  const closeOnly = ['open', 'high', 'low'].every(
    (c) => cols.indexOf(c) < 0 || (firstRow[cols.indexOf(c)] ?? '') === '',
  );
  const available = [...new Set(bars.map((b) => b.symbol))];
  const symbols = options.symbols ? [...options.symbols] : available;
  const missing = symbols.filter((s) => !available.includes(s));
  if (missing.length > 0) {
    throw new AppError(
      'DATA',
      `${file}: no bars for ${missing.join(', ')} (the file has ${available.join(', ')})`,
      {
        field: 'data.symbols',
      },
    );
  }
  const start = parseDateOption(options.start, 'start', false);
  const end = parseDateOption(options.end, 'end', true);
  const wanted = new Set(symbols);
  bars = bars.filter(
    (b) =>
      wanted.has(b.symbol) &&
      (start === undefined || b.time >= start) &&
      (end === undefined || b.time <= end),
  );
  const minBars = options.minBars ?? 2;
  const gaps = findGaps(bars, options.maxGapBars ?? 5);
  if (gaps.length > 0) {
    const g = gaps[0]!;
    throw new AppError(
      'DATA_GAP',
      `${file}: data gap: ${g.symbol} has no bars for ${g.bars} consecutive bar times (${iso(g.from)} .. ${iso(g.to)}) ` +
        `while other symbols trade${gaps.length > 1 ? ` (and ${gaps.length - 1} more gaps)` : ''}`,
      {
        hint: 'drop the symbol with --symbols, narrow --start/--end, or fix the file; gaps are never back-filled',
      },
    );
  }
  let frame: PriceFrame;
  try {
    frame = buildFrame(bars, { symbols });
  } catch (e) {
    if (isMarketEnvError(e)) {
      throw new AppError('DATA_GAP', `${file}: ${e.message}`, {
        hint: 'every symbol must cover the same span; narrow --start/--end or drop the symbol with --symbols',
        cause: e,
      });
    }
    throw e;
  }
  if (frame.nBars < minBars) {
    throw new AppError('DATA', `${file}: only ${frame.nBars} bars after filtering; need at least ${minBars}`);
  }
  return {
    file,
    sha256: sha256(text),
    bars,
    frame,
    symbols,
    barsPerYear: inferBarsPerYear(frame.times),
    closeOnly,
  };
}

/** Where imported CSVs go inside a run directory. */
export function importedDataPath(runDir: string, name: string): string {
  return join(resolve(runDir), 'data', name);
}
