/**
 * The learnability benchmark: an RL trader's first sanity check. Plant a signal in a
 * synthetic market (momentum, reversal, a persistent winner and loser, or nothing at all),
 * run the same walk-forward backtest `marlts backtest` runs, and compare each learned
 * agent with an oracle that knows the planted rule and with the baselines, out of sample
 * and after costs. Goals are the ones of issue #13 (see {@link GOAL_TEXT}).
 */
import {
  expectedLogReturns,
  generateSyntheticFrame,
  parseSyntheticOptions,
  type SyntheticConfig,
  type SyntheticOptions,
} from '@marlts/market-env';
import type { AppConfig } from '../config.js';
import type { ProgressReporter } from '../progress.js';
import type { Actor } from './agents.js';
import { LONG_ID, SHORT_ID } from './agents.js';
import { runWalkForward, type WalkForwardResult } from './walk-forward.js';

/** The checks a planted market can carry. */
export type LearnabilityGoalKind =
  | 'long-vs-oracle'
  | 'long-vs-equal-weight'
  | 'long-overweights-winner'
  | 'short-shorts-loser'
  | 'short-profits'
  | 'long-costs';

/** What each goal asks, in words (the report prints these). */
export const GOAL_TEXT: Record<LearnabilityGoalKind, string> = {
  'long-vs-oracle': "long agent's Sharpe ≥ 50 % of the long oracle's",
  'long-vs-equal-weight': "long agent's Sharpe ≥ equal-weight's + 0.5",
  'long-overweights-winner':
    'long agent holds the planted winner above its average holding and makes ≥ 30 % of the long oracle’s return',
  'short-shorts-loser':
    'short agent is shortest the planted loser and makes ≥ 30 % of the short oracle’s return',
  'short-profits': 'short agent makes money',
  'long-costs': "long agent's fees + impact ≤ 3 × equal-weight's",
};

/** A synthetic market with a planted signal and the goals a learner must reach on it. */
export interface PlantedMarket {
  name: string;
  description: string;
  synthetic: SyntheticOptions;
  goals: readonly LearnabilityGoalKind[];
  /** Index of the planted winner / loser, for the winner-loser goals. */
  winner?: number;
  loser?: number;
}

const BARS_PER_YEAR = 252;

/** Annualised GBM parameters for a daily volatility (in %) and a mean daily log return (in %). */
function daily(volPct: number, meanLogPct = 0): { volatility: number; drift: number } {
  const volatility = (volPct / 100) * Math.sqrt(BARS_PER_YEAR);
  // drift − σ²/2 is the mean log return per year.
  return { volatility, drift: (meanLogPct / 100) * BARS_PER_YEAR + (volatility * volatility) / 2 };
}

function winnerLoserDrifts(nAssets: number, volPct: number, edgePct: number): number[] {
  return Array.from({ length: nAssets }, (_, n) =>
    n === 0 ? daily(volPct, edgePct).drift : n === 1 ? daily(volPct, -edgePct).drift : daily(volPct).drift,
  );
}

/**
 * The benchmark's markets: 10 daily assets over 2,500 bars (about ten years), as in the
 * measurements of issue #13. Generator seeds are fixed so every run sees the same prices;
 * benchmark seed i draws its path with the generator seed + 101 · i.
 */
export const PLANTED_MARKETS: readonly PlantedMarket[] = [
  {
    name: 'momentum',
    description: 'AR(1) momentum φ = 0.3, 1.5 % daily vol, no drift',
    synthetic: { nAssets: 10, nBars: 2500, seed: 1301, autocorrelation: 0.3, ...daily(1.5) },
    goals: ['long-vs-oracle', 'long-vs-equal-weight'],
  },
  {
    name: 'reversal',
    description: 'AR(1) reversal φ = −0.25, 1.0 % daily vol, no drift',
    synthetic: { nAssets: 10, nBars: 2500, seed: 1302, autocorrelation: -0.25, ...daily(1.0) },
    goals: ['long-vs-oracle', 'long-vs-equal-weight'],
  },
  {
    name: 'winner-loser',
    description: 'one asset +0.15 %/day, one −0.15 %/day, eight driftless; 1.5 % daily vol',
    synthetic: {
      nAssets: 10,
      nBars: 2500,
      seed: 1303,
      volatility: daily(1.5).volatility,
      drifts: winnerLoserDrifts(10, 1.5, 0.15),
    },
    goals: ['long-overweights-winner', 'short-shorts-loser', 'short-profits'],
    winner: 0,
    loser: 1,
  },
  {
    name: 'noise',
    description: 'pure noise: no drift, no autocorrelation, 1.5 % daily vol',
    synthetic: { nAssets: 10, nBars: 2500, seed: 1304, ...daily(1.5) },
    goals: ['long-costs'],
  },
];

