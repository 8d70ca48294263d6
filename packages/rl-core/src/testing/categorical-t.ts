/**
 * tfjs reference of the categorical distribution (`distributions/categorical.ts`): log-prob
 * and entropy as differentiable tensors. The log-prob selects the action with
 * `oneHot · logSoftmax`, not `tf.gather`: gather's gradient fails on the WASM backend.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Row-wise log-softmax as a tensor: `logits − logsumexp(logits)`. */
function logSoftmaxT(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(logits, tf.logSumExp(logits, 1, true));
}

/**
 * Differentiable `log p(a)`, `[B][K]` logits and int32 `[B]` actions → `[B]`. Uses
 * `oneHot(actions) · logSoftmax(logits)`, which differentiates on every backend.
 *
 * @example
 * const lp = categoricalLogProbT(tf.tensor2d([[0, 0]]), tf.tensor1d([1], 'int32')); // [-0.693…]
 */
export function categoricalLogProbT(logits: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(actions, 'int32'), logits.shape[1]);
    return tf.sum(tf.mul(tf.cast(oneHot, logits.dtype), logSoftmaxT(logits)), 1);
  });
}

/**
 * Differentiable entropy per row, `[B][K]` → `[B]`.
 *
 * @example
 * const h = categoricalEntropyT(tf.tensor2d([[0, 0]])); // [0.693…]
 */
export function categoricalEntropyT(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logp = logSoftmaxT(logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
  });
}
