/**
 * What a finished sweep leaves in its run: the winner's validation and test series and
 * metrics (report sections `sweep-validation` and `sweep-test`), its learning curves (note
 * `training`), the sweep summary (note `sweep`: every configuration with its validation
 * metrics or failures, the fold split, the selection criterion, the winner's test metrics,
 * PSR and deflated Sharpe), and the winner's first-seed pair as checkpoints.
 */
import type { PriceFrame } from '@marlts/market-env';
import type { CheckpointBundle, Ppo, Sac } from '@marlts/rl-core';
import { LONG_ID, loadLearner, SHORT_ID } from '../engine/agents.js';
import { savePairCheckpoints } from '../engine/checkpoints.js';
import type { SeedChainResult } from '../engine/seed-chain.js';
import { storeSeedAggregate } from '../engine/store-aggregate.js';
import type { RunStore } from '../store.js';
import type { SweepPlan } from './coordinator.js';
import { SELECTION_AGENT, type SweepSelection } from './select.js';

/** The `sweep` note: a sweep's summary for reports and `--json`. */
export interface SweepSummary {
  grid: string;
  criterion: string;
  agent: string;
  seeds: number[];
  validationFolds: number;
  testFolds: number;
  /** The out-of-sample span of each part, ISO times. */
  split: { validation: { start: string; end: string }; test: { start: string; end: string } };
  /** Configurations with every seed done: DSR's number of trials. */
  trials: number;
  jobs: { total: number; done: number; failed: number };
  configs: Array<{
    index: number;
    axes: Record<string, unknown>;
    rank: number | null;
    validation: Record<string, number> | null;
    failures: Array<{ label: string; code: string; message: string }>;
  }>;
  winner: {
    index: number;
    axes: Record<string, unknown>;
    validation: Record<string, number>;
    test: Record<string, Record<string, number>>;
    significance: SweepSelection['significance'];
  } | null;
}

/**
 * Builds the summary of a sweep from its plan, the store's job rows and the selection.
 *
 * @example
 * const summary = sweepSummary({ store, runId, plan, selection, frame });
 */
export function sweepSummary(o: {
  store: RunStore;
  runId: string;
  plan: SweepPlan;
  selection: SweepSelection | undefined;
  frame: PriceFrame;
  folds: SeedChainResult['folds'];
}): SweepSummary {
  const { plan, selection } = o;
  const jobs = o.store.sweeps.listJobs(o.runId);
  const iso = (i: number) => new Date(o.frame.times[i]!).toISOString();
  const v = plan.grid.validationFolds;
  const rankOf = new Map(selection?.ranking.map((r, i) => [r.index, i + 1]) ?? []);
  const rankedBy = new Map(selection?.ranking.map((r) => [r.index, r]) ?? []);
  return {
    grid: plan.grid.file,
    criterion: selection?.criterion ?? '',
    agent: SELECTION_AGENT,
    seeds: plan.grid.seeds,
    validationFolds: v,
    testFolds: plan.grid.testFolds,
    split: {
      validation: { start: iso(o.folds[0]!.testStart), end: iso(o.folds[v - 1]!.testEnd) },
      test: { start: iso(o.folds[v]!.testStart), end: iso(o.folds.at(-1)!.testEnd) },
    },
    trials: selection?.trials ?? 0,
    jobs: {
      total: jobs.length,
      done: jobs.filter((j) => j.status === 'done').length,
      failed: jobs.filter((j) => j.status === 'failed').length,
    },
    configs: plan.grid.configs.map((c) => ({
      index: c.index,
      axes: c.axes,
      rank: rankOf.get(c.index) ?? null,
      validation: rankedBy.get(c.index)?.metrics[SELECTION_AGENT] ?? null,
      failures: jobs
        .filter((j) => j.configIdx === c.index && j.status === 'failed')
        .map((j) => ({ label: j.label, code: j.errorCode ?? 'INTERNAL', message: j.error ?? '' })),
    })),
    winner: selection
      ? {
          index: selection.winner,
          axes: plan.grid.configs[selection.winner]!.axes,
          validation: selection.validation.metrics.get(SELECTION_AGENT) ?? {},
          test: Object.fromEntries(selection.test.metrics),
          significance: selection.significance,
        }
      : null,
  };
}

/**
 * Stores the outcome (sections, notes) and saves the winner's first-seed pair as
 * checkpoints (once per winning job: a resumed, finished sweep does not save them again).
 *
 * @example
 * await storeSweepOutcome({ store, runId, runDir, plan, selection, summary, frame, configSha256 });
 */
export async function storeSweepOutcome(o: {
  store: RunStore;
  runId: string;
  runDir: string;
  plan: SweepPlan;
  selection: SweepSelection;
  summary: SweepSummary;
  frame: PriceFrame;
  folds: SeedChainResult['folds'];
  configSha256: string;
}): Promise<void> {
  const { store, runId, selection } = o;
  const winnerJob = o.plan.jobs.find((j) => j.configIdx === selection.winner && j.seedIdx === 0)!;
  const stored = store.sweeps.jobResult(winnerJob.spec.id, { checkpoints: true });
  const first = stored?.result as SeedChainResult | undefined;
  store.transaction(() => {
    // A resumed sweep replaces what an earlier pass stored.
    store.sweeps.clearOutcome(runId);
    storeSeedAggregate(store, runId, 'sweep-validation', selection.validation);
    storeSeedAggregate(store, runId, 'sweep-test', selection.test);
    store.setNote(runId, 'sweep', o.summary);
    store.setNote(runId, 'folds', o.folds);
    store.setNote(runId, 'training', first?.training ?? []);
  });
  const notes = store.getNotes(runId);
  if (notes.sweepCheckpointsOf === winnerJob.spec.id) return;
  const cp = stored?.checkpoints as { long: CheckpointBundle | null; short: CheckpointBundle | null } | null;
  if (!cp) return;
  const pair = {
    long: cp.long ? (loadLearner('ppo', cp.long, `sweep winner ${winnerJob.spec.label} long`) as Ppo) : null,
    short: cp.short
      ? (loadLearner('sac', cp.short, `sweep winner ${winnerJob.spec.label} short`) as Sac)
      : null,
  };
  try {
    await savePairCheckpoints(store, o.runDir, {
      runId,
      pair,
      names: { long: LONG_ID, short: SHORT_ID },
      seed: winnerJob.spec.seed,
      dataStart: o.frame.times[0]!,
      dataEnd: o.frame.times[o.folds.at(-1)!.trainEnd - 1]!,
      configSha256: o.configSha256,
      linkToChampions: true,
    });
    store.setNote(runId, 'sweepCheckpointsOf', winnerJob.spec.id);
  } finally {
    pair.long?.dispose();
    pair.short?.dispose();
  }
}
