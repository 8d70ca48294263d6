import { describe, expect, it } from 'vitest';
import { readData } from '../test/paths.js';
import { createBarsCsvParser, parseBarsCsv, parseBarTime } from './csv.js';
import { isMarketEnvError, type MarketEnvError } from './errors.js';
import { buildFrame, createFrameBuilder, frameFromCsv, inferBarsPerYear, sliceFrame } from './frame.js';
import type { Bar } from './types.js';

function catchError(fn: () => unknown): MarketEnvError {
  try {
    fn();
  } catch (e) {
    if (isMarketEnvError(e)) return e;
    throw e;
  }
  throw new Error('expected a MarketEnvError');
}

const bar = (symbol: string, day: number, close: number, extra: Partial<Bar> = {}): Bar => ({
  symbol,
  time: Date.UTC(2020, 0, day),
  open: close,
  high: close,
  low: close,
  close,
  volume: 0,
  ...extra,
});

describe('parseBarsCsv on real data files', () => {
  it('reads the MSFT OHLCV file', () => {
    const bars = parseBarsCsv(readData('msft_daily_ohlcv_2000-2001.csv'));
    expect(bars).toHaveLength(249);
    expect(bars[0]).toEqual({
      symbol: 'MSFT',
      time: Date.UTC(2000, 8, 27),
      open: 63.4375,
      high: 63.5625,
      low: 59.8125,
      close: 60.625,
      volume: 53077800,
    });
  });

  it('fills a close-only file (dow30) with open=high=low=close and volume 0', () => {
    const frame = frameFromCsv(readData('dow30-10_daily_close_1991-2000.csv'), {
      symbols: ['AA', 'IBM', 'KO'],
    });
    expect(frame.nBars).toBe(2529);
    expect(frame.symbols).toEqual(['AA', 'IBM', 'KO']);
    expect(frame.close[0]).toBe(5.92);
    expect(frame.open[0]).toBe(5.92);
    expect(frame.volume[0]).toBe(0);
    expect(frame.filledCells).toBe(0);
    expect(inferBarsPerYear(frame.times)).toBeGreaterThan(250);
    expect(inferBarsPerYear(frame.times)).toBeLessThan(255);
  });

  it('reads intraday timestamps (usdchf 30 min) and infers ~12,500 bars a year', () => {
    const text = readData('usdchf_30min_1996-04-01_5000-bars.csv').split('\n').slice(0, 5001).join('\n');
    const bars = parseBarsCsv(text);
    expect(bars[1]!.time - bars[0]!.time).toBe(30 * 60_000);
    expect(bars[0]!.time).toBe(Date.parse('1996-04-01T00:00:00Z'));
    const bpy = inferBarsPerYear(buildFrame(bars).times);
    // 48 bars × 5 days × 52 weeks ≈ 12,480; the file's weekend gaps make the estimate land near it.
    expect(bpy).toBeGreaterThan(11_500);
    expect(bpy).toBeLessThan(13_000);
  });

  it('parses dates as UTC midnight and rejects impossible ones', () => {
    expect(parseBarTime('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(Number.isNaN(parseBarTime('2001-02-29'))).toBe(true);
    expect(Number.isNaN(parseBarTime('2001-02-03T10:00:00'))).toBe(true); // no zone
  });
});

describe('typed data errors name the symbol and row', () => {
  const header = 'symbol,date,open,high,low,close,volume';
  it('NaN price', () => {
    const e = catchError(() =>
      parseBarsCsv(`${header}\nAA,2020-01-01,,,,1.5,\nAA,2020-01-02,,,,abc,\n`, { file: 'x.csv' }),
    );
    expect(e.code).toBe('DATA');
    expect(e.symbol).toBe('AA');
    expect(e.row).toBe(3);
    expect(e.message).toMatch(/^x\.csv:3 column "close": "abc" is not a decimal number/);
  });
  it('negative price', () => {
    const e = catchError(() => parseBarsCsv(`${header}\nBB,2020-01-01,,,,-1,\n`));
    expect([e.code, e.symbol, e.row]).toEqual(['DATA', 'BB', 2]);
  });
  it('unsorted and duplicate timestamps', () => {
    const u = catchError(() => parseBarsCsv(`${header}\nAA,2020-01-02,,,,1,\nAA,2020-01-01,,,,1,\n`));
    expect([u.symbol, u.row]).toEqual(['AA', 3]);
    expect(u.message).toMatch(/comes after a later time on line 2; sort the file/);
    const d = catchError(() => buildFrame([bar('AA', 1, 1), bar('BB', 1, 2), bar('BB', 1, 2)]));
    expect([d.code, d.symbol, d.row]).toEqual(['DATA', 'BB', 2]);
    expect(d.message).toMatch(/duplicate/);
  });
  it('NaN and negative values in bars', () => {
    const e = catchError(() => buildFrame([bar('AA', 1, 1), bar('AA', 2, Number.NaN)]));
    expect([e.code, e.symbol, e.row]).toEqual(['DATA', 'AA', 1]);
    const v = catchError(() => buildFrame([bar('AA', 1, 1, { volume: -5 })]));
    expect([v.symbol, v.row]).toEqual(['AA', 0]);
  });
  it('symbols that do not align', () => {
    const bars = [bar('AA', 1, 1), bar('AA', 2, 1), bar('AA', 3, 1), bar('BB', 2, 5), bar('BB', 3, 5)];
    const e = catchError(() => buildFrame(bars));
    expect([e.code, e.symbol, e.row]).toEqual(['DATA', 'BB', 3]);
    expect(e.message).toMatch(/do not align/);
    const trimmed = buildFrame(bars, { align: 'trim' });
    expect(trimmed.nBars).toBe(2);
    expect(Array.from(trimmed.close)).toEqual([1, 5, 1, 5]);
  });
});

describe('buildFrame alignment', () => {
  it('forward-fills interior gaps, never back-fills', () => {
    const bars = [bar('AA', 1, 10), bar('BB', 1, 20), bar('AA', 2, 11), bar('AA', 3, 12), bar('BB', 3, 22)];
    const f = buildFrame(bars);
    expect(f.nBars).toBe(3);
    // BB has no bar on day 2: it keeps day 1's close (20), not day 3's (22).
    expect(f.close[1 * 2 + 1]).toBe(20);
    expect(f.open[1 * 2 + 1]).toBe(20);
    expect(f.volume[1 * 2 + 1]).toBe(0);
    expect(f.filledCells).toBe(1);
  });

  it('keeps the requested column order and slices', () => {
    const bars = [bar('AA', 1, 10), bar('BB', 1, 20), bar('AA', 2, 11), bar('BB', 2, 21)];
    const f = buildFrame(bars, { symbols: ['BB', 'AA'] });
    expect(Array.from(f.close)).toEqual([20, 10, 21, 11]);
    const s = sliceFrame(f, 1);
    expect(s.nBars).toBe(1);
    expect(Array.from(s.close)).toEqual([21, 11]);
    const missing = catchError(() => buildFrame(bars, { symbols: ['AA', 'ZZ'] }));
    expect(missing.symbol).toBe('ZZ');
  });
});

describe('createFrameBuilder', () => {
  it('builds the frame buildFrame builds, from bars streamed chunk by chunk', () => {
    const text = readData('dow30-10_daily_close_1991-2000.csv');
    const parser = createBarsCsvParser({ file: 'dow.csv' });
    const builder = createFrameBuilder({ symbols: ['KO', 'AA'] });
    for (let i = 0; i < text.length; i += 65_536)
      for (const b of parser.push(text.slice(i, i + 65_536))) builder.add(b);
    for (const b of parser.end()) builder.add(b);
    const expected = buildFrame(parseBarsCsv(text), { symbols: ['KO', 'AA'] });
    expect(builder.build()).toEqual(expected);
    expect(builder.count).toBe(parseBarsCsv(text).length);
    expect(builder.symbols).toEqual(['KO', 'AA']);
    const ko = builder.columns('KO')!;
    expect(ko.time.length).toBe(2529);
    expect(ko.close[0]).toBe(expected.close[0]);
    expect(builder.columns('IBM')).toBeUndefined(); // not kept
  });

  it('reports errors with the row of the bar added, like buildFrame', () => {
    const builder = createFrameBuilder();
    builder.add(bar('AA', 2, 1));
    expect(() => builder.add(bar('AA', 1, 1))).toThrow(expect.objectContaining({ code: 'DATA', row: 1 }));
  });
});
