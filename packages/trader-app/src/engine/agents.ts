/**
 * The learned agents and the market they trade in: a PPO long agent (`rl-long-0`)
 * and a SAC short agent (`rl-short-0`) in one market-env market beside the heuristic
 * agents. Training alternates: each learner trains on its own single-agent view while
 * the other follows its current (frozen, deterministic) policy. Evaluation (all agents
 * together on unseen bars) is evaluate.ts.
 */
import {
  type AgentSpec,
  asSingleAgentEnv,
  type FixedPolicy,
  MarketEnv,
  type MarketEnvOptions,
  type PriceFrame,
} from '@marlts/market-env';
import { type CheckpointBundle, Ppo, Sac } from '@marlts/rl-core';
import { type AppConfig, minTradeWeight } from '../config.js';
import type { ProgressReporter } from '../progress.js';
import {
  assertAgentDesign,
  bookToTargets,
  observationOptions,
  ppoOptions,
  sacOptions,
  shortBookEnv,
} from './agent-design.js';

export const LONG_ID = 'rl-long-0';
export const SHORT_ID = 'rl-short-0';

/** What the app needs from a PPO or SAC model. */
export interface Learner {
  predict(obs: ArrayLike<number>, options?: { deterministic?: boolean }): Float32Array | Int32Array;
  learn(options: {
    totalTimesteps: number;
    callback?: (p: {
      timesteps: number;
      episodeRewardMean: number;
      train: object | null;
    }) => boolean | undefined;
    resetNumTimesteps?: boolean;
  }): Promise<unknown>;
  setEnv(env: never): void;
  save(): CheckpointBundle;
  dispose(): void;
  readonly timesteps: number;
}

/**
 * One point of an agent's learning curve: the model's step count, the mean training-episode
 * reward so far, and its algorithm's diagnostics (PPO: entropy, policy std, approx-KL; SAC: α
 * and the mean log-probability of its actions).
 */
export interface TrainPoint {
  agent: string;
  /** e.g. `seed 1/3 fold 2/9`. */
  label: string;
  timesteps: number;
  episodeReward: number;
  entropy?: number;
  std?: number;
  approxKl?: number;
  alpha?: number;
  logProb?: number;
}

function trainPoint(
  agent: string,
  label: string,
  p: { timesteps: number; episodeRewardMean: number; train: object | null },
): TrainPoint {
  const t = (p.train ?? {}) as Record<string, number>;
  const pick = (k: string) => (Number.isFinite(t[k]) ? { [k]: t[k] } : {});
  return {
    agent,
    label,
    timesteps: p.timesteps,
    episodeReward: p.episodeRewardMean,
    ...pick('entropy'),
    ...pick('std'),
    ...pick('approxKl'),
    ...(Number.isFinite(t.entCoef) ? { alpha: t.entCoef } : {}),
    ...pick('logProb'),
  };
}

export interface AgentPair {
  long: Ppo | null;
  short: Sac | null;
}

/** What an {@link Actor} is told beside its observation: the bar it decides on, in `frame`. */
export interface ActContext {
  deterministic?: boolean;
  frame?: PriceFrame;
  t?: number;
}

/**
 * Anything that maps an observation to book weights (each in [0, 1], Σ ≤ 1; the role turns
 * them into targets, see `bookToTargets`): a trained model, or a reference rule such as an oracle.
 */
export interface Actor {
  predict(obs: ArrayLike<number>, context?: ActContext): ArrayLike<number>;
}

/** The policies evaluated in the long and short slots of a market (a trained pair or reference rules). */
export interface ActorPair {
  long: Actor | null;
  short: Actor | null;
}

const HEURISTIC_IDS: Record<string, string> = {
  momentum: 'mom-0',
  'mean-reversion': 'mean-0',
  'market-maker': 'mm-0',
  'buy-and-hold': 'bh-0',
  'equal-weight': 'ew-0',
};

/** Display names of the heuristic agents in reports. */
export function heuristicLabel(id: string): string {
  const kind = Object.entries(HEURISTIC_IDS).find(([, v]) => v === id)?.[0];
  return kind ? `heuristic:${kind}` : id;
}

