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
 *
 * {@link sacTargets} is the float64 reference on arrays (pinned by SB3's vectors). SAC trains
 * with {@link sacSoftTarget}, {@link sacCriticLoss}, {@link sacActorLoss} and
 * {@link sacEntCoefLoss}: the same terms one at a time, as the update needs them, with their
 * gradients with respect to the networks' outputs and the target rounded to float32 as torch
 * keeps it.
 */
import { RlError } from '../errors.js';

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

/**
 * The soft Bellman target `y = r + (1 − done)·γ·(min(Q̄1(s', a'), Q̄2(s', a')) − α·log π(a'|s'))`
 * `[B]`, each value rounded to float32.
 *
 * @example
 * const y = sacSoftTarget(batch.rewards, batch.dones, q1Next, q2Next, next.logProb, alpha, 0.99);
 */
export function sacSoftTarget(
  rewards: ArrayLike<number>,
  dones: ArrayLike<number>,
  nextQ1: ArrayLike<number>,
  nextQ2: ArrayLike<number>,
  nextLogProb: ArrayLike<number>,
  alpha: number,
  gamma: number,
): Float64Array {
  const y = new Float64Array(rewards.length);
  for (let i = 0; i < y.length; i++) {
    const minQ = Math.min(nextQ1[i]!, nextQ2[i]!);
    y[i] = Math.fround(rewards[i]! + (1 - dones[i]!) * gamma * (minQ - alpha * nextLogProb[i]!));
  }
  return y;
}

/**
 * The critic loss `½ Σᵢ mean((Qᵢ(s, a) − y)²)` and its gradient `(Qᵢ − y)/B` with respect to
 * each critic's outputs.
 *
 * @example
 * const { loss, dQ1, dQ2 } = sacCriticLoss(q1, q2, y);
 */
export function sacCriticLoss(
  q1: ArrayLike<number>,
  q2: ArrayLike<number>,
  target: ArrayLike<number>,
): { loss: number; dQ1: Float32Array; dQ2: Float32Array } {
  const b = target.length;
  const dQ1 = new Float32Array(b);
  const dQ2 = new Float32Array(b);
  let sq1 = 0;
  let sq2 = 0;
  for (let i = 0; i < b; i++) {
    const e1 = q1[i]! - target[i]!;
    const e2 = q2[i]! - target[i]!;
    sq1 += e1 * e1;
    sq2 += e2 * e2;
    dQ1[i] = e1 / b;
    dQ2[i] = e2 / b;
  }
  return { loss: 0.5 * (sq1 / b + sq2 / b), dQ1, dQ2 };
}

/**
 * The actor loss `mean(α·log π(a_π|s) − min(Q1(s, a_π), Q2(s, a_π)))`, the mean log-prob of
 * the actions, and which critic gives the minimum for each sample (`useQ1[i] = 1`; Q1 on
 * ties, where torch's `min` sends the gradient too): ∂loss/∂log π = α/B, and ∂loss/∂a_π flows
 * through that critic only, as −1/B.
 *
 * @example
 * const { loss, meanLogProb, useQ1 } = sacActorLoss(q1Pi, q2Pi, pi.logProb, alpha);
 */
export function sacActorLoss(
  q1Pi: ArrayLike<number>,
  q2Pi: ArrayLike<number>,
  logProb: ArrayLike<number>,
  alpha: number,
): { loss: number; meanLogProb: number; useQ1: Uint8Array } {
  const b = logProb.length;
  const useQ1 = new Uint8Array(b);
  let sum = 0;
  let logProbSum = 0;
  for (let i = 0; i < b; i++) {
    const first = q1Pi[i]! <= q2Pi[i]!;
    sum += alpha * logProb[i]! - (first ? q1Pi[i]! : q2Pi[i]!);
    logProbSum += logProb[i]!;
    useQ1[i] = first ? 1 : 0;
  }
  return { loss: sum / b, meanLogProb: logProbSum / b, useQ1 };
}

/**
 * The entropy-coefficient loss `−log α·(mean log π + targetEntropy)` and its derivative
 * `−(mean log π + targetEntropy)` with respect to log α (log π is a constant here).
 *
 * @example
 * const { loss, grad } = sacEntCoefLoss(logAlpha, meanLogProb, -actDim);
 */
export function sacEntCoefLoss(
  logEntCoef: number,
  meanLogProb: number,
  targetEntropy: number,
): { loss: number; grad: number } {
  const bracket = meanLogProb + targetEntropy;
  return { loss: -logEntCoef * bracket, grad: -bracket };
}