/**
 * The oracle of a planted market: it knows the generator's rule and so each asset's
 * expected next log return m, from the closes up to the decision bar. Long: weights
 * ∝ max(0, m), fully invested when any m > 0. Short: book weights ∝ max(0, −m) (sold short
 * × the gross limit). Its weights then go through the same action rules, risk caps and costs
 * as the agent's.
 *
 * @example
 * const oracle = oracleActor(parseSyntheticOptions(market.synthetic), 'long');
 * oracle.predict(obs, { frame, t }); // raw target weights
 */
export function oracleActor(synthetic: SyntheticConfig, slot: 'long' | 'short'): Actor {
  const N = synthetic.nAssets;
  const m = new Float64Array(N);
  const out = new Float32Array(N);
  return {
    predict(_obs, context) {
      const { frame, t } = context ?? {};
      if (!frame || t === undefined || t < 1)
        throw new Error('oracleActor: needs the frame and the decision bar t ≥ 1');
      expectedLogReturns(synthetic, frame.close.subarray((t - 1) * N, (t + 1) * N), m);
      let sum = 0;
      for (let n = 0; n < N; n++) {
        out[n] = Math.max(slot === 'long' ? m[n]! : -m[n]!, 0);
        sum += out[n]!;
      }
      const scale = sum > 0 ? 1 / sum : 0;
      for (let n = 0; n < N; n++) out[n] = out[n]! * scale;
      return out;
    },
  };
}

/** One agent's out-of-sample figures on one market (means over seeds). */
export interface LearnabilityAgentResult {
  totalReturn: number;
  sharpe: number;
  turnover: number;
  fees: number;
  impact: number;
  /** Mean weight per asset over the test bars. */
  meanWeights?: number[];
  /**
   * Each price path's own return and Sharpe (in seed order): a mean over paths can hide
   * one that lost. Set on every market result (one entry per path, even for one path).
   */
  paths?: Array<{ totalReturn: number; sharpe: number }>;
}

/** One goal's verdict. */
export interface LearnabilityGoalResult {
  goal: LearnabilityGoalKind;
  text: string;
  value: number;
  threshold: number;
  passed: boolean;
}

/** Everything measured on one planted market. */
export interface LearnabilityMarketResult {
  name: string;
  description: string;
  agents: Record<string, LearnabilityAgentResult>;
  goals: LearnabilityGoalResult[];
  trainSeconds: number;
}

/** The benchmark's outcome. */
export interface LearnabilityReport {
  markets: LearnabilityMarketResult[];
  passed: number;
  failed: number;
  seeds: number;
  folds: number;
  /** The per-path training budgets; `trainSeconds` is the total over every market and path. */
  budget: WalkForwardResult['budget'];
}

const ORACLE_LONG = 'oracle-long';
const ORACLE_SHORT = 'oracle-short';

function agentResult(wf: WalkForwardResult, name: string): LearnabilityAgentResult {
  const m = wf.metrics.get(name);
  if (!m) throw new Error(`learnability: no metrics for ${name}`);
  const w = wf.meanWeights.get(name);
  return {
    totalReturn: m.totalReturn!,
    sharpe: m.sharpe!,
    turnover: m.turnover!,
    fees: m.fees!,
    impact: m.impact ?? 0,
    ...(w ? { meanWeights: w } : {}),
  };
}

/** Seed i's price path is drawn with the market's generator seed + i × this. */
const PATH_SEED_STRIDE = 101;

/** Each agent's figures averaged over the seeds' price paths (every seed reports every agent). */
function meanOverSeeds(
  perSeed: ReadonlyArray<Record<string, LearnabilityAgentResult>>,
): Record<string, LearnabilityAgentResult> {
  const out: Record<string, LearnabilityAgentResult> = {};
  const n = perSeed.length;
  for (const name of Object.keys(perSeed[0]!)) {
    const all = perSeed.map((a) => a[name]!);
    const mean = (f: (a: LearnabilityAgentResult) => number) => all.reduce((s, a) => s + f(a), 0) / n;
    const w = all[0]!.meanWeights;
    out[name] = {
      totalReturn: mean((a) => a.totalReturn),
      sharpe: mean((a) => a.sharpe),
      turnover: mean((a) => a.turnover),
      fees: mean((a) => a.fees),
      impact: mean((a) => a.impact),
      ...(w ? { meanWeights: w.map((_, i) => mean((a) => a.meanWeights![i]!)) } : {}),
      paths: all.map((a) => ({ totalReturn: a.totalReturn, sharpe: a.sharpe })),
    };
  }
  return out;
}

