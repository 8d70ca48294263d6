/**
 * `MarketEnv`: several agents trade several assets in one market (PettingZoo "parallel"
 * semantics). Timing: a decision made on bar t sees data up to the close of t and fills
 * at bar t + 1 at the open (close-only data has open = close), with impact from the net
 * notional of ALL agents; the step is then marked at the close of t + 1. Everything runs
 * on preallocated typed arrays; `stepArrays` is the allocation-free hot path and
 * `step` the friendly per-agent-record form.
 */
import { normalizeWeights, roleBounds } from './actions.js';
import { type MarketAgent, makePolicy, resolveAgents } from './agents.js';
import type { BaselineResults } from './baselines.js';
import {
  type MarketEnvConfig,
  type MarketEnvOptions,
  parseMarketEnvOptions,
  startIndexProblem,
} from './config.js';
import type { AgentReport, MarketAgentInfo, MarketBuffers, MultiAgentStepResult } from './env-types.js';
import { MarketEnvError } from './errors.js';
import {
  logReturnsFromCloses,
  type ObservationLayout,
  observationLayout,
  writeObservation,
} from './features.js';
import { inferBarsPerYear } from './frame.js';
import {
  belowMaintenance,
  createExecutionOutputs,
  type ExecutionParams,
  executeTrades,
  liquidate,
} from './market-step.js';
import type { HeuristicPolicy, PolicyView } from './policies.js';
import { Rng } from './random.js';
import { EpisodeLedger, episodeBaselines, type StepCosts } from './reports.js';
import { DifferentialSharpe, stepRewards } from './rewards.js';
import { capWeights, dailyStopHit, stopLossTakeProfit, updateEntryPrice, utcDay } from './risk.js';
import { generateFromConfig, type SyntheticConfig } from './synthetic.js';
import type { BoxSpace, PriceFrame } from './types.js';

export type { MarketAgent } from './agents.js';
export type { AgentReport, MarketAgentInfo, MarketBuffers, MultiAgentStepResult } from './env-types.js';

const returnsCache = new WeakMap<PriceFrame, Float32Array>();

function frameReturns(frame: PriceFrame): Float32Array {
  let r = returnsCache.get(frame);
  if (!r) {
    r = logReturnsFromCloses(
      frame.close,
      frame.nAssets,
      new Float32Array(frame.close.length),
    ) as Float32Array;
    returnsCache.set(frame, r);
  }
  return r;
}

/**
 * @example
 * const env = new MarketEnv({ frame, agents: [{ kind: 'learned', role: 'long' }, { kind: 'momentum' }] });
 * const { obs } = env.reset({ seed: 1 });
 * const r = env.step({ 'rl-long-0': new Float32Array(frame.nAssets).fill(0.1) });
 * r.rewards['rl-long-0'];
 */
export class MarketEnv {
  readonly config: MarketEnvConfig;
  readonly agents: readonly MarketAgent[];
  readonly agentIds: readonly string[];
  /** Ids of the agents whose actions come from outside, in `stepArrays` order. */
  readonly learnedAgentIds: readonly string[];
  readonly nAgents: number;
  readonly nAssets: number;
  readonly window: number;
  readonly layout: ObservationLayout;
  readonly obsDim: number;
  readonly barsPerYear: number;
  readonly buffers: MarketBuffers;

