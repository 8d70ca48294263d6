/**
 * What an episode cost and earned, per agent: the running totals of fees, impact, borrow
 * and traded notional, the equity curve, and the reports built from them
 * (`MarketEnv.report`, `MarketEnv.baselines`).
 */
import type { AgentKind } from './agents.js';
import { type BaselineResults, runBaselines } from './baselines.js';
import type { AgentReport } from './env-types.js';
import type { StepCosts } from './market.js';
import { computeMetrics } from './metrics.js';
import type { PriceFrame } from './types.js';

/**
 * @internal Totals and equity curve of the current episode, one row per agent; allocated
 * once, reset per episode.
 * @example
 * const ledger = new EpisodeLedger(nAgents, maxSteps + 1);
 * ledger.reset(startCash, maxSteps + 1);
 * ledger.record(lastCosts, values); // after every step
 */
export class EpisodeLedger {
  private readonly totals: StepCosts;
  private equity: Float64Array;
  /** Equity points per agent row. */
  private capacity: number;
  /** Equity points recorded: the starting value, then one per step. */
  private length = 0;

  constructor(
    private readonly nAgents: number,
    capacity: number,
  ) {
    const fa = () => new Float64Array(nAgents);
    this.totals = { fees: fa(), impactCost: fa(), borrowCost: fa(), tradedNotional: fa() };
    this.capacity = capacity;
    this.equity = new Float64Array(nAgents * capacity);
  }

  /** Starts an episode of at most `points − 1` steps at the agents' starting values. */
  reset(startValues: ArrayLike<number>, points: number): void {
    if (points > this.capacity) {
      this.capacity = points;
      this.equity = new Float64Array(this.nAgents * points);
    }
    for (const total of Object.values(this.totals)) total.fill(0);
    for (let a = 0; a < this.nAgents; a++) this.equity[a * this.capacity] = startValues[a]!;
    this.length = 1;
  }

  /** Adds one step: its costs to the totals, the values at its close to the equity curve. */
  record(costs: StepCosts, values: ArrayLike<number>): void {
    const t = this.totals;
    for (let a = 0; a < this.nAgents; a++) {
      t.fees[a] = t.fees[a]! + costs.fees[a]!;
      t.impactCost[a] = t.impactCost[a]! + costs.impactCost[a]!;
      t.borrowCost[a] = t.borrowCost[a]! + costs.borrowCost[a]!;
      t.tradedNotional[a] = t.tradedNotional[a]! + costs.tradedNotional[a]!;
      this.equity[a * this.capacity + this.length] = values[a]!;
    }
    this.length++;
  }

  /** Metrics and costs of agent `a` over the episode so far (its equity curve is a copy). */
  report(a: number, agentId: string, kind: AgentKind, barsPerYear: number, liquidated: boolean): AgentReport {
    const equity = this.equity.slice(a * this.capacity, a * this.capacity + this.length);
    let mean = 0;
    for (let i = 0; i < equity.length; i++) mean += equity[i]!;
    mean /= equity.length;
    const t = this.totals;
    return {
      agentId,
      kind,
      ...computeMetrics(equity, { barsPerYear }),
      equity,
      tradedNotionalUsd: t.tradedNotional[a]!,
      turnover: mean > 0 ? t.tradedNotional[a]! / mean : 0,
      feesUsd: t.fees[a]!,
      impactCostUsd: t.impactCost[a]!,
      borrowCostUsd: t.borrowCost[a]!,
      liquidated,
    };
  }
}

/**
 * @internal Buy-and-hold and equal-weight over the bars of an episode so far (`start` to
 * `now`, at least one step), with the agents' cash and fees.
 * @example
 * episodeBaselines(frame, 40, 52, { cashUsd: 1e5, feeBps: 10, barsPerYear: 252 });
 */
export function episodeBaselines(
  frame: PriceFrame,
  start: number,
  now: number,
  options: { cashUsd: number; feeBps: number; barsPerYear: number },
): BaselineResults {
  return runBaselines(frame, { start, end: Math.max(now, start + 1), ...options });
}
