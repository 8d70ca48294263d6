/**
 * Aligns bars of several symbols on one time axis: the `PriceFrame` every env and
 * baseline reads. Gaps inside a symbol's history are forward-filled (never back-filled);
 * symbols that start late or end early are an error unless `align: 'trim'`.
 */
import { parseBarsCsv } from './csv.js';
import { MarketEnvError } from './errors.js';
import type { Bar, PriceFrame } from './types.js';

export interface BuildFrameOptions {
  /** Symbols to keep, in this column order (default: all, in order of first appearance). */
  symbols?: readonly string[];
  /**
   * `'strict'` (default): every symbol must cover the whole span, else a `DATA` error.
   * `'trim'`: cut the frame to the span all symbols cover.
   */
  align?: 'strict' | 'trim';
}

const MS_PER_YEAR = 365.25 * 86_400_000;

function iso(t: number): string {
  return new Date(t).toISOString();
}

/**
 * Builds an aligned frame. Errors (`DATA`) name the symbol and the row (index into `bars`).
 * @example
 * const frame = buildFrame(parseBarsCsv(text), { symbols: ['AA', 'IBM'] });
 * frame.close[t * frame.nAssets + 1]; // IBM's close at bar t
 */
export function buildFrame(bars: readonly Bar[], options: BuildFrameOptions = {}): PriceFrame {
  const builder = createFrameBuilder(options);
  for (let i = 0; i < bars.length; i++) builder.add(bars[i]!);
  return builder.build();
}

/** A frame built bar by bar, so the bars never need to exist all at once (streamed files). */
export interface FrameBuilder {
  /** Adds one bar (checked now; its row in errors is the number of bars added before it). */
  add(bar: Bar): void;
  /** Bars added so far, kept or not. */
  readonly count: number;
  /** The symbols kept so far, in column order. */
  readonly symbols: readonly string[];
  /**
   * A symbol's kept bars as columns (views, valid until the next `add`): what a caller
   * needs to check or rebuild bars without holding them as objects.
   */
  columns(symbol: string): BarColumns | undefined;
  /** Aligns what was added into a frame (as {@link buildFrame} does); may be called again. */
  build(): PriceFrame;
}

/** One symbol's bars as columns of equal length, in time order. */
export interface BarColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** One symbol's bars as growable columns (8 bytes per value instead of a boxed object). */
class Series {
  time = new Float64Array(256);
  open = new Float64Array(256);
  high = new Float64Array(256);
  low = new Float64Array(256);
  close = new Float64Array(256);
  volume = new Float64Array(256);
  length = 0;
  firstRow = -1;
  lastRow = -1;

  push(b: Bar, row: number): void {
    if (this.length === this.time.length) {
      const grow = (a: Float64Array) => {
        const next = new Float64Array(Math.ceil(a.length * 1.5));
        next.set(a);
        return next;
      };
      this.time = grow(this.time);
      this.open = grow(this.open);
      this.high = grow(this.high);
      this.low = grow(this.low);
      this.close = grow(this.close);
      this.volume = grow(this.volume);
    }
    const k = this.length++;
    this.time[k] = b.time;
    this.open[k] = b.open;
    this.high[k] = b.high;
    this.low[k] = b.low;
    this.close[k] = b.close;
    this.volume[k] = b.volume;
    if (this.firstRow < 0) this.firstRow = row;
    this.lastRow = row;
  }
}

/**
 * A frame builder: feed it bars one at a time (e.g. straight from `createBarsCsvParser`),
 * then `build()`. Same checks, errors and result as {@link buildFrame}, which uses it.
 * @example
 * const builder = createFrameBuilder({ symbols: ['AA', 'KO'] });
 * for (const bar of parser.push(chunk)) builder.add(bar);
 * const frame = builder.build();
 */