  private frameNow: PriceFrame;
  private returns: Float32Array;
  private readonly synthetic: SyntheticConfig | undefined;
  private readonly extra: ArrayLike<number> | undefined;
  private readonly nExtra: number;
  private rng: Rng;
  private readonly learnedIndex: Int32Array;
  private readonly policies: (HeuristicPolicy | null)[];
  private readonly views: PolicyView[];
  private readonly exec: ExecutionParams;
  private readonly execOut;
  private readonly borrowRate: number;
  private readonly deadband: number;
  // state [A] / [A*N]
  private readonly cash: Float64Array;
  private readonly shares: Float64Array;
  private readonly entry: Float64Array;
  private readonly weightsNow: Float64Array;
  private readonly weightRows: Float64Array[];
  private readonly targets: Float64Array;
  private readonly targetRows: Float64Array[];
  private readonly traded: Float64Array;
  private readonly hold: Uint8Array;
  private readonly flows: Float64Array;
  private readonly netFlow: Float64Array;
  private readonly active: Uint8Array;
  private readonly prevValues: Float64Array;
  private readonly valueRef: Float64Array;
  private readonly base: Float64Array;
  private readonly dayStart: Float64Array;
  /** UTC day on which the agent's daily stop fired (−1: none); entries are blocked for fills on that day. */
  private readonly blockedDay: Float64Array;
  private readonly dsr: DifferentialSharpe[];
  /** Costs of the last step (a liquidation adds to its agent's). */
  private readonly last: StepCosts;
  private readonly ledger: EpisodeLedger;
  private readonly learnedScratch: Float64Array;
  private tNow = -1;
  private t0 = -1;
  private tEnd = -1;
  private steps = 0;

  constructor(options: MarketEnvOptions) {
    const c = parseMarketEnvOptions(options);
    this.config = c;
    this.synthetic = c.synthetic;
    this.rng = new Rng(c.seed);
    if (this.synthetic) {
      this.frameNow = generateFromConfig(
        { ...this.synthetic, nBars: c.window + c.episodeLength! + 1 },
        new Rng(c.seed),
      );
      this.returns = new Float32Array(this.frameNow.close.length);
      logReturnsFromCloses(this.frameNow.close, this.frameNow.nAssets, this.returns);
    } else {
      this.frameNow = c.frame!;
      this.returns = frameReturns(this.frameNow);
    }
    const f = this.frameNow;
    const N = f.nAssets;
    this.nAssets = N;
    this.window = c.window;
    this.barsPerYear =
      c.barsPerYear ?? (this.synthetic ? this.synthetic.barsPerYear : inferBarsPerYear(f.times));
    const agents = resolveAgents(c);
    this.agents = agents;
    this.agentIds = agents.map((a) => a.id);
    this.learnedAgentIds = agents.filter((a) => a.learned).map((a) => a.id);
    this.learnedIndex = Int32Array.from(
      agents.map((a) => (a.learned ? this.learnedAgentIds.indexOf(a.id) : -1)),
    );
    this.policies = c.agents.map((a, i) => makePolicy(a, agents[i]!.role));
    const A = agents.length;
    this.nAgents = A;
    const extra = c.observation.extra;
    this.extra = extra?.values;
    this.nExtra = extra ? extra.nFeatures : 0;
    this.layout = observationLayout({
      kind: c.observation.kind,
      horizons: c.observation.horizons,
      window: c.window,
      nAssets: N,
      nFlowAgents: c.observation.includeFlows ? A : 0,
      nExtraFeatures: this.nExtra,
    });
    this.obsDim = this.layout.size;
    // Execution.
    const liq = c.impact.liquidityUsd;
    this.exec = {
      impactModel: c.impact.model,
      impactCoeff: c.impact.coeff,
      maxImpact: c.impact.maxImpact,
      liquidity: Array.isArray(liq) ? Float64Array.from(liq) : new Float64Array(N).fill(liq),
      feeRate: c.feeBps / 1e4,
    };
    this.execOut = createExecutionOutputs(A, N);
    this.borrowRate = c.borrowBpsPerYear / 1e4 / this.barsPerYear;
    this.deadband = c.deadbandBps / 1e4;
    // State.
    const fa = () => new Float64Array(A);
    const fan = () => new Float64Array(A * N);
    this.cash = fa();
    this.shares = fan();
    this.entry = fan();
    this.weightsNow = fan();
    this.targets = fan();
    this.traded = fan();
    this.flows = fan();
    this.weightRows = agents.map((_, a) => this.weightsNow.subarray(a * N, (a + 1) * N));
    this.targetRows = agents.map((_, a) => this.targets.subarray(a * N, (a + 1) * N));
    this.hold = new Uint8Array(A);
    this.netFlow = new Float64Array(N);
    this.active = new Uint8Array(A);
    this.prevValues = fa();
    this.valueRef = fa();
    this.base = fa();
    this.dayStart = fa();
    this.blockedDay = new Float64Array(A).fill(-1);
    this.dsr = agents.map(() => new DifferentialSharpe(c.reward.dsrEta));
    this.last = { fees: fa(), impactCost: fa(), borrowCost: fa(), tradedNotional: fa() };
    this.learnedScratch = new Float64Array(Math.max(1, this.learnedAgentIds.length * N));
    this.views = agents.map((_, a) => ({
      nAssets: N,
      closes: this.frameNow.close,
      t: 0,
      weights: this.weightRows[a]!,
      netFlow: this.netFlow,
    }));
    this.buffers = {
      obs: new Float32Array(A * this.obsDim),
      rewards: fa(),
      terminated: new Uint8Array(A),
      values: fa(),
      targets: this.targets,
      holds: this.hold,
      truncated: false,
    };
    this.ledger = new EpisodeLedger(A, this.maxEpisodeSteps() + 1);
  }

