/**
 * Small rollout statistics shared by PPO and its logging, matching SB3 v2.4.1:
 * advantage normalisation (`stable_baselines3/ppo/ppo.py`, `PPO.train` L213-215),
 * explained variance (`stable_baselines3/common/utils.py`, `explained_variance` L53-67)
 * and plain discounted returns.
 */
import { RlError } from './errors.js';

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Population variance (numpy's `np.var`, ddof 0). */
function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / x.length;
}

/**
 * SB3's per-minibatch advantage normalisation: `(A − mean(A)) / (std(A) + 1e-8)` with the
 * **unbiased** (n − 1) standard deviation (torch's `.std()`). A batch of one is returned
 * unchanged, as SB3 skips it. Returns a new Float64Array.
 *
 * @example
 * normalizeAdvantages([1, 2, 3]); // Float64Array [-1, 0, 1] (to 1e-8)
 */
export function normalizeAdvantages(advantages: ArrayLike<number>): Float64Array {
  const n = advantages.length;
  const out = Float64Array.from(advantages);
  if (n <= 1) return out;
  const m = mean(advantages);
  let s = 0;
  for (let i = 0; i < n; i++) s += (advantages[i]! - m) ** 2;
  const std = Math.sqrt(s / (n - 1));
  for (let i = 0; i < n; i++) out[i] = (out[i]! - m) / (std + 1e-8);
  return out;
}

/**
 * SB3's explained variance `1 − Var[y − ŷ] / Var[y]` (population variances): 1 is a perfect
 * value function, 0 predicts no better than a constant, negative is worse. `NaN` when
 * `Var[y] = 0`, as SB3.
 *
 * @example
 * explainedVariance([1, 2, 3], [1, 2, 4]); // 0.928…
 */
export function explainedVariance(yPred: ArrayLike<number>, yTrue: ArrayLike<number>): number {
  if (yPred.length !== yTrue.length || yTrue.length === 0) {
    throw new RlError('SHAPE', `explainedVariance: yPred has ${yPred.length} values, yTrue ${yTrue.length}`, {
      field: 'yPred',
    });
  }
  const varY = variance(yTrue);
  if (varY === 0) return Number.NaN;
  const diff = new Float64Array(yTrue.length);
  for (let i = 0; i < diff.length; i++) diff[i] = yTrue[i]! - yPred[i]!;
  return 1 - variance(diff) / varY;
}

/**
 * Discounted return-to-go of one episode or trajectory segment:
 * `G_t = r_t + γ·(1 − done_t)·G_{t+1}`, with `G_T = bootstrapValue`. `dones[t] = 1` cuts the
 * sum after step t (an episode boundary inside the segment). Returns a new Float64Array.
 *
 * @example
 * discountedReturns([1, 1, 1], 0.5);           // Float64Array [1.75, 1.5, 1]
 * discountedReturns([1, 1], 0.5, { bootstrapValue: 4 }); // [2.5, 3]
 */
export function discountedReturns(
  rewards: ArrayLike<number>,
  gamma: number,
  options: { dones?: ArrayLike<number | boolean>; bootstrapValue?: number } = {},
): Float64Array {
  const { dones, bootstrapValue = 0 } = options;
  if (dones !== undefined && dones.length !== rewards.length) {
    throw new RlError(
      'SHAPE',
      `discountedReturns: dones has ${dones.length} values, rewards ${rewards.length}`,
      {
        field: 'dones',
      },
    );
  }
  const out = new Float64Array(rewards.length);
  let g = bootstrapValue;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const notDone = dones !== undefined && Number(dones[t]) !== 0 ? 0 : 1;
    g = rewards[t]! + gamma * notDone * g;
    out[t] = g;
  }
  return out;
}
