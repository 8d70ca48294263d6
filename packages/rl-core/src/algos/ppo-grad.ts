/**
 * PPO's minibatch gradient for {@link ActorCriticPolicy} computed analytically: forward
 * both MLPs on rl-core's WebAssembly kernels ({@link KernelMlp}), evaluate SB3's loss (the
 * maths of {@link ppoLossT}: clipped surrogate, optionally clipped value loss, entropy
 * bonus, with advantages normalised per minibatch by the unbiased std + 1e-8),
 * differentiate it with respect to the network outputs (logits or Gaussian means, values)
 * and `logStd` by hand, then backpropagate on the kernels. The subgradients at the kinks
 * are tfjs's: `minimum` sends the gradient to its first argument on ties, `clipByValue`
 * passes it at the bounds. Equal to the tfjs autodiff of `ppoLossT` to float32 rounding
 * (tested on the cpu and wasm backends), with no tfjs kernel launches at all.
 */
import type { RolloutSample } from '../buffers/rollout-buffer.js';
import { HALF_LOG_2PI } from '../distributions/diag-gaussian.js';
import { type KernelBlock, type WasmKernels, wasmKernels } from '../kernels/wasm-kernels.js';
import { KernelMlp } from '../nn/mlp-kernel.js';
import type { ActorCriticPolicy } from '../policies/actor-critic.js';
import { expandItems, meanPerSample } from '../policies/items.js';
import { normalizeAdvantages } from '../returns.js';

/** Loss settings of {@link PpoGrad.compute} (SB3's names). */
export interface PpoGradOptions {
  clipRange: number;
  clipRangeVf: number | null;
  normalizeAdvantage: boolean;
  entCoef: number;
  vfCoef: number;
}

/** Index of each diagnostic in {@link PpoGradResult.stats}. */
export const PPO_STAT_NAMES = [
  'loss',
  'policyLoss',
  'valueLoss',
  'entropyLoss',
  'approxKl',
  'clipFraction',
  'gradNorm',
] as const;

/** What {@link PpoGrad.compute} returns. */
export interface PpoGradResult {
  /** ∂loss/∂params in the policy's flat layout (unclipped). */
  grad: Float32Array;
  /** `[loss, policyLoss, valueLoss, entropyLoss, approxKl, clipFraction, gradNorm]` as float32 (see {@link PPO_STAT_NAMES}); gradNorm is filled by the caller's `clipGradNorm`. */
  stats: Float32Array;
}

/**
 * Buffers for {@link PpoGrad.compute} on minibatches of up to `maxBatch` samples: the
 * weights, observations, output gradients and parameter gradient in kernel memory, and the
 * two networks' activations.
 *
 * @example
 * const g = new PpoGrad(policy, 64);
 * const { grad, stats } = g.compute(weights, buffer.gather(idx),
 *   { clipRange: 0.2, clipRangeVf: null, normalizeAdvantage: true, entCoef: 0, vfCoef: 0.5 });
 * stats[6] = clipGradNorm(grad, 0.5);
 * g.dispose();
 */
export class PpoGrad {
  private readonly k: WasmKernels = wasmKernels();
  private readonly pi: KernelMlp;
  private readonly vf: KernelMlp;
  private readonly weights: KernelBlock;
  private readonly grad: KernelBlock;
  private readonly obs: KernelBlock;
  private readonly dHead: KernelBlock;
  private readonly dValues: KernelBlock;
  private disposed = false;

  constructor(
    readonly policy: ActorCriticPolicy,
    readonly maxBatch: number,
  ) {
    const k = this.k;
    // An item encoder runs one network row per item of every sample.
    const rows = maxBatch * policy.rowsPerSample;
    this.pi = new KernelMlp(policy.piSpec, rows, k);
    this.vf = new KernelMlp(policy.vfSpec, rows, k);
    this.weights = k.alloc(policy.size);
    this.grad = k.alloc(policy.size);
    this.obs = k.alloc(rows * policy.piSpec.sizes[0]!);
    this.dHead = k.alloc(maxBatch * policy.headDim);
    this.dValues = k.alloc(rows);
  }

