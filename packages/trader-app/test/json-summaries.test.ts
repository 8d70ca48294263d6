import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'marlts-json-'));
  // Tiny budgets: these tests check the summaries' shape, not what the agents learn.
  writeFileSync(
    join(cwd, 'tiny.json'),
    JSON.stringify({
      train: {
        ppo: { totalTimesteps: 256, nSteps: 128 },
        sac: { totalTimesteps: 48, learningStarts: 16, batchSize: 16 },
      },
      backtest: { ppoSteps: 128, sacSteps: 16 },
      env: { heuristics: ['momentum'] },
    }),
  );
  return {
    cwd,
    out,
    err,
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env: {},
      cwd,
      isTty: false,
    },
  };
}

const lastLine = (out: string[]) => out.join('').trimEnd().split('\n').at(-1)!;

describe('JSON summaries for scripts', () => {
  it('backtest --json ends stdout with one summary: agents by kind, metrics, costs, significance, seeds, data range', async () => {
    const c = capture();
    const args = [
      'backtest',
      '--json',
      '-c',
      'tiny.json',
      '--data',
      join(import.meta.dirname, 'fixtures/msft_daily_ohlcv_2000-2001.csv'),
    ];
    args.push(
      '--train-bars',
      '120',
      '--test-bars',
      '40',
      '--seeds',
      '2',
      '--folds',
      '2',
      '--backend',
      'cpu',
      '-q',
    );
    args.push('--run-dir', join(c.cwd, 'run'));
    expect(await main(args, c.io)).toBe(0);
    const s = JSON.parse(lastLine(c.out));
    expect(s.command).toBe('backtest');
    expect(s.data).toMatchObject({ symbols: ['MSFT'], start: '2000-09-27T00:00:00.000Z', bars: 249 });
    expect(s.seeds).toHaveLength(2);
    expect(s.folds).toHaveLength(2);
    expect(s.agents['rl-long-0'].kind).toBe('learned');
    expect(s.agents['equal-weight'].kind).toBe('baseline');
    expect(s.agents['heuristic:momentum'].kind).toBe('heuristic');
    for (const k of ['totalReturn', 'sharpe', 'turnover', 'fees', 'impact', 'borrow']) {
      expect(typeof s.agents['rl-long-0'][k]).toBe('number');
    }
    expect(s.agents['rl-long-0'].significance).toMatchObject({
      significant: expect.any(Boolean),
      edgeLow: expect.any(Number),
    });
    expect(s.agents['equal-weight'].significance).toBeUndefined();
    expect(s.report).toMatch(/report-.*\.html$/);
  }, 120_000);

  it('learnability --json ends stdout with the benchmark summary; an unknown market is a usage error', async () => {
    const c = capture();
    const args = [
      'learnability',
      '--markets',
      'noise',
      '--seeds',
      '1',
      '--folds',
      '1',
      '--json',
      '-c',
      'tiny.json',
      '-q',
    ];
    expect(await main(args, c.io)).toBe(0);
    const s = JSON.parse(lastLine(c.out));
    expect(s.bench).toBe('learnability');
    expect(s.markets).toHaveLength(1);
    expect(s.markets[0].name).toBe('noise');
    expect(s.markets[0].goals[0]).toMatchObject({ goal: 'long-costs', passed: expect.any(Boolean) });
    expect(Object.keys(s.markets[0].agents)).toEqual(
      expect.arrayContaining(['rl-long-0', 'oracle-long', 'equal-weight']),
    );
    expect(c.out.join('')).toMatch(/goals met: \d of 1/);
    const bad = capture();
    expect(await main(['learnability', '--markets', 'trend'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/unknown market trend/);
  }, 120_000);
});
