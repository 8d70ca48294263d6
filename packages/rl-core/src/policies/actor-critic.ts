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
 * Acting (rollouts, `predict`) runs on rl-core's WebAssembly kernels ({@link FastForward});
 * PPO's gradient steps use `PpoGrad` on the kernels, and `actorCriticT` in
 * `@marlts/rl-core/testing` is the same policy in tfjs (differentiable; the oracle).
 */
import { categoricalLogProb, categoricalMode, categoricalSample } from '../distributions/categorical.js';
import { diagGaussianLogProb } from '../distributions/diag-gaussian.js';
import { assertWeightSpace, logisticNormalWeights } from '../distributions/logistic-normal.js';
import { RlError } from '../errors.js';
import { FastForward } from '../nn/fast-forward.js';
import { type Activation, initMlpParams, type MlpSpec, mlpParamCount } from '../nn/mlp.js';
import type { Rng } from '../random.js';
import { type Space, spaceSize } from '../spaces.js';
import { expandItems, type ItemLayout, meanPerSample } from './items.js';

/** The action distribution of a Box policy. */
export type BoxDistribution = 'gaussian' | 'logistic-normal';

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
  /** Number of parameters. */
  readonly size: number;
  /** The weights `[pi | vf | logStd]`; replaced (never written in place) so {@link FastForward} sees each update. */
  private weights: Float32Array;
  private readonly piFast: FastForward;
  private readonly vfFast: FastForward;

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
    this.size = this.logStdOffset + this.logStdSize;
    const init = new Float32Array(this.size);
    const kind = options.orthoInit ? 'orthogonal' : 'torch-default';
    init.set(initMlpParams(this.piSpec, rng, { init: kind, outputGain: 0.01 }), 0);
    init.set(initMlpParams(this.vfSpec, rng, { init: kind, outputGain: 1 }), this.vfOffset);
    if (!this.discrete) init.fill(options.logStdInit, this.logStdOffset);
    this.weights = init;
    this.piFast = new FastForward(this.piSpec, 0);
    this.vfFast = new FastForward(this.vfSpec, this.vfOffset);
  }

  /** A copy of the weights. */
  getWeights(): Float32Array {
    return this.weights.slice();
  }

  /** Replaces all weights with a copy of `weights` ({@link size} values). */
  setWeights(weights: Float32Array): void {
    if (weights.length !== this.size) {
      throw new RlError(
        'SHAPE',
        `ActorCriticPolicy: ${weights.length} weights, the policy has ${this.size}`,
        {
          field: 'weights',
        },
      );
    }
    this.weights = weights.slice();
  }

  /** The networks' input rows for flat observations (item rows, or the observations themselves). */
  rows(obs: ArrayLike<number>, n: number): ArrayLike<number> {
    return this.items ? expandItems(obs, n, this.items) : obs;
  }

  /** V(s) for flat `[n, obsDim]` observations (on the kernels). */
  predictValues(obs: ArrayLike<number>, n: number): Float32Array {
    const perRow = this.vfFast.forward(this.weights, this.rows(obs, n), n * this.rowsPerSample);
    return this.items ? meanPerSample(perRow, n, this.rowsPerSample) : perRow;
  }

  /** The policy head (logits or Gaussian means) `[n, headDim]`, same routing as {@link predictValues}. */
  head(obs: ArrayLike<number>, n: number): Float32Array {
    // With items, the rows' single outputs are already laid out as [n, items].
    return this.piFast.forward(this.weights, this.rows(obs, n), n * this.rowsPerSample);
  }

  /** `logStd` per action dimension `[actDim]` (Box only; a shared one is repeated). */
  logStd(): Float32Array {
    const own = this.weights.subarray(this.logStdOffset, this.logStdOffset + this.logStdSize);
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

  dispose(): void {
    this.piFast.dispose();
    this.vfFast.dispose();
  }
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
