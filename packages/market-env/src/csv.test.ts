// The shared bar-CSV cases (tooling/csv-cases/cases.json, docs/csv.md) through market-env's
// parser: whole, split at every position, and one character at a time.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBarsCsvParser, type ParseBarsCsvOptions, parseBarsCsv } from './csv.js';
import { isMarketEnvError } from './errors.js';
import type { Bar } from './types.js';

interface CsvCase {
  name: string;
  input: string;
  options?: { symbol?: string };
  bars?: Array<Omit<Bar, 'time'> & { time: string }>;
  closeOnly?: boolean;
  error?: { reason: string; row: number; column: string | null; messageIncludes?: string };
}
const table = JSON.parse(
  readFileSync(new URL('../../../tooling/csv-cases/cases.json', import.meta.url), 'utf8'),
) as { now: string; cases: CsvCase[] };
const optionsOf = (c: CsvCase): ParseBarsCsvOptions => ({
  file: 'case.csv',
  now: Date.parse(table.now),
  ...c.options,
});

type Outcome = { bars: Bar[]; closeOnly: boolean } | { error: unknown };
function run(c: CsvCase, chunks: string[]): Outcome {
  try {
    const parser = createBarsCsvParser(optionsOf(c));
    const bars: Bar[] = [];
    for (const chunk of chunks) bars.push(...parser.push(chunk));
    bars.push(...parser.end());
    return { bars, closeOnly: parser.closeOnly };
  } catch (error) {
    return { error };
  }
}

function check(c: CsvCase, outcome: Outcome): void {
  if (c.error) {
    expect(outcome).toHaveProperty('error');
    const e = (outcome as { error: unknown }).error;
    expect(isMarketEnvError(e, 'DATA')).toBe(true);
    if (!isMarketEnvError(e)) return;
    expect({ reason: e.csv?.reason, row: e.csv?.row, column: e.csv?.column ?? null }).toEqual({
      reason: c.error.reason,
      row: c.error.row,
      column: c.error.column,
    });
    expect(e.row).toBe(c.error.row);
    expect(e.message.startsWith(`case.csv:${c.error.row}`)).toBe(true);
    if (c.error.column !== null) expect(e.message).toContain(`column "${c.error.column}"`);
    if (c.error.messageIncludes) expect(e.message).toContain(c.error.messageIncludes);
    return;
  }
  if ('error' in outcome) throw outcome.error;
  expect(outcome.bars).toEqual(c.bars!.map((b) => ({ ...b, time: Date.parse(b.time) })));
  if (c.closeOnly !== undefined) expect(outcome.closeOnly).toBe(c.closeOnly);
}

describe('the shared CSV cases (tooling/csv-cases/cases.json)', () => {
  it('has cases', () => {
    expect(table.cases.length).toBeGreaterThan(50);
  });
  for (const c of table.cases) {
    it(c.name, () => {
      check(c, run(c, [c.input]));
      // A chunk boundary anywhere (inside a quote, between \r and \n, inside the BOM's line)
      // changes nothing.
      for (let k = 0; k <= c.input.length; k++) check(c, run(c, [c.input.slice(0, k), c.input.slice(k)]));
      check(c, run(c, [...c.input]));
    });
  }
});

describe('parseBarsCsv options', () => {
  it('refuses bad options with a CONFIG error naming the field', () => {
    expect(() => parseBarsCsv('symbol,date,close\n', { now: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'CONFIG', field: 'now' }),
    );
    expect(() => parseBarsCsv('', { nope: 1 } as ParseBarsCsvOptions)).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it('checks the future against the real clock by default', () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(parseBarsCsv(`symbol,date,close\nA,${tomorrow},1\n`)).toHaveLength(1);
    expect(() => parseBarsCsv('symbol,date,close\nA,9999-01-01,1\n')).toThrow(/in the future/);
  });
});
