/**
 * CartPole-v1, step for step equal to Gymnasium v0.29.1
 * (`gymnasium/envs/classic_control/cartpole.py`, `CartPoleEnv.step` L132-191, with the
 * `TimeLimit` wrapper of `gym.make('CartPole-v1')`, 500 steps). Float64 state, explicit
 * Euler integration, reward 1 per step (also on the terminating step), float32 observations.
 * A trajectory recorded from Gymnasium (`test/vectors/cartpole_traj.json` in the MARLTS
 * repository; not part of this package) pins the dynamics.
 */
import { z } from 'zod';
import type { Env, ResetResult, StepResult } from '../env.js';
import { RlError } from '../errors.js';
import { Rng } from '../random.js';
import { type BoxSpace, box, type DiscreteSpace, discrete } from '../spaces.js';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLEMASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;
const FLOAT32_MAX = 3.4028234663852886e38;

const cartPoleSchema = z
  .object({
    /** Steps after which `truncated` is set (Gymnasium's TimeLimit; CartPole-v1 uses 500). */
    maxEpisodeSteps: z.number().int().positive().default(500),
    /** Seed of the initial-state generator used when `reset` gets no seed. */
    seed: z.number().int().default(0),
  })
  .strict();

/** Options of {@link CartPole}. */
export type CartPoleOptions = z.input<typeof cartPoleSchema>;

/** Options of {@link CartPole.reset}. */
export interface CartPoleResetOptions {
  /** Re-seeds the initial-state generator (our `Rng`, not numpy's: initial states differ from Gymnasium's). */
  seed?: number;
  /** Start from this exact `[x, xDot, theta, thetaDot]` instead of a random one (replays reference trajectories). */
  state?: ArrayLike<number>;
}

/**
 * Classic cart-pole balancing: push the cart left (0) or right (1) to keep the pole up.
 * `reset` draws each state variable uniformly in [−0.05, 0.05) from rl-core's `Rng`; the
 * stream is not numpy's, so a seed gives a different start than Gymnasium (the dynamics
 * are identical). Pass `state` to start from an exact state.
 *
 * @example
 * const env = new CartPole();
 * let { obs } = env.reset({ seed: 0 });
 * const { reward, terminated, truncated } = env.step(obs[2]! > 0 ? 1 : 0);
 */
export class CartPole implements Env<Float32Array, number> {
  readonly observationSpace: BoxSpace = box({
    shape: [4],
    low: [-X_THRESHOLD * 2, -FLOAT32_MAX, -THETA_THRESHOLD * 2, -FLOAT32_MAX],
    high: [X_THRESHOLD * 2, FLOAT32_MAX, THETA_THRESHOLD * 2, FLOAT32_MAX],
  });
  readonly actionSpace: DiscreteSpace = discrete(2);
  /** The parsed options. */
  readonly config: z.output<typeof cartPoleSchema>;
  private rng: Rng;
  private s = new Float64Array(4);
  private elapsed = 0;
  private hasState = false;
  private terminatedAlready = false;

  constructor(options: CartPoleOptions = {}) {
    const parsed = cartPoleSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'options';
      throw new RlError('CONFIG', `CartPole: invalid ${field}: ${issue?.message ?? 'invalid options'}`, {
        field,
      });
    }
    this.config = parsed.data;
    this.rng = new Rng(this.config.seed);
  }

  /** A copy of the float64 state `[x, xDot, theta, thetaDot]`. */
  get state(): Float64Array {
    return Float64Array.from(this.s);
  }

  /** Number of steps since the last reset. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  /**
   * Overwrites the internal state (like `env.unwrapped.state = …`) without resetting the
   * step counter. Call `reset` first.
   */
  setState(state: ArrayLike<number>): void {
    if (state.length !== 4) {
      throw new RlError('SHAPE', `CartPole.setState: state must have 4 values, got ${state.length}`, {
        field: 'state',
      });
    }
    this.s = Float64Array.from(state);
  }

  /** Starts an episode; see {@link CartPoleResetOptions}. */
  reset(options: CartPoleResetOptions = {}): ResetResult<Float32Array> {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    if (options.state !== undefined) this.setState(options.state);
    else for (let i = 0; i < 4; i++) this.s[i] = this.rng.uniform(-0.05, 0.05);
    this.elapsed = 0;
    this.hasState = true;
    this.terminatedAlready = false;
    return { obs: Float32Array.from(this.s), info: {} };
  }

  /** Applies a force of ±10 N for 0.02 s. Stepping after termination gives reward 0, as Gymnasium. */
  step(action: number): StepResult<Float32Array> {
    if (!this.hasState) throw new RlError('STATE', 'CartPole.step: call reset() before step()');
    if (action !== 0 && action !== 1) {
      throw new RlError('SHAPE', `CartPole.step: action must be 0 or 1, got ${action}`, { field: 'action' });
    }
    const [x, xDot, theta, thetaDot] = this.s as unknown as [number, number, number, number];
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLEMASS_LENGTH * thetaDot ** 2 * sin) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * cos ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    const nx = x + TAU * xDot;
    const nTheta = theta + TAU * thetaDot;
    this.s[0] = nx;
    this.s[1] = xDot + TAU * xAcc;
    this.s[2] = nTheta;
    this.s[3] = thetaDot + TAU * thetaAcc;
    const terminated =
      nx < -X_THRESHOLD || nx > X_THRESHOLD || nTheta < -THETA_THRESHOLD || nTheta > THETA_THRESHOLD;
    const reward = this.terminatedAlready ? 0 : 1;
    if (terminated) this.terminatedAlready = true;
    this.elapsed++;
    const truncated = this.elapsed >= this.config.maxEpisodeSteps;
    return { obs: Float32Array.from(this.s), reward, terminated, truncated, info: {} };
  }
}
