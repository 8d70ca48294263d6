/**
 * The learned agents' design, in one place: what they observe, how their networks are built
 * and how their outputs become target weights. Chosen with the learnability benchmark
 * (`pnpm bench:learn`: planted-signal synthetic markets against an oracle), never on the
 * bundled real data's test windows. See docs/learning.md for the measurements and the why.
 *
 * Design 2 (this one):
 * - Observation: market-env's `asset-features` layout, one block per asset (returns over
 *   1/5/20/60 bars, those that fit in `env.windowBars`, divided by the asset's own recent
 *   volatility; its current weight; a one-hot naming the asset, `env.assetIdentity`) and a
 *   global `[cash]` block. The one-hot lets the shared encoders learn a persistent drift of
 *   one asset, which its recent returns show only faintly (learnability benchmark).
 * - Both agents output book weights on the simplex through a logistic-normal head: softmax
 *   over one logit per asset plus a fixed cash logit, so "no position" is a choice rather
 *   than the clip of every negative sample, and exploration noise is not turnover.
 *   Long targets are the weights; short targets are −grossLimit × the weights.
 * - Both agents score every asset with one small shared network (per-item encoder, EIIE),
 *   so a market of N assets gives N samples per step and any universe size fits (one
 *   trained encoder fits any universe only with `env.assetIdentity: false`). PPO (long):
 *   one scorer for the logits' means, a per-asset critic averaged. SAC (short): tanh-squashed
 *   logits (× `train.sac.logitBound`) from a per-asset actor, and per-asset critics over each
 *   asset's features, action and weight, summed (a portfolio's return is a sum over assets).
 *   SAC checkpoints of the flat network that came before still load and trade as they are.
 * - PPO's discount γ = 0.3 and learning rate 1.5e-4: the planted signals pay within a bar or
 *   two, so a longer horizon only adds the noise of later returns to every advantage, and a
 *   slower learner fits less of its training window's noise (learnability benchmark).
 * - SAC learns its entropy coefficient from 0.1 (`train.sac.entCoef`), not SB3's 1: the
 *   rewards are log returns × 100, and with α near 1 for its whole budget the entropy bonus
 *   outweighed them, so the short agent held the maximum-entropy book (1/11 in every asset)
 *   whatever the market. Lower starts learn more and churn more (learnability benchmark).
 * - The short agent trains on 10× the fees and impact (`train.sac.costScale`; evaluation and
 *   trading use the real ones): a turnover penalty, so it learns to hold a view (winner-loser's
 *   loser) instead of churning a book whose costs exceed what the view pays.
 * - SAC's budget is 4,500 first-fold steps and 1,200 per later fold (3× round 6's): with the
 *   penalty, more updates hold a persistent loser more firmly; on six winner-loser paths the
 *   short agent went from +0.3 % to +1.1 % (learnability benchmark, round 7).
 * - The short book's cash logit (`train.sac.neutralGross`, {@link shortCashLogit}) makes the
 *   policy's neutral output, where the entropy bonus pulls it, a quarter-invested book instead
 *   of N/(N + 1): a short agent with no view does not carry a full short book.
 *
 * Design 1 (before): a flat MLP over 10 raw 1-bar returns per asset, Gaussian samples
 * clipped to [0, 1] and rescaled. Its checkpoints are refused with a typed error.
 */
import {
  type BoxSpace,
  normalizeWeights,
  type ObservationKind,
  observationLayout,
  type SingleAgentMarketEnv,
} from '@marlts/market-env';
import type { CheckpointBundle, PpoOptions, SacOptions } from '@marlts/rl-core';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';

/** The design version the app trains and accepts. */
export const AGENT_DESIGN_VERSION = 2;

/** The observation every agent, the live loop and evaluation build. */
export function observationOptions(config: AppConfig): {
  kind: ObservationKind;
  window: number;
  horizons: readonly number[];
  assetIdentity: boolean;
} {
  const window = config.env.windowBars;
  const fit = config.env.horizons.filter((h) => h <= window);
  return {
    kind: config.env.observation,
    window,
    horizons: fit.length > 0 ? fit : [window],
    assetIdentity: config.env.observation === 'asset-features' && config.env.assetIdentity,
  };
}

/**
 * Observation length for `nAssets` (what a checkpoint's observation space must have).
 * @example
 * observationSize(config, 10); // 151 with the default asset-features layout (10 × (5 + 10) + 1)
 */
export function observationSize(config: AppConfig, nAssets: number): number {
  return observationLayout({ ...observationOptions(config), nAssets }).size;
}

/**
 * The per-asset layout both agents' shared encoders read (`policy.items` in rl-core): one
 * block per asset plus the global block; null for the flat window observation.
 */
function itemLayout(
  config: AppConfig,
  nAssets: number,
): { items: number; itemDim: number; globalDim: number } | null {
  const layout = observationLayout({ ...observationOptions(config), nAssets });
  return layout.kind === 'asset-features'
    ? { items: nAssets, itemDim: layout.itemDim, globalDim: layout.globalDim }
    : null;
}

/**
 * PPO's options for the long agent on `env` (a single-agent view of the market).
 * @example
 * new Ppo(ppoOptions(config, env, { seed: 1, steps: 12_288 }));
 */
