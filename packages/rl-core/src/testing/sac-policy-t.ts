/**
 * tfjs reference of SAC's networks (`policies/sac-policy.ts`): the squashed-Gaussian actor and
 * the twin critics on flat parameter vectors, differentiable in the parameters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MlpSpec } from '../nn/mlp.js';
import { LOG_STD_MAX, LOG_STD_MIN } from '../policies/sac-policy.js';
import { mlpApplyT } from './mlp-t.js';
import { squashedGaussianRsampleT } from './squashed-gaussian-t.js';

/**
 * The actor in tfjs: reparameterised squashed actions and their log-probs for flat actor
 * parameters `params` (differentiable in `params`).
 *
 * @example
 * const { actions, logProb } = sacActorT(policy.actorSpec, tf.tensor1d(policy.get('actor')), obs, noise);
 */
export function sacActorT(
  spec: MlpSpec,
  params: tf.Tensor1D,
  obs: tf.Tensor2D,
  noise: tf.Tensor2D,
): { actions: tf.Tensor2D; logProb: tf.Tensor1D } {
  const out = mlpApplyT(spec, params, obs);
  const d = noise.shape[1];
  const mean = tf.slice(out, [0, 0], [-1, d]) as tf.Tensor2D;
  const logStd = tf.clipByValue(tf.slice(out, [0, d], [-1, d]), LOG_STD_MIN, LOG_STD_MAX) as tf.Tensor2D;
  return squashedGaussianRsampleT(mean, logStd, noise);
}

/**
 * Q1(s, a), Q2(s, a) `[B]` in tfjs from flat twin-critic parameters (Q1's then Q2's).
 *
 * @example
 * const [q1, q2] = sacQValuesT(policy.qSpec, tf.tensor1d(policy.get('critic')), obs, actions);
 */
export function sacQValuesT(
  spec: MlpSpec,
  params: tf.Tensor1D,
  obs: tf.Tensor2D,
  actions: tf.Tensor2D,
): [tf.Tensor1D, tf.Tensor1D] {
  const x = tf.concat([obs, actions], 1) as tf.Tensor2D;
  const half = params.shape[0] / 2;
  const q1 = tf.reshape(mlpApplyT(spec, tf.slice(params, 0, half) as tf.Tensor1D, x), [-1]) as tf.Tensor1D;
  const q2 = tf.reshape(mlpApplyT(spec, tf.slice(params, half, half) as tf.Tensor1D, x), [-1]) as tf.Tensor1D;
  return [q1, q2];
}