  /** The frame of the current episode (a fresh one per episode in synthetic mode). */
  get frame(): PriceFrame {
    return this.frameNow;
  }

  /** Index of the current bar: the next decision is made on its close. −1 before reset. */
  get t(): number {
    return this.tNow;
  }

  /** First decision bar of the episode and the last bar it may reach. */
  get episodeSpan(): { start: number; end: number; steps: number } {
    return { start: this.t0, end: this.tEnd, steps: this.steps };
  }

  /** True when the episode was truncated; call reset(). */
  get done(): boolean {
    return this.tNow < 0 || this.tNow >= this.tEnd;
  }

  private maxEpisodeSteps(): number {
    const avail = this.frameNow.nBars - 1 - this.window;
    return this.config.episodeLength === null ? avail : Math.min(this.config.episodeLength, avail);
  }

  /** Index of an agent id; throws `ACTION` for an unknown id. */
  agentIndex(agentId: string): number {
    const i = this.agentIds.indexOf(agentId);
    if (i < 0) {
      throw new MarketEnvError('ACTION', `unknown agent ${agentId}; agents are ${this.agentIds.join(', ')}`, {
        field: agentId,
      });
    }
    return i;
  }

  /**
   * Box of the agent's observation (unbounded).
   * @example
   * env.observationSpace('rl-long-0').shape; // [331] for 10 assets, window 32
   */
  observationSpace(agentId: string): BoxSpace {
    this.agentIndex(agentId);
    const n = this.obsDim;
    return {
      kind: 'box',
      shape: [n],
      low: new Float32Array(n).fill(Number.NEGATIVE_INFINITY),
      high: new Float32Array(n).fill(Number.POSITIVE_INFINITY),
    };
  }

  /**
   * Box of the agent's target weights: long [0,1]^n, short [−1,0]^n, long-short [−1,1]^n.
   * @example
   * env.actionSpace('rl-short-0').low[0]; // -1
   */
  actionSpace(agentId: string): BoxSpace {
    const [lo, hi] = roleBounds(this.agents[this.agentIndex(agentId)]!.role);
    const n = this.nAssets;
    return { kind: 'box', shape: [n], low: new Float32Array(n).fill(lo), high: new Float32Array(n).fill(hi) };
  }

