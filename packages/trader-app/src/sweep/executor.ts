/**
 * What runs a sweep's jobs: the local process pool (`local-pool.ts`) or a BullMQ queue
 * (`queue-executor.ts`). The coordinator hands an executor the unfinished jobs and the blobs
 * they name, and hears back through hooks; it stores each result once (by job id).
 */
import type { SweepJobResult, SweepJobSpec } from './job.js';

/** What an executor reports while it runs jobs. */
export interface ExecutorHooks {
  onStart(jobId: string, worker: string): void;
  /** The coordinator stores it exactly once (unique job id in the store). */
  onDone(jobId: string, result: SweepJobResult): void;
  onFail(jobId: string, error: { code: string; message: string }): void;
}

/**
 * Runs sweep jobs somewhere: the same results whichever executor runs them.
 *
 * @example
 * const ex = await createExecutor({ workers: 4 });
 * try { await ex.run(jobs, blobs, hooks); } finally { await ex.close(); }
 */
export interface SweepExecutor {
  /** Runs every job (skipping none: the coordinator passes only unfinished ones); resolves when each has finished or failed. */
  run(
    jobs: readonly SweepJobSpec[],
    blobs: { hash: string; bytes: Uint8Array }[],
    hooks: ExecutorHooks,
    o?: { signal?: AbortSignal },
  ): Promise<void>;
  close(): Promise<void>;
}
