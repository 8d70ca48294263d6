/**
 * The BullMQ executor and worker against a real redis-server (see redis-server.ts): an
 * unreachable Redis is a clear error naming the URL (credentials masked), a bad URL is a
 * usage error naming the flag, a job that throws is recorded failed with its code while
 * the sweep goes on, blobs cross Redis once per worker and are checked by hash, and a
 * coordinator restarted after a job finished without it stores that result once without
 * running the job again. The jobs here run a small stand-in (`runJob`) so the test is
 * about the queue; test/sweep-queue-cli.test.ts runs real jobs through the built CLI.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../src/app-error.js';
import { main } from '../src/main.js';
import type { ExecutorHooks } from '../src/sweep/executor.js';
import type { BlobSource, SweepJobResult, SweepJobSpec } from '../src/sweep/job.js';
import { createQueueExecutor } from '../src/sweep/queue-executor.js';
import { blobKey, sha256Hex } from '../src/sweep/redis-blobs.js';
import { decodeFailure, encodeFailure } from '../src/sweep/redis-queue.js';
import { parseRedisUrl } from '../src/sweep/redis-url.js';
import { runSweepWorker } from '../src/sweep/redis-worker.js';
import {
  freePort,
  redisUnavailable,
  skipRedisTests,
  startTestRedis,
  type TestRedis,
} from './redis-server.js';

const skip = skipRedisTests();
const utf8 = new TextEncoder();

/** A blob and a job naming it (ids need only be unique here: the stand-in runner does not check them). */
function fixture(n: number) {
  const blob = utf8.encode(`blob of job ${n}`);
  const hash = sha256Hex(blob);
  const spec: SweepJobSpec = {
    id: sha256Hex(utf8.encode(`job ${n}`)),
    configHash: hash,
    dataHash: hash,
    seed: n,
    label: `job ${n}`,
  };
  return { spec, blob: { hash, bytes: blob } };
}

/** A stand-in for runSweepJob: reads its blob (through the worker's cache), optionally waits or throws. */
function standIn(o: { throwFor?: number; waitMs?: number; ran: number[] }) {
  return async (spec: SweepJobSpec, blobs: BlobSource, opts: { signal?: AbortSignal } = {}) => {
    const bytes = await blobs.get(spec.configHash);
    o.ran.push(spec.seed);
    if (o.waitMs) {
      // Like a real job: busy for a while, but stops when the worker cancels it.
      await new Promise<void>((r) => {
        if (opts.signal?.aborted) return r();
        const timer = setTimeout(r, o.waitMs);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          r();
        });
      });
    }
    if (opts.signal?.aborted) throw new AppError('INTERRUPTED', 'cancelled');
    if (spec.seed === o.throwFor) throw new AppError('DATA', `NaN loss in ${spec.label}`);
    return { jobId: spec.id, text: new TextDecoder().decode(bytes) } as unknown as SweepJobResult;
  };
}

function recorder() {
  const done: Record<string, unknown> = {};
  const failed: Record<string, { code: string; message: string }> = {};
  const calls: string[] = [];
  const started: string[] = [];
  const hooks: ExecutorHooks = {
    onStart: (id) => started.push(id),
    onDone: (id, r) => {
      calls.push(`done ${id}`);
      done[id] = r;
    },
    onFail: (id, e) => {
      calls.push(`fail ${id}`);
      failed[id] = e;
    },
  };
  return { hooks, done, failed, calls, started };
}