  /**
   * Starts an episode; the hot-path form of {@link reset}. A seed restarts the env's random
   * stream; without one the stream continues (a new start offset each episode).
   */
  resetArrays(options: { seed?: number; startIndex?: number } = {}): MarketBuffers {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    const c = this.config;
    if (this.synthetic) {
      this.frameNow = generateFromConfig({ ...this.synthetic, nBars: this.frameNow.nBars }, this.rng.fork());
      logReturnsFromCloses(this.frameNow.close, this.nAssets, this.returns);
      for (const v of this.views) v.closes = this.frameNow.close;
    }
    const T = this.frameNow.nBars;
    const W = this.window;
    const len = this.maxEpisodeSteps();
    const latestStart = T - 1 - len;
    const fixed = options.startIndex ?? c.startIndex;
    let t0: number;
    if (fixed !== undefined) {
      const problem = startIndexProblem(fixed, W, T);
      if (problem) throw new MarketEnvError('CONFIG', problem, { field: 'startIndex' });
      t0 = fixed;
    } else {
      t0 = c.randomStart ? W + this.rng.int(latestStart - W + 1) : W;
    }
    this.t0 = t0;
    this.tNow = t0;
    this.tEnd = Math.min(t0 + len, T - 1);
    this.steps = 0;
    const A = this.nAgents;
    this.shares.fill(0);
    this.entry.fill(0);
    this.weightsNow.fill(0);
    this.flows.fill(0);
    this.netFlow.fill(0);
    this.blockedDay.fill(-1);
    for (const d of this.dsr) d.reset();
    for (const cost of Object.values(this.last)) cost.fill(0);
    const b = this.buffers;
    b.rewards.fill(0);
    b.terminated.fill(0);
    b.truncated = false;
    for (let a = 0; a < A; a++) {
      const cash0 = this.agents[a]!.cashUsd;
      this.cash[a] = cash0;
      b.values[a] = cash0;
      this.dayStart[a] = cash0;
      this.active[a] = 1;
    }
    this.ledger.reset(b.values, this.tEnd - t0 + 1);
    this.writeAllObs();
    return b;
  }

  /**
   * One market step, the allocation-free hot path. `actions` holds the learned agents'
   * target weights, `[nLearned × nAssets]` in `learnedAgentIds` order (clipped to the
   * role's bounds, then normalised). Results are in the returned `buffers`.
   */
  stepArrays(actions: ArrayLike<number>): MarketBuffers {
    if (this.tNow < 0 || this.tNow >= this.tEnd) {
      throw new MarketEnvError(
        'STATE',
        this.tNow < 0 ? 'call reset() before step()' : 'the episode is over; call reset()',
      );
    }
    const N = this.nAssets;
    const A = this.nAgents;
    const need = this.learnedAgentIds.length * N;
    if (actions.length !== need) {
      throw new MarketEnvError(
        'ACTION',
        `expected ${need} action values (${this.learnedAgentIds.length} learned agents × ${N} assets), got ${actions.length}`,
      );
    }
    for (let i = 0; i < need; i++) {
      if (!Number.isFinite(actions[i]!)) {
        const id = this.learnedAgentIds[Math.floor(i / N)]!;
        throw new MarketEnvError(
          'ACTION',
          `action of ${id} for ${this.frameNow.symbols[i % N]} is ${actions[i]}`,
          {
            field: id,
            symbol: this.frameNow.symbols[i % N]!,
          },
        );
      }
    }
    const f = this.frameNow;
    const t = this.tNow;
    const t1 = t + 1;
    const cashArr = this.cash;
    const sh = this.shares;
    const b = this.buffers;
    const values = b.values;

    // 1. Decisions on the close of t.
    for (let a = 0; a < A; a++) {
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
        if (hold && stopLossTakeProfit(this.traded, sh, this.entry, f.close, risk, a * N, t * N, N) > 0) {
          // A holding agent whose stop fired: keep everything else as it is.
          row.set(this.weightRows[a]!);
          hold = 0;
        }
        if (!hold) stopLossTakeProfit(row, sh, this.entry, f.close, risk, a * N, t * N, N);
      }
      if (!hold && risk.maxWeight !== undefined) capWeights(row, risk.maxWeight, N);
      this.hold[a] = hold;
    }

