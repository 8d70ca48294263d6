/**
 * The job-taking side of the distributed sweep (what `marlts worker` runs): a BullMQ
 * worker on the sweep queue that fetches each job's blobs (once, through the disk
 * cache), runs the job in this process with `runSweepJob`, and puts the result in Redis.
 *
 * Faults: a worker killed mid-job stops renewing its lock, and after `stallSeconds`
 * another worker's stalled-job check puts the job back in the queue (BullMQ). A job that
 * throws is failed at once, with its code (no retry: a NaN loss fails the same way again).
 * A worker asked to stop (Ctrl-C, SIGTERM) takes no new job, cancels the running ones and
 * puts them back in the queue for another worker, then closes.
 */
import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { AppError } from '../app-error.js';
import { DiskBlobCache } from './blob-cache.js';
import { runSweepJob, type SweepJobResult, type SweepJobSpec } from './job.js';
import { RedisBlobSource } from './redis-blobs.js';
import { encodeFailure, putResult, QUEUE_NAME, QUEUE_PREFIX, type QueueJobReturn } from './redis-queue.js';
import { connectRedis, parseRedisUrl } from './redis-url.js';

/**
 * Something that happened on a worker, for its log.
 *
 * @example
 * const e: WorkerEvent = { kind: 'done', jobId: 'ab…', label: 'config 1/2 seed 1/2', seconds: 12 };
 */
export type WorkerEvent =
  | { kind: 'ready'; worker: string }
  | { kind: 'start'; jobId: string; label: string; attempt: number }
  | { kind: 'done'; jobId: string; label: string; seconds: number }
  | { kind: 'failed'; jobId: string; label: string; reason: string }
  | { kind: 'released'; jobId: string; label: string }
  | { kind: 'error'; message: string };

/**
 * Options of {@link runSweepWorker}.
 *
 * @example
 * const o: SweepWorkerOptions = { url: 'redis://127.0.0.1:6379', cacheDir: '/tmp/marlts-cache' };
 */
export interface SweepWorkerOptions {
  /** The queue's Redis, `redis://HOST:PORT`. */
  url: string;
  /** Where fetched blobs are kept (`<cacheDir>/blobs/<sha256>`). */
  cacheDir: string;
  /** Jobs this process runs at once (default 1). */
  concurrency?: number;
  /** rl-core kernel threads each job uses (passed to runSweepJob). */
  threads?: number;
  /**
   * Seconds a job's lock lasts without renewal (renewed every half of it while the job
   * runs): how soon a killed worker's job goes to another worker (default 30).
   */
  stallSeconds?: number;
  /** How often a job may stall (its worker died) before it is failed instead (default 2). */
  maxStalls?: number;
  /** How long a lost Redis connection is retried before the worker stops with an error (ms, default 15 000). */
  giveUpAfterMs?: number;
  /** This worker's name in the queue (default `<host>:<pid>`). */
  name?: string;
  /** Stops the worker: running jobs are cancelled and put back in the queue. */
  signal?: AbortSignal;
  /** Told what happens, for the log. */
  onEvent?: (e: WorkerEvent) => void;
  /** Runs one job (default `runSweepJob`; tests pass a job that throws). */
  runJob?: typeof runSweepJob;
}

/**
 * What a worker did before it stopped.
 *
 * @example
 * const s = await runSweepWorker(o); console.log(`${s.done} done`);
 */
export interface WorkerSummary {
  done: number;
  failed: number;
  released: number;
  /** Blobs fetched from Redis (the rest came from the disk cache). */
  blobsFetched: number;
}

/**
 * Takes jobs from the sweep queue until `signal` is aborted, or throws the Redis error
 * (unreachable at start, or lost for longer than a few seconds).
 *
 * @example
 * const ac = new AbortController();
 * process.on('SIGTERM', () => ac.abort());
 * await runSweepWorker({ url: 'redis://127.0.0.1:6379', cacheDir: defaultCacheDir(), signal: ac.signal });
 */
