/**
 * `MarketVecEnv`: N copies of a single-agent market view stepped together on flat typed
 * arrays (`obs [nEnvs × obsDim]`, `actions [nEnvs × nAssets]`), with auto-reset: a done
 * copy returns the first observation of its next episode and keeps the real last one in
 * `infos[i].terminalObs` (SB3's `terminal_observation`) for bootstrapping truncation.
 * Copies of a frame-backed env share the frame and its precomputed returns.
 */
import type { MarketEnvOptions } from './config.js';
import { MarketEnv } from './env.js';
import { MarketEnvError } from './errors.js';
import { asSingleAgentEnv, type FixedPolicy } from './single-agent.js';
import type { BoxSpace, VecEnv, VecEnvStepResult } from './types.js';

export interface MarketVecEnvOptions {
  nEnvs: number;
  /** Options of every copy (each copy gets its own random stream). */
  env: MarketEnvOptions;
  /** The learned agent being trained (default: the first learned agent). */
  agentId?: string;
  /** Fixed policies of the other learned agents. */
  otherPolicies?: Record<string, FixedPolicy>;
}

/**
 * @example
 * const vec = new MarketVecEnv({ nEnvs: 16, env: { frame }, agentId: 'rl-long-0' });
 * let { obs } = vec.reset({ seed: 0 });
 * const r = vec.step(new Float32Array(16 * frame.nAssets).fill(0.1));
 */
export class MarketVecEnv implements VecEnv {
  readonly nEnvs: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly envs: readonly MarketEnv[];
  readonly agentId: string;
  private readonly agentIndex: number;
  private readonly views;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly act: Float64Array;

  constructor(options: MarketVecEnvOptions) {
    if (!(Number.isInteger(options.nEnvs) && options.nEnvs >= 1)) {
      throw new MarketEnvError('CONFIG', `nEnvs must be an integer >= 1, got ${options.nEnvs}`, {
        field: 'nEnvs',
      });
    }
    this.nEnvs = options.nEnvs;
    const envs: MarketEnv[] = [];
    for (let i = 0; i < options.nEnvs; i++) {
      envs.push(new MarketEnv({ ...options.env, seed: (options.env.seed ?? 0) + i }));
    }
    this.envs = envs;
    const first = envs[0]!;
    const agentId = options.agentId ?? first.learnedAgentIds[0];
    if (agentId === undefined)
      throw new MarketEnvError('CONFIG', 'the env has no learned agent', { field: 'agents' });
    this.agentId = agentId;
    this.agentIndex = first.agentIndex(agentId);
    this.views = envs.map((e) => asSingleAgentEnv(e, agentId, options.otherPolicies ?? {}));
    this.observationSpace = this.views[0]!.observationSpace;
    this.actionSpace = this.views[0]!.actionSpace;
    this.obsDim = first.obsDim;
    this.actDim = first.nAssets;
    this.act = new Float64Array(this.actDim);
  }

  /**
   * Resets every copy; with a seed, copy i is seeded `seed + i`.
   * @example
   * const { obs } = vec.reset({ seed: 1 }); // obs: Float32Array [nEnvs × obsDim]
   */
  reset(options: { seed?: number } = {}): { obs: Float32Array; infos: Array<Record<string, unknown>> } {
    const obs = new Float32Array(this.nEnvs * this.obsDim);
    const infos: Array<Record<string, unknown>> = [];
    for (let i = 0; i < this.nEnvs; i++) {
      const r = this.views[i]!.reset(options.seed === undefined ? {} : { seed: options.seed + i });
      obs.set(r.obs, i * this.obsDim);
      infos.push(r.info);
    }
    return { obs, infos };
  }

  /**
   * Steps every copy with `actions [nEnvs × nAssets]`.
   * @example
   * const { obs, rewards, terminated, truncated, infos } = vec.step(actions);
   */
  step(actions: ArrayLike<number>): VecEnvStepResult {
    const n = this.nEnvs;
    const d = this.actDim;
    if (actions.length !== n * d) {
      throw new MarketEnvError(
        'ACTION',
        `expected ${n * d} action values (${n} envs × ${d}), got ${actions.length}`,
      );
    }
    const obs = new Float32Array(n * this.obsDim);
    const rewards = new Float32Array(n);
    const terminated = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    const infos: VecEnvStepResult['infos'] = new Array(n);
    const a = this.agentIndex;
    const dim = this.obsDim;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) this.act[k] = actions[i * d + k]!;
      const env = this.envs[i]!;
      const b = this.views[i]!.stepArrays(this.act);
      const row = b.obs.subarray(a * dim, (a + 1) * dim);
      rewards[i] = b.rewards[a]!;
      terminated[i] = b.terminated[a]!;
      truncated[i] = b.truncated ? 1 : 0;
      const info: Record<string, unknown> & { terminalObs?: Float32Array } = env.info(a) as never;
      if (terminated[i] === 1 || truncated[i] === 1) {
        info.terminalObs = row.slice();
        info.episode = { report: env.report(this.agentId) };
        const r = env.resetArrays();
        obs.set(r.obs.subarray(a * dim, (a + 1) * dim), i * dim);
      } else {
        obs.set(row, i * dim);
      }
      infos[i] = info;
    }
    return { obs, rewards, terminated, truncated, infos };
  }
}
