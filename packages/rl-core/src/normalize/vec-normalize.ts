/**
 * Observation and reward normalisation with SB3's `VecNormalize` semantics
 * (`stable_baselines3/common/vec_env/vec_normalize.py`): observations are standardised by a
 * running mean/std and clipped to ±clipObs; rewards are divided by the running std of the
 * discounted return (not centred) and clipped to ±clipReward. The state lives inside the
 * algorithm's checkpoint so training and inference never see different statistics.
 */
import { RunningMeanStd, type RunningMeanStdState } from './running-mean-std.js';

/**
 * @example
 * const norm = new ObsNormalizer(4);
 * norm.update(obs, nEnvs);
 * const x = norm.normalize(obs); // new Float32Array
 */
export class ObsNormalizer {
  readonly rms: RunningMeanStd;
  constructor(
    readonly dim: number,
    readonly clipObs = 10,
    readonly epsilon = 1e-8,
  ) {
    this.rms = new RunningMeanStd(dim);
  }

  update(obs: ArrayLike<number>, batch: number): void {
    this.rms.update(obs, batch);
  }

  /** `clip((x − mean) / √(var + ε), ±clipObs)` for flat `[batch, dim]`; returns a new array. */
  normalize(obs: ArrayLike<number>): Float32Array {
    const out = new Float32Array(obs.length);
    const { mean, var: variance } = this.rms;
    const d = this.dim;
    const c = this.clipObs;
    for (let i = 0; i < obs.length; i++) {
      const j = i % d;
      const z = (obs[i]! - mean[j]!) / Math.sqrt(variance[j]! + this.epsilon);
      out[i] = Math.min(Math.max(z, -c), c);
    }
    return out;
  }

  getState(): RunningMeanStdState {
    return this.rms.getState();
  }

  setState(state: RunningMeanStdState): void {
    this.rms.setState(state);
  }
}

/** A checkpointable snapshot of {@link RewardNormalizer}. */
export interface RewardNormalizerState {
  rms: RunningMeanStdState;
  returns: number[];
}

/**
 * @example
 * const norm = new RewardNormalizer(nEnvs, 0.99);
 * const r = norm.step(rewards, dones); // updates the return statistics, returns scaled rewards
 */
export class RewardNormalizer {
  readonly rms = new RunningMeanStd(1);
  readonly returns: Float64Array;
  constructor(
    readonly nEnvs: number,
    readonly gamma: number,
    readonly clipReward = 10,
    readonly epsilon = 1e-8,
  ) {
    this.returns = new Float64Array(nEnvs);
  }

  /** Updates the discounted-return statistics with one vector step and returns the scaled rewards. */
  step(rewards: ArrayLike<number>, dones: ArrayLike<number>, training = true): Float32Array {
    if (training) {
      for (let i = 0; i < this.nEnvs; i++) this.returns[i] = this.returns[i]! * this.gamma + rewards[i]!;
      this.rms.update(this.returns, this.nEnvs);
    }
    const out = this.normalize(rewards);
    for (let i = 0; i < this.nEnvs; i++) if (dones[i]) this.returns[i] = 0;
    return out;
  }

  /** `clip(r / √(var_return + ε), ±clipReward)`; returns a new array. */
  normalize(rewards: ArrayLike<number>): Float32Array {
    const scale = Math.sqrt(this.rms.var[0]! + this.epsilon);
    const c = this.clipReward;
    const out = new Float32Array(rewards.length);
    for (let i = 0; i < rewards.length; i++) {
      const z = rewards[i]! / scale;
      out[i] = Math.min(Math.max(z, -c), c);
    }
    return out;
  }

  /** Forgets the running discounted returns (on env reset). */
  resetReturns(): void {
    this.returns.fill(0);
  }

  getState(): RewardNormalizerState {
    return { rms: this.rms.getState(), returns: Array.from(this.returns) };
  }

  setState(state: RewardNormalizerState): void {
    this.rms.setState(state.rms);
    if (state.returns.length === this.nEnvs) this.returns.set(state.returns);
  }
}
