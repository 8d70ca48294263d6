/**
 * tfjs reference of SAC's networks (`policies/sac-policy.ts`): the squashed-Gaussian actor and
 * the twin critics on flat parameter vectors, differentiable in the parameters, flat or as
 * per-item shared encoders (`items`, with the logistic-normal's weights in the critics' rows).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MlpSpec } from '../nn/mlp.js';
import type { ItemLayout } from '../policies/items.js';
import { LOG_STD_MAX, LOG_STD_MIN } from '../policies/sac-policy.js';
import { expandItemsT } from './items-t.js';
import { mlpApplyT } from './mlp-t.js';
import { squashedGaussianRsampleT } from './squashed-gaussian-t.js';

/** The per-item layout of {@link sacActorT} and {@link sacQValuesT}. */
export interface SacItemsT {
  /** Per-item shared networks over `[items × itemDim | globalDim]` observations. */
  items?: ItemLayout | null | undefined;
  /**
   * With items and the logistic-normal distribution: each critic row also gets its item's
   * weight `softmax([logitBound·a, cashLogit])_i`. Leave unset for the squashed-Gaussian distribution.
   */
  logitBound?: number | null | undefined;
  /** The cash slot's fixed logit in that softmax (default 0). */
  cashLogit?: number | undefined;
}

/**
 * The actor in tfjs: reparameterised squashed actions and their log-probs for flat actor
 * parameters `params` (differentiable in `params`). With `items`, one shared network maps each
 * item's row to that item's mean and log-std.
 *
 * @example
 * const { actions, logProb } = sacActorT(policy.actorSpec, tf.tensor1d(policy.get('actor')), obs, noise);
 * const perItem = sacActorT(policy.actorSpec, params, obs, noise, { items: policy.items });
 */
export function sacActorT(
  spec: MlpSpec,
  params: tf.Tensor1D,
  obs: tf.Tensor2D,
  noise: tf.Tensor2D,
  options: SacItemsT = {},
): { actions: tf.Tensor2D; logProb: tf.Tensor1D } {
  const d = noise.shape[1];
  let mean: tf.Tensor2D;
  let rawLogStd: tf.Tensor2D;
  if (options.items) {
    const b = obs.shape[0];
    const out = mlpApplyT(spec, params, expandItemsT(obs, options.items));
    mean = tf.reshape(tf.slice(out, [0, 0], [-1, 1]), [b, d]);
    rawLogStd = tf.reshape(tf.slice(out, [0, 1], [-1, 1]), [b, d]);
  } else {
    const out = mlpApplyT(spec, params, obs);
    mean = tf.slice(out, [0, 0], [-1, d]);
    rawLogStd = tf.slice(out, [0, d], [-1, d]);
  }
  const logStd = tf.clipByValue(rawLogStd, LOG_STD_MIN, LOG_STD_MAX) as tf.Tensor2D;
  return squashedGaussianRsampleT(mean, logStd, noise);
}

/**
 * Q1(s, a), Q2(s, a) `[B]` in tfjs from flat twin-critic parameters (Q1's then Q2's). With
 * `items`, each critic scores every item's row `[item block, global block, a_i(, w_i)]` and
 * Q is the sum over items.
 *
 * @example
 * const [q1, q2] = sacQValuesT(policy.qSpec, tf.tensor1d(policy.get('critic')), obs, actions);
 * const [p1, p2] = sacQValuesT(policy.qSpec, params, obs, actions, { items: policy.items, logitBound: 5 });
 */
export function sacQValuesT(
  spec: MlpSpec,
  params: tf.Tensor1D,
  obs: tf.Tensor2D,
  actions: tf.Tensor2D,
  options: SacItemsT = {},
): [tf.Tensor1D, tf.Tensor1D] {
  const { items, logitBound, cashLogit = 0 } = options;
  let x: tf.Tensor2D;
  const b = obs.shape[0];
  if (items) {
    const n = items.items;
    const parts: tf.Tensor2D[] = [expandItemsT(obs, items), tf.reshape(actions, [b * n, 1])];
    if (logitBound != null) {
      // The fixed cash logit is part of the softmax's normaliser.
      const logits = tf.concat([tf.mul(actions, logitBound), tf.fill([b, 1], cashLogit)], 1);
      const weights = tf.slice(tf.softmax(logits), [0, 0], [b, n]);
      parts.push(tf.reshape(weights, [b * n, 1]));
    }
    x = tf.concat(parts, 1);
  } else {
    x = tf.concat([obs, actions], 1);
  }
  const half = params.shape[0] / 2;
  const q = (p: tf.Tensor1D) => {
    const perRow = mlpApplyT(spec, p, x);
    return (
      items ? tf.sum(tf.reshape(perRow, [b, items.items]), 1) : tf.reshape(perRow, [-1])
    ) as tf.Tensor1D;
  };
  return [q(tf.slice(params, 0, half)), q(tf.slice(params, half, half))];
}