describe.skipIf(skip)('sweep queue on a real Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startTestRedis(11);
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });
  beforeEach(async () => {
    await client.flushdb();
  });

  it('records a job that throws as failed with its code, and the sweep goes on', async () => {
    const jobs = [1, 2, 3].map(fixture);
    const ran: number[] = [];
    const cacheDir = mkdtempSync(join(tmpdir(), 'marlts-blobs-'));
    const stop = new AbortController();
    const worker = runSweepWorker({
      url: redis.url,
      cacheDir,
      stallSeconds: 5,
      signal: stop.signal,
      runJob: standIn({ throwFor: 2, ran }),
    });
    const ex = await createQueueExecutor({ url: redis.url, checkEveryMs: 200 });
    const rec = recorder();
    try {
      await ex.run(
        jobs.map((j) => j.spec),
        jobs.map((j) => j.blob),
        rec.hooks,
      );
    } finally {
      await ex.close();
      stop.abort();
    }
    const summary = await worker;
    expect(rec.failed).toEqual({ [jobs[1]!.spec.id]: { code: 'DATA', message: 'NaN loss in job 2' } });
    expect(Object.keys(rec.done).sort()).toEqual([jobs[0]!.spec.id, jobs[2]!.spec.id].sort());
    expect(rec.done[jobs[2]!.spec.id]).toEqual({ jobId: jobs[2]!.spec.id, text: 'blob of job 3' });
    expect(rec.calls).toHaveLength(3); // each job's hook exactly once
    expect(ran.filter((s) => s === 2)).toHaveLength(1); // a thrown error is not retried
    expect(summary).toMatchObject({ done: 2, failed: 1, released: 0, blobsFetched: 3 });
    // Each blob fetched once, kept on disk under its hash; the queue keeps nothing it no longer needs.
    expect(readdirSync(join(cacheDir, 'blobs')).sort()).toEqual(jobs.map((j) => j.blob.hash).sort());
    // Results stay only a while once stored (for another sweep waiting on the same job).
    for (const key of await client.keys('marlts:result:*'))
      expect(await client.ttl(key)).toBeLessThanOrEqual(600);
    const jobKeys = (await client.keys('marlts:marlts-sweep:*')).filter((k) => /:[0-9a-f]{64}$/.test(k));
    expect(jobKeys).toEqual([]); // jobs removed once stored
  });

  it('reads a cached blob from disk and refetches one that is damaged there', async () => {
    const [job] = [fixture(7)];
    const cacheDir = mkdtempSync(join(tmpdir(), 'marlts-blobs-'));
    const ran: number[] = [];
    const stop = new AbortController();
    const ex = await createQueueExecutor({ url: redis.url, checkEveryMs: 200 });
    const worker = runSweepWorker({
      url: redis.url,
      cacheDir,
      signal: stop.signal,
      runJob: standIn({ ran }),
    });
    const rec = recorder();
    await ex.run([job!.spec], [job!.blob], rec.hooks);
    // Damage the cached copy: the next job must not read it.
    writeFileSync(join(cacheDir, 'blobs', job!.blob.hash), 'tampered');
    const rec2 = recorder();
    await ex.run([job!.spec], [job!.blob], rec2.hooks);
    await ex.close();
    stop.abort();
    expect((await worker).blobsFetched).toBe(2);
    expect(rec2.done[job!.spec.id]).toEqual({ jobId: job!.spec.id, text: 'blob of job 7' });
    expect(await client.getBuffer(blobKey(job!.blob.hash))).toEqual(Buffer.from(job!.blob.bytes));
  });

  it('a coordinator restarted after its job finished stores the waiting result once, without rerunning it', async () => {
    const job = fixture(4);
    const ran: number[] = [];
    const cacheDir = mkdtempSync(join(tmpdir(), 'marlts-blobs-'));
    const stopWorker = new AbortController();
    const worker = runSweepWorker({
      url: redis.url,
      cacheDir,
      signal: stopWorker.signal,
      runJob: standIn({ ran, waitMs: 800 }),
    });
    // The first coordinator stops as soon as a worker has the job (Ctrl-C, or kill).
    const first = await createQueueExecutor({ url: redis.url, checkEveryMs: 200 });
    const stopFirst = new AbortController();
    const rec1 = recorder();
    rec1.hooks.onStart = () => stopFirst.abort();
    const interrupted = await first
      .run([job.spec], [job.blob], rec1.hooks, { signal: stopFirst.signal })
      .catch((e: unknown) => e);
    await first.close();
    expect(isAppError(interrupted, 'INTERRUPTED')).toBe(true);
    expect(rec1.calls).toEqual([]);
    // The worker finishes meanwhile; its result waits in Redis.
    while ((await client.exists(`marlts:result:${job.spec.id}`)) === 0)
      await new Promise((r) => setTimeout(r, 50));
    const second = await createQueueExecutor({ url: redis.url, checkEveryMs: 200 });
    const rec2 = recorder();
    await second.run([job.spec], [job.blob], rec2.hooks);
    await second.close();
    stopWorker.abort();
    await worker;
    expect(rec2.calls).toEqual([`done ${job.spec.id}`]);
    expect(ran).toEqual([4]);
  });

  it('two sweeps waiting on the same job both get its result; the job runs once', async () => {
    const job = fixture(9);
    const ran: number[] = [];
    const stop = new AbortController();
    const worker = runSweepWorker({
      url: redis.url,
      cacheDir: mkdtempSync(join(tmpdir(), 'marlts-blobs-')),
      signal: stop.signal,
      runJob: standIn({ ran, waitMs: 300 }),
    });
    const [ex1, ex2] = await Promise.all([
      createQueueExecutor({ url: redis.url, checkEveryMs: 200 }),
      createQueueExecutor({ url: redis.url, checkEveryMs: 200 }),
    ]);
    const [rec1, rec2] = [recorder(), recorder()];
    await Promise.all([
      ex1.run([job.spec], [job.blob], rec1.hooks),
      ex2.run([job.spec], [job.blob], rec2.hooks),
    ]);
    await Promise.all([ex1.close(), ex2.close()]);
    stop.abort();
    await worker;
    expect(rec1.calls).toEqual([`done ${job.spec.id}`]);
    expect(rec2.calls).toEqual([`done ${job.spec.id}`]);
    expect(ran).toEqual([9]);
  });

  it('a worker asked to stop puts its running job back in the queue for another worker', async () => {
    const job = fixture(5);
    const ranA: number[] = [];
    const ranB: number[] = [];
    const cacheDir = mkdtempSync(join(tmpdir(), 'marlts-blobs-'));
    const stopA = new AbortController();
    const ex = await createQueueExecutor({ url: redis.url, checkEveryMs: 200 });
    const workerA = runSweepWorker({
      url: redis.url,
      cacheDir,
      signal: stopA.signal,
      runJob: standIn({ ran: ranA, waitMs: 20_000 }),
    });
    const rec = recorder();
    let workerB: ReturnType<typeof runSweepWorker> | undefined;
    const stopB = new AbortController();
    rec.hooks.onStart = () => {
      if (workerB) return;
      stopA.abort(); // A releases the job...
      workerB = runSweepWorker({
        url: redis.url,
        cacheDir,
        signal: stopB.signal,
        runJob: standIn({ ran: ranB }),
      });
    };
    await ex.run([job.spec], [job.blob], rec.hooks);
    await ex.close();
    stopB.abort();
    expect(await workerA).toMatchObject({ done: 0, released: 1 });
    expect(await workerB).toMatchObject({ done: 1 });
    expect(rec.calls).toEqual([`done ${job.spec.id}`]);
  });
});

