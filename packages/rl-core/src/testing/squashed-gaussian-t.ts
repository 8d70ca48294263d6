/**
 * tfjs reference of the tanh-squashed Gaussian (`distributions/squashed-gaussian.ts`), SAC's
 * policy distribution: the reparameterised sample and log-probabilities as differentiable
 * tensors, with SB3's correction.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FLOAT32_EPSILON, SQUASH_EPSILON } from '../distributions/squashed-gaussian.js';
import { gaussianLogProbFromZ } from './diag-gaussian-t.js';

/** `Σ_d log(1 − a² + 1e-6)`, the tanh log-det correction, `[B][D]` → `[B]`. */
function tanhCorrectionT(actions: tf.Tensor): tf.Tensor1D {
  return tf.sum(tf.log(tf.add(tf.sub(1, tf.square(actions)), SQUASH_EPSILON)), 1) as tf.Tensor1D;
}

/**
 * Differentiable reparameterised sample (SAC's actor): `u = mean + exp(logStd)·noise`,
 * `actions = tanh(u)`, `logProb` `[B]` with SB3's correction. `noise` ~ N(0, 1) `[B][D]` is
 * drawn by the caller (e.g. `tf.randomNormal(shape, 0, 1, 'float32', rng.seed())`). The
 * caller owns both returned tensors.
 *
 * @example
 * const { actions, logProb } = squashedGaussianRsampleT(mean, logStd, tf.randomNormal(mean.shape));
 */
export function squashedGaussianRsampleT(
  mean: tf.Tensor2D,
  logStd: tf.Tensor2D,
  noise: tf.Tensor2D,
): { actions: tf.Tensor2D; logProb: tf.Tensor1D } {
  return tf.tidy(() => {
    const u = tf.add(mean, tf.mul(tf.exp(logStd), noise));
    const actions = tf.tanh(u) as tf.Tensor2D;
    // (u − mean)/std is exactly `noise`; using it avoids float32 cancellation.
    const logProb = tf.sub(gaussianLogProbFromZ(noise, logStd), tanhCorrectionT(actions)) as tf.Tensor1D;
    return { actions, logProb };
  });
}

/**
 * Differentiable log-probability of given squashed actions `[B][D]` → `[B]`, recovering
 * the pre-tanh action with SB3's float32 clamp (`1 − 1.19e-7`). Prefer the log-prob from
 * {@link squashedGaussianRsampleT} when the sample is fresh.
 *
 * @example
 * const lp = squashedGaussianLogProbT(mean, logStd, tf.tensor2d([[0.5]]));
 */
export function squashedGaussianLogProbT(
  mean: tf.Tensor2D,
  logStd: tf.Tensor2D,
  actions: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const c = tf.clipByValue(actions, -1 + FLOAT32_EPSILON, 1 - FLOAT32_EPSILON);
    const u = tf.mul(tf.sub(tf.log1p(c), tf.log1p(tf.neg(c))), 0.5);
    const z = tf.div(tf.sub(u, mean), tf.exp(logStd));
    return tf.sub(gaussianLogProbFromZ(z, logStd), tanhCorrectionT(actions)) as tf.Tensor1D;
  });
}