function judge(
  market: PlantedMarket,
  agents: Record<string, LearnabilityAgentResult>,
): LearnabilityGoalResult[] {
  const long = agents[LONG_ID];
  const short = agents[SHORT_ID];
  const ew = agents['equal-weight']!;
  const oLong = agents[ORACLE_LONG]!;
  const oShort = agents[ORACLE_SHORT]!;
  const goal = (g: LearnabilityGoalKind, value: number, threshold: number): LearnabilityGoalResult => ({
    goal: g,
    text: GOAL_TEXT[g],
    value,
    threshold,
    passed: Number.isFinite(value) && value >= threshold,
  });
  const missing = (g: LearnabilityGoalKind) => goal(g, Number.NaN, 0);
  const out: LearnabilityGoalResult[] = [];
  for (const g of market.goals) {
    switch (g) {
      case 'long-vs-oracle':
        out.push(long ? goal(g, long.sharpe, 0.5 * oLong.sharpe) : missing(g));
        break;
      case 'long-vs-equal-weight':
        out.push(long ? goal(g, long.sharpe, ew.sharpe + 0.5) : missing(g));
        break;
      case 'long-overweights-winner': {
        const w = long?.meanWeights;
        const i = market.winner ?? 0;
        const avg = w ? w.reduce((a, v) => a + v, 0) / w.length : 0;
        // Both halves must hold: report the weaker one as the value (≥ 0 passes).
        const tilt = w ? w[i]! - avg : Number.NaN;
        const capture = long ? long.totalReturn - 0.3 * oLong.totalReturn : Number.NaN;
        out.push(goal(g, Math.min(tilt, capture), 0));
        break;
      }
      case 'short-shorts-loser': {
        const w = short?.meanWeights;
        const i = market.loser ?? 1;
        const shortest = w ? w[i]! <= Math.min(...w) + 1e-12 : false;
        const capture = short ? short.totalReturn - 0.3 * oShort.totalReturn : Number.NaN;
        out.push(goal(g, shortest ? capture : Number.NEGATIVE_INFINITY, 0));
        break;
      }
      case 'short-profits':
        out.push(short ? goal(g, short.totalReturn, Number.MIN_VALUE) : missing(g));
        break;
      case 'long-costs':
        // Lower is better: compare the allowance left, value = 3×EW − agent (≥ 0 passes).
        out.push(long ? goal(g, 3 * (ew.fees + ew.impact) - (long.fees + long.impact), 0) : missing(g));
        break;
    }
  }
  return out;
}

/**
 * Runs the learnability benchmark: for each planted market, the app's walk-forward
 * backtest with `config` (its budgets, network and reward), the oracles beside it, and
 * the goals' verdicts.
 *
 * @example
 * const report = await runLearnability({ config, seeds: 3, folds: 9 });
 * report.failed; // 0 when every goal is met
 */
export async function runLearnability(options: {
  config: AppConfig;
  markets?: readonly PlantedMarket[];
  seeds: number;
  folds: number;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  onMarket?: (result: LearnabilityMarketResult) => void;
}): Promise<LearnabilityReport> {
  const markets = options.markets ?? PLANTED_MARKETS;
  const results: LearnabilityMarketResult[] = [];
  let budget: WalkForwardResult['budget'] | undefined;
  for (const market of markets) {
    // Each seed draws its own price path from the planted generator and trains its own agents:
    // one path's luck (a loser that happens to rally over the test bars) is not the verdict.
    const perSeed: Array<Record<string, LearnabilityAgentResult>> = [];
    let trainSeconds = 0;
    for (let s = 0; s < options.seeds; s++) {
      const synthetic = parseSyntheticOptions({
        ...market.synthetic,
        seed: (market.synthetic.seed ?? 0) + s * PATH_SEED_STRIDE,
        barsPerYear: BARS_PER_YEAR,
      });
      const config: AppConfig = {
        ...options.config,
        seed: options.config.seed + s * 1000,
        backtest: { ...options.config.backtest, seeds: 1, maxFolds: options.folds },
      };
      const wf = await runWalkForward({
        frame: generateSyntheticFrame(synthetic),
        barsPerYear: BARS_PER_YEAR,
        config,
        label: `${market.name} path ${s + 1}/${options.seeds}`,
        ...(options.progress ? { progress: options.progress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        references: [
          { name: ORACLE_LONG, slot: 'long', actor: oracleActor(synthetic, 'long') },
          { name: ORACLE_SHORT, slot: 'short', actor: oracleActor(synthetic, 'short') },
        ],
      });
      wf.finalPair.long?.dispose();
      wf.finalPair.short?.dispose();
      budget = wf.budget;
      trainSeconds += wf.budget.trainSeconds;
      const agents: Record<string, LearnabilityAgentResult> = {};
      for (const name of wf.metrics.keys()) agents[name] = agentResult(wf, name);
      perSeed.push(agents);
      if (options.signal?.aborted) break;
    }
    const agents = meanOverSeeds(perSeed);
    const result: LearnabilityMarketResult = {
      name: market.name,
      description: market.description,
      agents,
      goals: judge(market, agents),
      trainSeconds,
    };
    results.push(result);
    options.onMarket?.(result);
  }
  const all = results.flatMap((r) => r.goals);
  return {
    markets: results,
    passed: all.filter((g) => g.passed).length,
    failed: all.filter((g) => !g.passed).length,
    seeds: options.seeds,
    folds: options.folds,
    budget: { ...budget!, trainSeconds: results.reduce((s, r) => s + r.trainSeconds, 0) },
  };
}