/** The market's agents: both learned agents, then the configured heuristics. */
export function marketAgents(config: AppConfig): AgentSpec[] {
  return [
    { id: LONG_ID, kind: 'learned', role: 'long' },
    { id: SHORT_ID, kind: 'learned', role: 'short', grossLimit: config.env.shortGrossLimit },
    ...config.env.heuristics.map((k): AgentSpec => ({ id: HEURISTIC_IDS[k]!, kind: k })),
  ];
}

/** MarketEnv options shared by training, evaluation and the live loop's retraining. */
export function marketOptions(
  frame: PriceFrame,
  config: AppConfig,
  extra: {
    seed: number;
    episodeLength: number | null;
    randomStart: boolean;
    startIndex?: number;
    barsPerYear?: number;
  },
): MarketEnvOptions {
  const view = observationOptions(config);
  return {
    frame,
    agents: marketAgents(config),
    window: config.env.windowBars,
    episodeLength: extra.episodeLength,
    randomStart: extra.randomStart,
    ...(extra.startIndex !== undefined ? { startIndex: extra.startIndex } : {}),
    cashUsd: config.env.cashUsd,
    feeBps: config.env.feeBps,
    impact: { model: 'linear', coeff: config.env.impactCoeff, liquidityUsd: 10_000_000, maxImpact: 0.05 },
    borrowBpsPerYear: config.env.borrowBpsPerYear,
    // The live loop skips changes below risk.minTradeWeight of equity; the env does the same.
    deadbandBps: minTradeWeight(config.risk, frame.nAssets) * 10_000,
    observation: { kind: view.kind, horizons: [...view.horizons], assetIdentity: view.assetIdentity },
    // Training reward: the log return of the agent's own sleeve (scale-free across prices).
    reward: { kind: 'log-return', coopWeight: 0, compWeight: 0, scale: 100, dsrEta: 0.01 },
    risk: {
      stopLoss: config.risk.stopLossPct,
      takeProfit: config.risk.takeProfitPct,
      dailyLossLimit: config.risk.dailyLossStopPct,
      // The account-level cap, expressed per sleeve.
      maxWeight: Math.min(
        1,
        config.risk.maxPositionWeight / Math.min(config.env.longSleeve, config.env.shortSleeve),
      ),
    },
    ...(extra.barsPerYear !== undefined ? { barsPerYear: extra.barsPerYear } : {}),
    seed: extra.seed,
  };
}

/** Deterministic target weights of a learned model for one observation. */
export function policyWeights(
  model: Actor | null,
  role: 'long' | 'short',
  obs: ArrayLike<number>,
  nAssets: number,
  grossLimit = 1,
  context: ActContext = {},
): Float64Array {
  const out = new Float64Array(nAssets);
  if (!model) return out;
  return bookToTargets(role, model.predict(obs, { ...context, deterministic: true }), grossLimit, out);
}

function fixed(
  model: Learner | null,
  role: 'long' | 'short',
  nAssets: number,
  grossLimit: number,
): FixedPolicy {
  return (obs) => policyWeights(model, role, obs, nAssets, grossLimit);
}

function rewardInfo(r: number): string {
  return Number.isFinite(r) ? `episode reward ${r.toFixed(2)}` : '';
}

/** SAC env steps between progress updates and abort checks. */
export const SAC_CHECK_EVERY = 25;

function episodeLength(frame: PriceFrame, config: AppConfig): number {
  return Math.max(2, Math.min(config.env.episodeBars, frame.nBars - config.env.windowBars - 2));
}

/**
 * The config of an agent's training market: fees and impact × `train.costScale`, and for the
 * short agent × `train.sac.costScale` as well (evaluation and trading never scale them).
 * @example
 * trainingCosts(config, 'short').env.feeBps; // 5 × train.costScale × train.sac.costScale
 */
export function trainingCosts(config: AppConfig, role: 'long' | 'short'): AppConfig {
  const k = config.train.costScale * (role === 'short' ? config.train.sac.costScale : 1);
  if (k === 1) return config;
  return {
    ...config,
    env: { ...config.env, feeBps: config.env.feeBps * k, impactCoeff: config.env.impactCoeff * k },
  };
}

