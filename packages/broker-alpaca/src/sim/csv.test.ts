// The shared bar-CSV cases (tooling/csv-cases/cases.json, docs/csv.md) through the paper
// exchange's parser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAlpacaError } from '../errors.js';
import { type Bar, parseBarsCsv } from './index.js';

interface CsvCase {
  name: string;
  input: string;
  options?: { symbol?: string };
  bars?: Array<Omit<Bar, 'time'> & { time: string }>;
  error?: { reason: string; row: number; column: string | null; messageIncludes?: string };
}
const table = JSON.parse(
  readFileSync(new URL('../../../../tooling/csv-cases/cases.json', import.meta.url), 'utf8'),
) as { now: string; cases: CsvCase[] };

describe('the shared CSV cases (tooling/csv-cases/cases.json)', () => {
  it('has cases', () => {
    expect(table.cases.length).toBeGreaterThan(50);
  });
  for (const c of table.cases) {
    it(c.name, () => {
      let bars: Bar[] | undefined;
      let error: unknown;
      try {
        bars = parseBarsCsv(c.input, { file: 'case.csv', now: Date.parse(table.now), ...c.options });
      } catch (e) {
        error = e;
      }
      if (!c.error) {
        if (error) throw error;
        expect(bars).toEqual(c.bars!.map((b) => ({ ...b, time: Date.parse(b.time) })));
        return;
      }
      expect(isAlpacaError(error, 'BAD_CSV')).toBe(true);
      if (!isAlpacaError(error)) return;
      expect({ reason: error.csv?.reason, row: error.csv?.row, column: error.csv?.column ?? null }).toEqual({
        reason: c.error.reason,
        row: c.error.row,
        column: c.error.column,
      });
      expect(error.field).toBe(c.error.column ?? `line ${c.error.row}`);
      expect(error.message.startsWith(`case.csv:${c.error.row}`)).toBe(true);
      if (c.error.column !== null) expect(error.message).toContain(`column "${c.error.column}"`);
      if (c.error.messageIncludes) expect(error.message).toContain(c.error.messageIncludes);
    });
  }
});

describe('parseBarsCsv options', () => {
  it('keeps only the given symbols, still checking the others', () => {
    const text = 'symbol,date,close\nA,2020-01-02,5\nB,2020-01-02,6\n';
    expect(parseBarsCsv(text, { symbols: ['B'] }).map((b) => b.symbol)).toEqual(['B']);
    expect(() => parseBarsCsv(`${text}A,2020-01-01,5\n`, { symbols: ['B'] })).toThrow(
      expect.objectContaining({ code: 'BAD_CSV', csv: expect.objectContaining({ reason: 'ORDER', row: 4 }) }),
    );
  });

  it('refuses bad options with a CONFIG error naming the field', () => {
    expect(() => parseBarsCsv('', { symbol: '' })).toThrow(
      expect.objectContaining({ code: 'CONFIG', field: 'symbol' }),
    );
  });
});
