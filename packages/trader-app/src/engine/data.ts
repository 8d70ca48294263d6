/**
 * Loading bars for the app: stream a CSV in the one bar-CSV dialect (docs/csv.md,
 * market-env's incremental parser) in fixed-size chunks, keep the wanted symbols and
 * dates as rows arrive, refuse real data gaps with a clear message, warn about gaps in
 * every symbol, and build the aligned frame every command reads. No file-sized string is
 * ever built, so a file's size is bounded by the bars kept, not by V8's string limit.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import {
  type Bar,
  createBarsCsvParser,
  createFrameBuilder,
  type FrameBuilder,
  findTimeGaps,
  inferBarsPerYear,
  isMarketEnvError,
  type PriceFrame,
  parseBarTime,
} from '@marlts/market-env';
import { AppError } from '../app-error.js';

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
  /** The kept bars, symbol by symbol (made on first use: most commands only need the frame). */
  bars: Bar[];
  /** `bars.length`, without making the objects. */
  barCount: number;
  frame: PriceFrame;
  symbols: string[];
  barsPerYear: number;
  /** Close-only file (open/high/low/volume were empty). */
  closeOnly: boolean;
  /** Things worth knowing that do not stop the run (gaps in every symbol), one line each. */
  warnings: string[];
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
 * `maxGapBars` are a data gap (forward-filling them would invent prices). Takes each
 * symbol's increasing times (as the CSV parser guarantees).
 */
