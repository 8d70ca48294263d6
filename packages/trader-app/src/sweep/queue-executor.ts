/**
 * The distributed executor (`marlts sweep --queue redis://HOST:PORT`): puts the sweep's
 * blobs into Redis by content hash and its jobs on a BullMQ queue, then hears back as
 * `marlts worker` processes on any machine finish them.
 *
 * Exactly once: a job's id is its content hash, so adding it again (a coordinator
 * restarted) is a no-op; each job's hooks are called once per run whatever BullMQ did
 * (a job retried after its worker died still completes once); a result stays in Redis
 * until the coordinator has handed it to `onDone`, and only then is the job removed —
 * so a coordinator killed in between finds the finished job on its next run instead of
 * running it again. Events come from BullMQ's events stream, read from just before the
 * jobs were added; a periodic look at the queue's finished jobs covers anything missed.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../app-error.js';
import type { ExecutorHooks, SweepExecutor } from './executor.js';
import type { SweepJobSpec } from './job.js';
import { putBlobs } from './redis-blobs.js';
import {
  decodeFailure,
  getResult,
  QUEUE_NAME,
  QUEUE_PREFIX,
  type QueueJobReturn,
  resultKey,
} from './redis-queue.js';
import { connectRedis, parseRedisUrl, type RedisUrl } from './redis-url.js';

/** How long a stored result stays in Redis for another sweep waiting on the same job. */
const SETTLED_RESULT_TTL_SECONDS = 600;

const optionsSchema = z.object({
  url: z.string(),
  /** How often the open jobs' states are re-read, in case an event was missed (ms). */
  checkEveryMs: z.number().int().min(50).default(5000),
  /** How often to say so while no worker is connected (ms). */
  noWorkerNoticeMs: z.number().int().min(100).default(30_000),
  /** How long a lost Redis connection is retried before the sweep stops with an error (ms). */
  giveUpAfterMs: z.number().int().min(100).default(15_000),
  /** Told things a person should know (no worker connected yet). */
  onNotice: z.custom<(text: string) => void>((v) => typeof v === 'function').optional(),
});

/**
 * Options of {@link createQueueExecutor}.
 *
 * @example
 * const o: QueueExecutorOptions = { url: 'redis://127.0.0.1:6379', onNotice: console.error };
 */
export type QueueExecutorOptions = z.input<typeof optionsSchema>;

/**
 * A {@link SweepExecutor} on the BullMQ queue at `url`. Connects at once: an unreachable
 * Redis is an AppError naming the URL within seconds, before any job is sent.
 *
 * @example
 * const ex = await createQueueExecutor({ url: 'redis://127.0.0.1:6379' });
 * try { await ex.run(jobs, blobs, hooks); } finally { await ex.close(); }
 */
export async function createQueueExecutor(options: QueueExecutorOptions): Promise<SweepExecutor> {
  const o = optionsSchema.parse(options);
  const u = parseRedisUrl(o.url, '--queue');
  let lost: ((e: AppError) => void) | undefined;
  const redis = await connectRedis(u, {
    name: 'marlts-sweep-coordinator',
    giveUpAfterMs: o.giveUpAfterMs,
    onGiveUp: (e) => lost?.(e),
  });
  const queue = new Queue<SweepJobSpec, QueueJobReturn>(QUEUE_NAME, {
    connection: redis,
    prefix: QUEUE_PREFIX,
  });
  queue.on('error', () => {}); // connection errors surface through connectRedis's give-up
  return {
    run: (jobs, blobs, hooks, runOptions = {}) =>
      new Promise<void>((resolve, reject) => {
        lost = reject;
        runJobs({ u, redis, queue, o, jobs, blobs, hooks, signal: runOptions.signal }).then(resolve, reject);
      }),
    close: async () => {
      await queue.close().catch(() => {});
      redis.disconnect();
    },
  };
}

