/**
 * Diagonal Gaussian policy distribution (continuous actions, PPO's default).
 *
 * Port of SB3 v2.4.1 `stable_baselines3/common/distributions.py`
 * (`DiagGaussianDistribution` L125-205, `sum_independent_dims` L110-122): log-probabilities
 * and entropies are summed over the action dimension. `logStd` is either one parameter per
 * action dimension (`[D]`, broadcast over the batch as in PPO's MlpPolicy) or per sample
 * (`[B][D]`, as SAC's actor produces).
 *
 * Functions on flat `[B][D]` typed arrays (float64 maths); their differentiable tfjs
 * references (`…T`) are in `@marlts/rl-core/testing`.
 */
import { RlError } from '../errors.js';
import type { Rng } from '../random.js';

/**
 * `0.5 * log(2π)`, the normalising constant of one Gaussian dimension.
 * @example
 * const entropyPerDim = 0.5 + HALF_LOG_2PI + logStd;
 */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Resolves the batch size from flat arrays and checks that `logStd` is `[D]` or `[B][D]`
 * (throws `RlError('SHAPE')` naming the field otherwise).
 * @example
 * checkGaussianShapes('myFn', new Float64Array(6), [0, 0], 2); // 3
 */
export function checkGaussianShapes(
  fn: string,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actionDim: number,
): number {
  if (!Number.isInteger(actionDim) || actionDim < 1) {
    throw new RlError('SHAPE', `${fn}: actionDim must be a positive integer, got ${actionDim}`, {
      field: 'actionDim',
    });
  }
  if (mean.length % actionDim !== 0) {
    throw new RlError(
      'SHAPE',
      `${fn}: mean has ${mean.length} values, not a multiple of actionDim ${actionDim}`,
      {
        field: 'mean',
      },
    );
  }
  if (logStd.length !== actionDim && logStd.length !== mean.length) {
    throw new RlError(
      'SHAPE',
      `${fn}: logStd must have ${actionDim} ([D]) or ${mean.length} ([B][D]) values, got ${logStd.length}`,
      { field: 'logStd' },
    );
  }
  return mean.length / actionDim;
}

/**
 * Log-density of `actions` under N(mean, exp(logStd)²), summed over the action dimension.
 * Arrays are flat `[B][D]`; `logStd` is `[D]` or `[B][D]`. Returns `[B]` (float64).
 *
 * @example
 * diagGaussianLogProb([0, 0], [0], [1, -1], 1); // Float64Array [-1.4189…, -1.4189…]
 */
export function diagGaussianLogProb(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actions: ArrayLike<number>,
  actionDim: number,
): Float64Array {
  const batch = checkGaussianShapes('diagGaussianLogProb', mean, logStd, actionDim);
  if (actions.length !== mean.length) {
    throw new RlError(
      'SHAPE',
      `diagGaussianLogProb: actions has ${actions.length} values, mean ${mean.length}`,
      {
        field: 'actions',
      },
    );
  }
  const perSample = logStd.length === mean.length;
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let d = 0; d < actionDim; d++) {
      const i = b * actionDim + d;
      const ls = logStd[perSample ? i : d]!;
      const z = (actions[i]! - mean[i]!) / Math.exp(ls);
      sum += -0.5 * z * z - ls - HALF_LOG_2PI;
    }
    out[b] = sum;
  }
  return out;
}

/**
 * Entropy of each sample's Gaussian, `Σ_d 0.5 + 0.5·log(2π) + logStd_d`. Returns `[B]`.
 *
 * @example
 * diagGaussianEntropy([0], 1, 3); // Float64Array [1.4189…, 1.4189…, 1.4189…]
 */
