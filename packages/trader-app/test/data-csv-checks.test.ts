// `marlts data import` refuses bad rows naming file, line and column, and prints a warning for
// a gap in every symbol (docs/csv.md), on real bundled data.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledDataFile } from '../src/engine/data.js';
import { main } from '../src/main.js';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t: string) => void out.push(t),
    stderr: (t: string) => void err.push(t),
    env: {},
    isTty: false,
  });
  return { code, out: out.join(''), err: err.join('') };
}

describe('marlts data import checks the CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'marlts-csv-checks-'));
  const dow = readFileSync(bundledDataFile(), 'utf8').split('\n');

  it('warns about a week missing in every symbol and still imports', async () => {
    const week = ['1995-03-06', '1995-03-07', '1995-03-08', '1995-03-09', '1995-03-10'];
    const file = join(dir, 'week.csv');
    writeFileSync(file, dow.filter((l) => !week.includes(l.split(',')[1] ?? '')).join('\n'));
    const r = await run(['data', 'import', file, '--run-dir', join(dir, 'run'), '--log-level', 'silent']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*week\.csv: no bars in any symbol between 1995-03-03 and 1995-03-13/);
    expect(r.out).toMatch(/imported: /);
  });

  it('refuses a far-future row, naming the file, line and column', async () => {
    const file = join(dir, 'future.csv');
    writeFileSync(file, `${dow.filter(Boolean).join('\n')}\nKO,9999-01-01,,,,40.5,\n`);
    const r = await run(['data', 'import', file, '--run-dir', join(dir, 'run'), '--log-level', 'silent']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `future.csv:${dow.filter(Boolean).length + 1} column "date": "9999-01-01" is in the future`,
    );
    expect(r.err).not.toMatch(/\n\s+at /); // an expected failure prints no stack trace
  });
});
