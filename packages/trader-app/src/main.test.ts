import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledDataFile } from './engine/data.js';
import { main } from './main.js';
import { RunStore } from './store.js';

function capture(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'marlts-main-'));
  return {
    cwd,
    out,
    err,
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env,
      cwd,
      isTty: false,
    },
  };
}

describe('marlts main', () => {
  it('prints the version and exits 0', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on usage errors', async () => {
    for (const argv of [
      ['bogus'],
      ['backtest', '--seeds', 'x'],
      ['backtest', '--nope'],
      ['data', 'import'],
    ]) {
      const c = capture();
      expect(await main(argv, c.io), argv.join(' ')).toBe(2);
    }
  });

  it('exits 1 naming the field on a bad config, and prints the config redacted with --verbose', async () => {
    const c = capture({ ALPACA_SECRET_KEY: 'verysecretvalue42', ALPACA_KEY_ID: 'PKABCDEF12345' });
    writeFileSync(join(c.cwd, 'bad.json'), JSON.stringify({ backtest: { seeds: 0 } }));
    expect(await main(['report', '--config', 'bad.json'], c.io)).toBe(1);
    expect(c.err.join('')).toContain('backtest.seeds');
    const v = capture({ ALPACA_SECRET_KEY: 'verysecretvalue42', ALPACA_KEY_ID: 'PKABCDEF12345' });
    expect(await main(['report', '--verbose', '--run-dir', join(v.cwd, 'none')], v.io)).toBe(1);
    const text = v.err.join('');
    expect(text).toContain('"ALPACA_SECRET_KEY": "***42"');
    expect(text).not.toContain('verysecretvalue42');
    expect(text).not.toContain('PKABCDEF12345');
    expect(text).toContain('no run store');
  });

  it('refuses a missing key, live trading without ALPACA_ENV=live, and an unreachable broker', async () => {
    const k = capture();
    expect(
      await main(
        ['data', 'fetch', '--symbols', 'AAPL', '--from', '2024-01-01', '--run-dir', join(k.cwd, 'r')],
        k.io,
      ),
    ).toBe(1);
    expect(k.err.join('')).toContain('EODHD_API_TOKEN is not set');
    const a = capture();
    expect(
      await main(['data', 'fetch', '--source', 'alpaca', '--symbols', 'AAPL', '--from', '2024-01-01'], a.io),
    ).toBe(1);
    expect(a.err.join('')).toContain('ALPACA_KEY_ID');
    const l = capture();
    expect(await main(['paper', '--live', '--run-dir', join(l.cwd, 'r')], l.io)).toBe(1);
    expect(l.err.join('')).toContain('ALPACA_ENV=live');
    const t = capture({ ALPACA_ENV: 'live' });
    expect(await main(['paper', '--live', '--run-dir', join(t.cwd, 'r')], t.io)).toBe(1);
    expect(t.err.join('')).toContain('no terminal');
    const p = capture();
    expect(await main(['paper', '--run-dir', join(p.cwd, 'r')], p.io)).toBe(1);
    expect(p.err.join('')).toContain('ALPACA_KEY_ID and ALPACA_SECRET_KEY must be set');
    const u = capture();
    expect(
      await main(['paper', '--alpaca-url', 'http://127.0.0.1:9', '--run-dir', join(u.cwd, 'r')], u.io),
    ).toBe(1);
    expect(u.err.join('')).toContain('cannot reach the broker at http://127.0.0.1:9');
    // Nothing was written for the failed commands.
    for (const c of [k, a, l, t, p, u]) expect(existsSync(join(c.cwd, 'r', 'marlts.db'))).toBe(false);
  });

  it('stops on a data gap before touching the run store', async () => {
    const c = capture();
    const lines = readFileSync(bundledDataFile(), 'utf8').split('\n');
    const gapped = lines.filter((l) => !(l.startsWith('IBM,1996-0') && l.split(',')[1]! < '1996-03-01'));
    writeFileSync(join(c.cwd, 'gap.csv'), gapped.join('\n'));
    const runDir = join(c.cwd, 'run');
    expect(await main(['backtest', '--data', 'gap.csv', '--run-dir', runDir], c.io)).toBe(1);
    expect(c.err.join('')).toMatch(
      /data gap: IBM has no bars for \d+ consecutive bar times \(1996-01-02 \.\. 1996-02-29\)/,
    );
    expect(existsSync(join(runDir, 'marlts.db'))).toBe(false);
  });

  it('trains versioned checkpoints with their data range, config hash and parent', async () => {
    const c = capture();
    const runDir = join(c.cwd, 'run');
    const args = [
      'train',
      '--data',
      join(import.meta.dirname, '../test/fixtures/msft_daily_ohlcv_2000-2001.csv'),
      '--agents',
      'long',
      '--ppo-steps',
      '64',
      '--run-dir',
      runDir,
      '--backend',
      'cpu',
      '-q',
      '--log-level',
      'silent',
    ];
    expect(await main(args, c.io)).toBe(0);
    expect(await main(args, c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/rl-long-0 \(ppo\) v2: .*rl-long-0-v2\.json sha256 [0-9a-f]{12}/);
    const store = RunStore.open(runDir);
    const [v1, v2] = store.listCheckpoints('rl-long-0');
    expect(v2!.parentId).toBe(v1!.id);
    expect(v2!.dataStart).toBe(Date.UTC(2000, 8, 27));
    expect(v2!.dataEnd).toBe(Date.UTC(2001, 8, 27));
    expect(v2!.configSha256).toBe(store.getConfig(v2!.runId)!.sha256);
    expect(store.championCheckpoint('rl-long-0')!.version).toBe(2);
    // The learning curve of the training is in the run's notes, for the report.
    const curve = store.getNotes(v2!.runId).training as Array<{ agent: string; timesteps: number }>;
    expect(curve.length).toBeGreaterThan(0);
    expect(curve[0]!.agent).toBe('rl-long-0');
    expect(store.listCheckpoints('rl-short-0')).toEqual([]);
    store.close();
  });
});
