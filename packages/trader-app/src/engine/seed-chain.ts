/**
 * One (config, seed) walk-forward chain: per fold, train (warm-starting from the previous
 * fold) on the training window, then evaluate every agent, baseline and reference rule on the
 * unseen test window. Its result is plain data, so a chain can run in any process.
 */
import type { PriceFrame } from '@marlts/market-env';
import { sliceFrame } from '@marlts/market-env';
import type { CheckpointBundle } from '@marlts/rl-core';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import type { ProgressReporter } from '../progress.js';
import {
  type ActorPair,
  type AgentPair,
  heuristicLabel,
  LONG_ID,
  SHORT_ID,
  type TrainPoint,
  trainPair,
} from './agents.js';
import { type EvalResult, type EvalSeries, type EvalTrade, evaluatePair } from './evaluate.js';
import { assertNoOverlap, type Fold, foldsFor } from './folds.js';

/**
 * A fixed rule evaluated on every test window beside the learned agents, e.g. an oracle
 * that knows a synthetic market's planted signal. It trades in `slot` (the long or the
 * short agent's place, with that role's action rules, risk caps and costs) in a market of
 * its own with the same heuristic agents, and is reported under `name`.
 */
export interface ReferencePolicy {
  name: string;
  slot: 'long' | 'short';
  actor: NonNullable<ActorPair['long']>;
}

/**
 * One agent's out-of-sample result on one fold's test window (a learned agent, a heuristic,
 * a baseline or a reference rule), with that window's costs. Plain data (JSON-serialisable).
 */
export interface FoldSeries {
  /** Report name: `rl-long-0`, `heuristic:momentum`, `buy-and-hold`, a reference's name … */
  name: string;
  times: number[];
  equity: number[];
  /** Gross exposure per point; empty for the baselines. */
  exposure: number[];
  /** Σ of each asset's weight over the points; absent for the baselines. */
  weightSums?: number[];
  fees: number;
  impact: number;
  borrow: number;
  traded: number;
}

/**
 * What one (config, seed) walk-forward chain produces: per fold, every agent's test-window
 * series and costs; the learned agents' trades and learning curves; optionally the final
 * pair's checkpoint bundles. Plain data: it crosses process boundaries as JSON, and
 * {@link aggregateSeeds} turns several of them into a {@link WalkForwardResult}.
 */
export interface SeedChainResult {
  seed: number;
  folds: Fold[];
  /** `perFold[f]`: the agents' series on fold f's test window, in report order. */
  perFold: FoldSeries[][];
  trades: Array<EvalTrade & { fold: number }>;
  training: Array<TrainPoint & { fold: number }>;
  /** The pair after the last fold, when asked for (`checkpoints: true`). */
  checkpoints: { long: CheckpointBundle | null; short: CheckpointBundle | null } | null;
  /** Wall-clock seconds the chain took (the one field that differs between identical runs). */
  trainSeconds: number;
}

/**
 * Runs one seed's walk-forward chain: per fold, train (warm-starting from the previous
 * fold; the first fold with train.ppo/train.sac's budget) on the training window, then
 * evaluate every agent (and each reference rule) on the unseen test window. A function of
 * its inputs: the same (frame, config, seed, label) gives the same numbers in any process.
 * Returns the plain result and the trained pair (the caller disposes or keeps it).
 *
 * @example
 * const { result, pair } = await runSeedChain({ frame, barsPerYear: 252, config, seed: 1, label: 'seed 1/1' });
 * pair.long?.dispose(); pair.short?.dispose();
 */
