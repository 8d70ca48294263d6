/**
 * tfjs reference of `clipGradNorm`: torch's `clip_grad_norm_` over a list of gradient
 * tensors, the oracle of the flat clipper PPO runs.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The global L2 norm of `grads` and the clipped gradients. The caller owns every returned
 * tensor (`norm` is the norm BEFORE clipping, as torch returns).
 *
 * @example
 * const { grads: clipped, norm } = clipGradNormT([g1, g2], 0.5);
 */
export function clipGradNormT(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(squares.length === 1 ? squares[0]! : tf.addN(squares)) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, coef)), norm };
  });
}