  /**
   * Loss diagnostics and the exact gradient of SB3's PPO loss for one minibatch, with the
   * policy's weights given as a flat array (`weights`, the layout of `policy.getWeights()`).
   */
  compute(weights: Float32Array, s: RolloutSample, o: PpoGradOptions): PpoGradResult {
    if (this.disposed) throw new Error('PpoGrad: disposed');
    const { k: kern, policy } = this;
    const b = s.oldValues.length;
    if (b > this.maxBatch) throw new Error(`PpoGrad: minibatch ${b} exceeds ${this.maxBatch}`);
    kern.view(this.weights).set(weights);
    const rows = b * policy.rowsPerSample;
    const obsView = kern.view(this.obs);
    if (policy.items) expandItems(s.obs, b, policy.items, obsView);
    else obsView.set(s.obs);
    const w = this.weights.ptr;
    const vfW = w + policy.vfOffset * 4;
    kern.runPair(this.pi.planForward(w, this.obs.ptr, rows), this.vf.planForward(vfW, this.obs.ptr, rows));
    // With items the pi rows' outputs are the head [b, items] already; values are per-item means.
    const head = kern.view({ ptr: this.pi.output, length: b * policy.headDim });
    const rowValues = kern.view({ ptr: this.vf.output, length: rows });
    const values = policy.items ? meanPerSample(rowValues, b, policy.rowsPerSample) : rowValues;
    const dHead = kern.view(this.dHead);
    const dValues = policy.items ? new Float32Array(b) : kern.view(this.dValues);
    const logStd = policy.discrete ? null : sharedLogStd(policy, weights);
    const logStdGrad = new Float64Array(policy.actDim);
    const stats = ppoLossAndOutputGrads(policy, logStd, s, o, head, values, dHead, dValues, logStdGrad);
    if (policy.items) {
      // ∂loss/∂(item value) = ∂loss/∂V / items for each of the sample's rows.
      const dRows = kern.view(this.dValues);
      const k = policy.rowsPerSample;
      for (let i = 0; i < b; i++) for (let j = 0; j < k; j++) dRows[i * k + j] = dValues[i]! / k;
    }
    // The kernels write every network parameter's gradient; logStd's slots stay zero until set here.
    kern.runPair(
      this.pi.planBackward(w, this.dHead.ptr, { grad: this.grad.ptr, dx: 0 }),
      this.vf.planBackward(vfW, this.dValues.ptr, { grad: this.grad.ptr + policy.vfOffset * 4, dx: 0 }),
    );
    const grad = kern.view(this.grad).slice();
    if (!policy.discrete) {
      if (policy.logStdSize === policy.actDim)
        for (let d = 0; d < policy.actDim; d++) grad[policy.logStdOffset + d] = logStdGrad[d]!;
      else grad[policy.logStdOffset] = logStdGrad.reduce((a, x) => a + x, 0);
    }
    return { grad, stats };
  }

