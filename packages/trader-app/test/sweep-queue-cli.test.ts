/**
 * The distributed sweep end to end, on a real redis-server, all through the BUILT CLI
 * (dist/cli.js): `marlts sweep --queue` puts a tiny sweep (2 configurations × 2 seeds, a
 * small slice of the S&P 500 fixture) on the queue, two `marlts worker` processes take the
 * jobs, one is killed with SIGKILL while it runs a job, and the other finishes everything —
 * the killed job included, after BullMQ's stalled-job check gives it back. The run store
 * holds every job once, done, and the same sweep on the local pool (`--workers 2`) stores
 * the same results (numbers, weights, optimizer state; only wall-clock times differ).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipRedisTests, startTestRedis, type TestRedis } from './redis-server.js';

const skip = skipRedisTests();
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(pkg, 'dist', 'cli.js');

/** Newest modification time under `dir` (ms). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** dist/cli.js, built now when it is missing or older than src/ (CI builds it first). */
function ensureBuiltCli(): void {
  if (existsSync(cli) && statSync(cli).mtimeMs >= newest(join(pkg, 'src'))) return;
  execFileSync('pnpm', ['exec', 'tsup'], { cwd: pkg, stdio: 'ignore' });
}

/**
 * A result without what records when it was made (training wall time, a checkpoint's
 * `createdAt` and the checksum that covers it): every number, weight and optimizer state stays.
 */
function numbersOf(v: unknown): unknown {
  const clock = new Set(['trainSeconds', 'createdAt', 'checksum']);
  return JSON.parse(JSON.stringify(v, (k, x) => (clock.has(k) ? undefined : x)));
}

