// The shared bar-CSV cases (tooling/csv-cases/cases.json, docs/csv.md) through data-eodhd's
// parser: as text, and as a file read by the streaming readBarsCsv.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ParseBarsCsvOptions, parseBarsCsv, readBarsCsv } from './csv-source.js';
import { isEodhdError } from './errors.js';
import type { Bar } from './types.js';

interface CsvCase {
  name: string;
  input: string;
  options?: { symbol?: string };
  bars?: Array<Omit<Bar, 'time'> & { time: string }>;
  error?: { reason: string; row: number; column: string | null; messageIncludes?: string };
}
const table = JSON.parse(
  readFileSync(new URL('../../../tooling/csv-cases/cases.json', import.meta.url), 'utf8'),
) as { now: string; cases: CsvCase[] };
const dir = mkdtempSync(join(tmpdir(), 'eodhd-csv-cases-'));

type Outcome = { bars: Bar[] } | { error: unknown };
async function outcome(run: () => Bar[] | Promise<Bar[]>): Promise<Outcome> {
  try {
    return { bars: await run() };
  } catch (error) {
    return { error };
  }
}

function check(c: CsvCase, result: Outcome, file: string): void {
  if (c.error) {
    expect(result).toHaveProperty('error');
    const e = (result as { error: unknown }).error;
    expect(isEodhdError(e, 'BAD_CSV')).toBe(true);
    if (!isEodhdError(e)) return;
    expect({ reason: e.csv?.reason, row: e.csv?.row, column: e.csv?.column ?? null }).toEqual({
      reason: c.error.reason,
      row: c.error.row,
      column: c.error.column,
    });
    expect(e.field).toBe(c.error.column ?? `line ${c.error.row}`);
    expect(e.message.startsWith(`${file}:${c.error.row}`)).toBe(true);
    if (c.error.column !== null) expect(e.message).toContain(`column "${c.error.column}"`);
    if (c.error.messageIncludes) expect(e.message).toContain(c.error.messageIncludes);
    return;
  }
  if ('error' in result) throw result.error;
  expect(result.bars).toEqual(c.bars!.map((b) => ({ ...b, time: Date.parse(b.time) })));
}

describe('the shared CSV cases (tooling/csv-cases/cases.json)', () => {
  it('has cases', () => {
    expect(table.cases.length).toBeGreaterThan(50);
  });
  table.cases.forEach((c, i) => {
    it(c.name, async () => {
      const options: ParseBarsCsvOptions = { now: Date.parse(table.now), ...c.options };
      check(c, await outcome(() => parseBarsCsv(c.input, { ...options, file: 'case.csv' })), 'case.csv');
      const path = join(dir, `case-${i}.csv`);
      writeFileSync(path, c.input);
      check(c, await outcome(() => readBarsCsv(path, options)), path);
    });
  });
});
