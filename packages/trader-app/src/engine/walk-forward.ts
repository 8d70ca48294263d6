/**
 * Walk-forward evaluation: the folds ({@link foldsFor}) of each seed's chain
 * ({@link runSeedChain}: train on a rolling window, test on the following unseen one,
 * warm-starting fold to fold) are run here or on a process pool, then aggregated over seeds:
 * every agent beside buy-and-hold, equal-weight and each heuristic agent, with fees, impact,
 * borrow, and the significance of each learned agent's edge over equal-weight.
 */
import type { PriceFrame } from '@marlts/market-env';
import { computeMetrics, probabilisticSharpeRatio, sharpeDifferenceBootstrap } from '@marlts/market-env';
import type { Ppo, Sac } from '@marlts/rl-core';
import type { AppConfig } from '../config.js';
import type { ProgressReporter } from '../progress.js';
import { type AgentPair, loadLearner, type TrainPoint } from './agents.js';
import { backtestSeeds, type Fold, foldsFor } from './folds.js';
import { type ReferencePolicy, runSeedChain, type SeedChainResult } from './seed-chain.js';

/** One agent's chained out-of-sample result over all folds for one seed. */
interface AgentCurve {
  times: number[];
  equity: number[];
  exposure: number[];
  fees: number;
  impact: number;
  borrow: number;
  traded: number;
  /** Σ of each asset's weight over the recorded points, and how many points. */
  weightSums: number[];
  weightPoints: number;
}

export interface WalkForwardResult {
  folds: Fold[];
  seeds: number[];
  /** Mean-over-seeds out-of-sample equity per agent (learned, heuristic, baselines). */
  curves: Map<string, { times: number[]; equity: number[]; exposure: number[] }>;
  /** Metrics per agent, averaged over seeds, with sd of Sharpe. */
  metrics: Map<string, Record<string, number>>;
  /** Each agent's mean weight per symbol (frame order) over the test bars and seeds (learned agents, references and heuristics). */
  meanWeights: Map<string, number[]>;
  /**
   * Is an agent's Sharpe better than equal-weight's by more than luck? Per agent (not the
   * baselines), on the seed-mean out-of-sample curve: the probabilistic Sharpe ratio against 0
   * and a paired block-bootstrap 95 % interval of the annualised Sharpe difference.
   */
  significance: Map<string, AgentSignificance>;
  /** The learned agents' learning curves (first seed, every fold). */
  training: Array<TrainPoint & { fold: number }>;
  trades: Array<{ agentId: string; t: number; symbol: string; qty: number; price: number }>;
  /** The trained pair of the first seed, after the last fold (for checkpoints). */
  finalPair: AgentPair;
  budget: { initialPpo: number; initialSac: number; foldPpo: number; foldSac: number; trainSeconds: number };
}

function chain(
  curve: AgentCurve | undefined,
  times: number[],
  equity: number[],
  exposure: number[],
  weightSums?: readonly number[],
): AgentCurve {
  const c = curve ?? {
    times: [],
    equity: [],
    exposure: [],
    fees: 0,
    impact: 0,
    borrow: 0,
    traded: 0,
    weightSums: [],
    weightPoints: 0,
  };
  if (weightSums) {
    for (let n = 0; n < weightSums.length; n++) c.weightSums[n] = (c.weightSums[n] ?? 0) + weightSums[n]!;
    c.weightPoints += times.length;
  }
  const scale = c.equity.length === 0 ? 1 : c.equity.at(-1)! / equity[0]!;
  // The first point of a fold is the last point of the previous one: skip it.
  const from = c.equity.length === 0 ? 0 : 1;
  for (let i = from; i < equity.length; i++) {
    c.times.push(times[i]!);
    c.equity.push(equity[i]! * scale);
    c.exposure.push(exposure[i] ?? 0);
  }
  return c;
}

/** Significance of one agent's out-of-sample Sharpe (see {@link WalkForwardResult.significance}). */
export interface AgentSignificance {
  /** P(true Sharpe > 0). */
  psr: number;
  /** Annualised Sharpe minus equal-weight's, with its bootstrap 95 % interval. */
  edge: number;
  edgeLow: number;
  edgeHigh: number;
  /** The interval lies above 0. */
  significant: boolean;
}

function barReturns(equity: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < equity.length; i++) out.push(equity[i]! / equity[i - 1]! - 1);
  return out;
}