export function ppoOptions(
  config: AppConfig,
  env: SingleAgentMarketEnv,
  o: { seed: number; steps: number },
): PpoOptions {
  const c = config.train.ppo;
  const items = itemLayout(config, env.actionSpace.shape[0]!);
  return {
    env,
    seed: o.seed,
    learningRate: c.learningRate,
    nSteps: Math.min(c.nSteps, Math.max(64, o.steps)),
    batchSize: c.batchSize,
    nEpochs: c.nEpochs,
    gamma: c.gamma,
    gaeLambda: c.gaeLambda,
    entCoef: c.entCoef,
    // Asset features are already scale-free; the flat window's raw returns are not.
    normalizeObs: !items,
    policy: {
      netArch: c.netArch,
      logStdInit: c.logStdInit,
      distribution: 'logistic-normal',
      ...(items ? { items } : {}),
    },
  };
}

/**
 * SAC's options for the short agent on `env` (already a {@link shortBookEnv}).
 * @example
 * new Sac(sacOptions(config, shortBookEnv(view, 1), { seed: 2, steps: 4500 }));
 */
export function sacOptions(
  config: AppConfig,
  env: ShortBookEnv,
  o: { seed: number; steps: number },
): SacOptions {
  const c = config.train.sac;
  const items = itemLayout(config, env.actionSpace.shape[0]!);
  return {
    env,
    seed: o.seed,
    learningRate: c.learningRate,
    learningStarts: Math.min(c.learningStarts, Math.max(1, Math.floor(o.steps / 4))),
    batchSize: c.batchSize,
    bufferSize: c.bufferSize,
    gamma: c.gamma,
    entCoef: c.entCoef,
    targetEntropy: c.targetEntropy,
    policy: {
      netArch: c.netArch,
      distribution: 'logistic-normal',
      logitBound: c.logitBound,
      cashLogit: shortCashLogit(c.neutralGross, env.actionSpace.shape[0]!),
      ...(items ? { items } : {}),
    },
  };
}

/**
 * The cash logit that leaves a logistic-normal book `gross` invested at logits 0 over
 * `nAssets`: each weight is 1 / (N + e^c), so c = ln(N·(1 − gross)/gross).
 * @example
 * shortCashLogit(0.25, 10); // ln 30 ≈ 3.40
 */
export function shortCashLogit(gross: number, nAssets: number): number {
  return Math.log((nAssets * (1 - gross)) / gross);
}

/** The short agent's view: actions are book weights in [0, 1] (Σ ≤ 1), sold short × the gross limit. */
export interface ShortBookEnv {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  reset(options?: { seed?: number }): ReturnType<SingleAgentMarketEnv['reset']>;
  step(action: ArrayLike<number>): ReturnType<SingleAgentMarketEnv['step']>;
}

/**
 * Wraps the short agent's single-agent env so that a policy emitting weights in [0, 1]
 * (the logistic-normal) can trade it: the env receives `−grossLimit × weights`.
 * @example
 * const env = shortBookEnv(asSingleAgentEnv(market, 'rl-short-0', others), config.env.shortGrossLimit);
 */
export function shortBookEnv(env: SingleAgentMarketEnv, grossLimit: number): ShortBookEnv {
  const N = env.actionSpace.shape[0]!;
  const targets = new Float64Array(N);
  return {
    observationSpace: env.observationSpace,
    actionSpace: { kind: 'box', shape: [N], low: new Float32Array(N), high: new Float32Array(N).fill(1) },
    reset: (options) => env.reset(options),
    step: (action) => {
      for (let n = 0; n < N; n++) targets[n] = -grossLimit * action[n]!;
      return env.step(targets);
    },
  };
}

/**
 * Target weights from book weights `book` (in [0, 1], Σ ≤ 1) for a role: long as they are,
 * short × −grossLimit; then the env's own action rules (clip, caps).
 * @example
 * bookToTargets('short', [0.5, 0.1], 1); // [-0.5, -0.1]
 */
export function bookToTargets(
  role: 'long' | 'short',
  book: ArrayLike<number>,
  grossLimit: number,
  out: Float64Array = new Float64Array(book.length),
): Float64Array {
  const sign = role === 'long' ? 1 : -grossLimit;
  for (let n = 0; n < out.length; n++) out[n] = sign * book[n]!;
  return normalizeWeights(role, out, out, grossLimit);
}

/**
 * Refuses a checkpoint of another agent design (e.g. design 1's clipped-Gaussian policies)
 * with a typed error that names its version, instead of misreading it.
 * @example
 * assertAgentDesign('ppo', bundle, 'runs/a/checkpoints/rl-long-0-v3.json');
 */
export function assertAgentDesign(algo: 'ppo' | 'sac', bundle: CheckpointBundle, where: string): void {
  const policy = (bundle.config as { policy?: { distribution?: string } }).policy;
  const version = policy?.distribution === 'logistic-normal' ? 2 : 1;
  if (version !== AGENT_DESIGN_VERSION) {
    throw new AppError(
      'CONFIG',
      `${where}: this ${algo.toUpperCase()} checkpoint is of agent design ${version} (a clipped-Gaussian policy over raw returns); this version of marlts trades design ${AGENT_DESIGN_VERSION} (per-asset features, softmax weights) and cannot use it`,
      { hint: 'train new agents with `marlts train` (or start `marlts paper` with a fresh --run-dir)' },
    );
  }
}
