/**
 * Walk-forward evaluation: train on a rolling window, test on the following unseen
 * window, move forward by one test window (the retrain cadence, as in the live loop),
 * warm-starting the agents from the previous fold. Train and test windows never
 * overlap (asserted). Agents are reported beside buy-and-hold, equal-weight and each
 * heuristic agent, over several seeds, with fees, impact and borrow.
 */
import type { PriceFrame } from '@marlts/market-env';
import {
  computeMetrics,
  probabilisticSharpeRatio,
  sharpeDifferenceBootstrap,
  sliceFrame,
} from '@marlts/market-env';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import type { ProgressReporter } from '../progress.js';
import {
  type ActorPair,
  type AgentPair,
  type EvalResult,
  evaluatePair,
  heuristicLabel,
  LONG_ID,
  SHORT_ID,
  type TrainPoint,
  trainPair,
} from './agents.js';
import { barSpacingMs, retrainCadenceBars } from './cadence.js';

export interface Fold {
  index: number;
  /** Bars the agents train on: `[trainStart, trainEnd)`. */
  trainStart: number;
  trainEnd: number;
  /** Decision bars of the test `[testStart, testEnd)`; fills and marks run to `testEnd`. */
  testStart: number;
  testEnd: number;
}

/**
 * Splits `nBars` into walk-forward folds; keeps the last `maxFolds` (0 = all).
 *
 * @example
 * walkForwardFolds(1000, { trainBars: 500, testBars: 100, window: 10, maxFolds: 0 }).length; // 5
 */
export function walkForwardFolds(
  nBars: number,
  o: { trainBars: number; testBars: number; window: number; maxFolds: number },
): Fold[] {
  const folds: Fold[] = [];
  const minTrain = o.window + 8;
  if (o.trainBars < minTrain) {
    throw new AppError(
      'CONFIG',
      `backtest.trainBars ${o.trainBars} is too small for env.windowBars ${o.window}`,
      {
        field: 'backtest.trainBars',
      },
    );
  }
  for (let trainStart = 0; ; trainStart += o.testBars) {
    const trainEnd = trainStart + o.trainBars;
    const testStart = trainEnd;
    const testEnd = Math.min(testStart + o.testBars, nBars - 1);
    // A short last window (less than half the cadence) is dropped unless it is the only one.
    if (testEnd - testStart < 2 || (folds.length > 0 && testEnd - testStart < o.testBars / 2)) break;
    folds.push({ index: folds.length, trainStart, trainEnd, testStart, testEnd });
    if (testEnd >= nBars - 1) break;
  }
  if (folds.length === 0) {
    throw new AppError(
      'DATA',
      `not enough bars for a walk-forward backtest: ${nBars} bars, need trainBars ${o.trainBars} + at least 3 test bars`,
      { hint: 'use a longer file, or lower --train-bars / --test-bars' },
    );
  }
  const kept = o.maxFolds > 0 ? folds.slice(-o.maxFolds) : folds;
  assertNoOverlap(kept);
  return kept.map((f, i) => ({ ...f, index: i }));
}

