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
 * Everything runs on rl-core's WebAssembly kernels: acting (rollouts, `predict`) through
 * {@link FastForward}, and PPO's gradient steps through {@link ActorCriticPolicy.evaluateActions}
 * (SB3's `evaluate_actions`: values, log-probs and entropies of a minibatch, keeping the
 * networks' activations) and {@link ActorCriticPolicy.backward}, which backpropagates the
 * loss's gradient with respect to those outputs through the distribution and both networks.
 * `actorCriticT` in `@marlts/rl-core/testing` is the same policy in tfjs, whose autodiff is
 * the oracle of that backward pass.
 */
import {
  categoricalBackward,
  categoricalLogProb,
  categoricalLogProbEntropy,
  categoricalLogProbs,
  categoricalMode,
  categoricalSample,
} from '../distributions/categorical.js';
import {
  diagGaussianBackward,
  diagGaussianLogProb,
  diagGaussianSharedEntropy,
} from '../distributions/diag-gaussian.js';
import { assertWeightSpace, logisticNormalWeights } from '../distributions/logistic-normal.js';
import { RlError } from '../errors.js';
import { type KernelBlock, wasmKernels } from '../kernels/wasm-kernels.js';
import type { PpoLossGradients } from '../losses/ppo-loss.js';
import { FastForward } from '../nn/fast-forward.js';
import { KernelMlp } from '../nn/kernel-mlp.js';
import { type Activation, initMlpParams, type MlpSpec, mlpParamCount } from '../nn/mlp.js';
import type { Rng } from '../random.js';
import { type Space, spaceSize } from '../spaces.js';
import { checkItemLayout, expandItems, type ItemLayout, meanPerSample } from './items.js';

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
  /** With the logistic-normal: the rest (cash) slot's fixed logit (default 0). */
  cashLogit?: number;
  /** Largest minibatch {@link ActorCriticPolicy.evaluateActions} takes (PPO's `batchSize`). */
  maxBatch: number;
}

