/**
 * The logistic-normal distribution on the simplex: a diagonal Gaussian over `D` logits `u`,
 * mapped to `D` weights by a softmax that includes one more, fixed logit c (the "rest", e.g.
 * cash; c = 0 unless a policy's `cashLogit` says otherwise): `w_d = e^{u_d} / (e^c + Σ_j e^{u_j})`,
 * so `Σ w ≤ 1` and the remainder `w_rest = e^c / (e^c + Σ e^{u_j})`. The map is invertible (`u_d = log w_d − log w_rest`), so a
 * policy can learn on the logits exactly as with a Gaussian (PPO stores the raw sample and its
 * Gaussian log-probability; the Jacobian does not depend on the parameters and cancels in
 * the probability ratio) while the environment receives portfolio weights.
 *
 * This replaces clip-and-rescale heads, where every negative sample is the same zero weight
 * and exploration noise turns into turnover (Aitchison 1986; for portfolios see e.g.
 * FinRL's `PortfolioOptimizationEnv` and Jiang, Xu & Liang 2017, whose softmax has a cash bias).
 *
 * The density of `w` (over the D free coordinates) is Aitchison's:
 * `log p(w) = log 𝒩(u; μ, σ) − Σ_{d=1..D} log w_d − log w_rest`.
 */
import { RlError } from '../errors.js';
import type { Space } from '../spaces.js';
import { diagGaussianLogProb } from './diag-gaussian.js';

/**
 * Throws `RlError('CONFIG')` naming `policy.distribution` unless `space` is a Box whose every
 * dimension allows weights in [0, 1] (what logistic-normal actions are).
 * @example
 * assertWeightSpace(box({ shape: [3], low: 0, high: 1 }), 'Ppo');
 */
export function assertWeightSpace(space: Space, who: string): void {
  if (space.kind !== 'box') {
    throw new RlError('CONFIG', `${who}: policy.distribution logistic-normal needs a Box action space`, {
      field: 'policy.distribution',
    });
  }
  for (let d = 0; d < space.low.length; d++) {
    if (space.low[d]! > 0 || space.high[d]! < 1) {
      throw new RlError(
        'CONFIG',
        `${who}: policy.distribution logistic-normal gives weights in [0, 1], but the action space's dimension ${d} is [${space.low[d]}, ${space.high[d]}]; map the weights onto your actions in the env (e.g. negate them for a short book)`,
        { field: 'policy.distribution' },
      );
    }
  }
}

/**
 * Maps flat logits `[B][D]` to weights `[B][D]` (softmax with a fixed extra logit, the rest's:
 * 0 unless `restLogit` says otherwise), computed with the maximum subtracted so large logits
 * do not overflow. A positive `restLogit` is a cash bias: at logits 0 each weight is
 * `1 / (D + e^restLogit)`, the rest holds the remainder.
 *
 * @example
 * logisticNormalWeights([0, 0], 2); // [1/3, 1/3] (1/3 left over)
 * logisticNormalWeights([20, 0], 2); // ≈ [1, 0]
 * logisticNormalWeights([0, 0], 2, undefined, Math.log(8)); // [0.1, 0.1] (0.8 left over)
 */
export function logisticNormalWeights(
  logits: ArrayLike<number>,
  actionDim: number,
  out: Float32Array = new Float32Array(logits.length),
  restLogit = 0,
): Float32Array {
  for (let o = 0; o < logits.length; o += actionDim) {
    let mx = restLogit;
    for (let d = 0; d < actionDim; d++) mx = Math.max(mx, logits[o + d]!);
    let sum = Math.exp(restLogit - mx);
    for (let d = 0; d < actionDim; d++) sum += Math.exp(logits[o + d]! - mx);
    for (let d = 0; d < actionDim; d++) out[o + d] = Math.exp(logits[o + d]! - mx) / sum;
  }
  return out;
}

/**
 * The inverse map: weights `[B][D]` with `Σ w < 1` per row to logits
 * `log w_d − log(1 − Σ w) + restLogit`.
 *
 * @example
 * logisticNormalLogits([0.25, 0.25], 2); // [log 0.5, log 0.5] → weights back to [0.25, 0.25]
 */
export function logisticNormalLogits(
  weights: ArrayLike<number>,
  actionDim: number,
  restLogit = 0,
): Float64Array {
  const out = new Float64Array(weights.length);
  for (let o = 0; o < weights.length; o += actionDim) {
    let rest = 1;
    for (let d = 0; d < actionDim; d++) rest -= weights[o + d]!;
    for (let d = 0; d < actionDim; d++) out[o + d] = Math.log(weights[o + d]!) - Math.log(rest) + restLogit;
  }
  return out;
}

/**
 * Log-density of weights `w` under the logistic-normal with logit mean `mean` `[B][D]` and
 * log-std `logStd` (`[D]` or `[B][D]`) and the rest's logit `restLogit`, one value per row
 * (Aitchison's density above; the shift does not change the Jacobian).
 *
 * @example
 * const lp = logisticNormalLogDensity([0.2, 0.3], [0, 0], [-1, -1], 2);
 */
export function logisticNormalLogDensity(
  weights: ArrayLike<number>,
  mean: ArrayLike<number>,
  logStd: ArrayLike<number>,
  actionDim: number,
  restLogit = 0,
): Float64Array {
  const u = logisticNormalLogits(weights, actionDim, restLogit);
  const lp = diagGaussianLogProb(mean, logStd, u, actionDim);
  for (let i = 0; i < lp.length; i++) {
    let rest = 1;
    let logJ = 0;
    for (let d = 0; d < actionDim; d++) {
      const w = weights[i * actionDim + d]!;
      rest -= w;
      logJ += Math.log(w);
    }
    lp[i] = lp[i]! - logJ - Math.log(rest);
  }
  return lp;
}
