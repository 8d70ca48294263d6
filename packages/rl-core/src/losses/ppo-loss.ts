/**
 * PPO's clipped surrogate objective with SB3's value loss, entropy bonus and diagnostics.
 *
 * Port of SB3 v2.4.1 `stable_baselines3/ppo/ppo.py` (`PPO.train` L184-300), per minibatch:
 * ```
 * A      = normalize && n > 1 ? (A − mean A) / (std_unbiased A + 1e-8) : A
 * ratio  = exp(newLogProb − oldLogProb)
 * policy = −mean(min(A·ratio, A·clamp(ratio, 1 − clip, 1 + clip)))
 * Vpred  = clipVf == null ? V : V_old + clamp(V − V_old, −clipVf, clipVf)
 * value  = mean((returns − Vpred)²)                 (no 0.5, no max of clipped/unclipped)
 * entropy= entropy == null ? −mean(−newLogProb) : −mean(entropy)
 * loss   = policy + entCoef·entropy + vfCoef·value
 * approxKl = mean((ratio − 1) − log ratio)          (Schulman's k3 estimator)
 * clipFraction = mean(|ratio − 1| > clip)           (float32 in SB3)
 * ```
 * PPO trains with these very functions: {@link ppoLoss} on the minibatch's log-probs,
 * entropies and values, then {@link ppoLossBackward} for the loss's gradient with respect to
 * them, which the policy backpropagates. The subgradients at the kinks are torch's (and
 * tfjs's): `min` sends the gradient to its first argument on ties, `clamp` passes it at the
 * bounds.
 */
import { RlError } from '../errors.js';
import { normalizeAdvantages } from '../returns.js';

/** Inputs of {@link ppoLoss}: `[n]` arrays for one minibatch plus the coefficients. */
export interface PpoLossInputs {
  oldLogProb: ArrayLike<number>;
  newLogProb: ArrayLike<number>;
  /** Raw advantages as stored in the rollout buffer. */
  advantages: ArrayLike<number>;
  oldValues: ArrayLike<number>;
  newValues: ArrayLike<number>;
  returns: ArrayLike<number>;
  /** Per-sample entropy, or `null` when the distribution has none (then `−newLogProb` is used). */
  entropy: ArrayLike<number> | null;
  clipRange: number;
  /** Value clipping range, or `null` for none (SB3's default). */
  clipRangeVf: number | null;
  normalizeAdvantage: boolean;
  entCoef: number;
  vfCoef: number;
}

/** Everything {@link ppoLoss} computes (the fields of `ppo_loss.json`). */
export interface PpoLossResult {
  advantagesUsed: Float64Array;
  ratio: Float64Array;
  valuesPred: Float64Array;
  policyLoss: number;
  clipFraction: number;
  approxKl: number;
  valueLoss: number;
  entropyLoss: number;
  loss: number;
}

const mean = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
};

/**
 * PPO loss terms on plain arrays (float64), for tests, logging and reference checks.
 *
 * @example
 * const r = ppoLoss({ oldLogProb: [-1, -1], newLogProb: [-0.9, -1.2], advantages: [1, -1],
 *   oldValues: [0, 0], newValues: [0.1, 0.2], returns: [1, 0], entropy: null, clipRange: 0.2,
 *   clipRangeVf: null, normalizeAdvantage: true, entCoef: 0, vfCoef: 0.5 });
 * r.loss; r.approxKl; r.clipFraction;
 */
