/**
 * `DummyVecEnv`: N environments stepped one after another in this thread, with SB3's
 * auto-reset (`stable_baselines3/common/vec_env/dummy_vec_env.py`) and Monitor-style episode
 * statistics. When an env finishes (terminated or truncated) the returned observation is
 * already the first of the next episode; the real last observation is in
 * `infos[i].terminalObs` so a truncated episode can be bootstrapped.
 */
import type { Env, VecEnv, VecStepResult } from './env.js';
import { RlError } from './errors.js';
import { spaceSize } from './spaces.js';

/** What `infos[i].episode` holds when env i finished an episode (SB3 Monitor's `r`, `l`). */
export interface EpisodeInfo {
  /** Undiscounted sum of the env's raw rewards. */
  reward: number;
  length: number;
}

/**
 * @example
 * const venv = new DummyVecEnv([() => new CartPole(), () => new CartPole()]);
 * const { obs } = venv.reset({ seed: 0 });   // env i is seeded with seed + i
 * const { rewards, infos } = venv.step([0, 1]);
 */
export class DummyVecEnv implements VecEnv {
  readonly nEnvs: number;
  readonly envs: readonly Env[];
  readonly observationSpace;
  readonly actionSpace;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly obs: Float32Array;
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;

  constructor(envs: ReadonlyArray<Env | (() => Env)>) {
    if (envs.length < 1) throw new RlError('CONFIG', 'DummyVecEnv needs at least one env', { field: 'envs' });
    this.envs = envs.map((e) => (typeof e === 'function' ? e() : e));
    this.nEnvs = this.envs.length;
    this.observationSpace = this.envs[0]!.observationSpace;
    this.actionSpace = this.envs[0]!.actionSpace;
    this.obsDim = spaceSize(this.observationSpace);
    this.actDim = this.actionSpace.kind === 'discrete' ? 1 : spaceSize(this.actionSpace);
    this.obs = new Float32Array(this.nEnvs * this.obsDim);
    this.episodeReturns = new Float64Array(this.nEnvs);
    this.episodeLengths = new Int32Array(this.nEnvs);
  }

  /** Resets every env; with a seed, env i gets `seed + i` (SB3's `VecEnv.seed`). */
  reset(options: { seed?: number } = {}): { obs: Float32Array; infos: Array<Record<string, unknown>> } {
    const infos: Array<Record<string, unknown>> = [];
    for (let i = 0; i < this.nEnvs; i++) {
      const r = this.envs[i]!.reset(options.seed === undefined ? {} : { seed: options.seed + i });
      this.writeObs(i, r.obs);
      infos.push({ ...r.info });
    }
    this.episodeReturns.fill(0);
    this.episodeLengths.fill(0);
    return { obs: this.obs.slice(), infos };
  }

  step(actions: ArrayLike<number>): VecStepResult {
    const n = this.nEnvs;
    if (actions.length !== n * this.actDim) {
      throw new RlError(
        'SHAPE',
        `DummyVecEnv.step: ${actions.length} action values for ${n} envs × ${this.actDim}`,
        {
          field: 'actions',
        },
      );
    }
    const rewards = new Float32Array(n);
    const terminated = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    const infos: VecStepResult['infos'] = [];
    for (let i = 0; i < n; i++) {
      const env = this.envs[i]!;
      const action =
        this.actionSpace.kind === 'discrete'
          ? actions[i]!
          : Float32Array.from({ length: this.actDim }, (_, k) => actions[i * this.actDim + k]!);
      const r = env.step(action);
      rewards[i] = r.reward;
      terminated[i] = r.terminated ? 1 : 0;
      truncated[i] = r.truncated ? 1 : 0;
      this.episodeReturns[i] = this.episodeReturns[i]! + r.reward;
      this.episodeLengths[i] = this.episodeLengths[i]! + 1;
      const info: VecStepResult['infos'][number] = { ...r.info };
      if (r.terminated || r.truncated) {
        info.terminalObs = Float32Array.from(r.obs as ArrayLike<number>);
        info.episode = {
          reward: this.episodeReturns[i]!,
          length: this.episodeLengths[i]!,
        } satisfies EpisodeInfo;
        this.episodeReturns[i] = 0;
        this.episodeLengths[i] = 0;
        this.writeObs(i, env.reset().obs);
      } else {
        this.writeObs(i, r.obs);
      }
      infos.push(info);
    }
    return { obs: this.obs.slice(), rewards, terminated, truncated, infos };
  }

  close(): void {
    for (const e of this.envs) e.close?.();
  }

  private writeObs(i: number, obs: ArrayLike<number>): void {
    if (obs.length !== this.obsDim) {
      throw new RlError(
        'SHAPE',
        `env ${i} returned an observation of ${obs.length} values, expected ${this.obsDim}`,
        {
          field: 'obs',
        },
      );
    }
    this.obs.set(obs, i * this.obsDim);
  }
}

/**
 * True if `env` is a `VecEnv` (has `nEnvs`), false for a single `Env`.
 * @example
 * isVecEnv(new CartPole()); // false
 */
export function isVecEnv(env: Env | VecEnv): env is VecEnv {
  return typeof (env as VecEnv).nEnvs === 'number';
}

/**
 * Wraps a single env into a 1-env `DummyVecEnv`; passes a `VecEnv` through.
 * @example
 * const venv = toVecEnv(new CartPole());
 */
export function toVecEnv(env: Env | VecEnv): VecEnv {
  return isVecEnv(env) ? env : new DummyVecEnv([env]);
}
