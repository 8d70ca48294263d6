/**
 * PPO's actor-critic, SB3's `ActorCriticPolicy` with `MlpPolicy` defaults
 * (`stable_baselines3/common/policies.py`): separate policy and value MLPs (64-64 tanh),
 * orthogonal init (gain √2 hidden, 0.01 policy head, 1 value head), a Categorical head for
 * `Discrete` actions and a diagonal Gaussian with a state-independent `logStd` (init 0) for
 * `Box` actions. All parameters live in one flat variable `[pi | vf | logStd]`.
 *
 * Two portfolio options: `items` makes both networks per-item shared encoders (one small
 * network scores every item from that item's features plus the shared ones, EIIE: Jiang, Xu
 * & Liang 2017; the critic averages its per-item values), so a universe of N assets gives N
 * samples per step and the network's size does not depend on N; then one `logStd` is shared
 * by all items. `distribution: 'logistic-normal'` keeps the Gaussian over the head's outputs
 * (as logits) and hands the env softmax weights ({@link logisticNormalWeights}).
 *
 * Acting (rollouts, `predict`) runs on rl-core's WebAssembly kernels ({@link FastForward}) on
 * a snapshot taken by {@link refresh} after each update; PPO's gradient steps use `PpoGrad`
 * on the kernels, and {@link ActorCriticPolicy.evaluateActionsT} is the same policy in tfjs
 * (differentiable; the test oracle).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  categoricalEntropyT,
  categoricalLogProb,
  categoricalLogProbT,
  categoricalMode,
  categoricalSample,
} from '../distributions/categorical.js';
import {
  diagGaussianEntropyT,
  diagGaussianLogProb,
  diagGaussianLogProbT,
} from '../distributions/diag-gaussian.js';
import { assertWeightSpace, logisticNormalWeights } from '../distributions/logistic-normal.js';
import { RlError } from '../errors.js';
import { FastForward } from '../nn/fast-forward.js';
import { type Activation, initMlpParams, type MlpSpec, mlpApplyT, mlpParamCount } from '../nn/mlp.js';
import type { Rng } from '../random.js';
import { type Space, spaceSize } from '../spaces.js';

/**
 * An observation made of `items` blocks of `itemDim` features followed by `globalDim`
 * features shared by all items (`[items × itemDim | globalDim]`).
 */
export interface ItemLayout {
  items: number;
  itemDim: number;
  globalDim: number;
}

/** The action distribution of a Box policy. */
export type BoxDistribution = 'gaussian' | 'logistic-normal';

/**
 * Rows `[n·items, itemDim + globalDim]` of a batch of item observations: each item's block
 * followed by the sample's global block.
 * @example
 * expandItems(Float32Array.of(1, 2, 9), 1, { items: 2, itemDim: 1, globalDim: 1 }); // [1, 9, 2, 9]
 */
export function expandItems(
  obs: ArrayLike<number>,
  n: number,
  layout: ItemLayout,
  out: Float32Array = new Float32Array(n * layout.items * (layout.itemDim + layout.globalDim)),
): Float32Array {
  const { items, itemDim, globalDim } = layout;
  const obsDim = items * itemDim + globalDim;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const base = i * obsDim;
    const g = base + items * itemDim;
    for (let j = 0; j < items; j++) {
      const it = base + j * itemDim;
      for (let f = 0; f < itemDim; f++) out[o++] = obs[it + f]!;
      for (let f = 0; f < globalDim; f++) out[o++] = obs[g + f]!;
    }
  }
  return out;
}

/** Options of {@link ActorCriticPolicy}. */
export interface ActorCriticOptions {
  obsDim: number;
  actionSpace: Space;
  netArch: { pi: readonly number[]; vf: readonly number[] };
  activation: Activation;
  /** Initial log standard deviation of the Gaussian (SB3 `log_std_init`, 0). */
  logStdInit: number;
  /** SB3 `ortho_init` (true): orthogonal init with SB3's gains; false = torch's default init. */
  orthoInit: boolean;
  rng: Rng;
  /** Per-item shared encoders (see the file comment). */
  items?: ItemLayout | undefined;
  /** Box actions: SB3's clipped Gaussian (default) or the logistic-normal. */
  distribution?: BoxDistribution;
}