/** Significance of every non-baseline curve against equal-weight's. */
function significanceVsEqualWeight(
  curves: WalkForwardResult['curves'],
  barsPerYear: number,
  seed: number,
): Map<string, AgentSignificance> {
  const out = new Map<string, AgentSignificance>();
  const ew = curves.get('equal-weight');
  if (!ew) return out;
  const base = barReturns(ew.equity);
  for (const [name, c] of curves) {
    if (name === 'equal-weight' || name === 'buy-and-hold') continue;
    const r = barReturns(c.equity);
    const n = Math.min(r.length, base.length);
    if (n < 3) continue;
    const d = sharpeDifferenceBootstrap(r.slice(0, n), base.slice(0, n), {
      barsPerYear,
      seed,
      resamples: 2000,
    });
    out.set(name, {
      psr: probabilisticSharpeRatio(r.slice(0, n)),
      edge: d.difference,
      edgeLow: d.lower,
      edgeHigh: d.upper,
      significant: d.lower > 0,
    });
  }
  return out;
}

/** What {@link aggregateSeeds} builds: a walk-forward result without the trained pair and budget. */
export type SeedAggregate = Omit<WalkForwardResult, 'finalPair' | 'budget'>;

/**
 * Chains each seed's folds `[from, to)` into one out-of-sample curve per agent and averages
 * over seeds: mean curves, metrics (with sd of Sharpe), mean weights and significance
 * against equal-weight; trades and learning curves are the first seed's. The sweep calls
 * it on the validation folds and on the test folds separately.
 *
 * @example
 * const all = aggregateSeeds(results, { barsPerYear: 252, nAssets: 10, significanceSeed: 1 });
 */
export function aggregateSeeds(
  results: readonly SeedChainResult[],
  o: { barsPerYear: number; nAssets: number; significanceSeed: number; from?: number; to?: number },
): SeedAggregate {
  if (results.length === 0) throw new Error('aggregateSeeds: no seed results');
  const from = o.from ?? 0;
  const to = o.to ?? results[0]!.folds.length;
  const perSeed = results.map((r) => {
    const curves = new Map<string, AgentCurve>();
    for (let f = from; f < to; f++) {
      for (const s of r.perFold[f]!) {
        const c = chain(curves.get(s.name), s.times, s.equity, s.exposure, s.weightSums);
        c.fees += s.fees;
        c.impact += s.impact;
        c.borrow += s.borrow;
        c.traded += s.traded;
        curves.set(s.name, c);
      }
    }
    return curves;
  });
  const curves: WalkForwardResult['curves'] = new Map();
  const metrics: WalkForwardResult['metrics'] = new Map();
  const meanWeights: WalkForwardResult['meanWeights'] = new Map();
  for (const name of perSeed[0]!.keys()) {
    const all = perSeed.map((m) => m.get(name)!);
    if (all[0]!.weightPoints > 0) {
      const points = all.reduce((a, c) => a + c.weightPoints, 0);
      meanWeights.set(
        name,
        Array.from(
          { length: o.nAssets },
          (_, n) => all.reduce((a, c) => a + (c.weightSums[n] ?? 0), 0) / points,
        ),
      );
    }
    const len = Math.min(...all.map((c) => c.equity.length));
    const mean = (f: (c: AgentCurve, i: number) => number) =>
      Array.from({ length: len }, (_, i) => all.reduce((a, c) => a + f(c, i), 0) / all.length);
    curves.set(name, {
      times: all[0]!.times.slice(0, len),
      equity: mean((c, i) => c.equity[i]!),
      exposure: all[0]!.exposure.length ? mean((c, i) => c.exposure[i] ?? 0) : [],
    });
    metrics.set(name, seedMeanMetrics(all, o.barsPerYear));
  }
  const inRange = (x: { fold: number }) => x.fold >= from && x.fold < to;
  return {
    folds: results[0]!.folds.slice(from, to),
    seeds: results.map((r) => r.seed),
    curves,
    metrics,
    meanWeights,
    significance: significanceVsEqualWeight(curves, o.barsPerYear, o.significanceSeed),
    training: results[0]!.training.filter(inRange),
    trades: results[0]!.trades.filter(inRange).map(({ fold: _, ...t }) => t),
  };
}

