/**
 * The sweep coordinator: turns a grid into jobs (one per configuration and seed, named by
 * content), records them in the run store, hands the unfinished ones to an executor and
 * stores each result once as it arrives. Resuming is running it again on the same run:
 * jobs whose result is stored are skipped, jobs a killed coordinator left `running` are
 * run again.
 */
import type { PriceFrame } from '@marlts/market-env';
import { AppError } from '../app-error.js';
import type { SeedChainResult } from '../engine/seed-chain.js';
import type { ProgressReporter } from '../progress.js';
import type { RunStore } from '../store.js';
import { type Blob, dataBlob } from './blobs.js';
import type { SweepExecutor } from './executor.js';
import type { SweepGrid } from './grid.js';
import { type SweepJobResult, type SweepJobSpec, sweepJob } from './job.js';
import { withJobProgress } from './job-progress.js';

/** The jobs of a sweep and the blobs they name. */
export interface SweepPlan {
  grid: SweepGrid;
  data: Blob;
  configBlobs: Blob[];
  jobs: Array<{ spec: SweepJobSpec; configIdx: number; seedIdx: number }>;
}

/**
 * The jobs of `grid` on `frame`: configuration-major, seeds in order.
 *
 * @example
 * const plan = planSweep(grid, data.frame); plan.jobs.length; // configs × seeds
 */
export function planSweep(grid: SweepGrid, frame: PriceFrame): SweepPlan {
  const data = dataBlob(frame);
  const configBlobs: Blob[] = [];
  const jobs: SweepPlan['jobs'] = [];
  const nc = grid.configs.length;
  const ns = grid.seeds.length;
  for (const c of grid.configs) {
    for (const [si, seed] of grid.seeds.entries()) {
      const j = sweepJob({
        config: c.config,
        dataHash: data.hash,
        seed,
        label: `config ${c.index + 1}/${nc} seed ${si + 1}/${ns}`,
      });
      if (si === 0) configBlobs.push(j.blob);
      jobs.push({ spec: j.spec, configIdx: c.index, seedIdx: si });
    }
  }
  const ids = new Set(jobs.map((j) => j.spec.id));
  if (ids.size !== jobs.length) {
    throw new AppError('CONFIG', `grid ${grid.file}: two configurations resolve to the same config`, {
      hint: 'an axis value equal to the base (or to another axis) makes duplicate jobs: drop it',
    });
  }
  return { grid, data, configBlobs, jobs };
}

/** What one coordinator pass did. */
export interface SweepPass {
  /** Jobs found stored before this pass (skipped). */
  skipped: number;
  /** Jobs handed to the executor. */
  submitted: number;
  stored: number;
  failed: number;
  /** Results reported for a job already stored (not stored again). */
  duplicates: number;
}

/**
 * Records the plan in `runId` (again on resume: existing rows stay) and runs every job
 * whose result is not stored yet on `executor`.
 *
 * @example
 * const pass = await runSweepPass({ store, runId, plan, executor, workers: 4 });
 */
export async function runSweepPass(o: {
  store: RunStore;
  runId: string;
  plan: SweepPlan;
  executor: SweepExecutor;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  /** Called once per failed job (the command logs it). */
  onJobFailed?: (label: string, error: { code: string; message: string }) => void;
}): Promise<SweepPass> {
  const { store, runId, plan } = o;
  const { grid } = plan;
  store.sweeps.addConfigs(
    runId,
    grid.configs.map((c, i) => ({
      idx: c.index,
      configSha256: plan.configBlobs[i]!.hash,
      axes: c.axes,
      config: c.config,
    })),
  );
  store.sweeps.addJobs(
    runId,
    plan.jobs.map((j) => ({
      id: j.spec.id,
      configIdx: j.configIdx,
      seed: j.spec.seed,
      label: j.spec.label,
      spec: j.spec,
    })),
  );
  // A coordinator killed mid-sweep left its jobs `running`: nobody runs them now.
  store.sweeps.resetRunning(runId);
  const done = new Set(
    store.sweeps
      .listJobs(runId)
      .filter((j) => j.status === 'done')
      .map((j) => j.id),
  );
  const todo = plan.jobs.filter((j) => !done.has(j.spec.id));
  const byId = new Map(plan.jobs.map((j) => [j.spec.id, j]));
  const pass: SweepPass = { skipped: done.size, submitted: todo.length, stored: 0, failed: 0, duplicates: 0 };
  if (todo.length === 0) return pass;
  const inner = {
    onStart(jobId: string, worker: string) {
      store.sweeps.jobStarted(jobId, worker);
    },
    onDone(jobId: string, result: SweepJobResult) {
      const { checkpoints, ...rest } = result;
      // Only the first seed's pair can become the winner's checkpoints: keep the others' small.
      const keep = byId.get(jobId)?.seedIdx === 0 ? checkpoints : null;
      if (store.sweeps.jobDone(jobId, rest, keep)) pass.stored++;
      else pass.duplicates++;
    },
    onFail(jobId: string, error: { code: string; message: string }) {
      store.sweeps.jobFailed(jobId, error);
      pass.failed++;
      o.onJobFailed?.(byId.get(jobId)?.spec.label ?? jobId, error);
    },
  };
  const total = plan.jobs.length;
  const tracked = o.progress
    ? withJobProgress(
        o.progress,
        `sweep ${grid.configs.length} configs × ${grid.seeds.length} seeds`,
        total,
        done.size,
        inner,
      )
    : { hooks: inner, stop() {} };
  try {
    await o.executor.run(
      todo.map((j) => j.spec),
      [plan.data, ...plan.configBlobs],
      tracked.hooks,
      o.signal ? { signal: o.signal } : {},
    );
  } finally {
    tracked.stop();
  }
  return pass;
}

/**
 * The stored results of every configuration whose seeds are all done, in seed order.
 *
 * @example
 * const results = storedResults(store, runId, plan); results.get(0)?.length; // seeds
 */
export function storedResults(
  store: RunStore,
  runId: string,
  plan: SweepPlan,
): Map<number, SeedChainResult[]> {
  const status = new Map(store.sweeps.listJobs(runId).map((j) => [j.id, j.status]));
  const out = new Map<number, SeedChainResult[]>();
  for (const c of plan.grid.configs) {
    const jobs = plan.jobs.filter((j) => j.configIdx === c.index);
    if (!jobs.every((j) => status.get(j.spec.id) === 'done')) continue;
    out.set(
      c.index,
      jobs.map((j) => store.sweeps.jobResult(j.spec.id)!.result as SeedChainResult),
    );
  }
  return out;
}