/** What {@link ActorCriticPolicy.act} returns; arrays over the batch. */
export interface ActResult {
  /** Unclipped actions `[n, actDim]` (Discrete: indices stored as floats). */
  actions: Float32Array;
  logProbs: Float32Array;
  values: Float32Array;
}

/**
 * @example
 * const policy = new ActorCriticPolicy({ obsDim: 4, actionSpace: discrete(2), netArch: { pi: [64, 64], vf: [64, 64] },
 *   activation: 'tanh', logStdInit: 0, orthoInit: true, rng: new Rng(0) });
 * const { actions } = policy.act(obs, 1, rng, false);
 */
export class ActorCriticPolicy {
  readonly piSpec: MlpSpec;
  readonly vfSpec: MlpSpec;
  readonly discrete: boolean;
  /** Action dimension (1 for Discrete). */
  readonly actDim: number;
  /** Policy-head width: number of logits or Gaussian means. */
  readonly headDim: number;
  readonly vfOffset: number;
  readonly logStdOffset: number;
  /** Number of `logStd` parameters: `actDim`, or 1 shared by every item. */
  readonly logStdSize: number;
  readonly items: ItemLayout | null;
  readonly distribution: BoxDistribution;
  /** Network rows per sample: `items`, or 1. */
  readonly rowsPerSample: number;
  readonly params: tf.Variable<tf.Rank.R1>;
  private snapshot: Float32Array;
  private readonly piFast: FastForward;
  private readonly vfFast: FastForward;
  /** Layer sizes of the flat vector `[piW₀, pib₀, …, vfW₀, vfb₀, …, logStd?]` and the shapes of W/b. */
  private readonly splitSizes: number[] = [];
  private readonly splitShapes: number[][] = [];

  constructor(options: ActorCriticOptions) {
    const { obsDim, actionSpace, netArch, activation, rng } = options;
    this.discrete = actionSpace.kind === 'discrete';
    this.actDim = this.discrete ? 1 : spaceSize(actionSpace);
    this.headDim = actionSpace.kind === 'discrete' ? actionSpace.n : this.actDim;
    this.items = options.items ?? null;
    this.distribution = options.distribution ?? 'gaussian';
    checkPortfolioOptions(obsDim, actionSpace, this.items, this.distribution);
    this.rowsPerSample = this.items ? this.items.items : 1;
    // An item encoder reads one item's row and writes that item's head entry (and value).
    const inDim = this.items ? this.items.itemDim + this.items.globalDim : obsDim;
    const outDim = this.items ? 1 : this.headDim;
    this.piSpec = { sizes: [inDim, ...netArch.pi, outDim], activation };
    this.vfSpec = { sizes: [inDim, ...netArch.vf, 1], activation };
    this.vfOffset = mlpParamCount(this.piSpec.sizes);
    this.logStdOffset = this.vfOffset + mlpParamCount(this.vfSpec.sizes);
    this.logStdSize = this.discrete ? 0 : this.items ? 1 : this.actDim;
    const total = this.logStdOffset + this.logStdSize;
    const init = new Float32Array(total);
    const kind = options.orthoInit ? 'orthogonal' : 'torch-default';
    init.set(initMlpParams(this.piSpec, rng, { init: kind, outputGain: 0.01 }), 0);
    init.set(initMlpParams(this.vfSpec, rng, { init: kind, outputGain: 1 }), this.vfOffset);
    if (!this.discrete) init.fill(options.logStdInit, this.logStdOffset);
    this.snapshot = init;
    this.piFast = new FastForward(this.piSpec, 0);
    this.vfFast = new FastForward(this.vfSpec, this.vfOffset);
    for (const spec of [this.piSpec, this.vfSpec]) {
      for (let l = 0; l + 1 < spec.sizes.length; l++) {
        const nIn = spec.sizes[l]!;
        const nOut = spec.sizes[l + 1]!;
        this.splitSizes.push(nIn * nOut, nOut);
        this.splitShapes.push([nIn, nOut], [nOut]);
      }
    }
    if (!this.discrete) this.splitSizes.push(this.logStdSize);
    this.params = tf.tidy(() => tf.variable(tf.tensor1d(init), true));
  }