// Needs a redis-server of its own to stop (not the shared MARLTS_TEST_REDIS_URL one).
const noOwnRedis = redisUnavailable({}) !== undefined && !process.env.CI;

describe.skipIf(skip || noOwnRedis)('Redis lost during a sweep', () => {
  it('the coordinator and the worker stop with the error naming the URL; what finished was handed over', async () => {
    const own = await startTestRedis(0, process.env, { own: true });
    const [first, second] = [fixture(21), fixture(22)];
    const ran: number[] = [];
    const cacheDir = mkdtempSync(join(tmpdir(), 'marlts-blobs-'));
    try {
      const worker = runSweepWorker({
        url: own.url,
        cacheDir,
        giveUpAfterMs: 1000,
        // The second job hangs until Redis is gone.
        runJob: async (spec, blobs, o) => {
          if (spec.seed === 22) await new Promise((r) => setTimeout(r, 60_000).unref());
          return standIn({ ran })(spec, blobs, o);
        },
      }).catch((e: unknown) => e);
      const ex = await createQueueExecutor({ url: own.url, giveUpAfterMs: 1000, checkEveryMs: 200 });
      const rec = recorder();
      const running = ex
        .run([first!.spec, second!.spec], [first!.blob, second!.blob], rec.hooks)
        .catch((e: unknown) => e);
      while (!rec.calls.includes(`done ${first!.spec.id}`)) await new Promise((r) => setTimeout(r, 50));
      await own.stop();
      const e = await running;
      await ex.close();
      expect(isAppError(e, 'QUEUE_UNREACHABLE')).toBe(true);
      expect((e as AppError).message).toContain(`cannot reach the sweep queue's Redis at ${own.url}`);
      expect((e as AppError).message).toContain('connection lost');
      expect(rec.calls).toEqual([`done ${first!.spec.id}`]);
      expect(isAppError(await worker, 'QUEUE_UNREACHABLE')).toBe(true);
    } finally {
      await own.stop();
    }
  });
});

