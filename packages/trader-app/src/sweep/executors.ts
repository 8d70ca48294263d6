/**
 * Picks the executor a sweep (or a backtest's seeds) runs on: the local process pool, or
 * with `queue` the BullMQ queue at that Redis URL.
 */
import type { SweepExecutor } from './executor.js';
import { createLocalPool } from './local-pool.js';

/**
 * The executor for `--workers N` / `--queue redis://HOST:PORT`.
 *
 * @example
 * const ex = await createExecutor({ workers: os.availableParallelism() });
 */
export async function createExecutor(o: { workers: number; queue?: string }): Promise<SweepExecutor> {
  if (o.queue === undefined) return createLocalPool({ workers: o.workers });
  // A dynamic import keeps BullMQ and ioredis out of the runs that use no queue.
  const { createQueueExecutor } = await import('./queue-executor.js');
  return createQueueExecutor({ url: o.queue });
}