  /** Number of parameters. */
  get size(): number {
    return this.params.shape[0];
  }

  /** Re-reads the weights for JS acting (one `dataSync`); call after every update. */
  refresh(): void {
    this.snapshot = this.params.dataSync().slice() as Float32Array;
  }

  /** The JS-side weights (as of the last {@link refresh}). */
  getWeights(): Float32Array {
    return this.snapshot.slice();
  }

  /** Replaces all weights (length must match {@link size}). */
  setWeights(weights: Float32Array): void {
    tf.tidy(() => this.params.assign(tf.tensor1d(weights)));
    this.snapshot = weights.slice();
  }

  /** The networks' input rows for flat observations (item rows, or the observations themselves). */
  rows(obs: ArrayLike<number>, n: number): ArrayLike<number> {
    return this.items ? expandItems(obs, n, this.items) : obs;
  }

  /** V(s) for flat `[n, obsDim]` observations (on the kernels). */
  predictValues(obs: ArrayLike<number>, n: number): Float32Array {
    const perRow = this.vfFast.forward(this.snapshot, this.rows(obs, n), n * this.rowsPerSample);
    return this.items ? meanPerSample(perRow, n, this.rowsPerSample) : perRow;
  }

  /** The policy head (logits or Gaussian means) `[n, headDim]`, same routing as {@link predictValues}. */
  head(obs: ArrayLike<number>, n: number): Float32Array {
    // With items, the rows' single outputs are already laid out as [n, items].
    return this.piFast.forward(this.snapshot, this.rows(obs, n), n * this.rowsPerSample);
  }

  /** `logStd` per action dimension `[actDim]` (Box only; a shared one is repeated). */
  logStd(): Float32Array {
    const own = this.snapshot.subarray(this.logStdOffset, this.logStdOffset + this.logStdSize);
    return this.logStdSize === this.actDim ? own : new Float32Array(this.actDim).fill(own[0]!);
  }

  /**
   * What the env receives for raw Box actions `[n, actDim]`: clipped to the Box (SB3), or
   * the logistic-normal's softmax weights.
   */
  envActions(raw: Float32Array, space: Space): Float32Array {
    if (space.kind !== 'box') return raw;
    const out = new Float32Array(raw.length);
    if (this.distribution === 'logistic-normal') return logisticNormalWeights(raw, this.actDim, out);
    for (let i = 0; i < raw.length; i++) {
      const d = i % this.actDim;
      out[i] = Math.min(Math.max(raw[i]!, space.low[d]!), space.high[d]!);
    }
    return out;
  }

  /** Samples (or takes the mode of) actions for `n` observations (network on the kernels, sampling in JS). */
  act(obs: ArrayLike<number>, n: number, rng: Rng, deterministic: boolean, withValues = true): ActResult {
    const head = this.head(obs, n);
    const values = withValues ? this.predictValues(obs, n) : new Float32Array(n);
    if (this.discrete) {
      const a = deterministic
        ? categoricalMode(head, this.headDim)
        : categoricalSample(head, this.headDim, rng);
      const logProbs = Float32Array.from(categoricalLogProb(head, a, this.headDim));
      return { actions: Float32Array.from(a), logProbs, values };
    }
    const logStd = this.logStd();
    const actions = new Float32Array(n * this.actDim);
    for (let i = 0; i < actions.length; i++) {
      const d = i % this.actDim;
      actions[i] = deterministic ? head[i]! : head[i]! + Math.exp(logStd[d]!) * rng.normal();
    }
    const logProbs = Float32Array.from(diagGaussianLogProb(head, logStd, actions, this.actDim));
    return { actions, logProbs, values };
  }