  /** Frees the kernel memory. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pi.dispose();
    this.vf.dispose();
    for (const blk of [this.weights, this.grad, this.obs, this.dHead, this.dValues]) this.k.free(blk);
  }
}

/**
 * The loss terms from the network outputs (`head` `[b, headDim]`, `values` `[b]`), and
 * ∂loss/∂head, ∂loss/∂values and ∂loss/∂logStd written into the given arrays.
 */
function ppoLossAndOutputGrads(
  policy: ActorCriticPolicy,
  logStd: ArrayLike<number> | null,
  s: RolloutSample,
  o: PpoGradOptions,
  head: Float32Array,
  values: Float32Array,
  dHead: Float32Array,
  dValues: Float32Array,
  logStdGrad: Float64Array,
): Float32Array {
  const b = s.oldValues.length;
  const k = policy.headDim;
  const adv = o.normalizeAdvantage && b > 1 ? normalizeAdvantages(s.advantages) : s.advantages;
  const c = o.clipRange;
  const cv = o.clipRangeVf;
  // ∂loss/∂entropy_i: entropyLoss = −mean(entropy).
  const gH = -o.entCoef / b;
  let entropyGauss = 0;
  if (logStd) for (let d = 0; d < k; d++) entropyGauss += logStd[d]! + 0.5 + HALF_LOG_2PI;
  const probs = new Float64Array(k);
  let surrogate = 0;
  let clipped = 0;
  let kl = 0;
  let valueSq = 0;
  let entropySum = 0;
  for (let i = 0; i < b; i++) {
    const ho = i * k;
    let logProb = 0;
    let entropy = 0;
    if (logStd === null) {
      // log-softmax with the max subtracted, as logSoftmaxT.
      let mx = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) mx = Math.max(mx, head[ho + j]!);
      let z = 0;
      for (let j = 0; j < k; j++) z += Math.exp(head[ho + j]! - mx);
      const logZ = mx + Math.log(z);
      for (let j = 0; j < k; j++) {
        const lp = head[ho + j]! - logZ;
        probs[j] = Math.exp(lp);
        entropy -= probs[j]! * lp;
      }
      logProb = head[ho + s.actions[i]!]! - logZ;
    } else {
      for (let d = 0; d < k; d++) {
        const zd = (s.actions[ho + d]! - head[ho + d]!) / Math.exp(logStd[d]!);
        logProb += -0.5 * zd * zd - logStd[d]! - HALF_LOG_2PI;
      }
      entropy = entropyGauss;
    }
    const logRatio = logProb - s.oldLogProb[i]!;
    const r = Math.exp(logRatio);
    const a = adv[i]!;
    const rc = Math.min(Math.max(r, 1 - c), 1 + c);
    const unclippedWins = a * r <= a * rc;
    surrogate += unclippedWins ? a * r : a * rc;
    if (Math.abs(r - 1) > c) clipped++;
    kl += r - 1 - logRatio;
    entropySum += entropy;
    // ∂loss/∂logProb_i through policyLoss = −mean(min(A·r, A·clip(r))), r = exp(logProb − old).
    const gLp = unclippedWins ? (-a * r) / b : 0;
    const v = values[i]!;
    const vOld = s.oldValues[i]!;
    const diff = v - vOld;
    const vPred = cv === null ? v : vOld + Math.min(Math.max(diff, -cv), cv);
    const err = vPred - s.returns[i]!;
    valueSq += err * err;
    const inRange = cv === null || (diff >= -cv && diff <= cv);
    dValues[i] = inRange ? (o.vfCoef * 2 * err) / b : 0;
    if (logStd === null) {
      const act = s.actions[i]!;
      for (let j = 0; j < k; j++) {
        const p = probs[j]!;
        // ∂logp_a/∂z_j = [j = a] − p_j;  ∂H/∂z_j = −p_j (log p_j + H).
        const dLp = (j === act ? 1 : 0) - p;
        const dH = p > 0 ? -p * (Math.log(p) + entropy) : 0;
        dHead[ho + j] = gLp * dLp + gH * dH;
      }
    } else {
      for (let d = 0; d < k; d++) {
        const std = Math.exp(logStd[d]!);
        const zd = (s.actions[ho + d]! - head[ho + d]!) / std;
        dHead[ho + d] = (gLp * zd) / std;
        // ∂logp/∂logStd_d = z² − 1; ∂H_i/∂logStd_d = 1.
        logStdGrad[d] = logStdGrad[d]! + gLp * (zd * zd - 1) + gH;
      }
    }
  }
  const policyLoss = -surrogate / b;
  const valueLoss = valueSq / b;
  const entropyLoss = -entropySum / b;
  const stats = new Float32Array(PPO_STAT_NAMES.length);
  stats[0] = policyLoss + o.entCoef * entropyLoss + o.vfCoef * valueLoss;
  stats[1] = policyLoss;
  stats[2] = valueLoss;
  stats[3] = entropyLoss;
  stats[4] = kl / b;
  stats[5] = clipped / b;
  return stats;
}

/** `logStd` per action dimension from flat weights (a shared one repeated). */
function sharedLogStd(policy: ActorCriticPolicy, weights: Float32Array): Float32Array {
  const own = weights.subarray(policy.logStdOffset, policy.logStdOffset + policy.logStdSize);
  return policy.logStdSize === policy.actDim ? own : new Float32Array(policy.actDim).fill(own[0]!);
}
