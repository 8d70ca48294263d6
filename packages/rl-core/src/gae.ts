/**
 * Generalised advantage estimation, GAE(λ) (Schulman et al. 2016, arXiv:1506.02438), exactly
 * as SB3 v2.4.1 computes it in `stable_baselines3/common/buffers.py`
 * (`RolloutBuffer.compute_returns_and_advantage`, L402-437), plus the time-limit bootstrap
 * SB3 applies to rewards before it (`stable_baselines3/common/on_policy_algorithm.py`,
 * `collect_rollouts` L234-245).
 *
 * Arrays are time-major `[T][E]` flat (index `t * nEnvs + e`), SB3's buffer layout. SB3 makes
 * no distinction between termination and truncation inside GAE: any done cuts the bootstrap;
 * truncation is handled by adding `γ·V(terminal_obs)` to the reward first.
 */
import { RlError } from './errors.js';

/** Inputs of {@link computeGae}. */
export interface GaeInputs {
  /** `[T][E]` rewards (already bootstrapped for truncated steps, see {@link bootstrapTruncatedRewards}). */
  rewards: ArrayLike<number>;
  /** `[T][E]` V(s_t) predicted when the step was taken. */
  values: ArrayLike<number>;
  /** `[T][E]` 1 if s_t is the first observation of an episode (SB3: `episode_starts[t] = done[t-1]`). */
  episodeStarts: ArrayLike<number>;
  /** `[E]` V(s_T) of the observation after the last step. */
  lastValues: ArrayLike<number>;
  /** `[E]` done flag (terminated or truncated) of the last step. */
  dones: ArrayLike<number>;
  nSteps: number;
  nEnvs: number;
  gamma: number;
  gaeLambda: number;
}

/** Options of {@link computeGae}. */
export interface GaeOptions {
  /**
   * `'float64'` (default) computes in double precision. `'float32'` reproduces SB3's shipped
   * float32 numpy buffer, rounding each intermediate to float32 as numpy 1.x does (the
   * Python scalars γ and γ·λ are cast to float32).
   */
  dtype?: 'float32' | 'float64';
}

/** `{ advantages, returns }`, both `[T][E]`; `returns = advantages + values` (TD(λ) targets). */
export interface GaeResult {
  advantages: Float64Array;
  returns: Float64Array;
}

const identity = (x: number): number => x;

function checkLength(name: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) {
    throw new RlError('SHAPE', `computeGae: ${name} has ${a.length} values, expected ${n}`, { field: name });
  }
}

/**
 * GAE(λ) advantages and TD(λ) returns, SB3's recursion:
 * `δ_t = r_t + γ·V_{t+1}·(1 − start_{t+1}) − V_t`, `A_t = δ_t + γλ·(1 − start_{t+1})·A_{t+1}`,
 * with `V_T = lastValues` and `start_T = dones`.
 *
 * @example
 * const { advantages, returns } = computeGae({
 *   rewards: [1, 1], values: [0.5, 0.5], episodeStarts: [1, 0], lastValues: [0.5], dones: [0],
 *   nSteps: 2, nEnvs: 1, gamma: 0.99, gaeLambda: 0.95,
 * });
 */
export function computeGae(inputs: GaeInputs, options: GaeOptions = {}): GaeResult {
  const { nSteps: T, nEnvs: E } = inputs;
  if (!Number.isInteger(T) || T < 1 || !Number.isInteger(E) || E < 1) {
    throw new RlError('SHAPE', `computeGae: nSteps and nEnvs must be positive integers, got ${T} and ${E}`, {
      field: 'nSteps',
    });
  }
  checkLength('rewards', inputs.rewards, T * E);
  checkLength('values', inputs.values, T * E);
  checkLength('episodeStarts', inputs.episodeStarts, T * E);
  checkLength('lastValues', inputs.lastValues, E);
  checkLength('dones', inputs.dones, E);
  const f = options.dtype === 'float32' ? Math.fround : identity;
  const gamma = f(inputs.gamma);
  const gammaLambda = f(inputs.gamma * inputs.gaeLambda);
  const { rewards, values, episodeStarts } = inputs;
  const advantages = new Float64Array(T * E);
  const returns = new Float64Array(T * E);
  for (let e = 0; e < E; e++) {
    let lastGaeLam = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = t * E + e;
      const last = t === T - 1;
      const nextNonTerminal = f(1 - f(last ? inputs.dones[e]! : episodeStarts[i + E]!));
      const nextValue = f(last ? inputs.lastValues[e]! : values[i + E]!);
      const delta = f(f(f(rewards[i]!) + f(f(gamma * nextValue) * nextNonTerminal)) - f(values[i]!));
      lastGaeLam = f(delta + f(f(gammaLambda * nextNonTerminal) * lastGaeLam));
      advantages[i] = lastGaeLam;
      returns[i] = f(lastGaeLam + f(values[i]!));
    }
  }
  return { advantages, returns };
}

/**
 * SB3's time-limit bootstrap: `rewards + γ·V(terminal_obs)` wherever `mask` is set, where
 * `mask = truncated && !terminated` (SB3's `info["TimeLimit.truncated"]`) and
 * `terminalValues` holds V of the real last observation (`info["terminal_observation"]`).
 * Returns a new array; feed it to {@link computeGae} with the step counted as done.
 * `dtype: 'float32'` reproduces SB3's float32 reward buffer.
 *
 * @example
 * bootstrapTruncatedRewards([1, 1], [0, 1], [0, 10], 0.99); // Float64Array [1, 10.9]
 */
export function bootstrapTruncatedRewards(
  rewards: ArrayLike<number>,
  mask: ArrayLike<number | boolean>,
  terminalValues: ArrayLike<number>,
  gamma: number,
  options: GaeOptions = {},
): Float64Array {
  if (mask.length !== rewards.length || terminalValues.length !== rewards.length) {
    throw new RlError(
      'SHAPE',
      `bootstrapTruncatedRewards: rewards, mask and terminalValues must have the same length (${rewards.length}, ${mask.length}, ${terminalValues.length})`,
      { field: 'mask' },
    );
  }
  const f = options.dtype === 'float32' ? Math.fround : identity;
  const out = new Float64Array(rewards.length);
  for (let i = 0; i < out.length; i++) {
    const r = f(rewards[i]!);
    out[i] = Number(mask[i]) !== 0 ? f(r + f(f(gamma) * f(terminalValues[i]!))) : r;
  }
  return out;
}