export function findGaps(
  timesBySymbol: ReadonlyMap<string, ArrayLike<number>>,
  maxGapBars: number,
): Array<{ symbol: string; from: number; to: number; bars: number }> {
  let total = 0;
  for (const t of timesBySymbol.values()) total += t.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const t of timesBySymbol.values()) for (let i = 0; i < t.length; i++) all[k++] = t[i]!;
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i]!;
  const times = all.subarray(0, n);
  const gaps: Array<{ symbol: string; from: number; to: number; bars: number }> = [];
  for (const [symbol, have] of timesBySymbol) {
    let j = 0;
    let run = 0;
    let from = 0;
    for (let i = 0; i <= times.length; i++) {
      const missing = i < times.length && !(j < have.length && have[j] === times[i]);
      if (i < times.length && !missing) j++;
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

/** Bytes read per chunk: large enough to be fast, small enough not to matter. */
const CHUNK_BYTES = 4 << 20;

/**
 * Streams a bars CSV through market-env's incremental parser into a frame builder, which
 * keeps the bars `keep` accepts as columns (8 bytes a value, not a boxed object per bar).
 * The file's SHA-256 is computed from the same bytes.
 */
function readBarsFile(
  file: string,
  symbols: readonly string[] | undefined,
  keep: (bar: Bar) => boolean,
): { builder: FrameBuilder; sha256: string; closeOnly: boolean; available: string[] } {
  const parser = createBarsCsvParser({ file });
  const builder = createFrameBuilder(symbols ? { symbols } : {});
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const take = (list: Bar[]) => {
    for (const b of list) if (keep(b)) builder.add(b);
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new AppError('DATA', `cannot read the data file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const bytes = buffer.subarray(0, n);
      hash.update(bytes);
      take(parser.push(decoder.write(bytes)));
    }
    take(parser.push(decoder.end()));
    take(parser.end());
  } catch (e) {
    if (isMarketEnvError(e)) {
      throw new AppError('DATA', e.message, {
        cause: e,
        ...(e.csv?.column === undefined ? {} : { field: e.csv.column }),
        hint: 'the accepted CSV dialect is described in docs/csv.md of the MARLTS repository',
      });
    }
    if (e instanceof AppError) throw e;
    throw new AppError('DATA', `cannot read the data file ${file}: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
  return { builder, sha256: hash.digest('hex'), closeOnly: parser.closeOnly, available: parser.symbols };
}

/**
 * A builder holding `symbols` in this column order. Without `--symbols` the columns follow
 * the file's first appearances; the kept bars can start in another order only when
 * `--start` cuts a symbol's first rows, and then they are copied once.
 */
function inOrder(builder: FrameBuilder, symbols: readonly string[]): FrameBuilder {
  if (builder.symbols.length === symbols.length && builder.symbols.every((s, i) => s === symbols[i]))
    return builder;
  const ordered = createFrameBuilder({ symbols });
  for (const symbol of symbols) {
    const c = builder.columns(symbol);
    for (let i = 0; c && i < c.time.length; i++) {
      ordered.add({
        symbol,
        time: c.time[i]!,
        open: c.open[i]!,
        high: c.high[i]!,
        low: c.low[i]!,
        close: c.close[i]!,
        volume: c.volume[i]!,
      });
    }
  }
  return ordered;
}

/** The kept bars as objects, symbol by symbol, each in time order. */
function barsOf(builder: FrameBuilder): Bar[] {
  const out: Bar[] = [];
  for (const symbol of builder.symbols) {
    const c = builder.columns(symbol)!;
    for (let i = 0; i < c.time.length; i++) {
      out.push({
        symbol,
        time: c.time[i]!,
        open: c.open[i]!,
        high: c.high[i]!,
        low: c.low[i]!,
        close: c.close[i]!,
        volume: c.volume[i]!,
      });
    }
  }
  return out;
}

/**
 * Reads, filters and aligns a bars CSV. Gaps in every symbol (a missing week, an exchange
 * closure) do not stop the run: they are returned in `warnings` and passed to `onWarning`.
 *
 * @example
 * const { frame } = loadBars({ file: 'bars.csv', symbols: ['AA', 'KO'], onWarning: ctx.err });
 */
export function loadBars(options: {
  file?: string | undefined;
  symbols?: readonly string[] | undefined;
  start?: string | undefined;
  end?: string | undefined;
  maxGapBars?: number;
  minBars?: number;
  /** Called once per warning, e.g. to print it. */
  onWarning?: (message: string) => void;
}): LoadedData {
  const file = resolve(options.file ?? bundledDataFile());
  if (!existsSync(file)) throw new AppError('DATA', `data file not found: ${file}`);
  const start = parseDateOption(options.start, 'start', false);
  const end = parseDateOption(options.end, 'end', true);
  const wanted = options.symbols ? new Set(options.symbols) : undefined;
  const read = readBarsFile(
    file,
    options.symbols,
    (b) =>
      (wanted === undefined || wanted.has(b.symbol)) &&
      (start === undefined || b.time >= start) &&
      (end === undefined || b.time <= end),
  );
  const { available } = read;
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
  const minBars = options.minBars ?? 2;
  const builder = inOrder(read.builder, symbols);
  const timesBySymbol = new Map<string, Float64Array>();
  for (const s of builder.symbols) timesBySymbol.set(s, builder.columns(s)!.time);
  const gaps = findGaps(timesBySymbol, options.maxGapBars ?? 5);
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
    frame = builder.build();
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
  const days = (ms: number) => `${Math.round((ms / 86_400_000) * 10) / 10} days`;
  const warnings = findTimeGaps(frame.times).map(
    (g) =>
      `${file}: no bars in any symbol between ${iso(g.from)} and ${iso(g.to)} (${days(g.spanMs)}; bars are usually ` +
      `${g.medianMs >= 86_400_000 ? days(g.medianMs) : `${Math.round(g.medianMs / 60_000)} minutes`} apart); ` +
      'a missing stretch or an exchange closure: the run goes on, check the file if it should not be there',
  );
  for (const w of warnings) options.onWarning?.(w);
  let objects: Bar[] | undefined;
  const barCount = builder.symbols.reduce((n, s) => n + builder.columns(s)!.time.length, 0);
  return {
    file,
    sha256: read.sha256,
    // Objects only for the commands that ask (the paper exchange, replays): most need the frame.
    get bars() {
      objects ??= barsOf(builder);
      return objects;
    },
    barCount,
    frame,
    symbols,
    barsPerYear: inferBarsPerYear(frame.times),
    closeOnly: read.closeOnly,
    warnings,
  };
}

/** Where imported CSVs go inside a run directory. */
export function importedDataPath(runDir: string, name: string): string {
  return join(resolve(runDir), 'data', name);
}
