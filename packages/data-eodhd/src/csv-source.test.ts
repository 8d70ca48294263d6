import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv, readBarsCsv } from './csv-source.js';
import { isEodhdError } from './errors.js';

// Real price files committed with the tests (provenance and licence: test/fixtures/csv/README.md).
const DATA = fileURLToPath(new URL('../test/fixtures/csv/', import.meta.url));

describe('CSV bar files (the long symbol,date|timestamp,open,high,low,close,volume format)', () => {
  it('reads the full OHLCV file as Bars', async () => {
    const bars = await readBarsCsv(`${DATA}msft_daily_ohlcv_2000-2001.csv`);
    expect(bars.length).toBe(249);
    expect(bars[0]).toEqual({
      symbol: 'MSFT',
      time: Date.UTC(2000, 8, 27),
      open: 63.4375,
      high: 63.5625,
      low: 59.8125,
      close: 60.625,
      volume: 53077800,
    });
    for (const b of bars) expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
  });

  it('fills close-only rows: open = high = low = close, volume 0', async () => {
    const bars = await readBarsCsv(`${DATA}dow30_daily_close_1991-2000.csv`, { symbols: ['IBM', 'KO'] });
    expect(bars.length).toBe(2 * 2529);
    for (const b of bars) {
      expect(b.open).toBe(b.close);
      expect(b.high).toBe(b.close);
      expect(b.low).toBe(b.close);
      expect(b.volume).toBe(0);
    }
    const all = await readBarsCsv(`${DATA}dow30_daily_close_1991-2000.csv`);
    expect(new Set(all.map((b) => b.symbol)).size).toBe(30);
  });

  it('reads ISO timestamps in UTC and can shift end labels to bar starts', async () => {
    const bars = await readBarsCsv(`${DATA}usdchf_30min_1996-2001.csv`);
    expect(bars.length).toBe(62_496);
    expect(bars[1]!.time).toBe(Date.UTC(1996, 3, 1, 0, 30));
    const shifted = await readBarsCsv(`${DATA}usdchf_30min_1996-2001.csv`, { shiftMs: -30 * 60_000 });
    expect(shifted[1]!.time).toBe(Date.UTC(1996, 3, 1, 0, 0));
  });

  it('rejects a file of another schema with BAD_CSV naming the column', async () => {
    await expect(readBarsCsv(`${DATA}usdthb_quotes_1997-06-01_100-rows.csv`)).rejects.toMatchObject({
      code: 'BAD_CSV',
      field: 'close',
    });
    await expect(readBarsCsv(`${DATA}missing.csv`)).rejects.toMatchObject({ code: 'BAD_CSV' });
  });

  it('names file, line and column of a broken row', () => {
    const head = 'symbol,date,open,high,low,close,volume\n';
    const cases: [string, string, RegExp][] = [
      ['X,2020-01-02,1,2,0.5,abc,10\n', 'close', /x\.csv:2 column "close": "abc" is not a decimal number/],
      ['X,2020-01-02,1,2,0.5,1,10\nX,2020-02-30,1,2,0.5,1,10\n', 'date', /x\.csv:3 column "date"/],
      ['X,2020-01-02,1,2,0.5,,10\n', 'close', /the close is empty/],
      ['X,2020-01-02,1,2\n', 'line 2', /x\.csv:2: 4 fields where the header has 7/],
    ];
    for (const [body, field, message] of cases) {
      let error: unknown;
      try {
        parseBarsCsv(head + body, { file: 'x.csv' });
      } catch (e) {
        error = e;
      }
      expect(isEodhdError(error, 'BAD_CSV')).toBe(true);
      expect(error).toMatchObject({ field });
      expect((error as Error).message).toMatch(message);
    }
    expect(() => parseBarsCsv('symbol,timestamp,close\nX,2020-01-02 10:00:00,1\n')).toThrow(
      /has no time zone/,
    );
  });

  it('accepts CRLF line ends and a missing trailing newline', () => {
    const bars = parseBarsCsv('symbol,date,close\r\nA,2020-01-02,5\r\nA,2020-01-03,6');
    expect(bars.map((b) => b.close)).toEqual([5, 6]);
  });
});
