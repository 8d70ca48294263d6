/**
 * The queue's own cost per job, without training: `jobs` trivial jobs (each reads its blob
 * through the worker's cache and returns at once) through the real queue executor and
 * `workers` real sweep workers (in this process, `runJob` replaced by the trivial job).
 * Every step a real job takes on the queue is there: blob put, BullMQ add, take, lock,
 * result put, completed event, result read, job removal. `bench/sweep.mjs` runs it from
 * source (vite's module runner) beside the real sweeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SweepJobResult, SweepJobSpec } from '../src/sweep/job.js';
import { createQueueExecutor } from '../src/sweep/queue-executor.js';
import { sha256Hex } from '../src/sweep/redis-blobs.js';
import { runSweepWorker } from '../src/sweep/redis-worker.js';

/**
 * What {@link measureQueueOverhead} found.
 *
 * @example
 * const r: QueueOverhead = { jobs: 200, workers: 2, wallMs: 900, jobsPerSecond: 222, overheadMsPerJob: 9 };
 */
export interface QueueOverhead {
  jobs: number;
  workers: number;
  wallMs: number;
  /** Jobs the coordinator, Redis and the workers got through per second. */
  jobsPerSecond: number;
  /** A worker's time per job beyond the job itself: workers × wall / jobs. */
  overheadMsPerJob: number;
}

/**
 * Runs `jobs` trivial jobs through the queue at `url` with `workers` workers.
 *
 * @example
 * const r = await measureQueueOverhead({ url: 'redis://127.0.0.1:6379', jobs: 200, workers: 2 });
 */
export async function measureQueueOverhead(o: {
  url: string;
  jobs: number;
  workers: number;
}): Promise<QueueOverhead> {
  const bytes = new TextEncoder().encode(`trivial ${Date.now()}`);
  const hash = sha256Hex(bytes);
  const specs: SweepJobSpec[] = Array.from({ length: o.jobs }, (_, i) => ({
    id: sha256Hex(new TextEncoder().encode(`${hash} ${i}`)),
    configHash: hash,
    dataHash: hash,
    seed: i,
    label: `trivial ${i + 1}/${o.jobs}`,
  }));
  const cacheDir = mkdtempSync(join(tmpdir(), 'marlts-bench-cache-'));
  const stop = new AbortController();
  const workers = Array.from({ length: o.workers }, (_, w) =>
    runSweepWorker({
      url: o.url,
      cacheDir,
      name: `bench-${w}`,
      signal: stop.signal,
      runJob: async (spec, blobs) => {
        await blobs.get(spec.configHash);
        return { jobId: spec.id } as unknown as SweepJobResult;
      },
    }),
  );
  const ex = await createQueueExecutor({ url: o.url, checkEveryMs: 1000 });
  let done = 0;
  const t0 = performance.now();
  try {
    await ex.run(specs, [{ hash, bytes }], {
      onStart: () => {},
      onDone: () => {
        done++;
      },
      onFail: (id, e) => {
        throw new Error(`trivial job ${id} failed: ${e.message}`);
      },
    });
  } finally {
    await ex.close();
    stop.abort();
    await Promise.all(workers);
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const wallMs = performance.now() - t0;
  if (done !== o.jobs) throw new Error(`${done} of ${o.jobs} trivial jobs came back`);
  return {
    jobs: o.jobs,
    workers: o.workers,
    wallMs: Math.round(wallMs),
    jobsPerSecond: Math.round((o.jobs / wallMs) * 1000),
    overheadMsPerJob: Math.round(((o.workers * wallMs) / o.jobs) * 10) / 10,
  };
}
