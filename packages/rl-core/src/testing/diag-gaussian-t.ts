/**
 * tfjs reference of the diagonal Gaussian (`distributions/diag-gaussian.ts`): log-density and
 * entropy as differentiable tensors the caller owns.
 */
import * as tf from '@tensorflow/tfjs-core';
import { HALF_LOG_2PI } from '../distributions/diag-gaussian.js';
import { RlError } from '../errors.js';

/** Per-element Gaussian log-density of standardised `z = (x-mean)/std`, as a tensor. */
function gaussianTerm(z: tf.Tensor, logStd: tf.Tensor): tf.Tensor {
  return tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), HALF_LOG_2PI);
}

/**
 * Differentiable log-density summed over the action dimension: `[B][D]` → `[B]`.
 * `logStd` is `[D]` (broadcast) or `[B][D]`. The caller owns (and disposes) the result.
 *
 * @example
 * const lp = diagGaussianLogProbT(tf.zeros([2, 1]), tf.zeros([1]), tf.tensor2d([[1], [-1]]));
 * lp.dataSync(); // [-1.4189…, -1.4189…]
 */
export function diagGaussianLogProbT(
  mean: tf.Tensor2D,
  logStd: tf.Tensor,
  actions: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
    return tf.sum(gaussianTerm(z, logStd), 1) as tf.Tensor1D;
  });
}

/**
 * Differentiable entropy per sample, `[B]`, from `logStd` `[D]` or `[B][D]`.
 *
 * @example
 * const h = diagGaussianEntropyT(tf.zeros([2]), 4); // [4], each 2·1.4189…
 */
export function diagGaussianEntropyT(logStd: tf.Tensor, batchSize: number): tf.Tensor1D {
  return tf.tidy(() => {
    const perDim = tf.add(logStd, 0.5 + HALF_LOG_2PI);
    if (logStd.rank === 1) return tf.mul(tf.ones([batchSize]), tf.sum(perDim)) as tf.Tensor1D;
    if (logStd.rank === 2 && logStd.shape[0] === batchSize) return tf.sum(perDim, 1) as tf.Tensor1D;
    throw new RlError(
      'SHAPE',
      `diagGaussianEntropyT: logStd must be [D] or [${batchSize}, D], got [${logStd.shape.join(', ')}]`,
      { field: 'logStd' },
    );
  });
}

/**
 * Shared with the squashed Gaussian: `Σ_d log N` from the standardised `z = (x − mean)/std`
 * and `logStd`, `[B][D]` → `[B]`. Not wrapped in `tf.tidy`: call it inside one.
 * @example
 * const lp = tf.tidy(() => gaussianLogProbFromZ(noise, logStd));
 */
export function gaussianLogProbFromZ(z: tf.Tensor, logStd: tf.Tensor): tf.Tensor1D {
  return tf.sum(gaussianTerm(z, logStd), 1) as tf.Tensor1D;
}
