/**
 * The market inside `MarketEnv`: every agent's book and the step that moves the books
 * from the close of bar t to the close of t + 1, in this order: the agents decide on the
 * close of t (policies, role bounds, risk rules); target shares at the open of t + 1
 * (close-only data has open = close); one execution for all agents, priced with the
 * impact of their net notional; borrow fees on shorts; marking at the close of t + 1;
 * liquidation below the maintenance margin; the daily stop. The arithmetic is
 * market-step.ts's kernels; episodes, observations, rewards and reports are the env's.
 */
import { normalizeWeights } from './actions.js';
import { type MarketAgent, makePolicy } from './agents.js';
import type { MarketEnvConfig } from './config.js';
import {
  belowMaintenance,
  createExecutionOutputs,
  type ExecutionOutputs,
  type ExecutionParams,
  executeTrades,
  liquidate,
} from './market-step.js';
import type { HeuristicPolicy, PolicyView } from './policies.js';
import { capWeights, dailyStopHit, stopLossTakeProfit, updateEntryPrice, utcDay } from './risk.js';
import type { PriceFrame } from './types.js';

/** @internal Per-agent costs of one step, `[nAgents]` dollars each. */
export interface StepCosts {
  fees: Float64Array;
  impactCost: Float64Array;
  borrowCost: Float64Array;
  tradedNotional: Float64Array;
}

/**
 * @internal The books of all agents (`[nAgents]` or `[nAgents × nAssets]`, agent-major),
 * allocated once and reopened by `reset` every episode.
 * @example
 * const market = new Market(config, agents, barsPerYear, frame);
 * market.reset();
 * market.step(t, learnedActions); // then read market.values, market.last, …
 */
export class Market {
  readonly nAgents: number;
  readonly nAssets: number;
  readonly cash: Float64Array;
  readonly shares: Float64Array;
  /** Average entry price of each position (0 when flat); the stop-loss and take-profit read it. */
  readonly entry: Float64Array;
  /** Weights at the close of the current bar (set by `markWeights`); what the policies see. */
  readonly weights: Float64Array;
  readonly weightRows: Float64Array[];
  /** The target weights decided on the last decision bar (after normalisation and risk rules). */
  readonly targets: Float64Array;
  /** 1: the agent decided not to trade, 2: it is out (liquidated). */
  readonly hold: Uint8Array;
  /** 1 while the agent plays, 0 once liquidated. */
  readonly active: Uint8Array;
  /** 1 from the step the agent was liquidated on. */
  readonly terminated: Uint8Array;
  /** Each agent's traded notional of the last step ÷ its value. */
  readonly flows: Float64Array;
  /** `[nAssets]` all agents' net notional of the last step ÷ their total value. */
  readonly netFlow: Float64Array;
  /** Values at the close of the current bar, of the bar before, and their difference. */
  readonly values: Float64Array;
  readonly prevValues: Float64Array;
  readonly base: Float64Array;
  /** Costs of the last step (a liquidation adds to its agent's). */
  readonly last: StepCosts;

  private frame: PriceFrame;
  private readonly agents: readonly MarketAgent[];
  /** Row of each agent in the learned actions, −1 for a heuristic agent. */
  private readonly learnedIndex: Int32Array;
  private readonly policies: (HeuristicPolicy | null)[];
  private readonly views: PolicyView[];
  private readonly targetRows: Float64Array[];
  private readonly exec: ExecutionParams;
  private readonly execOut: ExecutionOutputs;
  private readonly borrowRate: number;
  private readonly deadband: number;
  private readonly wholeShares: boolean;
  private readonly maintenanceMargin: number;
  /** Shares each agent trades this step. */
  private readonly traded: Float64Array;
  /** Value of each agent at the fill reference prices. */
  private readonly valueRef: Float64Array;
  /** Value at the start of the UTC day, the daily stop's reference. */
  private readonly dayStart: Float64Array;
  /** UTC day on which the agent's daily stop fired (−1: none); entries are blocked for fills on that day. */
  private readonly blockedDay: Float64Array;

