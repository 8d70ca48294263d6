/**
 * tfjs reference of `policies/items.ts`: per-item rows of item observations as a
 * differentiable tensor, shared by the PPO and SAC references.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ItemLayout } from '../policies/items.js';

/**
 * `expandItems` on tensors (differentiable): `[B, obsDim]` → `[B·items, itemDim + globalDim]`.
 * @example
 * const rows = tf.tidy(() => expandItemsT(tf.tensor2d([[1, 2, 9]]), { items: 2, itemDim: 1, globalDim: 1 })); // [[1, 9], [2, 9]]
 */
export function expandItemsT(obs: tf.Tensor2D, layout: ItemLayout): tf.Tensor2D {
  const { items, itemDim, globalDim } = layout;
  const b = obs.shape[0];
  const perItem = tf.reshape(tf.slice(obs, [0, 0], [b, items * itemDim]), [b, items, itemDim]);
  if (globalDim === 0) return tf.reshape(perItem, [b * items, itemDim]);
  const global = tf.slice(obs, [0, items * itemDim], [b, globalDim]);
  const tiled = tf.tile(tf.reshape(global, [b, 1, globalDim]), [1, items, 1]);
  return tf.reshape(tf.concat([perItem, tiled], 2), [b * items, itemDim + globalDim]);
}