export async function runSeedChain(options: {
  frame: PriceFrame;
  barsPerYear: number;
  config: AppConfig;
  seed: number;
  /** Prefix of the training labels, e.g. `seed 1/3`. */
  label: string;
  folds?: readonly Fold[];
  references?: readonly ReferencePolicy[];
  /** Also return the final pair as checkpoint bundles. */
  checkpoints?: boolean;
  progress?: ProgressReporter;
  signal?: AbortSignal;
}): Promise<{ result: SeedChainResult; pair: AgentPair }> {
  const { frame, config, seed } = options;
  const bt = config.backtest;
  const folds = options.folds ? [...options.folds] : foldsFor(frame, config);
  const perFold: FoldSeries[][] = [];
  const trades: SeedChainResult['trades'] = [];
  const training: SeedChainResult['training'] = [];
  const t0 = Date.now();
  let pair: AgentPair = { long: null, short: null };
  for (const fold of folds) {
    if (options.signal?.aborted) throw new AppError('INTERNAL', 'interrupted');
    assertNoOverlap([fold]);
    const first = fold.index === 0;
    pair = await trainPair({
      frame: sliceFrame(frame, fold.trainStart, fold.trainEnd),
      config,
      seed: seed + fold.index,
      ppoSteps: first ? config.train.ppo.totalTimesteps : bt.ppoSteps,
      sacSteps: first ? config.train.sac.totalTimesteps : bt.sacSteps,
      pair,
      ...(options.progress ? { progress: options.progress } : {}),
      label: `${options.label} fold ${fold.index + 1}/${folds.length}`,
      ...(options.signal ? { signal: options.signal } : {}),
      barsPerYear: options.barsPerYear,
      onTrainPoint: (p: TrainPoint) => training.push({ ...p, fold: fold.index }),
    });
    // An abort cuts training short and returns: those agents are not this chain's result.
    // (Callers see the abort on their signal and say what was interrupted.)
    if (options.signal?.aborted) throw new AppError('INTERNAL', 'interrupted');
    const window = { frame, start: fold.testStart, end: fold.testEnd, config, seed };
    const res: EvalResult = evaluatePair({ ...window, pair, barsPerYear: options.barsPerYear });
    const series: FoldSeries[] = [];
    for (const s of res.series) {
      const rep = res.reports.find((r) => r.agentId === s.id)!;
      series.push(agentSeries(s.id === LONG_ID || s.id === SHORT_ID ? s.id : heuristicLabel(s.id), s, rep));
    }
    for (const [name, eq, fees, traded] of [
      ['buy-and-hold', res.baselines.buyAndHold, res.baselines.feesBh, res.baselines.turnoverBh],
      ['equal-weight', res.baselines.equalWeight, res.baselines.feesEw, res.baselines.turnoverEw],
    ] as const) {
      series.push({
        name,
        times: [...res.times],
        equity: [...eq],
        exposure: [],
        fees,
        impact: 0,
        borrow: 0,
        traded,
      });
    }
    for (const t of res.trades) trades.push({ ...t, fold: fold.index });
    for (const ref of options.references ?? []) {
      const refPair =
        ref.slot === 'long' ? { long: ref.actor, short: null } : { long: null, short: ref.actor };
      const refRes = evaluatePair({ ...window, pair: refPair, barsPerYear: options.barsPerYear });
      const id = ref.slot === 'long' ? LONG_ID : SHORT_ID;
      const s = refRes.series.find((x) => x.id === id)!;
      series.push(agentSeries(ref.name, s, refRes.reports.find((r) => r.agentId === id)!));
    }
    perFold.push(series);
  }
  const checkpoints = options.checkpoints
    ? { long: pair.long?.save() ?? null, short: pair.short?.save() ?? null }
    : null;
  const trainSeconds = (Date.now() - t0) / 1000;
  return { result: { seed, folds, perFold, trades, training, checkpoints, trainSeconds }, pair };
}

function agentSeries(name: string, s: EvalSeries, rep: EvalResult['reports'][number]): FoldSeries {
  return {
    name,
    times: s.times,
    equity: s.equity,
    exposure: s.exposure,
    weightSums: s.weightSums,
    fees: rep.feesUsd,
    impact: rep.impactCostUsd,
    borrow: rep.borrowCostUsd,
    traded: rep.tradedNotionalUsd,
  };
}
