/**
 * SAC's networks, SB3's `sac/policies.py` `MlpPolicy` defaults: an actor MLP (256-256 ReLU)
 * whose last layer gives the Gaussian mean and log-std (clamped to [−20, 2]) of a
 * tanh-squashed policy, and twin Q critics (256-256 ReLU) on `[obs, action]`, with a Polyak
 * target copy. torch's default `nn.Linear` init (SB3 does not orthogonally initialise SAC).
 *
 * The parameters live in kernel memory as flat vectors in `mlpForward`'s layout (the critic is
 * Q1's vector then Q2's), and so do the passes of SAC's update, with no copy of the weights
 * per step: {@link SacPolicy.sampleActions} (the actor and its squashed sample),
 * {@link SacPolicy.qValues} (both critics side by side), {@link SacPolicy.criticBackward},
 * {@link SacPolicy.criticActionGradient} (∂ min Q/∂a through the smaller critic) and
 * {@link SacPolicy.actorBackward}. `sacActorT` and `sacQValuesT` in `@marlts/rl-core/testing`
 * are the same networks in tfjs, whose autodiff is the oracle of those backward passes.
 *
 * With `items` (observations `[items × itemDim | globalDim]`, one action per item) both the
 * actor and each critic are per-item shared encoders (EIIE: Jiang, Xu & Liang 2017), run over
 * `batch × items` rows: the actor maps each item's row `[item block, global block]` to that
 * item's mean and log-std, and each critic maps `[item block, global block, a_i(, w_i)]` to a
 * term of `Q(s, a) = Σ_i q(row_i)` (a sum: a portfolio's reward is additive over assets); see
 * `sac-items.ts`. The networks' sizes then do not depend on the number of items.
 */
import { logisticNormalWeights } from '../distributions/logistic-normal.js';
import { squashedGaussianRsample } from '../distributions/squashed-gaussian.js';
import { RlError } from '../errors.js';
import { type KernelBlock, type WasmKernels, wasmKernels } from '../kernels/wasm-kernels.js';
import { KernelMlp } from '../nn/kernel-mlp.js';
import { type Activation, initMlpParams, type MlpSpec } from '../nn/mlp.js';
import type { Rng } from '../random.js';
import type { BoxSpace } from '../spaces.js';
import type { BoxDistribution } from './actor-critic.js';
import { expandItems, type ItemLayout, sumPerSample } from './items.js';
import { type ItemWeightHead, itemActionGradient, itemCriticRows, itemCriticWidth } from './sac-items.js';

/** SB3's `LOG_STD_MIN` / `LOG_STD_MAX`. */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

/** Options of {@link SacPolicy}. */
export interface SacPolicyOptions {
  obsDim: number;
  actDim: number;
  netArch: { pi: readonly number[]; qf: readonly number[] };
  activation: Activation;
  rng: Rng;
  /** Largest batch the networks' buffers hold (SAC's `batchSize`); acting larger batches is chunked. */
  maxBatch: number;
  /** What the env gets: the squashed actions scaled to its Box (default), or logistic-normal weights. */
  distribution?: BoxDistribution;
  /** With the logistic-normal: the logits are the squashed actions × this bound (default 5). */
  logitBound?: number;
  /** With the logistic-normal: the rest (cash) slot's fixed logit (default 0). */
  cashLogit?: number;
  /** Per-item shared actor and critics (see the file comment); `actDim` must equal `items.items`. */
  items?: ItemLayout | undefined;
}

/** A batch of actions drawn by {@link SacPolicy.sampleActions}. */
export interface SacSample {
  /** Squashed actions in (−1, 1) `[n, actDim]`. */
  actions: Float32Array;
  /** log π(a|s) `[n]`. */
  logProb: Float64Array;
  /** The actor's log-stds, clamped to [LOG_STD_MIN, LOG_STD_MAX], `[n, actDim]`. */
  logStd: Float32Array;
}

/** The parameter groups of a {@link SacPolicy}, as saved in checkpoints. */
export type SacParamGroup = 'actor' | 'critic' | 'criticTarget';

/**
 * @example
 * const policy = new SacPolicy({ obsDim: 3, actDim: 1, netArch: { pi: [256, 256], qf: [256, 256] },
 *   activation: 'relu', rng: new Rng(0), maxBatch: 256 });
 * const a = policy.act(obs, 1, rng, false); // in [-1, 1]
 * const [q1, q2] = policy.qValues('critic', batch.obs, batch.actions);
 * policy.dispose();
 * // Per-item: 3 assets × 4 features + 2 shared; the networks see one item's row at a time.
 * const perItem = new SacPolicy({ obsDim: 14, actDim: 3, netArch: { pi: [64, 64], qf: [64, 64] },
 *   activation: 'relu', rng: new Rng(0), maxBatch: 256, distribution: 'logistic-normal',
 *   items: { items: 3, itemDim: 4, globalDim: 2 } });
 */
