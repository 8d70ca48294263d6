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

/** A {@link ReplayBuffer}'s contents: the stored rows (all of them once the ring is full) and the write position. */
export interface ReplayBufferState {
  capacity: number;
  obsDim: number;
  actDim: number;
  pos: number;
  size: number;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
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

  /** A copy of the stored transitions (SB3's `save_replay_buffer`); rows `[0, size)`. */
  getState(): ReplayBufferState {
    const n = this.size;
    return {
      capacity: this.capacity,
      obsDim: this.obsDim,
      actDim: this.actDim,
      pos: this.pos,
      size: n,
      obs: this.obs.slice(0, n * this.obsDim),
      actions: this.actions.slice(0, n * this.actDim),
      rewards: this.rewards.slice(0, n),
      nextObs: this.nextObs.slice(0, n * this.obsDim),
      dones: this.dones.slice(0, n),
    };
  }

  /**
   * Replaces the contents with {@link getState}'s output from a buffer of the same shape.
   * Throws `RlError('CHECKPOINT')` naming the mismatched field; the buffer is unchanged then.
   */
  setState(s: ReplayBufferState): void {
    const bad = (field: string, why: string) =>
      new RlError('CHECKPOINT', `ReplayBuffer.setState: ${field} ${why}`, { field: `replayBuffer.${field}` });
    for (const [field, got, want] of [
      ['capacity', s.capacity, this.capacity],
      ['obsDim', s.obsDim, this.obsDim],
      ['actDim', s.actDim, this.actDim],
    ] as const) {
      if (got !== want) throw bad(field, `is ${got}, the model's is ${want}`);
    }
    if (!Number.isInteger(s.size) || s.size < 0 || s.size > this.capacity)
      throw bad('size', `must be an integer in 0…${this.capacity}, got ${s.size}`);
    const full = s.size === this.capacity;
    if (!Number.isInteger(s.pos) || s.pos < 0 || s.pos >= this.capacity || (!full && s.pos !== s.size))
      throw bad('pos', `${s.pos} does not fit size ${s.size} and capacity ${this.capacity}`);
    for (const [field, arr, dim] of [
      ['obs', s.obs, this.obsDim],
      ['actions', s.actions, this.actDim],
      ['rewards', s.rewards, 1],
      ['nextObs', s.nextObs, this.obsDim],
      ['dones', s.dones, 1],
    ] as const) {
      if (arr.length !== s.size * dim) throw bad(field, `has ${arr.length} values, expected ${s.size * dim}`);
      for (let i = 0; i < arr.length; i++) {
        if (!Number.isFinite(arr[i]!)) throw bad(field, `has a non-finite value at [${i}] (${arr[i]})`);
      }
    }
    while (this.allocated < Math.max(s.size, 1) && this.allocated < this.capacity) this.grow();
    this.obs.set(s.obs);
    this.actions.set(s.actions);
    this.rewards.set(s.rewards);
    this.nextObs.set(s.nextObs);
    this.dones.set(s.dones);
    this.pos = s.pos;
    this.size = s.size;
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
