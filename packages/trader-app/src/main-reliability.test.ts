// Operator mistakes and interruptions end in one clear line (no stack trace), and the
// CLI's own output follows the contract: no JSON log lines unless asked, no secrets.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledDataFile } from './engine/data.js';
import { type MainIo, main } from './main.js';
import { RunStore } from './store.js';

function capture(extra: Partial<MainIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'marlts-rel-'));
  return {
    cwd,
    out: () => out.join(''),
    err: () => err.join(''),
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      env: {},
      cwd,
      isTty: false,
      ...extra,
    } satisfies MainIo,
  };
}

/** A stack frame line, as Node prints them. */
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe('marlts main: operator mistakes', () => {
  it('refuses a directory as --data (and as data import FILE) naming the flag and the CSVs in it', async () => {
    const c = capture();
    const dir = join(c.cwd, 'bars');
    mkdirSync(dir);
    writeFileSync(join(dir, 'aapl.csv'), 'symbol,date,close\n');
    expect(await main(['backtest', '--data', 'bars', '--run-dir', join(c.cwd, 'r')], c.io)).toBe(2);
    expect(c.err()).toContain(`marlts: --data ${dir} is a directory, not a file`);
    expect(c.err()).toContain(`hint: CSV files there: ${join(dir, 'aapl.csv')}`);
    expect(c.err()).not.toMatch(STACK);
    const i = capture({ cwd: c.cwd });
    expect(await main(['data', 'import', 'bars', '--run-dir', join(c.cwd, 'r')], i.io)).toBe(2);
    expect(i.err()).toContain(`marlts: data import ${dir} is a directory`);
    expect(i.err()).not.toMatch(STACK);
  });

  it('says which port is busy when sim --port is taken, instead of an EADDRINUSE stack', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const c = capture();
      expect(await main(['sim', '--port', String(port)], c.io)).toBe(2);
      expect(c.err()).toContain(
        `marlts: --port ${port}: 127.0.0.1:${port} is already in use by another process`,
      );
      expect(c.err()).toContain('--port 0 for any free port');
      expect(c.err()).not.toMatch(STACK);
      expect(c.out()).toBe('');
    } finally {
      server.close();
    }
  });

  it('refuses a negative sim --speed (and other out-of-range sim flags) as a usage error', async () => {
    for (const [flag, value, want] of [
      ['--speed', '-1', '--speed must be 0 or more, got "-1"'],
      ['--port', '70000', '--port must be between 0 and 65535, got "70000"'],
      ['--cash', '0', '--cash must be greater than 0, got "0"'],
    ] as const) {
      const c = capture();
      expect(await main(['sim', flag, value], c.io), flag).toBe(2);
      expect(c.err()).toContain(want);
      expect(c.out()).toBe(''); // no URL: the exchange never started
    }
  });

  it('never prints a secret written into a URL (errors, --verbose, logs, the report)', async () => {
    const c = capture();
    const url = 'http://trader:S3CRET-PW@127.0.0.1:9';
    const code = await main(['paper', '--alpaca-url', url, '--verbose', '--run-dir', join(c.cwd, 'r')], c.io);
    expect(code).toBe(1);
    expect(c.err()).toContain('http://trader:***@127.0.0.1:9');
    expect(c.err()).not.toContain('S3CRET-PW');
    expect(c.err()).not.toMatch(STACK);

    // A run whose stored config holds such a URL: the report (HTML and summary) masks it.
    const runDir = join(c.cwd, 'rep');
    const store = RunStore.open(runDir);
    const id = store.createRun({ kind: 'paper', dataFile: url });
    store.saveConfig(id, { broker: { url } });
    store.updateRun(id, { status: 'done' });
    store.close();
    const r = capture();
    expect(await main(['report', '--run-dir', runDir], r.io)).toBe(0);
    const html = readFileSync(join(runDir, `report-${id}.html`), 'utf8');
    expect(html).toContain('trader:***@127.0.0.1:9');
    expect(html).not.toContain('S3CRET-PW');
    expect(r.out() + r.err()).not.toContain('S3CRET-PW');
  });

  it('marks a backtest stopped by Ctrl-C as interrupted (exit 130), not failed', async () => {
    const controller = new AbortController();
    const c = capture({ signal: controller.signal });
    // Ctrl-C arrives while the backtest runs: as soon as it has announced its walk-forward.
    const io = {
      ...c.io,
      stderr: (t: string) => {
        c.io.stderr(t);
        if (t.includes('walk-forward on')) controller.abort(new Error('SIGINT'));
      },
    };
    const runDir = join(c.cwd, 'run');
    const args = ['backtest', '--data', bundledDataFile(), '--symbols', 'AA,KO', '--train-bars', '300'];
    const code = await main([...args, '--run-dir', runDir, '--backend', 'cpu', '--log-level', 'silent'], io);
    expect(code).toBe(130);
    expect(c.err()).toMatch(/marlts: backtest interrupted: run \S+ is marked interrupted/);
    expect(c.err()).not.toMatch(STACK);
    const store = RunStore.open(runDir);
    expect(store.latestRun('backtest')!.status).toBe('interrupted');
    store.close();
  });
});

