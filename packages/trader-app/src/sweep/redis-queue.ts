/**
 * What the sweep coordinator (queue-executor.ts) and `marlts worker` (redis-worker.ts)
 * agree on in Redis: the BullMQ queue's name and key prefix, where a job's result goes,
 * and how a failure's code travels. Results go under their own key (gzipped JSON) rather
 * than in BullMQ's return value, because BullMQ copies a return value into its events
 * stream, and checkpoints and series would bloat that stream.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import { AppError } from '../app-error.js';
import type { SweepJobResult } from './job.js';

/** The BullMQ queue every sweep job goes through. */
export const QUEUE_NAME = 'marlts-sweep';
/** BullMQ's key prefix: the queue's keys are `marlts:marlts-sweep:…`, beside the blobs. */
export const QUEUE_PREFIX = 'marlts';
/** How long a result waits in Redis for its coordinator (a coordinator killed and restarted picks it up). */
export const RESULT_TTL_SECONDS = 14 * 24 * 3600;

/**
 * The Redis key holding a job's result until the coordinator has stored it.
 *
 * @example
 * resultKey(spec.id); // 'marlts:result:<id>'
 */
export function resultKey(jobId: string): string {
  return `marlts:result:${jobId}`;
}

/**
 * What a worker returns to BullMQ for a finished job: where the result is, not the result.
 *
 * @example
 * const r: QueueJobReturn = { resultKey: resultKey(id), bytes: 1234, worker: 'host:42' };
 */
export interface QueueJobReturn {
  resultKey: string;
  bytes: number;
  worker: string;
}

/**
 * Stores a job's result (gzipped JSON, with an expiry) and returns what the worker hands
 * BullMQ. Written before the job completes, so a completed job always has its result.
 *
 * @example
 * return await putResult(redis, spec.id, result, 'host:42');
 */
export async function putResult(
  redis: Redis,
  jobId: string,
  result: SweepJobResult,
  worker: string,
): Promise<QueueJobReturn> {
  const bytes = gzipSync(JSON.stringify(result));
  await redis.set(resultKey(jobId), bytes, 'EX', RESULT_TTL_SECONDS);
  return { resultKey: resultKey(jobId), bytes: bytes.byteLength, worker };
}

/**
 * Reads a job's result, or undefined when it is not (or no longer) in Redis.
 *
 * @example
 * const result = await getResult(redis, spec.id);
 */
export async function getResult(redis: Redis, jobId: string): Promise<SweepJobResult | undefined> {
  const buf = await redis.getBuffer(resultKey(jobId));
  if (buf === null) return undefined;
  return JSON.parse(gunzipSync(buf).toString('utf8')) as SweepJobResult;
}

/**
 * A failure as it travels through BullMQ's `failedReason` (a string): `[CODE] message`.
 *
 * @example
 * encodeFailure(new AppError('DATA', 'NaN loss')); // '[DATA] NaN loss'
 */
export function encodeFailure(e: unknown): string {
  if (e instanceof AppError || (typeof e === 'object' && e !== null && 'code' in e && 'message' in e)) {
    const { code, message } = e as { code: unknown; message: unknown };
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `[${code}] ${String(message)}`;
  }
  return `[JOB_FAILED] ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * The `{ code, message }` of a `failedReason` (BullMQ's own reasons, such as a job that
 * stalled too often, become code `JOB_FAILED`).
 *
 * @example
 * decodeFailure('[DATA] NaN loss'); // { code: 'DATA', message: 'NaN loss' }
 */
export function decodeFailure(reason: string | undefined): { code: string; message: string } {
  const m = /^\[([A-Z_]+)\] ([\s\S]*)$/.exec(reason ?? '');
  if (m) return { code: m[1]!, message: m[2]! };
  return { code: 'JOB_FAILED', message: reason || 'the job failed without a reason' };
}