    // 2. Target shares at the fill reference price: the open of t + 1.
    const open = f.open;
    const ref = t1 * N;
    const fillDay = utcDay(f.times[t1]!);
    let totalRef = 0;
    for (let a = 0; a < A; a++) {
      const o = a * N;
      let v = cashArr[a]!;
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
        if (this.config.wholeShares) target = Math.trunc(target);
        const h = sh[o + n]!;
        // Daily stop: no new entries, in shares (a weight target would let a falling position grow).
        if (this.blockedDay[a] === fillDay)
          target = h > 0 ? Math.min(Math.max(target, 0), h) : h < 0 ? Math.max(Math.min(target, 0), h) : 0;
        let q = target - h;
        if (this.deadband > 0 && Math.abs(q * p) < this.deadband * v && target !== 0) q = 0;
        this.traded[o + n] = q;
      }
    }

    // 3. Execute everyone together (impact from the aggregated net notional).
    const out = this.execOut;
    executeTrades(A, N, open, this.traded, cashArr, sh, this.exec, out, ref);
    for (let a = 0; a < A; a++) {
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

    // 4. Borrow fee on shorts held over the bar, 5. mark at the close of t + 1, 6. margin.
    const close = f.close;
    const cl = t1 * N;
    for (let a = 0; a < A; a++) {
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
      cashArr[a] = cashArr[a]! - borrow;
      this.last.borrowCost[a] = borrow;
      v += cashArr[a]!;
      if (this.active[a] === 1 && belowMaintenance(v, gross, this.config.maintenanceMargin)) {
        v = liquidate(a, N, close, cl, cashArr, sh, this.exec, this.last);
        // A closed position has no entry price.
        this.entry.fill(0, a * N, (a + 1) * N);
        this.active[a] = 0;
        b.terminated[a] = 1;
      }
      this.prevValues[a] = values[a]!;
      values[a] = v;
      this.base[a] = v - this.prevValues[a]!;
    }

    // 7. Rewards.
    stepRewards(this.config.reward, values, this.prevValues, this.base, this.hold, this.dsr, b.rewards);

    // 8. Daily stop: a new UTC day resets the reference value; a loss of dailyLossLimit
    // since then blocks new entries for the fills of the rest of that day.
    const newDay = fillDay !== utcDay(f.times[t]!);
    for (let a = 0; a < A; a++) {
      if (newDay) this.dayStart[a] = this.prevValues[a]!;
      const lim = this.agents[a]!.risk.dailyLossLimit;
      if (lim !== undefined && dailyStopHit(this.dayStart[a]!, values[a]!, lim)) this.blockedDay[a] = fillDay;
    }

    // 9. Advance.
    this.tNow = t1;
    this.steps++;
    this.ledger.record(this.last, values);
    b.truncated = t1 >= this.tEnd;
    this.writeAllObs();
    return b;
  }

  private writeAllObs(): void {
    const t = this.tNow;
    const N = this.nAssets;
    const W = this.window;
    const close = this.frameNow.close;
    const b = this.buffers;
    const retOff = (t - W + 1) * N;
    const extraOff = t * N * this.nExtra;
    for (let a = 0; a < this.nAgents; a++) {
      const v = b.values[a]!;
      const o = a * N;
      for (let n = 0; n < N; n++)
        this.weightsNow[o + n] = v > 0 ? (this.shares[o + n]! * close[t * N + n]!) / v : 0;
      writeObservation(
        b.obs,
        a * this.obsDim,
        this.layout,
        this.returns,
        retOff,
        this.weightRows[a]!,
        v > 0 ? this.cash[a]! / v : 0,
        this.flows,
        this.extra,
        extraOff,
      );
    }
  }

  /**
   * Starts an episode.
   * @example
   * const { obs, infos } = env.reset({ seed: 42 });
   */
  reset(options: { seed?: number; startIndex?: number } = {}): {
    obs: Record<string, Float32Array>;
    infos: Record<string, MarketAgentInfo>;
  } {
    this.resetArrays(options);
    const obs: Record<string, Float32Array> = {};
    const infos: Record<string, MarketAgentInfo> = {};
    for (let a = 0; a < this.nAgents; a++) {
      const id = this.agentIds[a]!;
      obs[id] = this.buffers.obs.slice(a * this.obsDim, (a + 1) * this.obsDim);
      infos[id] = this.info(a);
    }
    return { obs, infos };
  }

  /**
   * One market step with actions per learned agent id (target weights, one per asset).
   * Heuristic agents act by themselves. Observations are copies.
   * @example
   * const r = env.step({ 'rl-long-0': [0.1, 0.2, 0.3] });
   */
  step(actions: Record<string, ArrayLike<number>>): MultiAgentStepResult {
    const N = this.nAssets;
    for (const id of Object.keys(actions)) {
      const a = this.agentIndex(id);
      if (!this.agents[a]!.learned) {
        throw new MarketEnvError(
          'ACTION',
          `${id} is a ${this.agents[a]!.kind} agent; its actions come from its policy`,
          {
            field: id,
          },
        );
      }
    }
    for (let k = 0; k < this.learnedAgentIds.length; k++) {
      const id = this.learnedAgentIds[k]!;
      const act = actions[id];
      const a = this.agentIndex(id);
      if (act === undefined) {
        if (this.active[a] === 1)
          throw new MarketEnvError('ACTION', `missing action for ${id}`, { field: id });
        this.learnedScratch.fill(0, k * N, (k + 1) * N);
        continue;
      }
      if (act.length !== N) {
        throw new MarketEnvError('ACTION', `action of ${id} has ${act.length} values, expected ${N}`, {
          field: id,
        });
      }
      for (let n = 0; n < N; n++) this.learnedScratch[k * N + n] = act[n]!;
    }
    const b = this.stepArrays(this.learnedScratch.subarray(0, this.learnedAgentIds.length * N));
    const res: MultiAgentStepResult = { obs: {}, rewards: {}, terminated: {}, truncated: {}, infos: {} };
    for (let a = 0; a < this.nAgents; a++) {
      const id = this.agentIds[a]!;
      res.obs[id] = b.obs.slice(a * this.obsDim, (a + 1) * this.obsDim);
      res.rewards[id] = b.rewards[a]!;
      res.terminated[id] = b.terminated[a] === 1;
      res.truncated[id] = b.truncated;
      res.infos[id] = this.info(a);
    }
    return res;
  }

  /** Info of agent `a` (by index) after the last reset/step. */
  info(a: number): MarketAgentInfo {
    return {
      t: this.tNow,
      time: this.frameNow.times[this.tNow]!,
      value: this.buffers.values[a]!,
      cash: this.cash[a]!,
      feesUsd: this.last.fees[a]!,
      impactCostUsd: this.last.impactCost[a]!,
      borrowCostUsd: this.last.borrowCost[a]!,
      tradedNotionalUsd: this.last.tradedNotional[a]!,
      liquidated: this.buffers.terminated[a] === 1,
    };
  }

  /**
   * A copy of an agent's book at the current bar.
   * @example
   * env.agentState('rl-long-0').weights;
   */
  agentState(agentId: string): {
    cash: number;
    shares: Float64Array;
    entryPrices: Float64Array;
    weights: Float64Array;
    value: number;
    active: boolean;
    dailyStopActive: boolean;
  } {
    const a = this.agentIndex(agentId);
    const N = this.nAssets;
    return {
      cash: this.cash[a]!,
      shares: this.shares.slice(a * N, (a + 1) * N),
      entryPrices: this.entry.slice(a * N, (a + 1) * N),
      weights: this.weightsNow.slice(a * N, (a + 1) * N),
      value: this.buffers.values[a]!,
      active: this.active[a] === 1,
      dailyStopActive:
        this.tNow >= 0 && this.tNow + 1 < this.frameNow.nBars
          ? this.blockedDay[a] === utcDay(this.frameNow.times[this.tNow + 1]!)
          : false,
    };
  }

  /**
   * Metrics and costs of one agent over the episode so far.
   * @example
   * const r = env.report('rl-long-0'); console.log(r.sharpe, r.feesUsd, r.impactCostUsd);
   */
  report(agentId: string): AgentReport {
    const a = this.agentIndex(agentId);
    const liquidated = this.buffers.terminated[a] === 1;
    return this.ledger.report(a, agentId, this.agents[a]!.kind, this.barsPerYear, liquidated);
  }

  /** Reports of every agent, in env order. */
  reports(): AgentReport[] {
    return this.agentIds.map((id) => this.report(id));
  }

  /**
   * Buy-and-hold and equal-weight on the same bars as the episode so far (same cash,
   * fees and fill timing; alone in the market, so no impact).
   * @example
   * const { buyAndHold, equalWeight } = env.baselines();
   */
  baselines(): BaselineResults {
    if (this.tNow < 0) throw new MarketEnvError('STATE', 'call reset() before baselines()');
    const { cashUsd, feeBps } = this.config;
    return episodeBaselines(this.frameNow, this.t0, this.tNow, {
      cashUsd,
      feeBps,
      barsPerYear: this.barsPerYear,
    });
  }
}
