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
  const wanted = options.symbols ? new Set(options.symbols) : undefined;
  const order: string[] = options.symbols ? [...options.symbols] : [];
  const rowsBySymbol = new Map<string, number[]>();
  for (const s of order) rowsBySymbol.set(s, []);
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    if (wanted && !wanted.has(b.symbol)) continue;
    const fail = (msg: string): never => {
      throw new MarketEnvError('DATA', `bar ${i} (${b.symbol}): ${msg}`, { symbol: b.symbol, row: i });
    };
    if (!Number.isFinite(b.time)) fail(`time ${b.time} is not finite`);
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      const v = b[k];
      if (!Number.isFinite(v) || v <= 0) fail(`${k} ${v} must be a finite number > 0`);
    }
    if (!Number.isFinite(b.volume) || b.volume < 0) fail(`volume ${b.volume} must be finite and >= 0`);
    let rows = rowsBySymbol.get(b.symbol);
    if (!rows) {
      rows = [];
      rowsBySymbol.set(b.symbol, rows);
      order.push(b.symbol);
    }
    const prev = rows.length > 0 ? bars[rows[rows.length - 1]!]!.time : undefined;
    if (prev !== undefined && b.time <= prev) {
      fail(
        `${b.time === prev ? 'duplicate' : 'unsorted'} time ${iso(b.time)} (times must strictly increase per symbol)`,
      );
    }
    rows.push(i);
  }
  if (order.length === 0) throw new MarketEnvError('DATA', 'no bars', { field: 'bars' });
  for (const s of order) {
    if (rowsBySymbol.get(s)!.length === 0) {
      throw new MarketEnvError('DATA', `symbol ${s} has no bars`, { symbol: s, field: 'symbols' });
    }
  }
  // Union of all times, then the span every symbol covers.
  let all = new Float64Array(bars.length);
  let k = 0;
  for (const s of order) for (const i of rowsBySymbol.get(s)!) all[k++] = bars[i]!.time;
  all = all.subarray(0, k).sort();
  const uniq: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) uniq.push(all[i]!);
  let start = uniq[0]!;
  let end = uniq[uniq.length - 1]!;
  const align = options.align ?? 'strict';
  for (const s of order) {
    const rows = rowsBySymbol.get(s)!;
    const first = bars[rows[0]!]!;
    const last = bars[rows[rows.length - 1]!]!;
    if (align === 'trim') {
      start = Math.max(start, first.time);
      end = Math.min(end, last.time);
    } else if (first.time !== start || last.time !== end) {
      const late = first.time !== start;
      throw new MarketEnvError(
        'DATA',
        `symbols do not align: ${s} ${late ? `starts at ${iso(first.time)}` : `ends at ${iso(last.time)}`} (row ${late ? rows[0] : rows[rows.length - 1]}) but the frame ${late ? `starts at ${iso(start)}` : `ends at ${iso(end)}`}; pass align: 'trim' to cut the frame to the common span`,
        { symbol: s, row: late ? rows[0]! : rows[rows.length - 1]! },
      );
    }
  }
  if (start > end)
    throw new MarketEnvError('DATA', 'the symbols share no common time span', { field: 'align' });
  const times = Float64Array.from(uniq.filter((t) => t >= start && t <= end));
  const T = times.length;
  const N = order.length;
  const open = new Float64Array(T * N);
  const high = new Float64Array(T * N);
  const low = new Float64Array(T * N);
  const close = new Float64Array(T * N);
  const volume = new Float64Array(T * N);
  let filledCells = 0;
  for (let n = 0; n < N; n++) {
    const rows = rowsBySymbol.get(order[n]!)!;
    let j = 0;
    while (j < rows.length && bars[rows[j]!]!.time < start) j++;
    let prevClose = Number.NaN;
    for (let t = 0; t < T; t++) {
      const c = t * N + n;
      const b = j < rows.length ? bars[rows[j]!]! : undefined;
      if (b && b.time === times[t]) {
        open[c] = b.open;
        high[c] = b.high;
        low[c] = b.low;
        close[c] = b.close;
        volume[c] = b.volume;
        prevClose = b.close;
        j++;
      } else {
        // Forward fill: the last known close, no volume. t = 0 always has a bar after alignment.
        open[c] = high[c] = low[c] = close[c] = prevClose;
        volume[c] = 0;
        filledCells++;
      }
    }
  }
  return { symbols: order, nAssets: N, nBars: T, times, open, high, low, close, volume, filledCells };
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