/** Metrics per seed's chained curve, averaged over seeds (sd of Sharpe when there are several). */
function seedMeanMetrics(all: readonly AgentCurve[], barsPerYear: number): Record<string, number> {
  const ms = all.map((c) => computeMetrics(c.equity, { barsPerYear }));
  const avg = (f: (m: (typeof ms)[number]) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
  const sharpeMean = avg((m) => m.sharpe);
  const sharpeStd = Math.sqrt(
    ms.reduce((a, m) => a + (m.sharpe - sharpeMean) ** 2, 0) / Math.max(1, ms.length - 1),
  );
  const meanEquity = all.map((c) => c.equity.reduce((a, v) => a + v, 0) / c.equity.length);
  return {
    totalReturn: avg((m) => m.totalReturn),
    annualReturn: avg((m) => m.annualizedReturn),
    sharpe: sharpeMean,
    ...(ms.length > 1 ? { sharpeStd } : {}),
    sortino: avg((m) => m.sortino),
    maxDrawdown: avg((m) => m.maxDrawdown),
    calmar: avg((m) => m.calmar),
    turnover: all.reduce((a, c, i) => a + c.traded / meanEquity[i]!, 0) / all.length,
    fees: all.reduce((a, c) => a + c.fees, 0) / all.length,
    impact: all.reduce((a, c) => a + c.impact, 0) / all.length,
    borrow: all.reduce((a, c) => a + c.borrow, 0) / all.length,
    seeds: all.length,
  };
}

/**
 * Runs the seeds' chains somewhere else (e.g. on the local process pool) and returns their
 * results in seed order, the first with its final pair's checkpoints.
 */
export type SeedChainRunner = (
  jobs: ReadonlyArray<{ seed: number; label: string; checkpoints: boolean }>,
) => Promise<SeedChainResult[]>;

/**
 * Runs the walk-forward backtest over `frame`: each seed's chain ({@link runSeedChain}) in
 * this process one after another, or through `runChains` (a process pool), then
 * {@link aggregateSeeds}. Both give the same numbers. Reference rules are functions, so they
 * only run in this process.
 *
 * @example
 * const wf = await runWalkForward({ frame, barsPerYear: 252, config });
 */
export async function runWalkForward(options: {
  frame: PriceFrame;
  barsPerYear: number;
  config: AppConfig;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  keepPair?: boolean;
  /** Reference rules reported beside the agents (see {@link ReferencePolicy}). */
  references?: readonly ReferencePolicy[];
  /** Where the seeds' chains run (default: here, one after another). */
  runChains?: SeedChainRunner;
  /** Names this run in progress lines, before `seed i/n` (which is left out for one seed). */
  label?: string;
}): Promise<WalkForwardResult> {
  const { frame, config } = options;
  const folds = foldsFor(frame, config);
  const seeds = backtestSeeds(config);
  const labels = seeds.map((_, si) => {
    const seedLabel = `seed ${si + 1}/${seeds.length}`;
    if (options.label === undefined) return seedLabel;
    return seeds.length > 1 ? `${options.label} ${seedLabel}` : options.label;
  });
  const t0 = Date.now();
  const results: SeedChainResult[] = [];
  let finalPair: AgentPair = { long: null, short: null };
  if (options.runChains && !options.references?.length) {
    results.push(
      ...(await options.runChains(
        seeds.map((seed, si) => ({ seed, label: labels[si]!, checkpoints: si === 0 })),
      )),
    );
    const cp = results[0]!.checkpoints;
    finalPair = {
      long: cp?.long ? (loadLearner('ppo', cp.long, 'seed 1 long checkpoint') as Ppo) : null,
      short: cp?.short ? (loadLearner('sac', cp.short, 'seed 1 short checkpoint') as Sac) : null,
    };
  } else {
    for (const [si, seed] of seeds.entries()) {
      const { result, pair } = await runSeedChain({
        frame,
        barsPerYear: options.barsPerYear,
        config,
        seed,
        label: labels[si]!,
        folds,
        ...(options.references ? { references: options.references } : {}),
        ...(options.progress ? { progress: options.progress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      results.push(result);
      if (si === 0) finalPair = pair;
      else {
        pair.long?.dispose();
        pair.short?.dispose();
      }
    }
  }
  const bt = config.backtest;
  return {
    ...aggregateSeeds(results, {
      barsPerYear: options.barsPerYear,
      nAssets: frame.nAssets,
      significanceSeed: config.seed,
    }),
    finalPair,
    budget: {
      initialPpo: config.train.ppo.totalTimesteps,
      initialSac: config.train.sac.totalTimesteps,
      foldPpo: bt.ppoSteps,
      foldSac: bt.sacSteps,
      trainSeconds: Math.round((Date.now() - t0) / 1000),
    },
  };
}
