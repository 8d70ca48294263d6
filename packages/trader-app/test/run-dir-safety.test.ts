// The run directory through the CLI entry (`main`): one writer at a time, an emptied
// store never leads to overwritten checkpoints, and Ctrl-C during paper's first training
// leaves the run marked interrupted with nothing half-trained saved. Every refusal is one
// line (plus a hint), never a stack trace.
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPaperExchange } from '@marlts/broker-alpaca/sim';
import { describe, expect, it } from 'vitest';
import { loadBars } from '../src/engine/data.js';
import { main } from '../src/main.js';
import { LOCK_FILE } from '../src/run-lock.js';
import { RunStore, STORE_FILE } from '../src/store.js';

function capture(signal?: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'marlts-rundir-'));
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
      ...(signal ? { signal } : {}),
    },
  };
}

const trainArgs = (runDir: string, ppoSteps: number) => [
  'train',
  '--agents',
  'long',
  '--ppo-steps',
  String(ppoSteps),
  '--symbols',
  'AA,KO',
  '--start',
  '1998-01-01',
  '--end',
  '1998-12-31',
  '--run-dir',
  runDir,
  '--backend',
  'cpu',
  '-q',
  '--log-level',
  'silent',
];

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe('run directory safety through the CLI', () => {
  it('refuses a second writer on a run dir while the first runs; a reader still works', async () => {
    const controller = new AbortController();
    const a = capture(controller.signal);
    const runDir = join(a.cwd, 'run');
    const first = main(trainArgs(runDir, 10_000_000), a.io);
    const lock = join(runDir, LOCK_FILE);
    while (!existsSync(join(runDir, STORE_FILE))) await new Promise((r) => setTimeout(r, 20));
    const b = capture();
    expect(await main(trainArgs(runDir, 64), b.io)).toBe(1);
    const err = b.err.join('');
    expect(err).toMatch(
      new RegExp(
        `^marlts: run directory ${runDir} is in use by marlts pid ${process.pid} on \\S+ \\("marlts train .*--run-dir ${runDir}.*", started \\S+\\)`,
      ),
    );
    expect(err).toContain('hint: wait for it to finish or stop it');
    noStack(err);
    // `report` only reads: the lock does not stop it.
    const r = capture();
    expect(await main(['report', '--run-dir', runDir, '--out', join(r.cwd, 'r.html')], r.io)).toBe(0);
    controller.abort();
    await first;
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses to train into a run dir whose store was emptied, and leaves its checkpoints alone', async () => {
    const c = capture();
    const runDir = join(c.cwd, 'run');
    expect(await main(trainArgs(runDir, 64), c.io)).toBe(0);
    const ckpt = join(runDir, 'checkpoints', 'rl-long-0-v1.json');
    const bytes = readFileSync(ckpt);
    for (const f of ['-wal', '-shm']) rmSync(join(runDir, STORE_FILE + f), { force: true });
    truncateSync(join(runDir, STORE_FILE), 0);
    const d = capture();
    expect(await main(trainArgs(runDir, 64), d.io)).toBe(1);
    const err = d.err.join('');
    expect(err).toContain(
      `marlts: the run store ${join(runDir, STORE_FILE)} is empty, but ${runDir} holds 1 checkpoint file(s)`,
    );
    expect(err).toContain('hint: ');
    noStack(err);
    expect(readFileSync(ckpt)).toEqual(bytes);
  });

  it('Ctrl-C during paper’s initial training marks the run interrupted and saves no checkpoint', async () => {
    const data = loadBars({ symbols: ['AA', 'KO', 'MSFT'], start: '1998-06-01', end: '1999-03-31' });
    const ex = await startPaperExchange({ bars: data.bars, rateLimitPerMinute: 0 });
    ex.advance(150);
    try {
      const controller = new AbortController();
      controller.abort(new Error('SIGINT'));
      const c = capture(controller.signal);
      const runDir = join(c.cwd, 'run');
      const args = ['paper', '--alpaca-url', ex.url, '--run-dir', runDir, '--symbols', 'AA,KO,MSFT'];
      const budget = [
        '--ppo-steps',
        '64',
        '--sac-steps',
        '5000',
        '--backend',
        'cpu',
        '-q',
        '--log-level',
        'silent',
      ];
      // A failure exit (main maps INTERRUPTED to 130); before, it ended 0 with a half-trained champion.
      expect(await main([...args, ...budget], c.io)).not.toBe(0);
      const err = c.err.join('');
      expect(err).toContain('marlts: interrupted during the initial training: no checkpoint was saved');
      noStack(err);
      const store = RunStore.open(runDir);
      expect(store.latestRun('paper')?.status).toBe('interrupted');
      expect(store.listCheckpoints()).toEqual([]);
      store.close();
    } finally {
      await ex.close();
    }
  });
});