export class SacPolicy {
  readonly actorSpec: MlpSpec;
  readonly qSpec: MlpSpec;
  readonly actDim: number;
  readonly obsDim: number;
  readonly k: WasmKernels;
  readonly actorNet: KernelMlp;
  /** Buffers for Q1 and Q2 passes (with the critic's or the target's parameters). */
  readonly q1Net: KernelMlp;
  readonly q2Net: KernelMlp;
  /** Parameters: the actor, the critic (Q1 then Q2) and its Polyak target. */
  readonly params: Record<SacParamGroup, KernelBlock>;
  /** Parameters per Q network (Q2 starts at this element of the critic vectors). */
  readonly qParamCount: number;
  readonly maxBatch: number;
  readonly distribution: BoxDistribution;
  readonly logitBound: number;
  readonly cashLogit: number;
  /** The per-item layout, or null for flat networks. */
  readonly items: ItemLayout | null;
  /** How critic rows' weights are formed when they carry them (items with the logistic-normal), else null. */
  private readonly weightHead: ItemWeightHead | null;
  /** Network rows per sample: `items`, or 1. */
  readonly rowsPerSample: number;
  /** Input width of a critic row (`[obs, action]`, or an item's `[features, a_i(, w_i)]`). */
  readonly qInDim: number;
  /** Input width of an actor row (`obsDim`, or an item's `itemDim + globalDim`). */
  readonly actorInDim: number;
  /**
   * The update's kernel memory: the actor's input rows, the critics' `[obs, action]` rows,
   * output gradients, ∂Q/∂input of the rows each critic is the minimum for (and those rows'
   * tapes: the actor loss reaches one critic per sample), and both gradients.
   */
  private readonly pass: {
    obs: KernelBlock;
    qIn: KernelBlock;
    dQ1: KernelBlock;
    dQ2: KernelBlock;
    dQIn1: KernelBlock;
    dQIn2: KernelBlock;
    q1Rows: KernelMlp;
    q2Rows: KernelMlp;
    rows1: Int32Array;
    rows2: Int32Array;
    dActor: KernelBlock;
    gradActor: KernelBlock;
    gradCritic: KernelBlock;
  };
  /**
   * The last {@link sampleActions}' raw actor output and `n`, for {@link actorBackward}:
   * `[n, 2·actDim]` (means then log-stds), or with items `[n·items, 2]` (mean, log-std per row).
   */
  private actorOut: { out: Float32Array; n: number } | null = null;
  private disposed = false;

  constructor(options: SacPolicyOptions) {
    const { obsDim, actDim, netArch, activation, rng, maxBatch } = options;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.k = wasmKernels();
    this.distribution = options.distribution ?? 'gaussian';
    this.logitBound = options.logitBound ?? 5;
    this.cashLogit = options.cashLogit ?? 0;
    this.items = options.items ?? null;
    const items = this.items;
    if (items && items.items !== actDim) {
      throw new RlError('CONFIG', `SacPolicy: ${items.items} items but ${actDim} actions`, {
        field: 'policy.items',
      });
    }
    this.weightHead =
      items && this.distribution === 'logistic-normal'
        ? { logitBound: this.logitBound, cashLogit: this.cashLogit }
        : null;
    this.rowsPerSample = items ? items.items : 1;
    this.actorInDim = items ? items.itemDim + items.globalDim : obsDim;
    this.qInDim = items ? itemCriticWidth(items, this.weightHead !== null) : obsDim + actDim;
    this.actorSpec = { sizes: [this.actorInDim, ...netArch.pi, items ? 2 : 2 * actDim], activation };
    this.qSpec = { sizes: [this.qInDim, ...netArch.qf, 1], activation };
    const actorInit = initMlpParams(this.actorSpec, rng, { init: 'torch-default' });
    const q1Init = initMlpParams(this.qSpec, rng, { init: 'torch-default' });
    const q2Init = initMlpParams(this.qSpec, rng, { init: 'torch-default' });
    this.qParamCount = q1Init.length;
    // An item encoder runs one network row per item of every sample.
    const B = maxBatch * this.rowsPerSample;
    this.actorNet = new KernelMlp(this.actorSpec, B, this.k);
    this.q1Net = new KernelMlp(this.qSpec, B, this.k);
    this.q2Net = new KernelMlp(this.qSpec, B, this.k);
    this.params = {
      actor: this.k.alloc(actorInit.length),
      critic: this.k.alloc(2 * this.qParamCount),
      criticTarget: this.k.alloc(2 * this.qParamCount),
    };
    this.k.view(this.params.actor).set(actorInit);
    const critic = this.k.view(this.params.critic);
    critic.set(q1Init);
    critic.set(q2Init, this.qParamCount);
    this.k.view(this.params.criticTarget).set(critic);
    this.maxBatch = maxBatch;
    const k = this.k;
    const od = this.qInDim;
    this.pass = {
      obs: k.alloc(B * this.actorInDim),
      qIn: k.alloc(B * od),
      dQ1: k.alloc(B),
      dQ2: k.alloc(B),
      dQIn1: k.alloc(B * od),
      dQIn2: k.alloc(B * od),
      q1Rows: new KernelMlp(this.qSpec, B, k),
      q2Rows: new KernelMlp(this.qSpec, B, k),
      rows1: new Int32Array(B),
      rows2: new Int32Array(B),
      dActor: k.alloc(maxBatch * 2 * actDim),
      gradActor: k.alloc(this.params.actor.length),
      gradCritic: k.alloc(this.params.critic.length),
    };
  }

