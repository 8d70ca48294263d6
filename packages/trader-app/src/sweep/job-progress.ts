/**
 * One progress line per sweep: jobs done / running / failed and an ETA from the mean time
 * of the jobs finished so far. A live bar on a terminal, plain lines (at most one per few
 * seconds) otherwise: it is the app's progress reporter underneath.
 */
import type { ProgressReporter } from '../progress.js';
import type { ExecutorHooks } from './executor.js';

/** Formats seconds as `42s`, `3m 05s` or `2h 10m`. */
function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Wraps `hooks` so each start, result and failure also moves the sweep's progress line.
 * `alreadyDone` counts jobs a resumed sweep found stored.
 *
 * @example
 * const { hooks, stop } = withJobProgress(ctx.progress, 'sweep 8 configs × 2 seeds', 16, 0, inner);
 */
export function withJobProgress(
  progress: ProgressReporter,
  label: string,
  total: number,
  alreadyDone: number,
  hooks: ExecutorHooks,
  o: { now?: () => number } = {},
): { hooks: ExecutorHooks; stop(): void } {
  const now = o.now ?? Date.now;
  const started = now();
  const task = progress.start(label, total);
  const running = new Set<string>();
  let done = alreadyDone;
  let failed = 0;
  let finishedHere = 0;
  const info = () => {
    const left = total - done - failed;
    // The pool's throughput so far (it already reflects how many workers run at once).
    const rate = finishedHere / Math.max(1e-3, (now() - started) / 1000);
    const eta = finishedHere > 0 && left > 0 ? ` ETA ${duration(left / rate)}` : '';
    return `done ${done} running ${running.size} failed ${failed}${eta}`;
  };
  const show = () => task.update(done + failed, info());
  return {
    hooks: {
      onStart(jobId, worker) {
        running.add(jobId);
        hooks.onStart(jobId, worker);
        show();
      },
      onDone(jobId, result) {
        running.delete(jobId);
        done++;
        finishedHere++;
        hooks.onDone(jobId, result);
        show();
      },
      onFail(jobId, error) {
        running.delete(jobId);
        failed++;
        finishedHere++;
        hooks.onFail(jobId, error);
        show();
      },
    },
    stop: () => {
      const left = total - done - failed;
      task.stop(
        left > 0
          ? `stopped: done ${done} failed ${failed}, ${left} not run`
          : `done ${done} failed ${failed}`,
      );
    },
  };
}
