/**
 * On-policy storage for one PPO rollout, shaped `[nSteps, nEnvs, …]` on flat Float32Arrays
 * (SB3's `RolloutBuffer`, `stable_baselines3/common/buffers.py`; cleanrl's storage tensors).
 * After the rollout, {@link RolloutBuffer.computeReturnsAndAdvantage} runs GAE
 * ({@link computeGae}); {@link RolloutBuffer.minibatches} then yields shuffled index sets
 * and {@link RolloutBuffer.gather} copies a minibatch out, so no indexing happens inside a
 * gradient tape (tf.gather gradients fail on WASM).
 */
import { RlError } from '../errors.js';
import { computeGae } from '../gae.js';
import type { Rng } from '../random.js';

/** One minibatch, flat arrays over `batch` samples. */
export interface RolloutSample {
  obs: Float32Array;
  actions: Float32Array;
  oldValues: Float32Array;
  oldLogProb: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

/**
 * @example
 * const buf = new RolloutBuffer({ nSteps: 2048, nEnvs: 1, obsDim: 4, actDim: 1 });
 * buf.add({ obs, actions, rewards, episodeStarts, values, logProbs });   // nSteps times
 * buf.computeReturnsAndAdvantage({ lastValues, dones, gamma: 0.99, gaeLambda: 0.95 });
 * for (const idx of buf.minibatches(64, rng)) train(buf.gather(idx));
 */
export class RolloutBuffer {
  readonly nSteps: number;
  readonly nEnvs: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly episodeStarts: Float32Array;
  readonly values: Float32Array;
  readonly logProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  /** Number of steps stored (0 … nSteps). */
  pos = 0;

  constructor(options: { nSteps: number; nEnvs: number; obsDim: number; actDim: number }) {
    const { nSteps, nEnvs, obsDim, actDim } = options;
    this.nSteps = nSteps;
    this.nEnvs = nEnvs;
    this.obsDim = obsDim;
    this.actDim = actDim;
    const n = nSteps * nEnvs;
    this.obs = new Float32Array(n * obsDim);
    this.actions = new Float32Array(n * actDim);
    this.rewards = new Float32Array(n);
    this.episodeStarts = new Float32Array(n);
    this.values = new Float32Array(n);
    this.logProbs = new Float32Array(n);
    this.advantages = new Float32Array(n);
    this.returns = new Float32Array(n);
  }

  /** Total samples (`nSteps · nEnvs`). */
  get size(): number {
    return this.nSteps * this.nEnvs;
  }

  get full(): boolean {
    return this.pos === this.nSteps;
  }

  /** Stores one vector step (arrays over `nEnvs`, obs `[nEnvs, obsDim]`, actions `[nEnvs, actDim]`). */
  add(step: {
    obs: ArrayLike<number>;
    actions: ArrayLike<number>;
    rewards: ArrayLike<number>;
    episodeStarts: ArrayLike<number>;
    values: ArrayLike<number>;
    logProbs: ArrayLike<number>;
  }): void {
    if (this.pos >= this.nSteps)
      throw new RlError('STATE', 'RolloutBuffer.add: the buffer is full; call reset()');
    const t = this.pos;
    const e = this.nEnvs;
    this.obs.set(step.obs, t * e * this.obsDim);
    this.actions.set(step.actions, t * e * this.actDim);
    this.rewards.set(step.rewards, t * e);
    this.episodeStarts.set(step.episodeStarts, t * e);
    this.values.set(step.values, t * e);
    this.logProbs.set(step.logProbs, t * e);
    this.pos++;
  }

  /** GAE(γ, λ) over the stored rollout, bootstrapping from `lastValues` unless `dones`. */
  computeReturnsAndAdvantage(options: {
    lastValues: ArrayLike<number>;
    dones: ArrayLike<number>;
    gamma: number;
    gaeLambda: number;
  }): void {
    if (!this.full) throw new RlError('STATE', `RolloutBuffer: only ${this.pos}/${this.nSteps} steps stored`);
    const { advantages, returns } = computeGae({
      rewards: this.rewards,
      values: this.values,
      episodeStarts: this.episodeStarts,
      lastValues: options.lastValues,
      dones: options.dones,
      nSteps: this.nSteps,
      nEnvs: this.nEnvs,
      gamma: options.gamma,
      gaeLambda: options.gaeLambda,
    });
    this.advantages.set(advantages);
    this.returns.set(returns);
  }

  /** Shuffled minibatch index sets covering every sample once; the last may be smaller (SB3). */
  *minibatches(batchSize: number, rng: Rng): Generator<Uint32Array> {
    const n = this.size;
    const perm = rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i));
    for (let start = 0; start < n; start += batchSize)
      yield perm.subarray(start, Math.min(n, start + batchSize));
  }

  /** Copies the samples at `indices` into a fresh {@link RolloutSample}. */
  gather(indices: ArrayLike<number>): RolloutSample {
    const b = indices.length;
    const o = this.obsDim;
    const a = this.actDim;
    const out: RolloutSample = {
      obs: new Float32Array(b * o),
      actions: new Float32Array(b * a),
      oldValues: new Float32Array(b),
      oldLogProb: new Float32Array(b),
      advantages: new Float32Array(b),
      returns: new Float32Array(b),
    };
    for (let k = 0; k < b; k++) {
      const i = indices[k]!;
      for (let j = 0; j < o; j++) out.obs[k * o + j] = this.obs[i * o + j]!;
      for (let j = 0; j < a; j++) out.actions[k * a + j] = this.actions[i * a + j]!;
      out.oldValues[k] = this.values[i]!;
      out.oldLogProb[k] = this.logProbs[i]!;
      out.advantages[k] = this.advantages[i]!;
      out.returns[k] = this.returns[i]!;
    }
    return out;
  }

  /** Empties the buffer for the next rollout. */
  reset(): void {
    this.pos = 0;
  }
}
