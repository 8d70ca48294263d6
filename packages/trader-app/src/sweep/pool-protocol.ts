/**
 * The messages between the local pool (`local-pool.ts`) and its worker processes
 * (`pool-worker.ts`), over Node's IPC channel with structured-clone serialisation (so
 * blobs travel as bytes and NaN stays NaN).
 */
import type { Blob } from './blobs.js';
import type { SweepJobResult, SweepJobSpec } from './job.js';

/** Coordinator → worker: run a job (with the blobs this worker has not been sent yet). */
export interface RunJobMessage {
  type: 'job';
  spec: SweepJobSpec;
  blobs: Blob[];
}

/** Worker → coordinator. */
export type WorkerMessage =
  | { type: 'ready'; pid: number; threads: number }
  | { type: 'done'; jobId: string; result: SweepJobResult }
  | { type: 'fail'; jobId: string; error: { code: string; message: string } };

/** The environment variable a worker reads its rl-core thread count from. */
export const POOL_THREADS_ENV = 'MARLTS_POOL_THREADS';

/**
 * The `{ code, message }` an executor records for a job that threw: an AppError's or a
 * library error's code (rl-core's `NAN` for a non-finite loss), else `INTERNAL`.
 *
 * @example
 * jobError(new AppError('DATA', 'bad row')); // { code: 'DATA', message: 'bad row' }
 */
export function jobError(e: unknown): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown };
  return {
    code: typeof err?.code === 'string' ? err.code : 'INTERNAL',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}