async function runJobs(a: {
  u: RedisUrl;
  redis: Redis;
  queue: Queue<SweepJobSpec, QueueJobReturn>;
  o: z.output<typeof optionsSchema>;
  jobs: readonly SweepJobSpec[];
  blobs: { hash: string; bytes: Uint8Array }[];
  hooks: ExecutorHooks;
  signal?: AbortSignal;
}): Promise<void> {
  const { redis, queue, hooks, jobs } = a;
  const open = new Map(jobs.map((j) => [j.id, j]));
  if (open.size === 0) return;
  await putBlobs(redis, a.blobs);

  // Read events from the stream's current end, so none between here and addBulk is missed.
  const eventsKey = `${QUEUE_PREFIX}:${QUEUE_NAME}:events`;
  const last = (await redis.xrevrange(eventsKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
  const events = new QueueEvents(QUEUE_NAME, { connection: redis, prefix: QUEUE_PREFIX, lastEventId: last });
  events.on('error', () => {});

  let finish: (e?: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    finish = (e) => (e === undefined ? resolve() : reject(e));
  });
  finished.catch(() => {}); // awaited below; a failure before then must not be "unhandled"
  // One settle at a time per job: an event and a periodic check may race for the same one.
  const settling = new Set<string>();

  const settle = async (jobId: string): Promise<void> => {
    if (!open.has(jobId) || settling.has(jobId)) return;
    settling.add(jobId);
    try {
      const job = await queue.getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'completed') {
        const result = await getResult(redis, jobId);
        if (result === undefined) {
          // Completed long ago and its result expired: run it again.
          await job?.remove();
          await addJobs([open.get(jobId)!]);
          return;
        }
        open.delete(jobId);
        hooks.onDone(jobId, result);
      } else if (state === 'failed') {
        open.delete(jobId);
        hooks.onFail(jobId, decodeFailure(job?.failedReason));
      } else if (state === 'unknown') {
        // Gone from the queue: another coordinator running the same job settled it (its
        // result lingers a while), or Redis lost it. Take the result, or queue the job again.
        const result = await getResult(redis, jobId);
        if (result === undefined) {
          await addJobs([open.get(jobId)!]);
          return;
        }
        open.delete(jobId);
        hooks.onDone(jobId, result);
      } else {
        return;
      }
      // Stored by this coordinator: the queue need not keep the job, and the result only
      // for a while (another sweep waiting on the same job picks it up meanwhile).
      await job?.remove().catch(() => {});
      await redis.expire(resultKey(jobId), SETTLED_RESULT_TTL_SECONDS);
      if (open.size === 0) finish();
    } finally {
      settling.delete(jobId);
    }
  };
  const settleSafely = (jobId: string) => {
    settle(jobId).catch((e) => finish(e));
  };

  events.on('active', ({ jobId }) => {
    if (!open.has(jobId)) return;
    queue.getJob(jobId).then(
      (job) => hooks.onStart(jobId, job?.processedBy ?? 'a worker'),
      () => {},
    );
  });
  events.on('completed', ({ jobId }) => settleSafely(jobId));
  events.on('failed', ({ jobId }) => settleSafely(jobId));

  const addJobs = (specs: readonly SweepJobSpec[]) =>
    queue.addBulk(
      specs.map((spec) => ({
        name: 'sweep-job',
        data: spec,
        // A job that throws throws again: no retry (stalls are retried, see redis-worker.ts).
        opts: { jobId: spec.id, attempts: 1, removeOnComplete: false, removeOnFail: false },
      })),
    );

  const onAbort = () =>
    finish(new AppError('INTERRUPTED', 'sweep interrupted: finished jobs are stored; rerun to resume'));
  if (a.signal?.aborted) onAbort();
  a.signal?.addEventListener('abort', onAbort, { once: true });
  let checker: NodeJS.Timeout | undefined;
  let notifier: NodeJS.Timeout | undefined;
  try {
    await events.waitUntilReady();
    const runStart = Date.now();
    await addJobs([...open.values()]);
    // Jobs left by an earlier run: one that failed then gets a fresh try now, one that
    // completed is settled (its result is waiting in Redis).
    const ids = [...open.keys()];
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(
        ids.slice(i, i + 100).map(async (id) => {
          const job = await queue.getJob(id);
          if (job && job.timestamp < runStart && (await job.getState()) === 'failed')
            await job.retry('failed');
          else await settle(id);
        }),
      );
    }
    if (open.size === 0) return;
    // The safety net for missed events: the finished jobs' ids (cheap: the coordinators
    // remove what they settle), settling those that are ours; and now and then, whether
    // each open job is still in the queue at all (one pipelined EXISTS per job).
    let tick = 0;
    checker = setInterval(() => {
      queue.getRanges(['completed', 'failed'], 0, -1).then(
        (ids) => {
          for (const id of ids) if (open.has(id)) settleSafely(id);
        },
        () => {},
      );
      if (++tick % 6 !== 0) return;
      const ids = [...open.keys()];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.exists(queue.toKey(id));
      pipeline.exec().then(
        (res) => {
          res?.forEach(([err, n], i) => {
            if (err === null && n === 0) settleSafely(ids[i]!);
          });
        },
        () => {},
      );
    }, a.o.checkEveryMs);
    const noticeIfNoWorker = async () => {
      if ((await queue.getWorkersCount().catch(() => 1)) === 0) {
        a.o.onNotice?.(
          `no worker is taking jobs from ${a.u.display} yet: start one anywhere with \`marlts worker --queue ${a.u.display}\``,
        );
      }
    };
    void noticeIfNoWorker();
    notifier = setInterval(() => void noticeIfNoWorker(), a.o.noWorkerNoticeMs);
    await finished;
  } catch (e) {
    if (a.signal?.aborted) await removeWaiting(queue, [...open.keys()]);
    throw e;
  } finally {
    clearInterval(checker);
    clearInterval(notifier);
    a.signal?.removeEventListener('abort', onAbort);
    await events.close().catch(() => {});
  }
}

/** Takes this run's jobs that no worker has started off the queue (a stopped sweep leaves no work behind). */
async function removeWaiting(queue: Queue<SweepJobSpec, QueueJobReturn>, ids: string[]): Promise<void> {
  for (const id of ids) {
    const job = await queue.getJob(id).catch(() => undefined);
    if (job && (await job.getState().catch(() => 'unknown')) === 'waiting')
      await job.remove().catch(() => {});
  }
}
