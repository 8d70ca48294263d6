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