  /**
   * Sizes of a group's layer tensors `[W₀, b₀, W₁, b₁, …]` (the critic lists Q1's then Q2's):
   * how checkpoints split the optimiser moments.
   */
  tensorSizes(group: 'actor' | 'critic'): number[] {
    const of = (sizes: readonly number[]) => sizes.slice(1).flatMap((nOut, l) => [sizes[l]! * nOut, nOut]);
    return group === 'actor' ? of(this.actorSpec.sizes) : [...of(this.qSpec.sizes), ...of(this.qSpec.sizes)];
  }

  /** A copy of a parameter group (flat, in checkpoint layout). */
  get(group: SacParamGroup): Float32Array {
    return this.k.view(this.params[group]).slice();
  }

  /** Overwrites a parameter group; `values` must have its exact length. */
  set(group: SacParamGroup, values: Float32Array): void {
    const block = this.params[group];
    if (values.length !== block.length) {
      throw new Error(`SacPolicy.set: ${group} needs ${block.length} values, got ${values.length}`);
    }
    this.k.view(block).set(values);
  }

  /** Squashed actions in [−1, 1] `[n, actDim]`: tanh(mean) or tanh(mean + std·ε). */
  act(obs: ArrayLike<number>, n: number, rng: Rng, deterministic: boolean): Float32Array {
    const rows = this.items ? expandItems(obs, n, this.items) : obs;
    const out = this.actorNet.forwardRows(this.params.actor.ptr, rows, n * this.rowsPerSample);
    const { mean, logStd } = this.head(out, n);
    const actions = new Float32Array(n * this.actDim);
    for (let i = 0; i < actions.length; i++) {
      actions[i] = Math.tanh(deterministic ? mean[i]! : mean[i]! + Math.exp(logStd[i]!) * rng.normal());
    }
    return actions;
  }

  /**
   * What the env receives for squashed actions `[n, actDim]`: `low + (a + 1)·(high − low)/2`
   * (SB3 `unscale_action`), or with the logistic-normal the softmax weights of the logits
   * `a·logitBound` (beside the rest's `cashLogit`).
   */
  envActions(squashed: Float32Array, space: BoxSpace): Float32Array {
    const d = this.actDim;
    if (this.distribution === 'logistic-normal') {
      const logits = new Float32Array(squashed.length);
      for (let i = 0; i < squashed.length; i++) logits[i] = squashed[i]! * this.logitBound;
      return logisticNormalWeights(logits, d, logits, this.cashLogit);
    }
    const { low, high } = space;
    const out = new Float32Array(squashed.length);
    for (let i = 0; i < squashed.length; i++) {
      const j = i % d;
      out[i] = low[j]! + 0.5 * (squashed[i]! + 1) * (high[j]! - low[j]!);
    }
    return out;
  }

  /**
   * Reparameterised actions for a batch `obs` `[n, obsDim]` (n ≤ `maxBatch`) with standard
   * normal `noise` `[n, actDim]`: the actor on the kernels, then the squashed Gaussian of its
   * means and clamped log-stds. The actor keeps its activations for {@link actorBackward}.
   */
  sampleActions(obs: Float32Array, noise: Float32Array): SacSample {
    this.check();
    const { k, pass, actDim: d } = this;
    const n = obs.length / this.obsDim;
    if (this.items) expandItems(obs, n, this.items, k.view(pass.obs));
    else k.view(pass.obs).set(obs);
    const ptr = this.actorNet.forward(this.params.actor.ptr, pass.obs.ptr, n * this.rowsPerSample);
    // [n, 2d] flat or [n·items, 2] per item: the same number of values.
    const out = k.view({ ptr, length: n * 2 * d }).slice();
    const { mean, logStd } = this.head(out, n);
    this.actorOut = { out, n };
    return { ...squashedGaussianRsample(mean, logStd, noise, d), logStd };
  }

