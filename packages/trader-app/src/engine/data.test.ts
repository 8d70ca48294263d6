import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../app-error.js';
import { parseConfig } from '../config.js';
import { barSpacingMs, retrainCadenceBars } from './cadence.js';
import { BUNDLED_INTRADAY_FILE, bundledDataFile, loadBars } from './data.js';

const dow = () => readFileSync(bundledDataFile(), 'utf8').split('\n');

describe('loadBars', () => {
  it('loads the bundled data, filtered by symbols and dates', () => {
    const d = loadBars({ symbols: ['KO', 'AA'], start: '1999-01-01', end: '1999-12-31' });
    expect(d.symbols).toEqual(['KO', 'AA']);
    expect(d.frame.nBars).toBe(252);
    expect(d.closeOnly).toBe(true);
    expect(Math.round(d.barsPerYear)).toBeGreaterThan(240);
  });

  it('reports a data gap naming the symbol and dates, and unknown symbols', () => {
    const lines = dow();
    // Drop 10 consecutive KO days in 1995.
    const gapped = lines.filter((l) => !(l.startsWith('KO,1995-03-') && l.split(',')[1]! <= '1995-03-15'));
    const dir = mkdtempSync(join(tmpdir(), 'marlts-data-'));
    const file = join(dir, 'gap.csv');
    writeFileSync(file, gapped.join('\n'));
    try {
      loadBars({ file });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e, 'DATA_GAP')).toBe(true);
      expect((e as Error).message).toMatch(
        /KO has no bars for 1\d consecutive bar times \(1995-03-01 \.\. 1995-03-15\)/,
      );
    }
    // The same file without KO loads.
    expect(loadBars({ file, symbols: ['AA', 'IBM'] }).frame.nBars).toBe(2529);
    expect(() => loadBars({ symbols: ['NOPE'] })).toThrow(/no bars for NOPE/);
    expect(() => loadBars({ file: join(dir, 'missing.csv') })).toThrow(/not found/);
  });

  it('loads the bundled USD/CHF 30-minute slice: 48 UTC bars a weekday, 60 minutes = 2 bars', () => {
    const d = loadBars({ file: bundledDataFile(BUNDLED_INTRADAY_FILE) });
    expect(d.symbols).toEqual(['USDCHF']);
    expect(d.closeOnly).toBe(true);
    expect(new Date(d.frame.times[0]!).toISOString()).toBe('2001-01-01T00:00:00.000Z');
    expect(new Date(d.frame.times[d.frame.nBars - 1]!).toISOString()).toBe('2001-03-30T23:30:00.000Z');
    expect(d.frame.nBars % 48).toBe(0);
    const spacing = barSpacingMs(d.frame.times);
    expect(spacing).toBe(30 * 60_000);
    expect(retrainCadenceBars(parseConfig({ retrain: { everyMinutes: 60 } }, 'test'), spacing)).toBe(2);
  });
});

describe('loadBars refuses bad data and warns about gaps (docs/csv.md)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'marlts-data-'));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('refuses a far-future row, naming the file, line and column (was: a backtest at "0 bars/year")', () => {
    const lines = dow().filter((l) => l === '' || l.startsWith('symbol') || l.startsWith('KO,'));
    const file = write('future.csv', [...lines.filter(Boolean), 'KO,9999-01-01,,,,40.5,'].join('\n'));
    let error: unknown;
    try {
      loadBars({ file });
    } catch (e) {
      error = e;
    }
    expect(isAppError(error, 'DATA')).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${file.replace(/[.]/g, '\\.')}:${lines.filter(Boolean).length + 1} column "date": "9999-01-01" is in the future`,
      ),
    );
  });

  it('refuses a hex close and a close above the high', () => {
    const head = 'symbol,date,open,high,low,close,volume\n';
    expect(() => loadBars({ file: write('hex.csv', `${head}A,2020-01-02,60,61,59,0x3C,100\n`) })).toThrow(
      /hex\.csv:2 column "close": "0x3C" is not a decimal number/,
    );
    expect(() => loadBars({ file: write('ohlc.csv', `${head}A,2020-01-02,60,61,59,62,100\n`) })).toThrow(
      /ohlc\.csv:2 column "close": close 62 is above high 61/,
    );
  });

  it('warns, without stopping, about a week missing in every symbol', () => {
    const week = ['1995-03-06', '1995-03-07', '1995-03-08', '1995-03-09', '1995-03-10'];
    const file = write(
      'week.csv',
      dow()
        .filter((l) => !week.includes(l.split(',')[1] ?? ''))
        .join('\n'),
    );
    const printed: string[] = [];
    const d = loadBars({ file, onWarning: (w) => printed.push(w) });
    expect(d.warnings).toEqual(printed);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(
      /week\.csv: no bars in any symbol between 1995-03-03 and 1995-03-13 \(10 days; bars are usually 1 days apart\)/,
    );
    expect(loadBars({}).warnings).toEqual([]); // the bundled file has no gap
  });

  it('warns about a gap in a one-symbol file', () => {
    const ko = dow().filter((l) => l.startsWith('symbol') || l.startsWith('KO,'));
    const file = write('ko.csv', ko.filter((l) => !/^KO,1997-0[45]-/.test(l)).join('\n'));
    expect(loadBars({ file }).warnings).toEqual([
      expect.stringMatching(/no bars in any symbol between 1997-03-31 and 1997-06-02/),
    ]);
  });

  it('keeps the symbol order of the file for the columns when --start cuts the first rows', () => {
    const file = write(
      'order.csv',
      'symbol,date,close\nB,2020-01-01,1\nA,2020-01-02,2\nB,2020-01-02,3\nA,2020-01-03,4\nB,2020-01-03,5\n',
    );
    const d = loadBars({ file, start: '2020-01-02' });
    expect(d.symbols).toEqual(['B', 'A']);
    expect(d.frame.symbols).toEqual(['B', 'A']);
    expect(Array.from(d.frame.close)).toEqual([3, 2, 5, 4]);
    expect(loadBars({ file, symbols: ['A', 'B'], start: '2020-01-02' }).frame.symbols).toEqual(['A', 'B']);
  });

  it('streams a file larger than one read chunk: multi-byte text across chunk boundaries, the same bars and hash', () => {
    // ~6 MB: every row has a quoted note with a 3-byte character, so some row straddles the 4 MiB boundary.
    const rows = ['symbol,timestamp,close,note'];
    const start = Date.UTC(2000, 0, 1);
    for (let i = 0; i < 40_000; i++) {
      const date = new Date(start + i * 3_600_000).toISOString();
      rows.push(`A,${date},${(100 + (i % 50) / 4).toFixed(2)},"€ ${'x'.repeat(100)}, ok"`);
      rows.push(`B,${date},${(50 + (i % 20) / 4).toFixed(2)},"€ ${'y'.repeat(20)}"`);
    }
    const text = `\ufeff${rows.join('\r\n')}\r\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 << 20);
    const file = write('big.csv', text);
    const d = loadBars({ file });
    expect(d.barCount).toBe(80_000);
    expect(d.frame.nBars).toBe(40_000);
    expect(d.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(d.frame.close[2 * 39_999]).toBe(Number((100 + (39_999 % 50) / 4).toFixed(2)));
    // Bar objects are made on request, symbol by symbol.
    expect(d.bars).toHaveLength(80_000);
    expect(d.bars[40_000]).toEqual({
      symbol: 'B',
      time: start,
      open: 50,
      high: 50,
      low: 50,
      close: 50,
      volume: 0,
    });
    expect(d.closeOnly).toBe(true);
  });
});