export function ppoLoss(inputs: PpoLossInputs): PpoLossResult {
  const n = inputs.oldLogProb.length;
  const fields = ['newLogProb', 'advantages', 'oldValues', 'newValues', 'returns', 'entropy'] as const;
  for (const f of fields) {
    const v = inputs[f];
    if (v !== null && v.length !== n) {
      throw new RlError('SHAPE', `ppoLoss: ${f} has ${v.length} values, oldLogProb ${n}`, { field: f });
    }
  }
  if (n === 0) throw new RlError('SHAPE', 'ppoLoss: empty minibatch', { field: 'oldLogProb' });
  const adv = inputs.normalizeAdvantage
    ? normalizeAdvantages(inputs.advantages)
    : Float64Array.from(inputs.advantages);
  const ratio = new Float64Array(n);
  const valuesPred = new Float64Array(n);
  let surrogate = 0;
  let clipped = 0;
  let kl = 0;
  let valueSq = 0;
  const c = inputs.clipRange;
  for (let i = 0; i < n; i++) {
    const logRatio = inputs.newLogProb[i]! - inputs.oldLogProb[i]!;
    const r = Math.exp(logRatio);
    ratio[i] = r;
    surrogate += Math.min(adv[i]! * r, adv[i]! * Math.min(Math.max(r, 1 - c), 1 + c));
    if (Math.abs(r - 1) > c) clipped++;
    kl += r - 1 - logRatio;
    const v = inputs.newValues[i]!;
    const vOld = inputs.oldValues[i]!;
    const vf = inputs.clipRangeVf;
    valuesPred[i] = vf === null ? v : vOld + Math.min(Math.max(v - vOld, -vf), vf);
    valueSq += (inputs.returns[i]! - valuesPred[i]!) ** 2;
  }
  const policyLoss = -surrogate / n;
  const valueLoss = valueSq / n;
  const entropyLoss = inputs.entropy === null ? mean(inputs.newLogProb) : -mean(inputs.entropy);
  return {
    advantagesUsed: adv,
    ratio,
    valuesPred,
    policyLoss,
    clipFraction: Math.fround(clipped / n),
    approxKl: kl / n,
    valueLoss,
    entropyLoss,
    loss: policyLoss + inputs.entCoef * entropyLoss + inputs.vfCoef * valueLoss,
  };
}

/** What {@link ppoLossBackward} returns: the loss's gradient with respect to the policy's outputs. */
export interface PpoLossGradients {
  /** ∂loss/∂newLogProb `[n]`. */
  dLogProb: Float64Array;
  /** ∂loss/∂entropy of each sample (the same for all). */
  dEntropy: number;
  /** ∂loss/∂newValues `[n]`. */
  dValues: Float32Array;
}

/**
 * The gradient of {@link ppoLoss}'s `loss` with respect to `newLogProb`, the entropies and
 * `newValues`, given the inputs and the result of that call.
 *
 * @example
 * const result = ppoLoss(inputs);
 * const { dLogProb, dEntropy, dValues } = ppoLossBackward(inputs, result);
 */
export function ppoLossBackward(inputs: PpoLossInputs, result: PpoLossResult): PpoLossGradients {
  const n = result.ratio.length;
  const c = inputs.clipRange;
  const cv = inputs.clipRangeVf;
  const dLogProb = new Float64Array(n);
  const dValues = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // policy = −mean(min(A·r, A·clip(r))), r = exp(newLogProb − oldLogProb): ∂r/∂newLogProb = r.
    const a = result.advantagesUsed[i]!;
    const r = result.ratio[i]!;
    const rc = Math.min(Math.max(r, 1 - c), 1 + c);
    dLogProb[i] = a * r <= a * rc ? (-a * r) / n : 0;
    // value = mean((Vpred − returns)²); no gradient through a clipped Vpred.
    const diff = inputs.newValues[i]! - inputs.oldValues[i]!;
    const err = result.valuesPred[i]! - inputs.returns[i]!;
    const inRange = cv === null || (diff >= -cv && diff <= cv);
    dValues[i] = inRange ? (inputs.vfCoef * 2 * err) / n : 0;
  }
  // entropyLoss = −mean(entropy), or mean(newLogProb) without an entropy.
  if (inputs.entropy === null) for (let i = 0; i < n; i++) dLogProb[i] = dLogProb[i]! + inputs.entCoef / n;
  return { dLogProb, dEntropy: -inputs.entCoef / n, dValues };
}
