/**
 * Pendulum-v1, step for step equal to Gymnasium v0.29.1
 * (`gymnasium/envs/classic_control/pendulum.py`, `PendulumEnv.step` L124-145, `_get_obs`
 * L166-168, `angle_normalize` L276-277, with the `TimeLimit` wrapper of
 * `gym.make('Pendulum-v1')`, 200 steps). Float64 state `[theta, thetaDot]` (theta is never
 * wrapped), float32 observation `[cos θ, sin θ, θ̇]`, torque clipped to ±2, never terminates.
 * A trajectory recorded from Gymnasium (`test/vectors/pendulum_traj.json` in the MARLTS
 * repository; not part of this package) pins the dynamics.
 */
import { z } from 'zod';
import type { Env, ResetResult, StepResult } from '../env.js';
import { RlError } from '../errors.js';
import { Rng } from '../random.js';
import { type BoxSpace, box } from '../spaces.js';

const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const M = 1;
const L = 1;

const pendulumSchema = z
  .object({
    /** Gravity (Gymnasium's `g`, default 10.0). */
    g: z.number().positive().default(10),
    /** Steps after which `truncated` is set (Pendulum-v1 uses 200). */
    maxEpisodeSteps: z.number().int().positive().default(200),
    /** Seed of the initial-state generator used when `reset` gets no seed. */
    seed: z.number().int().default(0),
  })
  .strict();

/** Options of {@link Pendulum}. */
export type PendulumOptions = z.input<typeof pendulumSchema>;

/** Options of {@link Pendulum.reset}. */
export interface PendulumResetOptions {
  /** Re-seeds the initial-state generator (our `Rng`, not numpy's: initial states differ from Gymnasium's). */
  seed?: number;
  /** Start from this exact `[theta, thetaDot]` instead of a random one. */
  state?: ArrayLike<number>;
}

/**
 * Python's float modulo for a positive divisor (numpy `np.remainder`): the result is in
 * `[0, m)` even for negative `x`.
 */
function pyMod(x: number, m: number): number {
  const r = x % m;
  return r !== 0 && r < 0 ? r + m : r;
}

/**
 * Gymnasium's `angle_normalize`: `((x + π) mod 2π) − π`, in `[−π, π)`.
 *
 * @example
 * angleNormalize(3 * Math.PI / 2); // −π/2
 */
export function angleNormalize(x: number): number {
  return pyMod(x + Math.PI, 2 * Math.PI) - Math.PI;
}

/**
 * Swing a pendulum up and keep it upright with a torque in [−2, 2]; reward
 * `−(θ² + 0.1·θ̇² + 0.001·u²)` from the state before the step. `reset` draws θ uniformly in
 * [−π, π) and θ̇ in [−1, 1) from rl-core's `Rng` (not numpy's stream, so seeds give different
 * starts than Gymnasium; the dynamics are identical). Pass `state` to start from an exact state.
 *
 * @example
 * const env = new Pendulum();
 * env.reset({ seed: 0 });
 * const { obs, reward, truncated } = env.step([1.5]);
 */
export class Pendulum implements Env<Float32Array, ArrayLike<number>> {
  readonly observationSpace: BoxSpace = box({
    shape: [3],
    low: [-1, -1, -MAX_SPEED],
    high: [1, 1, MAX_SPEED],
  });
  readonly actionSpace: BoxSpace = box({ shape: [1], low: -MAX_TORQUE, high: MAX_TORQUE });
  /** The parsed options. */
  readonly config: z.output<typeof pendulumSchema>;
  private rng: Rng;
  private s = new Float64Array(2);
  private elapsed = 0;
  private hasState = false;

  constructor(options: PendulumOptions = {}) {
    const parsed = pendulumSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'options';
      throw new RlError('CONFIG', `Pendulum: invalid ${field}: ${issue?.message ?? 'invalid options'}`, {
        field,
      });
    }
    this.config = parsed.data;
    this.rng = new Rng(this.config.seed);
  }

  /** A copy of the float64 state `[theta, thetaDot]`. */
  get state(): Float64Array {
    return Float64Array.from(this.s);
  }

  /** Number of steps since the last reset. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  /** Overwrites the internal state without resetting the step counter. Call `reset` first. */
  setState(state: ArrayLike<number>): void {
    if (state.length !== 2) {
      throw new RlError('SHAPE', `Pendulum.setState: state must have 2 values, got ${state.length}`, {
        field: 'state',
      });
    }
    this.s = Float64Array.from(state);
  }

  /** Starts an episode; see {@link PendulumResetOptions}. */
  reset(options: PendulumResetOptions = {}): ResetResult<Float32Array> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    if (options.state !== undefined) this.setState(options.state);
    else {
      this.s[0] = this.rng.uniform(-Math.PI, Math.PI);
      this.s[1] = this.rng.uniform(-1, 1);
    }
    this.elapsed = 0;
    this.hasState = true;
    return { obs: this.observe(), info: {} };
  }

  /** Applies torque `action[0]`, clipped to [−2, 2]. */
  step(action: ArrayLike<number> | number): StepResult<Float32Array> {
    if (!this.hasState) throw new RlError('STATE', 'Pendulum.step: call reset() before step()');
    const a = typeof action === 'number' ? action : action[0];
    if (a === undefined || Number.isNaN(a)) {
      throw new RlError('SHAPE', `Pendulum.step: action must hold one number, got ${String(a)}`, {
        field: 'action',
      });
    }
    const [th, thDot] = this.s as unknown as [number, number];
    const u = Math.min(Math.max(a, -MAX_TORQUE), MAX_TORQUE);
    const g = this.config.g;
    const costs = angleNormalize(th) ** 2 + 0.1 * thDot ** 2 + 0.001 * u ** 2;
    let newThDot = thDot + (((3 * g) / (2 * L)) * Math.sin(th) + (3.0 / (M * L ** 2)) * u) * DT;
    newThDot = Math.min(Math.max(newThDot, -MAX_SPEED), MAX_SPEED);
    this.s[0] = th + newThDot * DT;
    this.s[1] = newThDot;
    this.elapsed++;
    return {
      obs: this.observe(),
      reward: -costs,
      terminated: false,
      truncated: this.elapsed >= this.config.maxEpisodeSteps,
      info: {},
    };
  }

  private observe(): Float32Array {
    return Float32Array.of(Math.cos(this.s[0]!), Math.sin(this.s[0]!), this.s[1]!);
  }
}