/** What {@link ActorCriticPolicy.evaluateActions} returns, one value per sample. */
export interface EvaluatedActions {
  values: Float32Array;
  logProb: Float64Array;
  entropy: Float64Array;
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
 *   activation: 'tanh', logStdInit: 0, orthoInit: true, rng: new Rng(0), maxBatch: 64 });
 * const { actions } = policy.act(obs, 1, rng, false);
 * const { values, logProb, entropy } = policy.evaluateActions(weights, batch.obs, batch.actions);
 * const grad = policy.backward(ppoLossBackward(inputs, ppoLoss(inputs)));
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
  readonly cashLogit: number;
  /** Network rows per sample: `items`, or 1. */
  readonly rowsPerSample: number;
  /** Number of parameters. */
  readonly size: number;
  readonly obsDim: number;
  readonly maxBatch: number;
  /** The weights `[pi | vf | logStd]`; replaced (never written in place) so {@link FastForward} sees each update. */
  private weights: Float32Array;
  private readonly piFast: FastForward;
  private readonly vfFast: FastForward;
  private readonly k = wasmKernels();
  /**
   * The training pass's kernel memory: both networks with activations for `maxBatch` samples,
   * the weights being trained, their gradient, the input rows and the output gradients.
   */
  private readonly pass: {
    pi: KernelMlp;
    vf: KernelMlp;
    weights: KernelBlock;
    grad: KernelBlock;
    obs: KernelBlock;
    dHead: KernelBlock;
    dValues: KernelBlock;
  };
  /** The last {@link evaluateActions} call, which {@link backward} differentiates. */
  private evaluated: {
    weights: Float32Array;
    actions: Float32Array;
    head: Float32Array;
    n: number;
    /** Discrete: the rows' log-probabilities and entropies. */
    logProbs: Float64Array | null;
    entropy: Float64Array;
  } | null = null;
  private disposed = false;

  constructor(options: ActorCriticOptions) {
    const { obsDim, actionSpace, netArch, activation, rng } = options;
    this.discrete = actionSpace.kind === 'discrete';
    this.actDim = this.discrete ? 1 : spaceSize(actionSpace);
    this.headDim = actionSpace.kind === 'discrete' ? actionSpace.n : this.actDim;
    this.items = options.items ?? null;
    this.distribution = options.distribution ?? 'gaussian';
    this.cashLogit = options.cashLogit ?? 0;
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
    this.obsDim = obsDim;
    this.maxBatch = options.maxBatch;
    // An item encoder runs one network row per item of every sample.
    const rows = this.maxBatch * this.rowsPerSample;
    const k = this.k;
    this.pass = {
      pi: new KernelMlp(this.piSpec, rows, k),
      vf: new KernelMlp(this.vfSpec, rows, k),
      weights: k.alloc(this.size),
      grad: k.alloc(this.size),
      obs: k.alloc(rows * inDim),
      dHead: k.alloc(this.maxBatch * this.headDim),
      dValues: k.alloc(rows),
    };
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

  /** `logStd` per action dimension `[actDim]` of `weights` (Box only; a shared one is repeated). */
  logStd(weights: Float32Array = this.weights): Float32Array {
    const own = weights.subarray(this.logStdOffset, this.logStdOffset + this.logStdSize);
    return this.logStdSize === this.actDim ? own : new Float32Array(this.actDim).fill(own[0]!);
  }

  /**
   * What the env receives for raw Box actions `[n, actDim]`: clipped to the Box (SB3), or
   * the logistic-normal's softmax weights.
   */
  envActions(raw: Float32Array, space: Space): Float32Array {
    if (space.kind !== 'box') return raw;
    const out = new Float32Array(raw.length);
    if (this.distribution === 'logistic-normal')
      return logisticNormalWeights(raw, this.actDim, out, this.cashLogit);
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
   * V(s), log π(a|s) and the entropy of a minibatch (`obs` `[n, obsDim]`, `actions` as stored
   * in the rollout, n ≤ `maxBatch`) with the policy's weights taken from `weights`: both
   * networks on the kernels, the distribution in JS. Keeps what {@link backward} needs.
   */
  evaluateActions(weights: Float32Array, obs: Float32Array, actions: Float32Array): EvaluatedActions {
    if (this.disposed) throw new RlError('STATE', 'ActorCriticPolicy: disposed');
    const n = obs.length / this.obsDim;
    if (n > this.maxBatch)
      throw new RlError('SHAPE', `ActorCriticPolicy: minibatch ${n} exceeds ${this.maxBatch}`);
    const { k, pass } = this;
    k.view(pass.weights).set(weights);
    const rows = n * this.rowsPerSample;
    const obsRows = k.view(pass.obs);
    if (this.items) expandItems(obs, n, this.items, obsRows);
    else obsRows.set(obs);
    const w = pass.weights.ptr;
    k.runPair(
      pass.pi.planForward(w, pass.obs.ptr, rows),
      pass.vf.planForward(w + this.vfOffset * 4, pass.obs.ptr, rows),
    );
    // With items the pi rows' outputs are the head [n, items] already; values are per-item means.
    const head = k.view({ ptr: pass.pi.output, length: n * this.headDim }).slice();
    const rowValues = k.view({ ptr: pass.vf.output, length: rows });
    const values = this.items ? meanPerSample(rowValues, n, this.rowsPerSample) : rowValues.slice();
    if (this.discrete) {
      const logProbs = categoricalLogProbs(head, this.headDim);
      const { logProb, entropy } = categoricalLogProbEntropy(logProbs, actions, this.headDim);
      this.evaluated = { weights, actions, head, n, logProbs, entropy };
      return { values, logProb, entropy };
    }
    const logStd = this.logStd(weights);
    const logProb = diagGaussianLogProb(head, logStd, actions, this.actDim);
    const entropy = new Float64Array(n).fill(diagGaussianSharedEntropy(logStd));
    this.evaluated = { weights, actions, head, n, logProbs: null, entropy };
    return { values, logProb, entropy };
  }

  /**
   * ∂loss/∂weights (a new array in the layout of {@link getWeights}) from the loss's gradient
   * with respect to the last {@link evaluateActions}' outputs: through the distribution, then
   * both networks on the kernels.
   */
  backward(g: PpoLossGradients): Float32Array {
    if (!this.evaluated) throw new RlError('STATE', 'ActorCriticPolicy.backward: call evaluateActions first');
    const { weights, actions, head, n, logProbs, entropy } = this.evaluated;
    const { k, pass } = this;
    const dHead = k.view(pass.dHead);
    let dLogStd: Float64Array | null = null;
    if (logProbs)
      categoricalBackward(logProbs, entropy, actions, this.headDim, g.dLogProb, g.dEntropy, dHead);
    else {
      const logStd = this.logStd(weights);
      dLogStd = diagGaussianBackward(
        head,
        logStd,
        actions,
        this.actDim,
        g.dLogProb,
        g.dEntropy,
        dHead,
      ).dLogStd;
    }
    const dValues = k.view(pass.dValues);
    if (this.items) {
      // ∂loss/∂(item value) = ∂loss/∂V / items for each of the sample's rows.
      const r = this.rowsPerSample;
      for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) dValues[i * r + j] = g.dValues[i]! / r;
    } else dValues.set(g.dValues);
    // The kernels write every network parameter's gradient; logStd's slots stay zero until set here.
    const w = pass.weights.ptr;
    k.runPair(
      pass.pi.planBackward(w, pass.dHead.ptr, { grad: pass.grad.ptr, dx: 0 }),
      pass.vf.planBackward(w + this.vfOffset * 4, pass.dValues.ptr, {
        grad: pass.grad.ptr + this.vfOffset * 4,
        dx: 0,
      }),
    );
    const grad = k.view(pass.grad).slice();
    if (dLogStd) {
      if (this.logStdSize === this.actDim)
        for (let d = 0; d < this.actDim; d++) grad[this.logStdOffset + d] = dLogStd[d]!;
      else grad[this.logStdOffset] = dLogStd.reduce((a, x) => a + x, 0);
    }
    return grad;
  }

  /** Frees the kernel memory. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.piFast.dispose();
    this.vfFast.dispose();
    this.pass.pi.dispose();
    this.pass.vf.dispose();
    for (const b of [this.pass.weights, this.pass.grad, this.pass.obs, this.pass.dHead, this.pass.dValues])
      this.k.free(b);
  }
}

function checkPortfolioOptions(
  obsDim: number,
  actionSpace: Space,
  items: ItemLayout | null,
  distribution: BoxDistribution,
): void {
  if (items) checkItemLayout(obsDim, actionSpace, items);
  if (distribution === 'logistic-normal') assertWeightSpace(actionSpace, 'Ppo');
}