export function diagGaussianEntropy(
  logStd: ArrayLike<number>,
  actionDim: number,
  batchSize: number,
): Float64Array {
  if (logStd.length !== actionDim && logStd.length !== actionDim * batchSize) {
    throw new RlError(
      'SHAPE',
      `diagGaussianEntropy: logStd must have ${actionDim} or ${actionDim * batchSize} values, got ${logStd.length}`,
      { field: 'logStd' },
    );
  }
  const perSample = logStd.length !== actionDim || batchSize === 1;
  const out = new Float64Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    let sum = 0;
    for (let d = 0; d < actionDim; d++)
      sum += 0.5 + HALF_LOG_2PI + logStd[perSample ? b * actionDim + d : d]!;
    out[b] = sum;
  }
  return out;
}

/**
 * Draws `mean + exp(logStd)·ε`, ε ~ N(0, 1) from `rng`. Returns flat `[B][D]` (float64).
 *
 * @example
 * const a = diagGaussianSample([0, 0], [0], 1, new Rng(1)); // two draws from N(0, 1)
 */
export function diagGaussianSample(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actionDim: number,
  rng: Rng,
): Float64Array {
  checkGaussianShapes('diagGaussianSample', mean, logStd, actionDim);
  const perSample = logStd.length === mean.length;
  const out = new Float64Array(mean.length);
  for (let i = 0; i < out.length; i++)
    out[i] = mean[i]! + Math.exp(logStd[perSample ? i : i % actionDim]!) * rng.normal();
  return out;
}

/**
 * The most likely action: the mean (SB3's `mode()`, used for deterministic evaluation).
 *
 * @example
 * diagGaussianMode([0.5, -1]); // Float64Array [0.5, -1]
 */
export function diagGaussianMode(mean: ArrayLike<number>): Float64Array {
  return Float64Array.from(mean);
}

/**
 * Entropy of a diagonal Gaussian whose `logStd` `[D]` is the same for every sample (PPO's
 * state-independent log-std): `Σ_d (logStd_d + 0.5 + ½ log 2π)`, one value for all samples.
 *
 * @example
 * diagGaussianSharedEntropy([0]); // 1.4189…
 */
export function diagGaussianSharedEntropy(logStd: ArrayLike<number>): number {
  let h = 0;
  for (let d = 0; d < logStd.length; d++) h += logStd[d]! + 0.5 + HALF_LOG_2PI;
  return h;
}

/**
 * The gradient of `Σ_b (dLogProb_b·log N(a_b; μ_b, σ) + dEntropy·H)` for a `logStd` `[D]`
 * shared by every sample (PPO's backward pass through its Gaussian head): with
 * `z = (a − μ)/σ`, `∂log N/∂μ = z/σ` into `dMean` `[B][D]`, and `∂log N/∂logStd = z² − 1`
 * plus `∂H/∂logStd = 1` per sample, summed into `dLogStd` `[D]`.
 *
 * @example
 * const { dMean, dLogStd } = diagGaussianBackward(mean, logStd, actions, 2, dLogProb, -entCoef / batch);
 */
export function diagGaussianBackward(
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actions: ArrayLike<number>,
  actionDim: number,
  dLogProb: ArrayLike<number>,
  dEntropy: number,
  dMean: Float32Array = new Float32Array(mean.length),
): { dMean: Float32Array; dLogStd: Float64Array } {
  const batch = checkGaussianShapes('diagGaussianBackward', mean, logStd, actionDim);
  if (logStd.length !== actionDim) {
    throw new RlError(
      'SHAPE',
      `diagGaussianBackward: logStd must be shared ([${actionDim}]), got ${logStd.length}`,
      {
        field: 'logStd',
      },
    );
  }
  const dLogStd = new Float64Array(actionDim);
  for (let b = 0; b < batch; b++) {
    const g = dLogProb[b]!;
    for (let d = 0; d < actionDim; d++) {
      const i = b * actionDim + d;
      const std = Math.exp(logStd[d]!);
      const z = (actions[i]! - mean[i]!) / std;
      dMean[i] = (g * z) / std;
      dLogStd[d] = dLogStd[d]! + g * (z * z - 1) + dEntropy;
    }
  }
  return { dMean, dLogStd };
}
