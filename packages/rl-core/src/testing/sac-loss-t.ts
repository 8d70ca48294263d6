/**
 * tfjs reference of SAC's losses (`losses/sac-loss.ts`, SB3 v2.4.1 `SAC.train`): the soft
 * Bellman target and the critic, actor and entropy-coefficient losses as differentiable
 * tensors, the oracles of the analytic gradients SAC runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.js';

/** `alpha` as a constant tensor (a detached copy when a tensor is passed). */
function alphaT(alpha: number | tf.Scalar): tf.Tensor {
  return typeof alpha === 'number' ? tf.scalar(alpha) : stopGradient(alpha);
}

/**
 * Soft Bellman target `r + (1 − done)·γ·(min(Q1', Q2') − alpha·log π(a'|s'))`, `[B]`.
 * The caller owns the result; {@link sacCriticLossT} treats it as a constant.
 *
 * @example
 * const target = sacCriticTargetT({ rewards, dones, nextQ1, nextQ2, nextLogProb, alpha: 0.2, gamma: 0.99 });
 */
export function sacCriticTargetT(inputs: {
  rewards: tf.Tensor1D;
  dones: tf.Tensor1D;
  nextQ1: tf.Tensor1D;
  nextQ2: tf.Tensor1D;
  nextLogProb: tf.Tensor1D;
  alpha: number | tf.Scalar;
  gamma: number;
}): tf.Tensor1D {
  return tf.tidy(() => {
    const next = tf.sub(
      tf.minimum(inputs.nextQ1, inputs.nextQ2),
      tf.mul(alphaT(inputs.alpha), inputs.nextLogProb),
    );
    return tf.add(inputs.rewards, tf.mul(tf.mul(tf.sub(1, inputs.dones), inputs.gamma), next));
  });
}

/**
 * SB3's critic loss `0.5·(MSE(Q1, target) + MSE(Q2, target))`; no gradient reaches `target`.
 *
 * @example
 * const loss = sacCriticLossT({ q1, q2, target });
 */
export function sacCriticLossT(inputs: { q1: tf.Tensor1D; q2: tf.Tensor1D; target: tf.Tensor1D }): tf.Scalar {
  return tf.tidy(() => {
    const t = stopGradient(inputs.target);
    const sum = tf.add(
      tf.mean(tf.squaredDifference(inputs.q1, t)),
      tf.mean(tf.squaredDifference(inputs.q2, t)),
    );
    return tf.mul(sum, 0.5) as tf.Scalar;
  });
}

/**
 * SB3's actor loss `mean(alpha·log π(a_π|s) − min(Q1(s, a_π), Q2(s, a_π)))`; `alpha` is a constant.
 *
 * @example
 * const loss = sacActorLossT({ q1Pi, q2Pi, logProb, alpha: 0.2 });
 */
export function sacActorLossT(inputs: {
  q1Pi: tf.Tensor1D;
  q2Pi: tf.Tensor1D;
  logProb: tf.Tensor1D;
  alpha: number | tf.Scalar;
}): tf.Scalar {
  return tf.tidy(
    () =>
      tf.mean(
        tf.sub(tf.mul(alphaT(inputs.alpha), inputs.logProb), tf.minimum(inputs.q1Pi, inputs.q2Pi)),
      ) as tf.Scalar,
  );
}

/**
 * SB3's entropy-coefficient loss `−mean(logEntCoef·(log π + targetEntropy))`, differentiable
 * in `logEntCoef` only (`logProb` is detached).
 *
 * @example
 * const logAlpha = tf.variable(tf.scalar(0));
 * const { grads } = tf.variableGrads(() => sacEntCoefLossT({ logEntCoef: logAlpha, logProb, targetEntropy: -1 }), [logAlpha]);
 */
export function sacEntCoefLossT(inputs: {
  logEntCoef: tf.Tensor;
  logProb: tf.Tensor1D;
  targetEntropy: number;
}): tf.Scalar {
  return tf.tidy(() => {
    const bracket = tf.add(stopGradient(inputs.logProb), inputs.targetEntropy);
    return tf.neg(tf.mean(tf.mul(inputs.logEntCoef, bracket))) as tf.Scalar;
  });
}
