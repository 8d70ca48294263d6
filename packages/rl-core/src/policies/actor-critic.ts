/**
 * PPO's actor-critic, SB3's `ActorCriticPolicy` with `MlpPolicy` defaults
 * (`stable_baselines3/common/policies.py`): separate policy and value MLPs (64-64 tanh),
 * orthogonal init (gain √2 hidden, 0.01 policy head, 1 value head), a Categorical head for
 * `Discrete` actions and a diagonal Gaussian with a state-independent `logStd` (init 0) for
 * `Box` actions. All parameters live in one flat variable `[pi | vf | logStd]`.
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
import {
  type Activation,
  FastForward,
  initMlpParams,
  type MlpSpec,
  mlpApplyT,
  mlpParamCount,
} from '../nn/mlp.js';
import type { Rng } from '../random.js';
import { type Space, spaceSize } from '../spaces.js';

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
    this.piSpec = { sizes: [obsDim, ...netArch.pi, this.headDim], activation };
    this.vfSpec = { sizes: [obsDim, ...netArch.vf, 1], activation };
    this.vfOffset = mlpParamCount(this.piSpec.sizes);
    this.logStdOffset = this.vfOffset + mlpParamCount(this.vfSpec.sizes);
    const total = this.logStdOffset + (this.discrete ? 0 : this.actDim);
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
    if (!this.discrete) this.splitSizes.push(this.actDim);
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

  /** V(s) for flat `[n, obsDim]` observations (on the kernels). */
  predictValues(obs: ArrayLike<number>, n: number): Float32Array {
    return this.vfFast.forward(this.snapshot, obs, n);
  }

  /** The policy head (logits or Gaussian means), same routing as {@link predictValues}. */
  head(obs: ArrayLike<number>, n: number): Float32Array {
    return this.piFast.forward(this.snapshot, obs, n);
  }

  /** `logStd` `[actDim]` (Box only). */
  logStd(): Float32Array {
    return this.snapshot.subarray(this.logStdOffset, this.logStdOffset + this.actDim);
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
    const head = mlpApplyT(this.piSpec, layers(this.piSpec, 0), obs);
    const values = tf.reshape(
      mlpApplyT(this.vfSpec, layers(this.vfSpec, piLayers), obs),
      [-1],
    ) as tf.Tensor1D;
    if (this.discrete) {
      return {
        values,
        logProb: categoricalLogProbT(head, actions as tf.Tensor1D),
        entropy: categoricalEntropyT(head),
      };
    }
    const logStd = parts.at(-1)!;
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
