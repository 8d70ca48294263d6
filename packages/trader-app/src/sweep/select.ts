/**
 * Honest selection (nested walk-forward): configurations are ranked on the validation
 * folds only — the earlier `validationFolds` of each chain — by the long agent's
 * mean-over-seeds annualised Sharpe ratio there; the winner is then evaluated once on the
 * test folds that follow, which no ranking read. Ranking is computed from copies of the
 * results cut at the last validation fold, so it cannot see a test bar. The winner's
 * deflated Sharpe ratio (Bailey & López de Prado 2014) discounts its Sharpe by what the
 * best of that many trials would show by luck, from the variance of the trials' Sharpes.
 */
import { deflatedSharpeRatio, probabilisticSharpeRatio, returnMoments } from '@marlts/market-env';
import { LONG_ID } from '../engine/agents.js';
import type { SeedChainResult } from '../engine/seed-chain.js';
import { aggregateSeeds, type SeedAggregate } from '../engine/walk-forward.js';

/** What the configurations are ranked by, in words (the report prints it). */
export const SELECTION_CRITERION =
  "the long agent's (rl-long-0) annualised Sharpe ratio on the validation folds' out-of-sample bars, averaged over seeds (higher wins; ties go to the earlier configuration)";

/** The agent whose validation Sharpe ranks the configurations. */
export const SELECTION_AGENT = LONG_ID;

/** One configuration's validation standing. */
export interface RankedConfig {
  index: number;
  /** The criterion (NaN when the long agent has no curve). */
  score: number;
  /** Per-bar Sharpe of the long agent's seed-mean validation curve (DSR's trial Sharpe). */
  barSharpe: number;
  /** Every agent's validation metrics (seed means). */
  metrics: Record<string, Record<string, number>>;
}

/** The outcome of {@link selectConfig}. */
export interface SweepSelection {
  criterion: string;
  /** Configurations with every seed's result (those ranked): DSR's number of trials. */
  trials: number;
  /** Ranked configurations, best first. */
  ranking: RankedConfig[];
  winner: number;
  /** The winner's validation aggregate (the folds it was chosen on). */
  validation: SeedAggregate;
  /** The winner's test aggregate: its only evaluation on the test folds. */
  test: SeedAggregate;
  /** PSR and deflated Sharpe of the winner's long agent on validation and on test. */
  significance: {
    sharpeVariance: number;
    validationPsr: number;
    validationDsr: number;
    testPsr: number;
    testDsr: number;
  };
}

/**
 * The result cut at fold `folds`: what a ranking may read.
 *
 * @example
 * validationOnly(result, 2).perFold.length; // 2
 */
export function validationOnly(r: SeedChainResult, folds: number): SeedChainResult {
  return {
    seed: r.seed,
    folds: r.folds.slice(0, folds),
    perFold: r.perFold.slice(0, folds),
    trades: r.trades.filter((t) => t.fold < folds),
    training: r.training.filter((t) => t.fold < folds),
    checkpoints: null,
    trainSeconds: r.trainSeconds,
  };
}

function barReturns(equity: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < equity.length; i++) out.push(equity[i]! / equity[i - 1]! - 1);
  return out;
}

function longReturns(a: SeedAggregate): number[] {
  return barReturns(a.curves.get(SELECTION_AGENT)?.equity ?? []);
}

function plain(metrics: SeedAggregate['metrics']): Record<string, Record<string, number>> {
  return Object.fromEntries(metrics);
}

/**
 * Ranks the configurations on validation, evaluates the winner on test. `results` maps a
 * configuration index to its seeds' results (every seed done); undefined when none is.
 *
 * @example
 * const sel = selectConfig({ results, validationFolds: 2, testFolds: 1, barsPerYear: 252, nAssets: 10, significanceSeed: 1 });
 */
export function selectConfig(o: {
  results: ReadonlyMap<number, readonly SeedChainResult[]>;
  validationFolds: number;
  testFolds: number;
  barsPerYear: number;
  nAssets: number;
  significanceSeed: number;
}): SweepSelection | undefined {
  const agg = { barsPerYear: o.barsPerYear, nAssets: o.nAssets, significanceSeed: o.significanceSeed };
  const ranking: RankedConfig[] = [];
  const validation = new Map<number, SeedAggregate>();
  for (const [index, seeds] of o.results) {
    if (seeds.length === 0) continue;
    const v = aggregateSeeds(
      seeds.map((r) => validationOnly(r, o.validationFolds)),
      agg,
    );
    validation.set(index, v);
    const r = longReturns(v);
    ranking.push({
      index,
      score: v.metrics.get(SELECTION_AGENT)?.sharpe ?? Number.NaN,
      barSharpe: r.length >= 3 ? returnMoments(r).sharpe : Number.NaN,
      metrics: plain(v.metrics),
    });
  }
  if (ranking.length === 0) return undefined;
  ranking.sort((a, b) => {
    const sa = Number.isFinite(a.score) ? a.score : Number.NEGATIVE_INFINITY;
    const sb = Number.isFinite(b.score) ? b.score : Number.NEGATIVE_INFINITY;
    return sb - sa || a.index - b.index;
  });
  const winner = ranking[0]!.index;
  // The one look at the test folds: the winner's, after the choice.
  const total = o.validationFolds + o.testFolds;
  const test = aggregateSeeds(o.results.get(winner)!, { ...agg, from: o.validationFolds, to: total });
  const sharpes = ranking.map((r) => r.barSharpe).filter(Number.isFinite);
  const mean = sharpes.reduce((a, s) => a + s, 0) / Math.max(1, sharpes.length);
  const sharpeVariance =
    sharpes.length > 1 ? sharpes.reduce((a, s) => a + (s - mean) ** 2, 0) / (sharpes.length - 1) : 0;
  const trials = ranking.length;
  const psr = (r: number[]) => (r.length >= 3 ? probabilisticSharpeRatio(r) : Number.NaN);
  const dsr = (r: number[]) =>
    r.length >= 3 ? deflatedSharpeRatio(r, { trials, sharpeVariance }) : Number.NaN;
  const vr = longReturns(validation.get(winner)!);
  const tr = longReturns(test);
  return {
    criterion: SELECTION_CRITERION,
    trials,
    ranking,
    winner,
    validation: validation.get(winner)!,
    test,
    significance: {
      sharpeVariance,
      validationPsr: psr(vr),
      validationDsr: dsr(vr),
      testPsr: psr(tr),
      testDsr: dsr(tr),
    },
  };
}
