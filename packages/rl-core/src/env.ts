/**
 * The environment contracts rl-core and the other MARLTS packages share, with Gymnasium
 * semantics.
 * `terminated` means the MDP ended (no bootstrap); `truncated` means a time limit
 * or the end of data cut the episode, so the value of the last observation must
 * be bootstrapped. Other packages (market-env) satisfy these shapes structurally.
 */
import type { Space } from './spaces.js';

/** An action: an index for `Discrete`, a vector for `Box`. */
export type Action = number | ArrayLike<number>;

/** What `reset` returns. */
export interface ResetResult<Obs = Float32Array> {
  obs: Obs;
  info: Record<string, unknown>;
}

/** What `step` returns. */
export interface StepResult<Obs = Float32Array> {
  obs: Obs;
  reward: number;
  /** The MDP reached a terminal state: do not bootstrap. */
  terminated: boolean;
  /** Cut by a time limit or the end of data: bootstrap from `obs`. */
  truncated: boolean;
  info: Record<string, unknown>;
}

/**
 * A single-agent environment.
 * @example
 * const env: Env = new CartPole();
 * let { obs } = env.reset({ seed: 0 });
 * const { reward, terminated, truncated } = env.step(1);
 */
export interface Env<Obs = Float32Array, Act extends Action = Action> {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(options?: { seed?: number }): ResetResult<Obs>;
  step(action: Act): StepResult<Obs>;
  close?(): void;
}

/** What a `VecEnv` step returns: flat typed arrays over `nEnvs`. */
export interface VecStepResult {
  /** `[nEnvs * obsDim]`; for a done env, already the first observation of the next episode. */
  obs: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /**
   * Per env; for a done env `terminalObs` holds the real last observation (SB3's
   * `terminal_observation`), needed to bootstrap a truncated episode.
   */
  infos: Array<Record<string, unknown> & { terminalObs?: Float32Array }>;
}

/** N copies of an env stepped together, auto-reset on done. */
export interface VecEnv {
  readonly nEnvs: number;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(options?: { seed?: number }): { obs: Float32Array; infos: Array<Record<string, unknown>> };
  /** `actions` is `[nEnvs * actDim]` (Box) or `[nEnvs]` indices (Discrete). */
  step(actions: ArrayLike<number>): VecStepResult;
  close?(): void;
}
