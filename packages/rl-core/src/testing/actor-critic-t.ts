/**
 * tfjs reference of PPO's actor-critic (`policies/actor-critic.ts`): V(s), log π(a|s) and the
 * entropy of a minibatch as tensors differentiable in the flat weights `[pi | vf | logStd]`,
 * the oracle of the analytic gradient PPO runs on the kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MlpSpec } from '../nn/mlp.js';
import type { ActorCriticPolicy } from '../policies/actor-critic.js';
import { categoricalEntropyT, categoricalLogProbT } from './categorical-t.js';
import { diagGaussianEntropyT, diagGaussianLogProbT } from './diag-gaussian-t.js';
import { expandItemsT } from './items-t.js';
import { mlpApplyT } from './mlp-t.js';

/**
 * V(s), log π(a|s) and entropy of `policy` with weights `params` (`[policy.size]`, e.g. a
 * `tf.Variable` under `tf.variableGrads`). `actions` is `[B, actDim]` float32 (Box) or `[B]`
 * int32 (Discrete).
 *
 * @example
 * const { logProb } = actorCriticT(policy, tf.tensor1d(policy.getWeights()), obs, actions);
 */
export function actorCriticT(
  policy: ActorCriticPolicy,
  params: tf.Tensor1D,
  obs: tf.Tensor2D,
  actions: tf.Tensor,
): { values: tf.Tensor1D; logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  // One split (whose gradient is one concat) instead of a slice per layer (a pad each).
  const sizes: number[] = [];
  const shapes: number[][] = [];
  for (const spec of [policy.piSpec, policy.vfSpec]) {
    for (let l = 0; l + 1 < spec.sizes.length; l++) {
      const [nIn, nOut] = [spec.sizes[l]!, spec.sizes[l + 1]!];
      sizes.push(nIn * nOut, nOut);
      shapes.push([nIn, nOut], [nOut]);
    }
  }
  if (!policy.discrete) sizes.push(policy.logStdSize);
  const parts = tf.split(params, sizes);
  const layers = (spec: MlpSpec, first: number) =>
    parts.slice(first, first + 2 * (spec.sizes.length - 1)).map((t, i) => {
      const l = first + i;
      return l % 2 === 0 ? tf.reshape(t, shapes[l]!) : t;
    });
  const batch = obs.shape[0];
  const rows = policy.items ? expandItemsT(obs, policy.items) : obs;
  const piOut = mlpApplyT(policy.piSpec, layers(policy.piSpec, 0), rows);
  const head = tf.reshape(piOut, [batch, policy.headDim]) as tf.Tensor2D;
  const perRow = mlpApplyT(policy.vfSpec, layers(policy.vfSpec, 2 * (policy.piSpec.sizes.length - 1)), rows);
  const values = (
    policy.items ? tf.mean(tf.reshape(perRow, [batch, policy.items.items]), 1) : tf.reshape(perRow, [-1])
  ) as tf.Tensor1D;
  if (policy.discrete) {
    return {
      values,
      logProb: categoricalLogProbT(head, actions as tf.Tensor1D),
      entropy: categoricalEntropyT(head),
    };
  }
  const own = parts.at(-1)!;
  const logStd = (policy.logStdSize === policy.actDim ? own : tf.tile(own, [policy.actDim])) as tf.Tensor1D;
  return {
    values,
    logProb: diagGaussianLogProbT(head, logStd, actions as tf.Tensor2D),
    entropy: diagGaussianEntropyT(logStd, batch),
  };
}
