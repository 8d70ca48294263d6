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
