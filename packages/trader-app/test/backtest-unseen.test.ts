// `marlts backtest` on CSVs it has never seen, in the long bars format: an intraday FX slice
// (one symbol, 30-minute bars) and the S&P 500 index (OHLCV) — tiny budgets, real data.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { RunStore } from '../src/store.js';

// Real slices committed with the tests (provenance and licence: fixtures/README.md).
const fixture = (file: string) => join(import.meta.dirname, 'fixtures', file);

async function backtest(file: string, extra: string[]) {
  const runDir = mkdtempSync(join(tmpdir(), 'marlts-bt-'));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    [
      'backtest',
      '--data',
      file,
      '--run-dir',
      runDir,
      '--seeds',
      '2',
      '--folds',
      '2',
      '--ppo-steps',
      '128',
      '--sac-steps',
      '24',
      '--retrain-ppo-steps',
      '64',
      '--retrain-sac-steps',
      '16',
      '--backend',
      'cpu',
      '--log-level',
      'silent',
      // Not -q: the test reads the walk-forward line, which -q hides.
      ...extra,
    ],
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: {}, isTty: false },
  );
  return { code, out: out.join(''), err: err.join(''), runDir };
}

describe('backtest on unseen CSVs', () => {
  it('runs walk-forward on 30-minute USD/CHF bars and reports agents beside every baseline', async () => {
    const file = fixture('usdchf_30min_1997-03-03_1997-03-19.csv');
    const r = await backtest(file, ['--train-bars', '300', '--test-bars', '100']);
    expect(r.err).toMatch(
      /walk-forward on 1 symbols, \d+ bars \(\d+ bars\/year\): train 300 bars → test 100 unseen bars, last 2 folds, 2 seed\(s\)/,
    );
    expect(r.code).toBe(0);
    const store = RunStore.open(r.runDir);
    const run = store.latestRun('backtest')!;
    expect(run.status).toBe('done');
    expect(run.symbols).toEqual(['USDCHF']);
    const agents = store
      .listMetrics(run.id)
      .map((m) => m.agent)
      .sort();
    expect(agents).toEqual([
      'buy-and-hold',
      'equal-weight',
      'heuristic:market-maker',
      'heuristic:mean-reversion',
      'heuristic:momentum',
      'rl-long-0',
      'rl-short-0',
    ]);
    const long = store.listMetrics(run.id).find((m) => m.agent === 'rl-long-0')!.metrics;
    expect(long.seeds).toBe(2);
    for (const k of ['fees', 'impact', 'borrow', 'sharpe', 'maxDrawdown'])
      expect(typeof long[k]).toBe('number');
    // Intraday annualisation, not 252.
    expect((store.getNotes(run.id).data as { barsPerYear: number }).barsPerYear).toBeGreaterThan(5000);
    const folds = store.getNotes(run.id).folds as Array<{ trainEnd: number; testStart: number }>;
    for (const f of folds) expect(f.trainEnd).toBeLessThanOrEqual(f.testStart);
    expect(
      store
        .listCheckpoints()
        .map((c) => c.agent)
        .sort(),
    ).toEqual(['rl-long-0', 'rl-short-0']);
    store.close();
    const html = readFileSync(
      join(r.runDir, readdirSync(r.runDir).find((f) => f.endsWith('.html'))!),
      'utf8',
    );
    expect(html).toContain('backtest: equity per agent and baseline');
    expect(r.out).toMatch(/report: .*\.html/);
  });

  it('runs on the S&P 500 OHLCV file, testing at the live retrain cadence by default', async () => {
    const file = fixture('sp500_daily_ohlcv_2007-2009.csv');
    const r = await backtest(file, ['--train-bars', '400']);
    expect(r.err).toContain('test 21 unseen bars (the live retrain cadence), last 2 folds');
    expect(r.code).toBe(0);
    expect(r.out).toContain('buy-and-hold');
  });
});
