/**
 * The live loop's bar history: bars fetched from the broker, kept per symbol, aligned
 * into a time-major close matrix (forward-filled, never back-filled) for features and
 * into a PriceFrame for retraining.
 */
import { type Bar, buildFrame, type PriceFrame } from '@marlts/market-env';

export class BarHistory {
  readonly symbols: readonly string[];
  private readonly bars = new Map<string, Map<number, Bar>>();
  private timesCache: number[] | null = null;

  constructor(symbols: readonly string[]) {
    this.symbols = symbols;
    for (const s of symbols) this.bars.set(s, new Map());
  }

  /** Adds bars (duplicates replace); returns how many were new. */
  add(bars: readonly Bar[]): number {
    let added = 0;
    for (const b of bars) {
      const m = this.bars.get(b.symbol);
      if (!m) continue;
      if (!m.has(b.time)) added++;
      m.set(b.time, {
        symbol: b.symbol,
        time: b.time,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
      });
    }
    if (added > 0) this.timesCache = null;
    return added;
  }

  /** Distinct bar times where every symbol has either a bar or an earlier one to carry forward. */
  times(): number[] {
    if (this.timesCache) return this.timesCache;
    const all = new Set<number>();
    for (const m of this.bars.values()) for (const t of m.keys()) all.add(t);
    const sorted = [...all].sort((a, b) => a - b);
    // Start where every symbol has begun (no back-filling).
    const firsts = [...this.bars.values()].map((m) => Math.min(...m.keys()));
    const start = Math.max(...firsts);
    this.timesCache = Number.isFinite(start) ? sorted.filter((t) => t >= start) : [];
    return this.timesCache;
  }

  get latestTime(): number | undefined {
    return this.times().at(-1);
  }

  /** Smallest spacing between consecutive bar times (ms). */
  barMs(): number {
    const t = this.times();
    let min = Number.POSITIVE_INFINITY;
    for (let i = 1; i < t.length; i++) min = Math.min(min, t[i]! - t[i - 1]!);
    return Number.isFinite(min) ? min : 86_400_000;
  }

  /** Time-major closes `[rows × nAssets]` of the last `rows` bar times up to `until`, forward-filled. */
  closes(rows: number, until?: number): { closes: Float64Array; times: number[]; filled: number } {
    const times = this.times().filter((t) => until === undefined || t <= until);
    const take = times.slice(-rows);
    const N = this.symbols.length;
    const out = new Float64Array(take.length * N);
    let filled = 0;
    for (let n = 0; n < N; n++) {
      const m = this.bars.get(this.symbols[n]!)!;
      // Seed the carry with the last bar before the window.
      let last = Number.NaN;
      const before = [...m.keys()]
        .filter((t) => t < (take[0] ?? 0))
        .sort((a, b) => a - b)
        .at(-1);
      if (before !== undefined) last = m.get(before)!.close;
      for (let r = 0; r < take.length; r++) {
        const b = m.get(take[r]!);
        if (b) last = b.close;
        else filled++;
        out[r * N + n] = last;
      }
    }
    return { closes: out, times: take, filled };
  }

  /** The last close per symbol at or before `until`. */
  lastCloses(until?: number): Float64Array {
    const { closes } = this.closes(1, until);
    return closes;
  }

  /**
   * Per symbol, the open of the first bar after `after` and at or before `until`: where an
   * order decided on bar `after` filled (NaN where no such bar has arrived yet).
   */
  fillOpens(after: number, until: number): Float64Array {
    const out = new Float64Array(this.symbols.length).fill(Number.NaN);
    this.symbols.forEach((s, n) => {
      let best: Bar | undefined;
      for (const b of this.bars.get(s)!.values())
        if (b.time > after && b.time <= until && (!best || b.time < best.time)) best = b;
      if (best) out[n] = best.open;
    });
    return out;
  }

  /** A PriceFrame of the last `rows` bar times up to `until` (for retraining). */
  frame(rows: number, until?: number): PriceFrame {
    const times = new Set(
      this.times()
        .filter((t) => until === undefined || t <= until)
        .slice(-rows),
    );
    const bars: Bar[] = [];
    for (const s of this.symbols)
      for (const b of this.bars.get(s)!.values()) if (times.has(b.time)) bars.push(b);
    bars.sort((a, b) => a.time - b.time || (a.symbol < b.symbol ? -1 : 1));
    return buildFrame(bars, { symbols: this.symbols, align: 'trim' });
  }

  get size(): number {
    return this.times().length;
  }
}
