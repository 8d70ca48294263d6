/**
 * `marlts backtest --workers N`: the seeds' walk-forward chains as sweep jobs on the local
 * pool (one job per seed, the same chain `runWalkForward` runs in-process, so the same
 * numbers), returned in seed order.
 */
import type { PriceFrame } from '@marlts/market-env';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import type { SeedChainResult } from '../engine/seed-chain.js';
import type { SeedChainRunner } from '../engine/walk-forward.js';
import type { ProgressReporter } from '../progress.js';
import { dataBlob } from './blobs.js';
import type { SweepExecutor } from './executor.js';
import { sweepJob } from './job.js';
import { withJobProgress } from './job-progress.js';

/**
 * A {@link SeedChainRunner} on `executor`; a seed whose job fails fails the backtest.
 *
 * @example
 * const wf = await runWalkForward({ frame, barsPerYear, config, runChains: executorSeedRunner({ frame, config, executor }) });
 */
export function executorSeedRunner(o: {
  frame: PriceFrame;
  config: AppConfig;
  executor: SweepExecutor;
  progress?: ProgressReporter;
  signal?: AbortSignal;
}): SeedChainRunner {
  return async (seeds) => {
    const data = dataBlob(o.frame);
    const jobs = seeds.map((s) =>
      sweepJob({ config: o.config, dataHash: data.hash, seed: s.seed, label: s.label }),
    );
    const results = new Map<string, SeedChainResult>();
    const failures: string[] = [];
    const inner = {
      onStart() {},
      onDone(jobId: string, result: SeedChainResult) {
        results.set(jobId, result);
      },
      onFail(jobId: string, error: { code: string; message: string }) {
        const job = jobs.find((j) => j.spec.id === jobId);
        failures.push(`${job?.spec.label ?? jobId}: ${error.message}`);
      },
    };
    const tracked = o.progress
      ? withJobProgress(o.progress, `backtest ${seeds.length} seeds`, seeds.length, 0, inner)
      : { hooks: inner, stop() {} };
    try {
      await o.executor.run(
        jobs.map((j) => j.spec),
        [data, jobs[0]!.blob],
        tracked.hooks,
        o.signal ? { signal: o.signal } : {},
      );
    } finally {
      tracked.stop();
    }
    // The caller sees the abort on its signal and says what was interrupted.
    if (o.signal?.aborted) throw new AppError('INTERNAL', 'interrupted');
    if (failures.length) throw new AppError('INTERNAL', `backtest seed chain failed: ${failures[0]}`);
    return jobs.map((j) => results.get(j.spec.id)!);
  };
}
