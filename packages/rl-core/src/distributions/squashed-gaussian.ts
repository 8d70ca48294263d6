/**
 * Tanh-squashed diagonal Gaussian (SAC's policy distribution): `a = tanh(u)`, u ~ N(mean, std²).
 *
 * Port of SB3 v2.4.1 `stable_baselines3/common/distributions.py`
 * (`SquashedDiagGaussianDistribution` L207-260, `TanhBijector` L620-660):
 * `log π(a) = Σ_d log N(u_d) − Σ_d log(1 − a_d² + 1e-6)`. SB3 uses the squashed action
 * `a = tanh(u)` in the correction (not the softplus form) and, when only `a` is known,
 * recovers `u = atanh(clamp(a, −1 + eps, 1 − eps))` with `eps` the machine epsilon of the
 * dtype, so saturated actions (|a| = 1 in float32) get a finite but very different value.
 * SAC always passes the pre-tanh sample, which avoids that.
 */
import { RlError } from '../errors.js';
import type { Rng } from '../random.js';
import { checkGaussianShapes, diagGaussianLogProb, HALF_LOG_2PI } from './diag-gaussian.js';

/**
 * SB3's epsilon inside `log(1 − a² + ε)`.
 * @example
 * Math.log(1 - 1 ** 2 + SQUASH_EPSILON); // −13.8, the correction of a saturated action
 */
export const SQUASH_EPSILON = 1e-6;
/**
 * Machine epsilon of float32 (`torch.finfo(float32).eps`), SB3's atanh clamp for float32 tensors.
 * @example
 * clippedAtanh(1, FLOAT32_EPSILON); // 8.3177…
 */
export const FLOAT32_EPSILON = 1.1920928955078125e-7;
/**
 * Machine epsilon of float64 (`Number.EPSILON`), SB3's atanh clamp for float64 tensors.
 * @example
 * clippedAtanh(1, FLOAT64_EPSILON); // 18.37…
 */
export const FLOAT64_EPSILON = Number.EPSILON;

/**
 * SB3's `TanhBijector.inverse`: `atanh(clamp(x, −1 + eps, 1 − eps))` computed as
 * `0.5·(log1p(x) − log1p(−x))`.
 *
 * @example
 * clippedAtanh(1, FLOAT32_EPSILON); // 8.317766…, finite
 */
export function clippedAtanh(x: number, eps: number = FLOAT64_EPSILON): number {
  const c = Math.min(Math.max(x, -1 + eps), 1 - eps);
  return 0.5 * (Math.log1p(c) - Math.log1p(-c));
}

/** Options of {@link squashedGaussianLogProb}. */
export interface SquashedLogProbOptions {
  /** The pre-tanh sample `u` (SAC's path). Without it, `u` is recovered with {@link clippedAtanh}. */
  gaussianActions?: ArrayLike<number>;
  /** Which machine epsilon clamps the atanh: the dtype SB3 would run in (default 'float64'). */
  dtype?: 'float32' | 'float64';
}

/**
 * Log-probability of squashed actions `a ∈ (−1, 1)`, summed over the action dimension.
 * Flat `[B][D]` arrays; `logStd` `[D]` or `[B][D]`. Returns `[B]` (float64 maths).
 *
 * @example
 * const u = [0.3];
 * squashedGaussianLogProb([0], [0], [Math.tanh(0.3)], 1, { gaussianActions: u });
 */
export function squashedGaussianLogProb(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actions: ArrayLike<number>,
  actionDim: number,
  options: SquashedLogProbOptions = {},
): Float64Array {
  const batch = checkGaussianShapes('squashedGaussianLogProb', mean, logStd, actionDim);
  if (actions.length !== mean.length) {
    throw new RlError(
      'SHAPE',
      `squashedGaussianLogProb: actions has ${actions.length} values, mean ${mean.length}`,
      {
        field: 'actions',
      },
    );
  }
  let u = options.gaussianActions;
  if (u === undefined) {
    const eps = options.dtype === 'float32' ? FLOAT32_EPSILON : FLOAT64_EPSILON;
    u = Float64Array.from(actions, (a) => clippedAtanh(a, eps));
  } else if (u.length !== actions.length) {
    throw new RlError(
      'SHAPE',
      `squashedGaussianLogProb: gaussianActions has ${u.length} values, actions ${actions.length}`,
      {
        field: 'gaussianActions',
      },
    );
  }
  const out = diagGaussianLogProb(mean, logStd, u, actionDim);
  for (let b = 0; b < batch; b++) {
    let corr = 0;
    for (let d = 0; d < actionDim; d++) {
      const a = actions[b * actionDim + d]!;
      corr += Math.log(1 - a * a + SQUASH_EPSILON);
    }
    out[b] = out[b]! - corr;
  }
  return out;
}

