/**
 * A local pool worker process (built as `dist/pool-worker.js`): sets rl-core's thread
 * count from `MARLTS_POOL_THREADS` so the pool does not oversubscribe the cores, then runs
 * the jobs the coordinator sends, one at a time, with `runSweepJob`. It exits when the
 * coordinator goes away (IPC disconnect) and on SIGINT/SIGTERM after stopping its job.
 */
import { setNumThreads } from '@marlts/rl-core';
import { MemoryBlobs } from './blobs.js';
import { runSweepJob } from './job.js';
import { jobError, POOL_THREADS_ENV, type RunJobMessage, type WorkerMessage } from './pool-protocol.js';

const send = (m: WorkerMessage) => process.send?.(m);
const threads = Math.max(1, Number.parseInt(process.env[POOL_THREADS_ENV] ?? '1', 10) || 1);
setNumThreads(threads);
const blobs = new MemoryBlobs();
const stop = new AbortController();
let busy = false;

// Ctrl-C reaches every process of the terminal's group: stop the job, then leave.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    stop.abort();
    if (!busy) process.exit(0);
  });
}
process.on('disconnect', () => process.exit(0));
process.on('message', (m: RunJobMessage) => {
  if (m?.type !== 'job') return;
  busy = true;
  void (async () => {
    try {
      for (const b of m.blobs) blobs.add(b);
      const result = await runSweepJob(m.spec, blobs, { signal: stop.signal, threads });
      send({ type: 'done', jobId: m.spec.id, result });
    } catch (e) {
      send({ type: 'fail', jobId: m.spec.id, error: jobError(e) });
    } finally {
      busy = false;
      if (stop.signal.aborted) process.exit(0);
    }
  })();
});
send({ type: 'ready', pid: process.pid, threads });