/** Throws if any fold's training bars reach into its own (or an earlier fold's) test bars. */
export function assertNoOverlap(folds: readonly Fold[]): void {
  for (const f of folds) {
    if (f.trainEnd > f.testStart) {
      throw new Error(
        `walk-forward fold ${f.index}: training bars [${f.trainStart}, ${f.trainEnd}) overlap its test from ${f.testStart}`,
      );
    }
  }
  for (let i = 1; i < folds.length; i++) {
    if (folds[i]!.testStart < folds[i - 1]!.testEnd) {
      throw new Error(`walk-forward folds ${i - 1} and ${i}: test windows overlap`);
    }
  }
}

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
 * Runs the walk-forward backtest over `frame`.
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
}): Promise<WalkForwardResult> {
  const { frame, config } = options;
  const bt = config.backtest;
  const folds = walkForwardFolds(frame.nBars, {
    trainBars: bt.trainBars,
    testBars: bt.testBars ?? retrainCadenceBars(config, barSpacingMs(frame.times)),
    window: config.env.windowBars,
    maxFolds: bt.maxFolds,
  });
  const seeds = Array.from({ length: bt.seeds }, (_, i) => config.seed + i * 1000);
  const perSeed: Array<Map<string, AgentCurve>> = [];
  const trades: WalkForwardResult['trades'] = [];
  let finalPair: AgentPair = { long: null, short: null };
  const training: WalkForwardResult['training'] = [];
  const t0 = Date.now();
  for (const [si, seed] of seeds.entries()) {
    const curves = new Map<string, AgentCurve>();
    let pair: AgentPair = { long: null, short: null };
    for (const fold of folds) {
      if (options.signal?.aborted) throw new AppError('INTERNAL', 'interrupted');
      assertNoOverlap([fold]);
      const trainFrame = sliceFrame(frame, fold.trainStart, fold.trainEnd);
      const first = fold.index === 0;
      pair = await trainPair({
        frame: trainFrame,
        config,
        seed: seed + fold.index,
        ppoSteps: first ? config.train.ppo.totalTimesteps : bt.ppoSteps,
        sacSteps: first ? config.train.sac.totalTimesteps : bt.sacSteps,
        pair,
        ...(options.progress ? { progress: options.progress } : {}),
        label: `seed ${si + 1}/${seeds.length} fold ${fold.index + 1}/${folds.length}`,
        ...(options.signal ? { signal: options.signal } : {}),
        barsPerYear: options.barsPerYear,
        ...(si === 0 ? { onTrainPoint: (p: TrainPoint) => training.push({ ...p, fold: fold.index }) } : {}),
      });
      const res: EvalResult = evaluatePair({
        frame,
        start: fold.testStart,
        end: fold.testEnd,
        pair,
        config,
        seed,
        barsPerYear: options.barsPerYear,
      });
      for (const s of res.series) {
        const rep = res.reports.find((r) => r.agentId === s.id)!;
        const name = s.id === LONG_ID || s.id === SHORT_ID ? s.id : heuristicLabel(s.id);
        const c = chain(curves.get(name), s.times, s.equity, s.exposure, s.weightSums);
        c.fees += rep.feesUsd;
        c.impact += rep.impactCostUsd;
        c.borrow += rep.borrowCostUsd;
        c.traded += rep.tradedNotionalUsd;
        curves.set(name, c);
      }
      for (const [name, eq, fees, traded] of [
        ['buy-and-hold', res.baselines.buyAndHold, res.baselines.feesBh, res.baselines.turnoverBh],
        ['equal-weight', res.baselines.equalWeight, res.baselines.feesEw, res.baselines.turnoverEw],
      ] as const) {
        const c = chain(curves.get(name), res.times, [...eq], []);
        c.fees += fees;
        c.traded += traded;
        curves.set(name, c);
      }
      if (si === 0) for (const t of res.trades) trades.push(t);
      for (const ref of options.references ?? []) {
        const refRes = evaluatePair({
          frame,
          start: fold.testStart,
          end: fold.testEnd,
          pair: ref.slot === 'long' ? { long: ref.actor, short: null } : { long: null, short: ref.actor },
          config,
          seed,
          barsPerYear: options.barsPerYear,
        });
        const id = ref.slot === 'long' ? LONG_ID : SHORT_ID;
        const s = refRes.series.find((x) => x.id === id)!;
        const rep = refRes.reports.find((r) => r.agentId === id)!;
        const c = chain(curves.get(ref.name), s.times, s.equity, s.exposure, s.weightSums);
        c.fees += rep.feesUsd;
        c.impact += rep.impactCostUsd;
        c.borrow += rep.borrowCostUsd;
        c.traded += rep.tradedNotionalUsd;
        curves.set(ref.name, c);
      }
    }
    perSeed.push(curves);
    if (si === 0) finalPair = pair;
    else {
      pair.long?.dispose();
      pair.short?.dispose();
    }
  }
  // Aggregate over seeds.
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
          { length: frame.nAssets },
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
    const ms = all.map((c) => computeMetrics(c.equity, { barsPerYear: options.barsPerYear }));
    const avg = (f: (m: (typeof ms)[number]) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
    const sharpeMean = avg((m) => m.sharpe);
    const sharpeStd = Math.sqrt(
      ms.reduce((a, m) => a + (m.sharpe - sharpeMean) ** 2, 0) / Math.max(1, ms.length - 1),
    );
    const meanEquity = all.map((c) => c.equity.reduce((a, v) => a + v, 0) / c.equity.length);
    metrics.set(name, {
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
    });
  }
  return {
    folds,
    seeds,
    curves,
    metrics,
    meanWeights,
    significance: significanceVsEqualWeight(curves, options.barsPerYear, config.seed),
    training,
    trades,
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
