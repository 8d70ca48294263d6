/**
 * `stopGradient(x)`: the value of `x`, but a constant for `tf.grad` (torch's `.detach()`).
 * tfjs-core 4.22 has no stop-gradient op; a custom gradient returning zeros gives one.
 */
import * as tf from '@tensorflow/tfjs-core';

const stop = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * Returns a copy of `x` that gradients do not flow through (SB3's `.detach()`).
 * The caller owns the result.
 *
 * @example
 * const g = tf.grad((x: tf.Tensor) => tf.mul(x, stopGradient(x)).sum())(tf.tensor1d([3])); // [3], not [6]
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