/** A `marlts worker` process with its stderr collected. */
function startWorker(url: string, cacheDir: string): { child: ChildProcess; log: () => string } {
  const child = spawn(
    process.execPath,
    [cli, 'worker', '--queue', url, '--threads', '1', '--stall-seconds', '3', '--cache-dir', cacheDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let log = '';
  child.stderr?.on('data', (d) => {
    log += d;
  });
  child.stdout?.on('data', (d) => {
    log += d;
  });
  return { child, log: () => log };
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('marlts worker processes on a real Redis', () => {
  let redis: TestRedis;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    ensureBuiltCli();
    redis = await startTestRedis(12);
    const c = new Redis(redis.url);
    await c.flushdb();
    c.disconnect();
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await redis?.stop();
  });

  it('marlts sweep --queue: every job stored exactly once, the same numbers as marlts sweep on the local pool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marlts-sweep-queue-'));
    const csv = readFileSync(join(pkg, 'test', 'fixtures', 'sp500_daily_ohlcv_2007-2009.csv'), 'utf8');
    writeFileSync(join(dir, 'bars.csv'), `${csv.split('\n').slice(0, 201).join('\n')}\n`);
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(TINY_GRID));
    const a = startWorker(redis.url, join(dir, 'cache-a'));
    const b = startWorker(redis.url, join(dir, 'cache-b'));
    workers.push(a.child, b.child);
    await until(
      'both workers',
      () => a.log().includes('waiting for jobs') && b.log().includes('waiting for jobs'),
    );

    const queued = runCli(dir, sweepArgs('queued', '--queue', redis.url));
    await until('worker A to start a job', () => a.log().includes('started '));
    const killedLabel = /started (config \d\/2 seed \d\/2)/.exec(a.log())![1]!;
    a.child.kill('SIGKILL');
    const q = await queued;
    expect(q.code, q.stderr).toBe(0);
    // B finished the killed job, fetching each blob (the data, two configs) once.
    expect(b.log()).toContain(`done ${killedLabel}`);
    expect(readdirSync(join(dir, 'cache-b', 'blobs'))).toHaveLength(3);
    // SIGTERM: B stops cleanly.
    b.child.kill('SIGTERM');
    expect(await new Promise<number | null>((r) => b.child.on('exit', r))).toBe(0);
    expect(b.log()).toMatch(/worker stopped: \d+ job\(s\) done/);

    const local = await runCli(dir, sweepArgs('local', '--workers', '2'));
    expect(local.code, local.stderr).toBe(0);
    const qs = JSON.parse(q.stdout.trimEnd().split('\n').at(-1)!);
    const ls = JSON.parse(local.stdout.trimEnd().split('\n').at(-1)!);
    expect(qs.jobs).toEqual({ total: 4, done: 4, failed: 0 });
    expect(numbersOf({ configs: qs.configs, winner: qs.winner })).toEqual(
      numbersOf({ configs: ls.configs, winner: ls.winner }),
    );

    // The run store: one row per job, each done once; the killed job was started twice.
    const rows = (dbDir: string, runId: string) => {
      const db = new Database(join(dir, dbDir, 'marlts.db'), { readonly: true });
      try {
        return db
          .prepare(
            'SELECT id, label, status, start_count AS starts, result FROM sweep_jobs WHERE run_id = ? ORDER BY id',
          )
          .all(runId) as { id: string; label: string; status: string; starts: number; result: string }[];
      } finally {
        db.close();
      }
    };
    const qRows = rows('queued', qs.runId);
    const lRows = rows('local', ls.runId);
    expect(qRows.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(qRows.map((r) => r.id)).toEqual(lRows.map((r) => r.id));
    expect(qRows.find((r) => r.label === killedLabel)!.starts).toBe(2);
    expect(qRows.filter((r) => r.label !== killedLabel).map((r) => r.starts)).toEqual([1, 1, 1]);
    qRows.forEach((r, i) => {
      expect(numbersOf(JSON.parse(r.result))).toEqual(numbersOf(JSON.parse(lRows[i]!.result)));
    });
  }, 120_000);

  it('a job that throws (a NaN loss) is recorded failed with its code, once, and the sweep goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marlts-sweep-queue-'));
    const csv = readFileSync(join(pkg, 'test', 'fixtures', 'sp500_daily_ohlcv_2007-2009.csv'), 'utf8');
    writeFileSync(join(dir, 'bars.csv'), `${csv.split('\n').slice(0, 201).join('\n')}\n`);
    // A learning rate of 1e30 blows PPO's loss up on its first update.
    const grid = { ...TINY_GRID, axes: { 'train.ppo.learningRate': [0.0003, 1e30] }, seeds: 1 };
    writeFileSync(join(dir, 'grid.json'), JSON.stringify(grid));
    const w = startWorker(redis.url, join(dir, 'cache'));
    workers.push(w.child);
    const run = await runCli(dir, sweepArgs('run', '--queue', redis.url));
    w.child.kill('SIGTERM');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!);
    expect(summary.jobs).toEqual({ total: 2, done: 1, failed: 1 });
    expect(summary.configs[1].failures).toEqual([
      { label: 'config 2/2 seed 1/1', code: 'NAN', message: expect.stringMatching(/^Ppo: loss is /) },
    ]);
    const db = new Database(join(dir, 'run', 'marlts.db'), { readonly: true });
    const rows = db
      .prepare(
        'SELECT label, status, error_code AS code, start_count AS starts FROM sweep_jobs ORDER BY label',
      )
      .all();
    db.close();
    expect(rows).toEqual([
      { label: 'config 1/2 seed 1/1', status: 'done', code: null, starts: 1 },
      { label: 'config 2/2 seed 1/1', status: 'failed', code: 'NAN', starts: 1 },
    ]);
    expect(w.log()).toMatch(/FAILED config 2\/2 seed 1\/1 \(job \w+\): \[NAN\] Ppo: loss is/);
  }, 60_000);
});

/** The sweep of the CLI test: the tiny budgets above as a grid file. */
const TINY_GRID = {
  base: {
    env: { heuristics: ['momentum'], windowBars: 20 },
    train: { ppo: { nSteps: 128 }, sac: { totalTimesteps: 48, learningStarts: 16, batchSize: 16 } },
    backtest: { trainBars: 100, testBars: 40, ppoSteps: 128, sacSteps: 16 },
  },
  axes: { 'train.ppo.totalTimesteps': [256, 384] },
  seeds: 2,
  validationFolds: 1,
  testFolds: 1,
};

/** `marlts sweep` of grid.json over bars.csv into `runDir`, on a queue (`--queue URL`) or a local pool (`--workers N`). */
function sweepArgs(runDir: string, executor: '--queue' | '--workers', value: string): string[] {
  return [
    'sweep',
    '--grid',
    'grid.json',
    '--data',
    'bars.csv',
    '--run-dir',
    runDir,
    executor,
    value,
    '--json',
    '-q',
  ];
}

/** Runs the built CLI in `cwd` to its end. */
function runCli(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