describe('marlts main: output contract', () => {
  it('prints human log lines, never JSON, on a non-terminal stderr; JSON only with --log-format json or in --log-file', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'marlts-out-')), 'run');
    const store = RunStore.open(runDir);
    const id = store.createRun({ kind: 'train' });
    store.updateRun(id, { status: 'done' });
    store.close();

    const human = capture();
    expect(await main(['report', '--run-dir', runDir], human.io)).toBe(0);
    expect(human.err()).toMatch(/^\d\d:\d\d:\d\d info {2}report written {2}runId=\S+ path=\S+\n$/);
    expect(human.err()).not.toContain('\x1b');
    expect(human.out()).toContain(`report: ${join(runDir, `report-${id}.html`)}`);

    const quiet = capture();
    expect(await main(['report', '--run-dir', runDir, '-q'], quiet.io)).toBe(0);
    expect(quiet.err()).toBe('');
    expect(quiet.out()).toContain('report: ');

    const json = capture();
    const logFile = join(json.cwd, 'logs', 'marlts.log');
    expect(await main(['report', '--run-dir', runDir, '--log-format', 'json'], json.io)).toBe(0);
    expect(JSON.parse(json.err())).toMatchObject({ level: 30, msg: 'report written', runId: id });
    const file = capture();
    expect(await main(['report', '--run-dir', runDir, '--log-file', logFile], file.io)).toBe(0);
    expect(file.err()).toBe(''); // details go to the file; stderr keeps warnings and errors
    expect(JSON.parse(readFileSync(logFile, 'utf8'))).toMatchObject({ level: 30, msg: 'report written' });
  });

  it('says a killed run is stale instead of running', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'marlts-stale-')), 'run');
    const store = RunStore.open(runDir);
    const id = store.createRun({ kind: 'backtest' });
    // The writer of the run: a process that has exited without finishing the run.
    const { spawnSync } = await import('node:child_process');
    const pid = Number(spawnSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }).stdout);
    const { hostname } = await import('node:os');
    store.setNote(id, 'process', { pid, host: hostname(), since: new Date().toISOString() });
    store.close();
    const c = capture();
    expect(await main(['report', '--run-dir', runDir], c.io)).toBe(0);
    expect(c.out()).toContain(`run ${id} (backtest, running, stale)`);
    expect(c.out()).toContain(`status: running: stale: its process (pid ${pid}`);
    expect(c.err()).toContain(`marlts: run ${id} says "running" but is stale`);
    const html = readFileSync(join(runDir, `report-${id}.html`), 'utf8');
    expect(html).toContain('running (stale)');
  });
});