export async function runSweepWorker(o: SweepWorkerOptions): Promise<WorkerSummary> {
  const u = parseRedisUrl(o.url, '--queue');
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const emit = o.onEvent ?? (() => {});
  const runJob = o.runJob ?? runSweepJob;
  const stallMs = Math.round((o.stallSeconds ?? 30) * 1000);
  let lost: AppError | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const redis = await connectRedis(u, {
    name: `marlts-worker ${name}`,
    ...(o.giveUpAfterMs !== undefined ? { giveUpAfterMs: o.giveUpAfterMs } : {}),
    onGiveUp: (e) => {
      lost = e;
      wake();
    },
  });
  const blobs = new DiskBlobCache(new RedisBlobSource(redis), o.cacheDir);
  const summary: WorkerSummary = { done: 0, failed: 0, released: 0, blobsFetched: 0 };
  const stopping = () => o.signal?.aborted === true;

  const processor = async (job: Job<SweepJobSpec, QueueJobReturn>, token?: string, signal?: AbortSignal) => {
    const spec = job.data;
    const t0 = Date.now();
    // Asked to stop: the job is not broken, it goes back to the queue for another worker.
    const release = async () => {
      await job.moveToWait(token);
      summary.released++;
      emit({ kind: 'released', jobId: spec.id, label: spec.label });
      return new WaitingError();
    };
    // A job taken just as the stop came (cancelAllJobs did not see it) is released too.
    if (stopping()) throw await release();
    emit({ kind: 'start', jobId: spec.id, label: spec.label, attempt: job.attemptsStarted });
    const signals = [signal, o.signal].filter((x): x is AbortSignal => x !== undefined);
    const jobSignal = AbortSignal.any(signals);
    let result: SweepJobResult;
    try {
      result = await runJob(spec, blobs, { signal: jobSignal, threads: o.threads });
      // A chain stopped inside its last fold returns what it has: not the job's result.
      if (jobSignal.aborted) throw new AppError('INTERRUPTED', 'the job was cancelled');
    } catch (e) {
      if (stopping()) throw await release();
      summary.failed++;
      const reason = encodeFailure(e);
      emit({ kind: 'failed', jobId: spec.id, label: spec.label, reason });
      // Unrecoverable: a job that threw throws again (same config, data and seed).
      throw new UnrecoverableError(reason);
    }
    const ret = await putResult(redis, spec.id, result, name);
    summary.done++;
    emit({
      kind: 'done',
      jobId: spec.id,
      label: spec.label,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    });
    return ret;
  };

  const worker = new Worker<SweepJobSpec, QueueJobReturn>(QUEUE_NAME, processor, {
    connection: redis,
    prefix: QUEUE_PREFIX,
    name,
    concurrency: o.concurrency ?? 1,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: o.maxStalls ?? 2,
    // Removal is the coordinator's, once it has stored the result (see queue-executor.ts).
    removeOnComplete: { count: 1_000_000 },
    removeOnFail: { count: 1_000_000 },
    autorun: false,
  });
  worker.on('error', (e) => {
    if (!stopping() && !lost) emit({ kind: 'error', message: e.message });
  });

  // Pause first (it takes effect at once), so a released job is not taken straight back by
  // this worker; pausing also waits for the cancelled jobs to be back in the queue.
  let pausing: Promise<void> | undefined;
  const onAbort = () => {
    pausing = worker.pause();
    pausing.catch(() => {});
    worker.cancelAllJobs('the worker is stopping');
    wake();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await worker.waitUntilReady();
    emit({ kind: 'ready', worker: name });
    const running = worker.run();
    running.catch(() => {});
    if (!stopping()) await stopped;
    // A closing worker would leave the cancelled jobs to the stalled check; a lost Redis
    // has nothing to put them back into.
    if (!lost) await (pausing ?? worker.pause());
    await worker.close(lost !== undefined);
    await running.catch(() => {});
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await worker.close(true).catch(() => {});
    redis.disconnect();
  }
  summary.blobsFetched = blobs.fetched;
  if (lost) throw lost;
  return summary;
}
