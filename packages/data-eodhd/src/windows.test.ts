import { describe, expect, it } from 'vitest';
import { MAX_SPAN_DAYS, missingRanges, planWindows, WINDOW_SPAN_SECONDS, type Window } from './windows.js';

/** Every second of `ranges` is inside some window, and every window respects the span. */
function covers(windows: Window[], ranges: Window[], span: number): boolean {
  for (const w of windows) if (w.to - w.from > span || w.to < w.from) return false;
  return ranges.every((r) => {
    let cursor = r.from;
    for (const w of [...windows].sort((a, b) => a.from - b.from))
      if (w.from <= cursor && w.to >= cursor) cursor = w.to + 1;
    return cursor > r.to;
  });
}

describe('windows', () => {
  it('uses a one-day margin under each documented cap', () => {
    for (const k of ['1m', '5m', '1h'] as const)
      expect(WINDOW_SPAN_SECONDS[k]).toBe((MAX_SPAN_DAYS[k] - 1) * 86_400);
  });

  it('splits one range into the fewest capped windows', () => {
    expect(planWindows([{ from: 0, to: 250 }], 100)).toEqual([
      { from: 0, to: 100 },
      { from: 101, to: 201 },
      { from: 202, to: 250 },
    ]);
    expect(planWindows([{ from: 5, to: 5 }], 100)).toEqual([{ from: 5, to: 5 }]);
    expect(planWindows([], 100)).toEqual([]);
  });

  it('lets nearby gaps share a window and covers random layouts', () => {
    expect(
      planWindows(
        [
          { from: 0, to: 10 },
          { from: 50, to: 60 },
        ],
        100,
      ),
    ).toEqual([{ from: 0, to: 60 }]);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 200; trial++) {
      const ranges: Window[] = [];
      let t = Math.floor(rand() * 50);
      for (let k = 0; k < 1 + Math.floor(rand() * 5); k++) {
        const len = Math.floor(rand() * 300);
        ranges.push({ from: t, to: t + len });
        t += len + 1 + Math.floor(rand() * 200);
      }
      const span = 20 + Math.floor(rand() * 150);
      const windows = planWindows(ranges, span);
      expect(covers(windows, ranges, span)).toBe(true);
      // Never more windows than splitting each range on its own.
      const separate = ranges.reduce((n, r) => n + Math.ceil((r.to - r.from + 1) / (span + 1)), 0);
      expect(windows.length).toBeLessThanOrEqual(separate);
    }
  });

  it('finds the parts of a range not covered', () => {
    expect(missingRanges({ from: 0, to: 100 }, [{ from: 10, to: 20 }])).toEqual([
      { from: 0, to: 9 },
      { from: 21, to: 100 },
    ]);
    expect(missingRanges({ from: 0, to: 100 }, [{ from: -5, to: 200 }])).toEqual([]);
    expect(
      missingRanges({ from: 0, to: 100 }, [
        { from: 30, to: 40 },
        { from: 0, to: 35 },
        { from: 90, to: 95 },
      ]),
    ).toEqual([
      { from: 41, to: 89 },
      { from: 96, to: 100 },
    ]);
    expect(missingRanges({ from: 0, to: 10 }, [])).toEqual([{ from: 0, to: 10 }]);
  });
});
