/**
 * Intraday request windowing. EODHD caps `to − from` per intraday request at 120 /
 * 600 / 7200 days for 1m / 5m / 1h (api-contracts.md B2) and charges 5 calls per
 * request, so a long range is split into as few windows as the cap allows, and only
 * the parts not already cached are requested. Windows are in Unix SECONDS with both
 * ends inclusive, like the API's `from`/`to`.
 */
import type { IntradayInterval } from './types.js';

/** Documented maximum span of one intraday request, in days. */
export const MAX_SPAN_DAYS: Readonly<Record<IntradayInterval, number>> = { '1m': 120, '5m': 600, '1h': 7200 };

/**
 * The span we request per call, in seconds: one day under the documented maximum,
 * the margin api-contracts.md recommends (the behaviour above the cap is undocumented).
 */
export const WINDOW_SPAN_SECONDS: Readonly<Record<IntradayInterval, number>> = {
  '1m': 119 * 86_400,
  '5m': 599 * 86_400,
  '1h': 7199 * 86_400,
};

/** A closed range of Unix seconds `[from, to]`. */
export interface Window {
  from: number;
  to: number;
}

/**
 * Covers the given disjoint, sorted ranges with the fewest windows of span at most
 * `spanSeconds` (greedy, which is optimal on a line). Nearby gaps share a window:
 * the call costs the same whatever the span.
 *
 * @example
 * planWindows([{ from: 0, to: 250 }], 100); // [{0,100}, {101,201}, {202,250}]
 */
export function planWindows(ranges: readonly Window[], spanSeconds: number): Window[] {
  const queue = ranges.map((r) => ({ ...r })).sort((a, b) => a.from - b.from);
  const out: Window[] = [];
  let k = 0;
  while (k < queue.length) {
    const start = queue[k]!.from;
    const limit = start + spanSeconds;
    let end = start;
    while (k < queue.length && queue[k]!.from <= limit) {
      const range = queue[k]!;
      if (range.to <= limit) {
        end = range.to;
        k++;
      } else {
        end = limit;
        range.from = limit + 1;
        break;
      }
    }
    out.push({ from: start, to: end });
  }
  return out;
}

/**
 * The parts of `range` that no window in `covered` contains.
 *
 * @example
 * missingRanges({ from: 0, to: 100 }, [{ from: 10, to: 20 }]); // [{0,9}, {21,100}]
 */
export function missingRanges(range: Window, covered: readonly Window[]): Window[] {
  const sorted = [...covered].sort((a, b) => a.from - b.from);
  const out: Window[] = [];
  let cursor = range.from;
  for (const c of sorted) {
    if (c.to < cursor) continue;
    if (c.from > range.to) break;
    if (c.from > cursor) out.push({ from: cursor, to: Math.min(c.from - 1, range.to) });
    cursor = Math.max(cursor, c.to + 1);
    if (cursor > range.to) break;
  }
  if (cursor <= range.to) out.push({ from: cursor, to: range.to });
  return out;
}
