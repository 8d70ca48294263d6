/**
 * The distributed sweep end to end, on a real redis-server: real jobs (tiny budgets, a
 * small slice of the S&P 500 fixture, 2 configurations × 2 seeds) go on the queue, two
 * `marlts worker` processes of the BUILT CLI (dist/cli.js) take them, one is killed with
 * SIGKILL while it runs a job, and the other one finishes everything — the killed job
 * included, after BullMQ's stalled-job check gives it back. Every job's result reaches
 * the coordinator exactly once and equals what the local pool computes for it (same
 * numbers and weights; only wall-clock times differ).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFrame, parseBarsCsv } from '@marlts/market-env';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type Blob, dataBlob } from '../src/sweep/blobs.js';
import type { ExecutorHooks } from '../src/sweep/executor.js';
import { type SweepJobSpec, sweepJob } from '../src/sweep/job.js';
import { createLocalPool } from '../src/sweep/local-pool.js';
import { createQueueExecutor } from '../src/sweep/queue-executor.js';
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

/** The sweep: two configurations (PPO budgets differ) × two seeds on 200 daily bars. */
function tinySweep(): { jobs: SweepJobSpec[]; blobs: Blob[] } {
  const csv = readFileSync(join(pkg, 'test', 'fixtures', 'sp500_daily_ohlcv_2007-2009.csv'), 'utf8');
  const frame = buildFrame(parseBarsCsv(csv.split('\n').slice(0, 201).join('\n'), { file: 'fixture' }));
  const data = dataBlob(frame);
  const blobs: Blob[] = [data];
  const jobs: SweepJobSpec[] = [];
  [256, 384].forEach((ppoSteps, c) => {
    const config = parseConfig({
      env: { heuristics: ['momentum'], windowBars: 20 },
      train: {
        ppo: { totalTimesteps: ppoSteps, nSteps: 128 },
        sac: { totalTimesteps: 48, learningStarts: 16, batchSize: 16 },
      },
      backtest: { trainBars: 100, testBars: 40, maxFolds: 2, ppoSteps: 128, sacSteps: 16 },
    });
    [1, 1001].forEach((seed, s) => {
      const { spec, blob } = sweepJob({
        config,
        dataHash: data.hash,
        seed,
        label: `config ${c + 1}/2 seed ${s + 1}/2`,
      });
      jobs.push(spec);
      if (!blobs.some((b) => b.hash === blob.hash)) blobs.push(blob);
    });
  });
  return { jobs, blobs };
}

/**
 * A result without what records when it was made (training wall time, a checkpoint's
 * `createdAt` and the checksum that covers it): every number, weight and optimizer state stays.
 */
function numbersOf(v: unknown): unknown {
  const clock = new Set(['trainSeconds', 'createdAt', 'checksum']);
  return JSON.parse(JSON.stringify(v, (k, x) => (clock.has(k) ? undefined : x)));
}

function collect(): {
  hooks: ExecutorHooks;
  done: Map<string, unknown[]>;
  failed: string[];
  started: string[];
} {
  const done = new Map<string, unknown[]>();
  const failed: string[] = [];
  const started: string[] = [];
  return {
    done,
    failed,
    started,
    hooks: {
      onStart: (id, worker) => started.push(`${id} ${worker}`),
      onDone: (id, r) => done.set(id, [...(done.get(id) ?? []), r]),
      onFail: (id, e) => failed.push(`${id} ${e.code} ${e.message}`),
    },
  };
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

  it('a worker killed mid-job: its job runs elsewhere, every result arrives once and equals the local pool', async () => {
    const { jobs, blobs } = tinySweep();
    const cacheRoot = mkdtempSync(join(tmpdir(), 'marlts-worker-cache-'));
    const a = startWorker(redis.url, join(cacheRoot, 'a'));
    const b = startWorker(redis.url, join(cacheRoot, 'b'));
    workers.push(a.child, b.child);
    await until(
      'both workers',
      () => a.log().includes('waiting for jobs') && b.log().includes('waiting for jobs'),
    );

    const queued = collect();
    const ex = await createQueueExecutor({ url: redis.url, checkEveryMs: 500 });
    const running = ex.run(jobs, blobs, queued.hooks);
    // Kill A as soon as it has started a job (its lock then lapses and B's stalled check gives the job back).
    await until('worker A to start a job', () => a.log().includes('started '));
    const killedLabel = /started (config \d\/2 seed \d\/2)/.exec(a.log())![1]!;
    a.child.kill('SIGKILL');
    await running;
    await ex.close();

    expect(queued.failed).toEqual([]);
    expect([...queued.done.keys()].sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const results of queued.done.values()) expect(results).toHaveLength(1);
    // The killed job was finished by B, which fetched each blob once.
    expect(b.log()).toContain(`done ${killedLabel}`);
    expect(readdirSync(join(cacheRoot, 'b', 'blobs')).sort()).toEqual(blobs.map((x) => x.hash).sort());

    // The same jobs on the local pool: the same numbers.
    const local = collect();
    const pool = createLocalPool({ workers: 2, threads: 1 });
    try {
      await pool.run(jobs, blobs, local.hooks);
    } finally {
      await pool.close();
    }
    expect(local.failed).toEqual([]);
    for (const j of jobs) {
      expect(numbersOf(queued.done.get(j.id)![0])).toEqual(numbersOf(local.done.get(j.id)![0]));
    }
    b.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => b.child.on('exit', r));
    expect(code).toBe(0);
    expect(b.log()).toMatch(/worker stopped: \d+ job\(s\) done/);
  }, 120_000);
});