describe('sweep queue errors', () => {
  it('an unreachable Redis is an error naming the URL (password masked) and the fix, not a hang', async () => {
    const port = await freePort();
    const url = `redis://me:hunter2@127.0.0.1:${port}`;
    const e = await createQueueExecutor({ url }).catch((err: unknown) => err);
    expect(isAppError(e, 'QUEUE_UNREACHABLE')).toBe(true);
    const err = e as AppError;
    expect(err.message).toContain(`redis://me:***@127.0.0.1:${port}`);
    expect(err.message).not.toContain('hunter2');
    expect(err.hint).toMatch(/start Redis/);
    expect(err.message).toMatch(/ECONNREFUSED/); // the socket's reason, not ioredis's "Connection is closed
    const w = await runSweepWorker({ url, cacheDir: tmpdir() }).catch((x: unknown) => x);
    expect(isAppError(w, 'QUEUE_UNREACHABLE')).toBe(true);
  });

  it('checks queue URLs: redis:// or rediss://, a host, an optional database number', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379').display).toBe('redis://127.0.0.1:6379');
    expect(parseRedisUrl('rediss://u:pw@example.test:6380/2').display).toBe(
      'rediss://u:***@example.test:6380/2',
    );
    for (const [url, why] of [
      ['127.0.0.1:6379', 'not a URL'],
      ['http://127.0.0.1:6379', 'must be a redis://'],
      ['redis://127.0.0.1:6379/x', 'database number'],
    ] as const) {
      const e = (() => {
        try {
          return parseRedisUrl(url, '--queue');
        } catch (err) {
          return err;
        }
      })();
      expect(isAppError(e, 'USAGE') && e.field === '--queue' && e.message.includes(why)).toBe(true);
    }
  });

  it("carries a failure's code through BullMQ's failedReason", () => {
    expect(decodeFailure(encodeFailure(new AppError('DATA', 'NaN loss\nat step 3')))).toEqual({
      code: 'DATA',
      message: 'NaN loss\nat step 3',
    });
    expect(decodeFailure(encodeFailure(new Error('boom')))).toEqual({ code: 'JOB_FAILED', message: 'boom' });
    expect(decodeFailure('job stalled more than allowable limit')).toEqual({
      code: 'JOB_FAILED',
      message: 'job stalled more than allowable limit',
    });
  });

  it('marlts worker refuses a queue that is not a redis:// URL, naming the flag', async () => {
    let stderr = '';
    const code = await main(['worker', '--queue', 'http://127.0.0.1:6379'], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('--queue: the queue must be a redis:// or rediss:// URL');
    expect(stderr).toContain('hint: give the Redis');
  });

  it('marlts sweep never prints the queue password: its narration and its error mask it', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'marlts-sweep-secret-'));
    const grid = join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ axes: { 'train.ppo.learningRate': [0.0003] }, seeds: 1 }));
    let text = '';
    const keep = (t: string) => {
      text += t;
    };
    const argv = [
      'sweep',
      '--grid',
      grid,
      '--queue',
      `redis://:hunter2@127.0.0.1:${port}`,
      '--run-dir',
      join(dir, 'run'),
    ];
    const code = await main(argv, { stdout: keep, stderr: keep, cwd: dir });
    expect(code).toBe(1);
    expect(text).toContain(`on the queue at redis://:***@127.0.0.1:${port}`);
    expect(text).toContain(`cannot reach the sweep queue's Redis at redis://:***@127.0.0.1:${port}`);
    expect(text).not.toContain('hunter2');
  });

  it('marlts worker on an unreachable Redis exits 1 with the URL in its message', async () => {
    const port = await freePort();
    let stderr = '';
    const code = await main(['worker', '--queue', `redis://127.0.0.1:${port}`, '--cache-dir', tmpdir()], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot reach the sweep queue's Redis at redis://127.0.0.1:${port}`);
  });
});
