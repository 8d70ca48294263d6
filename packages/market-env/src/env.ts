/**
 * `MarketEnv`: several agents trade several assets in one market (PettingZoo "parallel"
 * semantics). Timing: a decision made on bar t sees data up to the close of t and fills
 * at bar t + 1 at the open (close-only data has open = close), with impact from the net
 * notional of ALL agents; the step is then marked at the close of t + 1. The env runs
 * episodes over its `Market` (market.ts: the books and that step), then rewards
 * (rewards.ts), the ledger behind the reports (reports.ts) and the observations
 * (features.ts). Everything runs on preallocated typed arrays; `stepArrays` is the
 * allocation-free hot path and `step` the friendly per-agent-record form.
 */
import { checkActionArray, roleBounds } from './actions.js';
import { type MarketAgent, resolveAgents } from './agents.js';
import type { BaselineResults } from './baselines.js';
import {
  configObservationLayout,
  type MarketEnvConfig,
  type MarketEnvOptions,
  parseMarketEnvOptions,
  startIndexProblem,
} from './config.js';
import type { AgentReport, MarketAgentInfo, MarketBuffers, MultiAgentStepResult } from './env-types.js';
import { MarketEnvError } from './errors.js';
import { logReturnsFromCloses, type ObservationLayout, writeObservation } from './features.js';
import { inferBarsPerYear } from './frame.js';
import { Market } from './market.js';
import { Rng } from './random.js';
import { EpisodeLedger, episodeBaselines } from './reports.js';
import { DifferentialSharpe, stepRewards } from './rewards.js';
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
  /** The agents' books and the step that moves them. */
  private readonly market: Market;
  private readonly dsr: DifferentialSharpe[];
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
    const A = agents.length;
    this.nAgents = A;
    const extra = c.observation.extra;
    this.extra = extra?.values;
    this.nExtra = extra ? extra.nFeatures : 0;
    this.layout = configObservationLayout(c, N);
    this.obsDim = this.layout.size;
    this.market = new Market(c, agents, this.barsPerYear, f);
    this.dsr = agents.map(() => new DifferentialSharpe(c.reward.dsrEta));
    this.learnedScratch = new Float64Array(Math.max(1, this.learnedAgentIds.length * N));
    const m = this.market;
    this.buffers = {
      obs: new Float32Array(A * this.obsDim),
      rewards: new Float64Array(A),
      terminated: m.terminated,
      values: m.values,
      targets: m.targets,
      holds: m.hold,
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
      this.market.setFrame(this.frameNow);
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
    this.market.reset();
    for (const d of this.dsr) d.reset();
    const b = this.buffers;
    b.rewards.fill(0);
    b.truncated = false;
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
    checkActionArray(actions, this.learnedAgentIds, this.frameNow.symbols);
    const t = this.tNow;
    const m = this.market;
    const b = this.buffers;
    m.step(t, actions);
    stepRewards(this.config.reward, m.values, m.prevValues, m.base, m.hold, this.dsr, b.rewards);
    this.tNow = t + 1;
    this.steps++;
    this.ledger.record(m.last, m.values);
    b.truncated = this.tNow >= this.tEnd;
    this.writeAllObs();
    return b;
  }

  /** Every agent's observation at the close of the current bar, into `buffers.obs`. */
  private writeAllObs(): void {
    const t = this.tNow;
    const N = this.nAssets;
    const m = this.market;
    const retOff = (t - this.window + 1) * N;
    const extraOff = t * N * this.nExtra;
    m.markWeights(t);
    for (let a = 0; a < this.nAgents; a++) {
      const v = m.values[a]!;
      writeObservation(
        this.buffers.obs,
        a * this.obsDim,
        this.layout,
        this.returns,
        retOff,
        m.weightRows[a]!,
        v > 0 ? m.cash[a]! / v : 0,
        m.flows,
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
        if (this.market.active[a] === 1)
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
      value: this.market.values[a]!,
      cash: this.market.cash[a]!,
      feesUsd: this.market.last.fees[a]!,
      impactCostUsd: this.market.last.impactCost[a]!,
      borrowCostUsd: this.market.last.borrowCost[a]!,
      tradedNotionalUsd: this.market.last.tradedNotional[a]!,
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
    const m = this.market;
    return {
      cash: m.cash[a]!,
      shares: m.shares.slice(a * N, (a + 1) * N),
      entryPrices: m.entry.slice(a * N, (a + 1) * N),
      weights: m.weights.slice(a * N, (a + 1) * N),
      value: m.values[a]!,
      active: m.active[a] === 1,
      dailyStopActive: m.entriesBlocked(a, this.tNow),
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