  /**
   * Differentiable V(s), log π(a|s) and entropy for a minibatch (inside a gradient tape).
   * `actions` is `[B, actDim]` float32 (Box) or `[B]` int32 (Discrete).
   */
  evaluateActionsT(
    obs: tf.Tensor2D,
    actions: tf.Tensor,
  ): { values: tf.Tensor1D; logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
    // One split (whose gradient is one concat) instead of a slice per layer (a pad each).
    const parts = tf.split(this.params, this.splitSizes);
    const layers = (spec: MlpSpec, first: number) =>
      parts.slice(first, first + 2 * (spec.sizes.length - 1)).map((t, i) => {
        const l = first + i;
        return l % 2 === 0 && l < this.splitShapes.length ? tf.reshape(t, this.splitShapes[l]!) : t;
      });
    const piLayers = 2 * (this.piSpec.sizes.length - 1);
    const batch = obs.shape[0];
    const rows = this.items ? expandItemsT(obs, this.items) : obs;
    const head = tf.reshape(mlpApplyT(this.piSpec, layers(this.piSpec, 0), rows), [
      batch,
      this.headDim,
    ]) as tf.Tensor2D;
    const perRow = mlpApplyT(this.vfSpec, layers(this.vfSpec, piLayers), rows);
    const values = (
      this.items ? tf.mean(tf.reshape(perRow, [batch, this.items.items]), 1) : tf.reshape(perRow, [-1])
    ) as tf.Tensor1D;
    if (this.discrete) {
      return {
        values,
        logProb: categoricalLogProbT(head, actions as tf.Tensor1D),
        entropy: categoricalEntropyT(head),
      };
    }
    const own = parts.at(-1)!;
    const logStd = (this.logStdSize === this.actDim ? own : tf.tile(own, [this.actDim])) as tf.Tensor1D;
    return {
      values,
      logProb: diagGaussianLogProbT(head, logStd, actions as tf.Tensor2D),
      entropy: diagGaussianEntropyT(logStd, obs.shape[0]),
    };
  }

  dispose(): void {
    this.params.dispose();
    this.piFast.dispose();
    this.vfFast.dispose();
  }
}

/**
 * Means of consecutive groups of `rows` values: per-item outputs `[n·rows]` → `[n]`.
 * @example
 * meanPerSample(Float32Array.of(1, 3, 5, 7), 2, 2); // [2, 6]
 */
export function meanPerSample(perRow: Float32Array, n: number, rows: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < rows; j++) s += perRow[i * rows + j]!;
    out[i] = s / rows;
  }
  return out;
}

/** {@link expandItems} on tensors (differentiable): `[B, obsDim]` → `[B·items, itemDim + globalDim]`. */
function expandItemsT(obs: tf.Tensor2D, layout: ItemLayout): tf.Tensor2D {
  const { items, itemDim, globalDim } = layout;
  const b = obs.shape[0];
  const perItem = tf.reshape(tf.slice(obs, [0, 0], [b, items * itemDim]), [b, items, itemDim]);
  if (globalDim === 0) return tf.reshape(perItem, [b * items, itemDim]);
  const global = tf.slice(obs, [0, items * itemDim], [b, globalDim]);
  const tiled = tf.tile(tf.reshape(global, [b, 1, globalDim]), [1, items, 1]);
  return tf.reshape(tf.concat([perItem, tiled], 2), [b * items, itemDim + globalDim]);
}

function checkPortfolioOptions(
  obsDim: number,
  actionSpace: Space,
  items: ItemLayout | null,
  distribution: BoxDistribution,
): void {
  if (items) {
    const want = items.items * items.itemDim + items.globalDim;
    if (want !== obsDim) {
      throw new RlError(
        'CONFIG',
        `policy.items: ${items.items} items × ${items.itemDim} + ${items.globalDim} global = ${want} values, but the observation has ${obsDim}`,
        { field: 'policy.items' },
      );
    }
    if (actionSpace.kind !== 'box' || spaceSize(actionSpace) !== items.items) {
      throw new RlError(
        'CONFIG',
        `policy.items: an item encoder scores one action per item, so the action space must be a Box of ${items.items} values`,
        { field: 'policy.items' },
      );
    }
  }
  if (distribution === 'logistic-normal') assertWeightSpace(actionSpace, 'Ppo');
}
