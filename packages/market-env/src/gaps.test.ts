import { describe, expect, it } from 'vitest';
import { readData } from '../test/paths.js';
import { parseBarsCsv } from './csv.js';
import { frameFromCsv } from './frame.js';
import { findTimeGaps } from './gaps.js';

const DAY = 86_400_000;

describe('findTimeGaps', () => {
  it('finds the NYSE closure after 9/11 in real MSFT daily bars, and nothing else', () => {
    const frame = frameFromCsv(readData('msft_daily_ohlcv_2000-2001.csv'));
    expect(findTimeGaps(frame.times)).toEqual([
      { from: Date.UTC(2001, 8, 10), to: Date.UTC(2001, 8, 17), spanMs: 7 * DAY, medianMs: DAY },
    ]);
  });

  it('passes weekends and holidays of daily closes and of 30-minute FX bars', () => {
    const dow = frameFromCsv(readData('dow30-10_daily_close_1991-2000.csv'), { symbols: ['AA'] });
    expect(findTimeGaps(dow.times)).toEqual([]);
    const fx = frameFromCsv(readData('usdchf_30min_1996-04-01_5000-bars.csv'));
    expect(findTimeGaps(fx.times)).toEqual([]);
  });

  it('flags a week missing from a one-symbol file', () => {
    const lines = readData('msft_daily_ohlcv_2000-2001.csv').split('\n');
    const week = ['2001-02-26', '2001-02-27', '2001-02-28', '2001-03-01', '2001-03-02'];
    const text = lines.filter((l) => !week.includes(l.split(',')[1]!)).join('\n');
    expect(lines.length - text.split('\n').length).toBe(5);
    const gaps = findTimeGaps(frameFromCsv(text).times);
    expect(gaps.map((g) => [new Date(g.from).toISOString(), new Date(g.to).toISOString()])).toEqual([
      ['2001-02-23T00:00:00.000Z', '2001-03-05T00:00:00.000Z'],
      ['2001-09-10T00:00:00.000Z', '2001-09-17T00:00:00.000Z'],
    ]);
    // A stricter threshold finds the weekends too; a looser one nothing.
    const bars = parseBarsCsv(text);
    expect(
      findTimeGaps(
        bars.map((b) => b.time),
        { factor: 2, minGapMs: 0 },
      ).length,
    ).toBeGreaterThan(40);
    expect(
      findTimeGaps(
        bars.map((b) => b.time),
        { minGapMs: 30 * DAY },
      ),
    ).toEqual([]);
  });

  it('needs increasing times and valid options', () => {
    expect(() => findTimeGaps([1, 2, 2])).toThrow(expect.objectContaining({ code: 'DATA', row: 2 }));
    expect(() => findTimeGaps([1, 2, 3], { factor: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG', field: 'factor' }),
    );
    expect(findTimeGaps([1, 2])).toEqual([]);
  });
});