  constructor(c: MarketEnvConfig, agents: readonly MarketAgent[], barsPerYear: number, frame: PriceFrame) {
    const A = agents.length;
    const N = frame.nAssets;
    this.nAgents = A;
    this.nAssets = N;
    this.frame = frame;
    this.agents = agents;
    let learned = 0;
    this.learnedIndex = Int32Array.from(agents.map((a) => (a.learned ? learned++ : -1)));
    this.policies = c.agents.map((a, i) => makePolicy(a, agents[i]!.role));
    const liq = c.impact.liquidityUsd;
    this.exec = {
      impactModel: c.impact.model,
      impactCoeff: c.impact.coeff,
      maxImpact: c.impact.maxImpact,
      liquidity: Array.isArray(liq) ? Float64Array.from(liq) : new Float64Array(N).fill(liq),
      feeRate: c.feeBps / 1e4,
    };
    this.execOut = createExecutionOutputs(A, N);
    this.borrowRate = c.borrowBpsPerYear / 1e4 / barsPerYear;
    this.deadband = c.deadbandBps / 1e4;
    this.wholeShares = c.wholeShares;
    this.maintenanceMargin = c.maintenanceMargin;
    const fa = () => new Float64Array(A);
    const fan = () => new Float64Array(A * N);
    this.cash = fa();
    this.shares = fan();
    this.entry = fan();
    this.weights = fan();
    this.targets = fan();
    this.traded = fan();
    this.flows = fan();
    this.weightRows = agents.map((_, a) => this.weights.subarray(a * N, (a + 1) * N));
    this.targetRows = agents.map((_, a) => this.targets.subarray(a * N, (a + 1) * N));
    this.hold = new Uint8Array(A);
    this.active = new Uint8Array(A);
    this.terminated = new Uint8Array(A);
    this.netFlow = new Float64Array(N);
    this.values = fa();
    this.prevValues = fa();
    this.base = fa();
    this.valueRef = fa();
    this.dayStart = fa();
    this.blockedDay = new Float64Array(A).fill(-1);
    this.last = { fees: fa(), impactCost: fa(), borrowCost: fa(), tradedNotional: fa() };
    this.views = agents.map((_, a) => ({
      nAssets: N,
      closes: frame.close,
      t: 0,
      weights: this.weightRows[a]!,
      netFlow: this.netFlow,
    }));
  }

  /** Trades on `frame` from now on (synthetic mode draws a new market per episode). */
  setFrame(frame: PriceFrame): void {
    this.frame = frame;
    for (const v of this.views) v.closes = frame.close;
  }

  /**
   * Opens every agent's book: its cash, no positions, no costs. The last decisions
   * (`targets`, `hold`) stay until the next step overwrites them.
   */
  reset(): void {
    this.shares.fill(0);
    this.entry.fill(0);
    this.weights.fill(0);
    this.flows.fill(0);
    this.netFlow.fill(0);
    this.blockedDay.fill(-1);
    for (const cost of Object.values(this.last)) cost.fill(0);
    this.terminated.fill(0);
    for (let a = 0; a < this.nAgents; a++) {
      const cash0 = this.agents[a]!.cashUsd;
      this.cash[a] = cash0;
      this.values[a] = cash0;
      this.dayStart[a] = cash0;
      this.active[a] = 1;
    }
  }

  /**
   * One step from the close of `t` to the close of `t + 1`. `actions` holds the learned
   * agents' target weights, `[nLearned × nAssets]` (finite; clipped to the role's bounds,
   * then normalised).
   */
  step(t: number, actions: ArrayLike<number>): void {
    const fillDay = utcDay(this.frame.times[t + 1]!);
    this.decide(t, actions);
    const totalRef = this.orderTargets(t + 1, fillDay);
    this.execute(t + 1, totalRef);
    this.markAndLiquidate(t + 1);
    this.dailyStop(t, fillDay);
  }

  /** Each agent's weights at the close of bar `t`: what it holds, as its policy sees it. */
  markWeights(t: number): void {
    const N = this.nAssets;
    const close = this.frame.close;
    for (let a = 0; a < this.nAgents; a++) {
      const v = this.values[a]!;
      const o = a * N;
      for (let n = 0; n < N; n++)
        this.weights[o + n] = v > 0 ? (this.shares[o + n]! * close[t * N + n]!) / v : 0;
    }
  }

  /** True when the agent's daily stop blocks new entries for the fills after bar `t`. */
  entriesBlocked(a: number, t: number): boolean {
    return t >= 0 && t + 1 < this.frame.nBars
      ? this.blockedDay[a] === utcDay(this.frame.times[t + 1]!)
      : false;
  }

  /** 1. Decisions on the close of t. */
  private decide(t: number, actions: ArrayLike<number>): void {
    const N = this.nAssets;
    const close = this.frame.close;
    const sh = this.shares;
    for (let a = 0; a < this.nAgents; a++) {
      const row = this.targetRows[a]!;
      const agent = this.agents[a]!;
      if (this.active[a] === 0) {
        this.hold[a] = 2; // out of the game: no trades, reward 0
        continue;
      }
      let hold = 0;
      const li = this.learnedIndex[a]!;
      if (li >= 0) {
        normalizeWeights(agent.role, actions, row, agent.grossLimit, li * N, N);
      } else {
        const view = this.views[a]!;
        view.t = t;
        hold = this.policies[a]!(view, row) ? 0 : 1;
        if (!hold) normalizeWeights(agent.role, row, row, agent.grossLimit, 0, N);
      }
      const risk = agent.risk;
      if (risk.stopLoss !== undefined || risk.takeProfit !== undefined) {
        // `traded` is free scratch here (recomputed below): probe whether a holding agent's stop fired.
        if (hold && stopLossTakeProfit(this.traded, sh, this.entry, close, risk, a * N, t * N, N) > 0) {
          // A holding agent whose stop fired: keep everything else as it is.
          row.set(this.weightRows[a]!);
          hold = 0;
        }
        if (!hold) stopLossTakeProfit(row, sh, this.entry, close, risk, a * N, t * N, N);
      }
      if (!hold && risk.maxWeight !== undefined) capWeights(row, risk.maxWeight, N);
      this.hold[a] = hold;
    }
  }

