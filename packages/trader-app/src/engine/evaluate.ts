/**
 * Evaluation of a trained pair: every agent (learned, heuristic and the baselines) steps
 * together over unseen bars; equity, exposure, holdings, trades and costs are recorded for
 * the walk-forward, the retrain holdout and the reports.
 */
import { type AgentReport, MarketEnv, type PriceFrame, sliceFrame } from '@marlts/market-env';
import type { AppConfig } from '../config.js';
import { type ActorPair, LONG_ID, marketOptions, policyWeights, SHORT_ID } from './agents.js';

export interface EvalSeries {
  id: string;
  /** Bar start times of each equity point. */
  times: number[];
  equity: number[];
  /** Gross exposure Σ|w| at each point. */
  exposure: number[];
  /** Σ over the points of each asset's weight (divide by `times.length` for the mean holding). */
  weightSums: number[];
}

export interface EvalTrade {
  agentId: string;
  t: number;
  symbol: string;
  qty: number;
  price: number;
}

export interface EvalResult {
  reports: AgentReport[];
  series: EvalSeries[];
  trades: EvalTrade[];
  baselines: {
    buyAndHold: number[];
    equalWeight: number[];
    feesBh: number;
    feesEw: number;
    turnoverBh: number;
    turnoverEw: number;
  };
  times: number[];
}

/**
 * Runs every agent over the bars `[start, end]` of `frame` (decisions on start … end−1):
 * the learned agents act deterministically. Only the `window` bars before `start` are
 * read, for the first observation.
 */
export function evaluatePair(options: {
  frame: PriceFrame;
  start: number;
  end: number;
  pair: ActorPair;
  config: AppConfig;
  seed: number;
  barsPerYear?: number;
}): EvalResult {
  const { frame, config, pair } = options;
  const W = config.env.windowBars;
  const from = options.start - W;
  if (from < 0) throw new Error(`evaluatePair: start ${options.start} needs ${W} bars of history`);
  const sub = sliceFrame(frame, from, options.end + 1);
  const env = new MarketEnv(
    marketOptions(sub, config, {
      seed: options.seed,
      episodeLength: null,
      randomStart: false,
      startIndex: W,
      ...(options.barsPerYear !== undefined ? { barsPerYear: options.barsPerYear } : {}),
    }),
  );
  const N = sub.nAssets;
  const dim = env.obsDim;
  const iLong = env.agentIndex(LONG_ID);
  const iShort = env.agentIndex(SHORT_ID);
  const learnedOrder = env.learnedAgentIds;
  const actions = new Float64Array(learnedOrder.length * N);
  let b = env.resetArrays({ seed: options.seed, startIndex: W });
  const ids = env.agentIds;
  const series: EvalSeries[] = ids.map((id) => ({
    id,
    times: [],
    equity: [],
    exposure: [],
    weightSums: new Array<number>(N).fill(0),
  }));
  const trades: EvalTrade[] = [];
  const record = () => {
    const t = env.t;
    for (let a = 0; a < ids.length; a++) {
      const st = env.agentState(ids[a]!);
      let gross = 0;
      const sums = series[a]!.weightSums;
      for (let n = 0; n < N; n++) {
        gross += Math.abs(st.weights[n]!);
        sums[n] = sums[n]! + st.weights[n]!;
      }
      series[a]!.times.push(sub.times[t]!);
      series[a]!.equity.push(b.values[a]!);
      series[a]!.exposure.push(gross);
    }
  };
  record();
  let prevShares = new Map(learnedOrder.map((id) => [id, env.agentState(id).shares]));
  while (!env.done) {
    const context = { frame: sub, t: env.t };
    const long = policyWeights(
      pair.long,
      'long',
      b.obs.subarray(iLong * dim, (iLong + 1) * dim),
      N,
      1,
      context,
    );
    const short = policyWeights(
      pair.short,
      'short',
      b.obs.subarray(iShort * dim, (iShort + 1) * dim),
      N,
      config.env.shortGrossLimit,
      context,
    );
    for (let k = 0; k < learnedOrder.length; k++) {
      const w = learnedOrder[k] === LONG_ID ? long : short;
      for (let n = 0; n < N; n++) actions[k * N + n] = w[n]!;
    }
    b = env.stepArrays(actions);
    // Fills happen at the open of the new current bar.
    const t = env.t;
    const next = new Map<string, Float64Array>();
    for (const id of learnedOrder) {
      const shares = env.agentState(id).shares;
      const before = prevShares.get(id)!;
      for (let n = 0; n < N; n++) {
        const dq = shares[n]! - before[n]!;
        if (Math.abs(dq) > 1e-9) {
          trades.push({
            agentId: id,
            t: sub.times[t]!,
            symbol: sub.symbols[n]!,
            qty: dq,
            price: sub.open[t * N + n]!,
          });
        }
      }
      next.set(id, shares);
    }
    prevShares = next;
    record();
  }
  const base = env.baselines();
  return {
    reports: env.reports(),
    series,
    trades,
    baselines: {
      buyAndHold: [...base.buyAndHold.equity],
      equalWeight: [...base.equalWeight.equity],
      feesBh: base.buyAndHold.feesUsd,
      feesEw: base.equalWeight.feesUsd,
      turnoverBh: base.buyAndHold.tradedNotionalUsd,
      turnoverEw: base.equalWeight.tradedNotionalUsd,
    },
    times: series[0]!.times,
  };
}

/** Total return of a learned agent over a window: the score used to promote a challenger. */
export function scoreAgent(result: EvalResult, agentId: string): number {
  const r = result.reports.find((x) => x.agentId === agentId);
  return r ? r.totalReturn : Number.NEGATIVE_INFINITY;
}