export function createFrameBuilder(options: BuildFrameOptions = {}): FrameBuilder {
  const wanted = options.symbols ? new Set(options.symbols) : undefined;
  const order: string[] = options.symbols ? [...options.symbols] : [];
  const series = new Map<string, Series>();
  for (const s of order) series.set(s, new Series());
  const align = options.align ?? 'strict';
  let count = 0;

  function add(b: Bar): void {
    const i = count++;
    if (wanted && !wanted.has(b.symbol)) return;
    const fail = (msg: string): never => {
      throw new MarketEnvError('DATA', `bar ${i} (${b.symbol}): ${msg}`, { symbol: b.symbol, row: i });
    };
    if (!Number.isFinite(b.time)) fail(`time ${b.time} is not finite`);
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      const v = b[k];
      if (!Number.isFinite(v) || v <= 0) fail(`${k} ${v} must be a finite number > 0`);
    }
    if (!Number.isFinite(b.volume) || b.volume < 0) fail(`volume ${b.volume} must be finite and >= 0`);
    let s = series.get(b.symbol);
    if (!s) {
      s = new Series();
      series.set(b.symbol, s);
      order.push(b.symbol);
    }
    const prev = s.length > 0 ? s.time[s.length - 1]! : undefined;
    if (prev !== undefined && b.time <= prev) {
      fail(
        `${b.time === prev ? 'duplicate' : 'unsorted'} time ${iso(b.time)} (times must strictly increase per symbol)`,
      );
    }
    s.push(b, i);
  }

  function build(): PriceFrame {
    if (order.length === 0) throw new MarketEnvError('DATA', 'no bars', { field: 'bars' });
    let total = 0;
    for (const name of order) {
      const s = series.get(name)!;
      if (s.length === 0) {
        throw new MarketEnvError('DATA', `symbol ${name} has no bars`, { symbol: name, field: 'symbols' });
      }
      total += s.length;
    }
    // Union of all times, then the span every symbol covers.
    const all = new Float64Array(total);
    let k = 0;
    for (const name of order) {
      const s = series.get(name)!;
      all.set(s.time.subarray(0, s.length), k);
      k += s.length;
    }
    all.sort();
    let nUniq = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[nUniq - 1]) all[nUniq++] = all[i]!;
    const uniq = all.subarray(0, nUniq);
    let start = uniq[0]!;
    let end = uniq[nUniq - 1]!;
    for (const name of order) {
      const s = series.get(name)!;
      const first = s.time[0]!;
      const last = s.time[s.length - 1]!;
      if (align === 'trim') {
        start = Math.max(start, first);
        end = Math.min(end, last);
      } else if (first !== start || last !== end) {
        const late = first !== start;
        const row = late ? s.firstRow : s.lastRow;
        throw new MarketEnvError(
          'DATA',
          `symbols do not align: ${name} ${late ? `starts at ${iso(first)}` : `ends at ${iso(last)}`} (row ${row}) but the frame ${late ? `starts at ${iso(start)}` : `ends at ${iso(end)}`}; pass align: 'trim' to cut the frame to the common span`,
          { symbol: name, row },
        );
      }
    }
    if (start > end)
      throw new MarketEnvError('DATA', 'the symbols share no common time span', { field: 'align' });
    let lo = 0;
    while (uniq[lo]! < start) lo++;
    let hi = nUniq;
    while (uniq[hi - 1]! > end) hi--;
    const times = uniq.slice(lo, hi);
    const T = times.length;
    const N = order.length;
    const open = new Float64Array(T * N);
    const high = new Float64Array(T * N);
    const low = new Float64Array(T * N);
    const close = new Float64Array(T * N);
    const volume = new Float64Array(T * N);
    let filledCells = 0;
    for (let n = 0; n < N; n++) {
      const s = series.get(order[n]!)!;
      let j = 0;
      while (j < s.length && s.time[j]! < start) j++;
      let prevClose = Number.NaN;
      for (let t = 0; t < T; t++) {
        const c = t * N + n;
        if (j < s.length && s.time[j] === times[t]) {
          open[c] = s.open[j]!;
          high[c] = s.high[j]!;
          low[c] = s.low[j]!;
          close[c] = s.close[j]!;
          volume[c] = s.volume[j]!;
          prevClose = s.close[j]!;
          j++;
        } else {
          // Forward fill: the last known close, no volume. t = 0 always has a bar after alignment.
          open[c] = high[c] = low[c] = close[c] = prevClose;
          volume[c] = 0;
          filledCells++;
        }
      }
    }
    return { symbols: [...order], nAssets: N, nBars: T, times, open, high, low, close, volume, filledCells };
  }

  return {
    add,
    get count() {
      return count;
    },
    get symbols() {
      return order;
    },
    columns(symbol) {
      const s = series.get(symbol);
      if (!s) return undefined;
      const view = (a: Float64Array) => a.subarray(0, s.length);
      return {
        time: view(s.time),
        open: view(s.open),
        high: view(s.high),
        low: view(s.low),
        close: view(s.close),
        volume: view(s.volume),
      };
    },
    build,
  };
}

/**
 * `buildFrame(parseBarsCsv(text))` in one call.
 * @example
 * const frame = frameFromCsv(readFileSync('dow30_daily_close_1991-2000.csv', 'utf8'), { symbols: ['AA', 'KO'] });
 */
export function frameFromCsv(text: string, options: BuildFrameOptions & { file?: string } = {}): PriceFrame {
  const { file, ...rest } = options;
  return buildFrame(parseBarsCsv(text, file === undefined ? {} : { file }), rest);
}

/**
 * Rows `[start, end)` of a frame (copies), e.g. for train/test splits and walk-forward windows.
 * @example
 * const train = sliceFrame(frame, 0, 2000); const test = sliceFrame(frame, 2000, frame.nBars);
 */
export function sliceFrame(frame: PriceFrame, start: number, end: number = frame.nBars): PriceFrame {
  if (
    !(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= frame.nBars && start < end)
  ) {
    throw new MarketEnvError(
      'CONFIG',
      `sliceFrame: need 0 <= start < end <= ${frame.nBars}, got [${start}, ${end})`,
      {
        field: 'start',
      },
    );
  }
  const N = frame.nAssets;
  const cut = (a: Float64Array) => a.slice(start * N, end * N);
  return {
    symbols: [...frame.symbols],
    nAssets: N,
    nBars: end - start,
    times: frame.times.slice(start, end),
    open: cut(frame.open),
    high: cut(frame.high),
    low: cut(frame.low),
    close: cut(frame.close),
    volume: cut(frame.volume),
    filledCells: 0,
  };
}

/**
 * Bars per year from the observed bar times: `(n − 1) / span in years`. Correct for any
 * calendar (252-ish for NYSE days, ~12,500 for 24×5 FX half-hours, ~1,764 for 7 US-equity
 * hours a day) because it counts the bars that actually exist.
 * @example
 * inferBarsPerYear(frame.times); // ≈ 252.8 for dow30 daily
 */
export function inferBarsPerYear(times: ArrayLike<number>): number {
  const n = times.length;
  if (n < 2)
    throw new MarketEnvError('DATA', `inferBarsPerYear needs at least 2 times, got ${n}`, { field: 'times' });
  const span = times[n - 1]! - times[0]!;
  if (!(span > 0))
    throw new MarketEnvError('DATA', 'inferBarsPerYear: times must increase', { field: 'times' });
  return (n - 1) / (span / MS_PER_YEAR);
}
