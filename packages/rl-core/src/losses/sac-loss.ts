/**
 * SAC's soft-Q target and its critic, actor and entropy-coefficient losses.
 *
 * Port of SB3 v2.4.1 `stable_baselines3/sac/sac.py` (`SAC.train` L199-290):
 * ```
 * alpha      = exp(logEntCoef)                              (detached; the value before its update)
 * target     = r + (1 − done)·γ·(min(Q1', Q2') − alpha·log π(a'|s'))   (no gradient)
 * critic     = 0.5·(mean((Q1 − target)²) + mean((Q2 − target)²))
 * actor      = mean(alpha·log π(a_π|s) − min(Q1(s, a_π), Q2(s, a_π)))
 * entCoef    = −mean(logEntCoef·(log π(a_π|s) + targetEntropy))      (log π detached)
 * ```
 * `done` is `terminated` only: SB3's replay buffer stores `done && !TimeLimit.truncated`,
 * so a truncated transition still bootstraps. `targetEntropy = −actionDim` for "auto".
 */
import * as tf from '@tensorflow/tfjs-core';
import { RlError } from '../errors.js';
import { stopGradient } from './stop-gradient.js';

/** Inputs of {@link sacTargets}: `[B]` arrays and scalars, named as in `sac_targets.json`. */
export interface SacTargetsInputs {
  rewards: ArrayLike<number>;
  /** 1 = terminated (not truncated). */
  dones: ArrayLike<number>;
  nextQ1: ArrayLike<number>;
  nextQ2: ArrayLike<number>;
  nextLogProb: ArrayLike<number>;
  q1: ArrayLike<number>;
  q2: ArrayLike<number>;
  q1Pi: ArrayLike<number>;
  q2Pi: ArrayLike<number>;
  logProb: ArrayLike<number>;
  gamma: number;
  logEntCoef: number;
  targetEntropy: number;
}

/** What {@link sacTargets} computes. */
export interface SacTargetsResult {
  entCoef: number;
  targetQ: Float64Array;
  criticLoss: number;
  actorLoss: number;
  entCoefLoss: number;
  /** d(entCoefLoss)/d(logEntCoef) = −mean(logProb + targetEntropy). */
  entCoefLossGrad: number;
}

/**
 * SAC target and losses on plain arrays (float64), for tests and reference checks.
 *
 * @example
 * const r = sacTargets({ rewards: [1], dones: [0], nextQ1: [2], nextQ2: [3], nextLogProb: [-1],
 *   q1: [2], q2: [2.5], q1Pi: [2], q2Pi: [1], logProb: [-1], gamma: 0.99, logEntCoef: 0,
 *   targetEntropy: -1 });
 * r.targetQ; // Float64Array [1 + 0.99·(2 + 1)]
 */
export function sacTargets(inputs: SacTargetsInputs): SacTargetsResult {
  const n = inputs.rewards.length;
  const fields = ['dones', 'nextQ1', 'nextQ2', 'nextLogProb', 'q1', 'q2', 'q1Pi', 'q2Pi', 'logProb'] as const;
  for (const f of fields) {
    if (inputs[f].length !== n) {
      throw new RlError('SHAPE', `sacTargets: ${f} has ${inputs[f].length} values, rewards ${n}`, {
        field: f,
      });
    }
  }
  const alpha = Math.exp(inputs.logEntCoef);
  const targetQ = new Float64Array(n);
  let critic = 0;
  let actor = 0;
  let bracket = 0;
  for (let i = 0; i < n; i++) {
    const next = Math.min(inputs.nextQ1[i]!, inputs.nextQ2[i]!) - alpha * inputs.nextLogProb[i]!;
    const t = inputs.rewards[i]! + (1 - inputs.dones[i]!) * inputs.gamma * next;
    targetQ[i] = t;
    critic += (inputs.q1[i]! - t) ** 2 + (inputs.q2[i]! - t) ** 2;
    actor += alpha * inputs.logProb[i]! - Math.min(inputs.q1Pi[i]!, inputs.q2Pi[i]!);
    bracket += inputs.logProb[i]! + inputs.targetEntropy;
  }
  return {
    entCoef: alpha,
    targetQ,
    criticLoss: (0.5 * critic) / n,
    actorLoss: actor / n,
    entCoefLoss: (-inputs.logEntCoef * bracket) / n,
    entCoefLossGrad: -bracket / n,
  };
}

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