  /** 2. Target shares at the fill reference price, the open of `t1`. Returns all agents' value there. */
  private orderTargets(t1: number, fillDay: number): number {
    const N = this.nAssets;
    const open = this.frame.open;
    const ref = t1 * N;
    const sh = this.shares;
    let totalRef = 0;
    for (let a = 0; a < this.nAgents; a++) {
      const o = a * N;
      let v = this.cash[a]!;
      for (let n = 0; n < N; n++) v += sh[o + n]! * open[ref + n]!;
      this.valueRef[a] = v;
      totalRef += v;
      if (this.hold[a] !== 0) {
        for (let n = 0; n < N; n++) this.traded[o + n] = 0;
        continue;
      }
      for (let n = 0; n < N; n++) {
        const p = open[ref + n]!;
        let target = v > 0 ? (this.targets[o + n]! * v) / p : 0;
        if (this.wholeShares) target = Math.trunc(target);
        const h = sh[o + n]!;
        // Daily stop: no new entries, in shares (a weight target would let a falling position grow).
        if (this.blockedDay[a] === fillDay)
          target = h > 0 ? Math.min(Math.max(target, 0), h) : h < 0 ? Math.max(Math.min(target, 0), h) : 0;
        let q = target - h;
        // A band around open positions: resizes below it are skipped, opening and closing never are
        // (an entry smaller than the band would otherwise never happen).
        if (this.deadband > 0 && Math.abs(q * p) < this.deadband * v && target !== 0 && h !== 0) q = 0;
        this.traded[o + n] = q;
      }
    }
    return totalRef;
  }

  /** 3. Executes everyone together at the open of `t1` (impact from the aggregated net notional). */
  private execute(t1: number, totalRef: number): void {
    const N = this.nAssets;
    const sh = this.shares;
    const out = this.execOut;
    executeTrades(this.nAgents, N, this.frame.open, this.traded, this.cash, sh, this.exec, out, t1 * N);
    for (let a = 0; a < this.nAgents; a++) {
      const o = a * N;
      const v = this.valueRef[a]!;
      for (let n = 0; n < N; n++) {
        const q = this.traded[o + n]!;
        if (q === 0) {
          this.flows[o + n] = 0;
          continue;
        }
        const px = out.execPrice[n]!;
        this.entry[o + n] = updateEntryPrice(sh[o + n]! - q, this.entry[o + n]!, q, px);
        this.flows[o + n] = v > 0 ? (q * px) / v : 0;
      }
      this.last.fees[a] = out.fees[a]!;
      this.last.impactCost[a] = out.impactCost[a]!;
      this.last.tradedNotional[a] = out.tradedNotional[a]!;
    }
    for (let n = 0; n < N; n++) this.netFlow[n] = totalRef > 0 ? out.netNotional[n]! / totalRef : 0;
  }

  /** 4. Borrow fee on shorts held over the bar, 5. mark at the close of `t1`, 6. margin. */
  private markAndLiquidate(t1: number): void {
    const N = this.nAssets;
    const close = this.frame.close;
    const cl = t1 * N;
    const cash = this.cash;
    const sh = this.shares;
    const values = this.values;
    for (let a = 0; a < this.nAgents; a++) {
      const o = a * N;
      let borrow = 0;
      let v = 0;
      let gross = 0;
      for (let n = 0; n < N; n++) {
        const h = sh[o + n]!;
        const x = h * close[cl + n]!;
        if (h < 0) borrow -= x * this.borrowRate;
        v += x;
        gross += Math.abs(x);
      }
      cash[a] = cash[a]! - borrow;
      this.last.borrowCost[a] = borrow;
      v += cash[a]!;
      if (this.active[a] === 1 && belowMaintenance(v, gross, this.maintenanceMargin)) {
        v = liquidate(a, N, close, cl, cash, sh, this.exec, this.last);
        // A closed position has no entry price.
        this.entry.fill(0, a * N, (a + 1) * N);
        this.active[a] = 0;
        this.terminated[a] = 1;
      }
      this.prevValues[a] = values[a]!;
      values[a] = v;
      this.base[a] = v - this.prevValues[a]!;
    }
  }

  /**
   * 7. Daily stop: a new UTC day resets the reference value; a loss of dailyLossLimit
   * since then blocks new entries for the fills of the rest of that day.
   */
  private dailyStop(t: number, fillDay: number): void {
    const newDay = fillDay !== utcDay(this.frame.times[t]!);
    for (let a = 0; a < this.nAgents; a++) {
      if (newDay) this.dayStart[a] = this.prevValues[a]!;
      const lim = this.agents[a]!.risk.dailyLossLimit;
      if (lim !== undefined && dailyStopHit(this.dayStart[a]!, this.values[a]!, lim))
        this.blockedDay[a] = fillDay;
    }
  }
}