  /**
   * Q1(s, a) and Q2(s, a) `[n]` with the critic's or the target's parameters, the two networks
   * side by side (one on a worker when the product is worth it). The critics keep their
   * activations for {@link criticBackward} and {@link criticActionGradient}.
   */
  qValues(
    group: 'critic' | 'criticTarget',
    obs: Float32Array,
    actions: Float32Array,
  ): [Float32Array, Float32Array] {
    this.check();
    const { k, pass, obsDim: o, actDim: d, items } = this;
    const n = obs.length / o;
    const qIn = k.view(pass.qIn);
    if (items) {
      itemCriticRows(obs, actions, n, items, this.weightHead, qIn);
    } else {
      for (let i = 0; i < n; i++) {
        qIn.set(obs.subarray(i * o, i * o + o), i * (o + d));
        qIn.set(actions.subarray(i * d, i * d + d), i * (o + d) + o);
      }
    }
    const params = this.params[group].ptr;
    const rows = n * this.rowsPerSample;
    k.runPair(
      this.q1Net.planForward(params, pass.qIn.ptr, rows),
      this.q2Net.planForward(params + this.qParamCount * 4, pass.qIn.ptr, rows),
    );
    const r = this.rowsPerSample;
    const q = (net: KernelMlp) => sumPerSample(k.view({ ptr: net.output, length: rows }), n, r);
    return [q(this.q1Net), q(this.q2Net)];
  }

  /**
   * ∂loss/∂critic parameters from ∂loss/∂Q1 and ∂loss/∂Q2 of the last {@link qValues} pass
   * (which must have used the critic's parameters): a block of kernel memory, valid until the
   * next call, and its sum of squares (non-finite if any entry is).
   */
  criticBackward(dQ1: Float32Array, dQ2: Float32Array): { grad: KernelBlock; sumSq: number } {
    const { k, pass } = this;
    // Q = Σ of the sample's rows: each row's output gradient is its sample's.
    const r = this.rowsPerSample;
    const [d1, d2] = [k.view(pass.dQ1), k.view(pass.dQ2)];
    for (let i = 0; i < dQ1.length; i++) {
      d1.fill(dQ1[i]!, i * r, i * r + r);
      d2.fill(dQ2[i]!, i * r, i * r + r);
    }
    const [critic, gc] = [this.params.critic.ptr, pass.gradCritic.ptr];
    const q2Off = this.qParamCount * 4;
    k.runPair(
      this.q1Net.planBackward(critic, pass.dQ1.ptr, { grad: gc, dx: 0 }),
      this.q2Net.planBackward(critic + q2Off, pass.dQ2.ptr, { grad: gc + q2Off, dx: 0 }),
    );
    return { grad: pass.gradCritic, sumSq: k.raw.sum_sq(pass.gradCritic.length, gc) };
  }

