/**
 * Off-policy replay memory: a ring buffer of transitions `(s, a, r, s', done)` on flat
 * Float32Arrays, as SB3's `ReplayBuffer` (`stable_baselines3/common/buffers.py`). `done` is
 * `terminated` only — a truncated transition is stored with `done = 0` and its real last
 * observation as `s'`, so the target bootstraps through time limits (SB3's
 * `handle_timeout_termination`). Storage grows geometrically up to `capacity`, so a 1e6
 * default does not reserve memory for transitions never stored.
 */
import { RlError } from '../errors.js';
import type { Rng } from '../random.js';

/** A sampled minibatch: flat `[batch, dim]` arrays (fresh copies the caller may keep). */
export interface ReplaySample {
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  /** 1 where the episode terminated (no bootstrap). */
  dones: Float32Array;
}

/**
 * @example
 * const rb = new ReplayBuffer({ capacity: 1000, obsDim: 3, actDim: 1 });
 * rb.add(obs, action, reward, nextObs, terminated);
 * const batch = rb.sample(256, rng);
 */
export class ReplayBuffer {
  readonly capacity: number;
  readonly obsDim: number;
  readonly actDim: number;
  private obs: Float32Array;
  private nextObs: Float32Array;
  private actions: Float32Array;
  private rewards: Float32Array;
  private dones: Float32Array;
  private allocated: number;
  /** Next write position. */
  pos = 0;
  /** Number of stored transitions (≤ capacity). */
  size = 0;

  constructor(options: { capacity: number; obsDim: number; actDim: number }) {
    const { capacity, obsDim, actDim } = options;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RlError('CONFIG', `ReplayBuffer: capacity must be a positive integer, got ${capacity}`, {
        field: 'bufferSize',
      });
    }
    this.capacity = capacity;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.allocated = Math.min(capacity, 4096);
    this.obs = new Float32Array(this.allocated * obsDim);
    this.nextObs = new Float32Array(this.allocated * obsDim);
    this.actions = new Float32Array(this.allocated * actDim);
    this.rewards = new Float32Array(this.allocated);
    this.dones = new Float32Array(this.allocated);
  }

  private grow(): void {
    const n = Math.min(this.capacity, this.allocated * 2);
    const extend = (a: Float32Array, dim: number) => {
      const b = new Float32Array(n * dim);
      b.set(a);
      return b;
    };
    this.obs = extend(this.obs, this.obsDim);
    this.nextObs = extend(this.nextObs, this.obsDim);
    this.actions = extend(this.actions, this.actDim);
    this.rewards = extend(this.rewards, 1);
    this.dones = extend(this.dones, 1);
    this.allocated = n;
  }

  /** Stores one transition, overwriting the oldest once full. */
  add(
    obs: ArrayLike<number>,
    action: ArrayLike<number>,
    reward: number,
    nextObs: ArrayLike<number>,
    done: boolean,
  ) {
    if (this.pos >= this.allocated) this.grow();
    const p = this.pos;
    this.obs.set(obs, p * this.obsDim);
    this.nextObs.set(nextObs, p * this.obsDim);
    this.actions.set(action, p * this.actDim);
    this.rewards[p] = reward;
    this.dones[p] = done ? 1 : 0;
    this.pos = (p + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** `batchSize` transitions drawn uniformly with replacement (SB3's `randint`). */
  sample(batchSize: number, rng: Rng): ReplaySample {
    if (this.size === 0) throw new RlError('STATE', 'ReplayBuffer.sample: the buffer is empty');
    const o = this.obsDim;
    const a = this.actDim;
    const out: ReplaySample = {
      obs: new Float32Array(batchSize * o),
      actions: new Float32Array(batchSize * a),
      rewards: new Float32Array(batchSize),
      nextObs: new Float32Array(batchSize * o),
      dones: new Float32Array(batchSize),
    };
    for (let b = 0; b < batchSize; b++) {
      const i = Math.floor(rng.next() * this.size);
      out.obs.set(this.obs.subarray(i * o, i * o + o), b * o);
      out.nextObs.set(this.nextObs.subarray(i * o, i * o + o), b * o);
      out.actions.set(this.actions.subarray(i * a, i * a + a), b * a);
      out.rewards[b] = this.rewards[i]!;
      out.dones[b] = this.dones[i]!;
    }
    return out;
  }

  /** The transition at slot `i` (for tests and inspection). */
  at(i: number): {
    obs: Float32Array;
    action: Float32Array;
    reward: number;
    nextObs: Float32Array;
    done: boolean;
  } {
    const o = this.obsDim;
    const a = this.actDim;
    return {
      obs: this.obs.slice(i * o, i * o + o),
      action: this.actions.slice(i * a, i * a + a),
      reward: this.rewards[i]!,
      nextObs: this.nextObs.slice(i * o, i * o + o),
      done: this.dones[i] === 1,
    };
  }
}