/**
 * Reparameterised sample: `u = mean + exp(logStd)·ε`, `a = tanh(u)`, with its log-probability.
 *
 * @example
 * const { actions, gaussianActions, logProb } = squashedGaussianSample([0], [0], 1, new Rng(0));
 */
export function squashedGaussianSample(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actionDim: number,
  rng: Rng,
): { actions: Float64Array; gaussianActions: Float64Array; logProb: Float64Array } {
  checkGaussianShapes('squashedGaussianSample', mean, logStd, actionDim);
  const perSample = logStd.length === mean.length;
  const gaussianActions = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    gaussianActions[i] = mean[i]! + Math.exp(logStd[perSample ? i : i % actionDim]!) * rng.normal();
  }
  const actions = gaussianActions.map(Math.tanh);
  const logProb = squashedGaussianLogProb(mean, logStd, actions, actionDim, { gaussianActions });
  return { actions, gaussianActions, logProb };
}

/**
 * The deterministic action `tanh(mean)` (SB3's `mode()`). The squashed Gaussian has no
 * closed-form entropy; SB3 (and rl-core) use `−logProb` as its estimate.
 *
 * @example
 * squashedGaussianMode([0, 100]); // Float64Array [0, 1]
 */
export function squashedGaussianMode(mean: ArrayLike<number>): Float64Array {
  return Float64Array.from(mean, Math.tanh);
}

/**
 * Reparameterised samples in float32, as SAC's update draws them on the kernels' outputs:
 * `u = μ + σ·ε`, `a = tanh(u)` (each rounded to float32, as torch computes), and
 * `log π(a) = Σ_d (−ε²/2 − log σ − ½ log 2π) − Σ_d log(1 − a² + 1e-6)` (`(u − μ)/σ` is exactly
 * ε, which avoids float32 cancellation). `mean`, `logStd` and `noise` are `[B][D]`.
 *
 * @example
 * const { actions, logProb } = squashedGaussianRsample(mean, logStd, noise, 1);
 */
export function squashedGaussianRsample(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  noise: ArrayLike<number>,
  actionDim: number,
): { actions: Float32Array; logProb: Float64Array } {
  const batch = mean.length / actionDim;
  const actions = new Float32Array(mean.length);
  const logProb = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let lp = 0;
    for (let d = 0; d < actionDim; d++) {
      const i = b * actionDim + d;
      const eps = noise[i]!;
      const a = Math.fround(Math.tanh(Math.fround(mean[i]! + Math.exp(logStd[i]!) * eps)));
      actions[i] = a;
      lp += -0.5 * eps * eps - logStd[i]! - HALF_LOG_2PI - Math.log(1 - a * a + SQUASH_EPSILON);
    }
    logProb[b] = Math.fround(lp);
  }
  return { actions, logProb };
}

/**
 * The gradient of `(α/B)·Σ_b log π(a_b) + Σ dActions·a` (SAC's actor loss, whose `−min Q`
 * term reaches the actions as `dActions`) with respect to the means and log-stds of
 * {@link squashedGaussianRsample}'s samples, the noise held fixed: with `a = tanh(u)`,
 * `∂log π/∂u = 2a(1 − a²)/(1 − a² + 1e-6)`, `∂a/∂u = 1 − a²`, `∂u/∂log σ = σε` and the direct
 * `∂log π/∂log σ = −1`.
 *
 * @example
 * const { dMean, dLogStd } = squashedGaussianBackward(pi.actions, logStd, noise, dActions, alpha, 1);
 */
export function squashedGaussianBackward(
  actions: ArrayLike<number>,
  logStd: ArrayLike<number>,
  noise: ArrayLike<number>,
  dActions: ArrayLike<number>,
  alpha: number,
  actionDim: number,
): { dMean: Float64Array; dLogStd: Float64Array } {
  const batch = actions.length / actionDim;
  const dMean = new Float64Array(actions.length);
  const dLogStd = new Float64Array(actions.length);
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    const oneMinusA2 = 1 - a * a;
    const dU =
      (alpha * 2 * a * oneMinusA2) / (oneMinusA2 + SQUASH_EPSILON) / batch + dActions[i]! * oneMinusA2;
    dMean[i] = dU;
    dLogStd[i] = dU * Math.exp(logStd[i]!) * noise[i]! - alpha / batch;
  }
  return { dMean, dLogStd };
}