  /**
   * ∂(dMinQ·Σᵢ min(Q1, Q2)(sᵢ, aᵢ))/∂aᵢ `[n, actDim]` through the last {@link qValues} pass of
   * the critic, its weights held fixed: each sample's gradient flows through the critic
   * `useQ1` names for it, so each critic backpropagates only its own rows (with items, all
   * of the sample's item rows, then the chain rule through the weights of `sac-items.ts`).
   */
  criticActionGradient(useQ1: Uint8Array, dMinQ: number): Float64Array {
    const { k, pass, actDim: d } = this;
    const n = useQ1.length;
    const r = this.rowsPerSample;
    // The action columns of a critic row start here.
    const o = this.items ? this.actorInDim : this.obsDim;
    let n1 = 0;
    let n2 = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < r; j++) {
        if (useQ1[i]) pass.rows1[n1++] = i * r + j;
        else pass.rows2[n2++] = i * r + j;
      }
    }
    // Every gathered row's output gradient is dMinQ: dQ1's buffer holds it for both critics.
    k.view(pass.dQ1).fill(dMinQ);
    const critic = this.params.critic.ptr;
    const plan = (
      net: KernelMlp,
      rowsNet: KernelMlp,
      rows: Int32Array,
      count: number,
      params: number,
      dx: number,
    ) => {
      if (count === 0) return null;
      rowsNet.gatherRows(net, rows, count);
      return rowsNet.planBackward(params, pass.dQ1.ptr, { grad: 0, dx, dxFrom: o });
    };
    const b1 = plan(this.q1Net, pass.q1Rows, pass.rows1, n1, critic, pass.dQIn1.ptr);
    const b2 = plan(this.q2Net, pass.q2Rows, pass.rows2, n2, critic + this.qParamCount * 4, pass.dQIn2.ptr);
    if (b1 && b2) k.runPair(b1, b2);
    else k.run((b1 ?? b2)!);
    const dA = new Float64Array(n * d);
    const [items, w, qIn] = [this.items, this.qInDim, k.view(pass.qIn)];
    // Each routed sample's r consecutive gathered rows hold its ∂q/∂input.
    const each = (dIn: Float32Array, rows: Int32Array, count: number) => {
      for (let g = 0; g < count; g += r) {
        const s = rows[g]! / r;
        if (items) itemActionGradient(dIn, g * w, qIn, s * r * w, items, this.weightHead, dA, s * d);
        else for (let j = 0; j < d; j++) dA[s * d + j] = dIn[g * w + o + j]!;
      }
    };
    each(k.view(pass.dQIn1), pass.rows1, n1);
    each(k.view(pass.dQIn2), pass.rows2, n2);
    return dA;
  }

  /**
   * ∂loss/∂actor parameters from ∂loss/∂means and ∂loss/∂(clamped) log-stds of the last
   * {@link sampleActions} (the clamp passes no gradient outside [LOG_STD_MIN, LOG_STD_MAX]): a
   * block of kernel memory, valid until the next call, and its sum of squares.
   */
  actorBackward(dMean: ArrayLike<number>, dLogStd: ArrayLike<number>): { grad: KernelBlock; sumSq: number } {
    if (!this.actorOut) throw new RlError('STATE', 'SacPolicy.actorBackward: call sampleActions first');
    const { k, pass, actDim: d } = this;
    const { out, n } = this.actorOut;
    const dAct = k.view(pass.dActor);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const at = this.headIndex(i, j);
        const raw = out[at + this.logStdShift]!;
        dAct[at] = dMean[i * d + j]!;
        dAct[at + this.logStdShift] = raw >= LOG_STD_MIN && raw <= LOG_STD_MAX ? dLogStd[i * d + j]! : 0;
      }
    }
    this.actorNet.backward(this.params.actor.ptr, pass.dActor.ptr, { grad: pass.gradActor.ptr, dx: 0 });
    return { grad: pass.gradActor, sumSq: k.raw.sum_sq(pass.gradActor.length, pass.gradActor.ptr) };
  }

  /** Polyak averaging `target ← (1 − τ)·target + τ·critic` (SB3 `polyak_update`, float32). */
  polyakUpdate(tau: number): void {
    const { critic, criticTarget } = this.params;
    this.k.raw.polyak(critic.length, criticTarget.ptr, critic.ptr, tau);
  }

  /** Frees the parameters and buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.actorNet.dispose();
    this.q1Net.dispose();
    this.q2Net.dispose();
    for (const b of Object.values(this.params)) this.k.free(b);
    const { q1Rows, q2Rows, rows1: _r1, rows2: _r2, ...blocks } = this.pass;
    q1Rows.dispose();
    q2Rows.dispose();
    for (const b of Object.values(blocks)) this.k.free(b);
  }

  private check(): void {
    if (this.disposed) throw new RlError('STATE', 'SacPolicy: disposed');
  }

  /** Where sample `s`'s mean of action `j` is in the actor's output (its log-std is {@link logStdShift} on). */
  private headIndex(s: number, j: number): number {
    return this.items ? (s * this.actDim + j) * 2 : s * 2 * this.actDim + j;
  }

  /** From a mean to its log-std in the actor's output: 1 per item row, `actDim` flat. */
  private get logStdShift(): number {
    return this.items ? 1 : this.actDim;
  }

  /** The means and clamped log-stds `[n, actDim]` in the actor's output `out`. */
  private head(out: Float32Array, n: number): { mean: Float32Array; logStd: Float32Array } {
    const d = this.actDim;
    const mean = new Float32Array(n * d);
    const logStd = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const at = this.headIndex(i, j);
        mean[i * d + j] = out[at]!;
        logStd[i * d + j] = Math.min(Math.max(out[at + this.logStdShift]!, LOG_STD_MIN), LOG_STD_MAX);
      }
    }
    return { mean, logStd };
  }
}