/**
 * Trains (or warm-starts) the agent pair on `frame`: PPO long first against the
 * short agent's current policy, then SAC short against the new long policy. An aborted
 * `signal` stops training within one PPO rollout or `SAC_CHECK_EVERY` SAC steps and
 * skips what has not started; callers check `signal.aborted` afterwards.
 */
export async function trainPair(options: {
  frame: PriceFrame;
  config: AppConfig;
  seed: number;
  ppoSteps: number;
  sacSteps: number;
  pair?: AgentPair;
  which?: 'both' | 'long' | 'short';
  progress?: ProgressReporter;
  label?: string;
  signal?: AbortSignal;
  barsPerYear?: number;
  /** Receives the learning curves' points (one per PPO rollout, one per SAC report). */
  onTrainPoint?: (p: TrainPoint) => void;
}): Promise<AgentPair> {
  const { frame, config, seed } = options;
  const which = options.which ?? 'both';
  const N = frame.nAssets;
  const pair: AgentPair = { long: options.pair?.long ?? null, short: options.pair?.short ?? null };
  const len = episodeLength(frame, config);
  const opts = (s: number, role: 'long' | 'short') =>
    marketOptions(frame, trainingCosts(config, role), {
      seed: s,
      episodeLength: len,
      randomStart: true,
      ...(options.barsPerYear !== undefined ? { barsPerYear: options.barsPerYear } : {}),
    });
  const label = options.label ?? 'train';
  const stopIfAborted = () => (options.signal?.aborted ? false : undefined);

  if (which !== 'short' && options.ppoSteps > 0 && !options.signal?.aborted) {
    const env = asSingleAgentEnv(new MarketEnv(opts(seed, 'long')), LONG_ID, {
      [SHORT_ID]: fixed(pair.short, 'short', N, config.env.shortGrossLimit),
    });
    if (pair.long) pair.long.setEnv(env);
    else pair.long = new Ppo(ppoOptions(config, env, { seed, steps: options.ppoSteps }));
    const task = options.progress?.start(`${label} PPO long`, options.ppoSteps);
    const start = pair.long.timesteps;
    await pair.long.learn({
      totalTimesteps: options.ppoSteps,
      resetNumTimesteps: false,
      callback: (p) => {
        task?.update(p.timesteps - start, rewardInfo(p.episodeRewardMean));
        if (p.train) options.onTrainPoint?.(trainPoint(LONG_ID, label, p));
        return stopIfAborted();
      },
    });
    task?.stop();
  }
  if (which !== 'long' && options.sacSteps > 0 && !options.signal?.aborted) {
    const env = shortBookEnv(
      asSingleAgentEnv(new MarketEnv(opts(seed + 1, 'short')), SHORT_ID, {
        [LONG_ID]: fixed(pair.long, 'long', N, 1),
      }),
      config.env.shortGrossLimit,
    );
    if (pair.short) pair.short.setEnv(env);
    else pair.short = new Sac(sacOptions(config, env, { seed: seed + 1, steps: options.sacSteps }));
    const task = options.progress?.start(`${label} SAC short`, options.sacSteps);
    const start = pair.short.timesteps;
    await pair.short.learn({
      totalTimesteps: options.sacSteps,
      resetNumTimesteps: false,
      // SAC runs ~100 steps/s and only yields to the event loop at a callback: every 1000
      // steps (its default) a Ctrl-C would wait ~10 s to be seen.
      callbackEvery: SAC_CHECK_EVERY,
      callback: (p) => {
        task?.update(p.timesteps - start, rewardInfo(p.episodeRewardMean));
        // One curve point per 8 checks (every 200 steps) keeps stored curves small.
        if (p.train && p.iteration % 8 === 0) options.onTrainPoint?.(trainPoint(SHORT_ID, label, p));
        return stopIfAborted();
      },
    });
    task?.stop();
  }
  return pair;
}

/** Loads a learned model from a checkpoint bundle (inference or warm start). */
export function loadLearner(algo: 'ppo' | 'sac', bundle: CheckpointBundle, where = 'checkpoint'): Learner {
  assertAgentDesign(algo, bundle, where);
  return algo === 'ppo' ? Ppo.load(bundle) : Sac.load(bundle);
}
