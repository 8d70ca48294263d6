/**
 * `asSingleAgentEnv`: a Gymnasium-style `Env` over one agent of a `MarketEnv`, for
 * training that agent while every other agent follows a fixed policy (heuristic agents
 * act by themselves; other learned agents need a policy from `otherPolicies`).
 * `terminated` = this agent was liquidated; `truncated` = episode length or end of data.
 */
import type { MarketAgentInfo, MarketBuffers, MarketEnv } from './env.js';
import { MarketEnvError } from './errors.js';
import type { BoxSpace, Env, EnvResetResult, EnvStepResult } from './types.js';

/** A frozen policy of another learned agent: its observation → its target weights. */
export type FixedPolicy = (obs: Float32Array) => ArrayLike<number>;

/** The `Env` view returned by {@link asSingleAgentEnv}. */
export interface SingleAgentMarketEnv extends Env {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly env: MarketEnv;
  readonly agentId: string;
  reset(options?: {
    seed?: number;
    startIndex?: number;
  }): EnvResetResult & { info: MarketAgentInfo & Record<string, unknown> };
  step(action: ArrayLike<number>): EnvStepResult & { info: MarketAgentInfo & Record<string, unknown> };
  /**
   * The allocation-free form of `step`: the results are in the env's shared buffers
   * (this agent's row is `agentIndex`); they are overwritten by the next step.
   */
  stepArrays(action: ArrayLike<number>): MarketBuffers;
  /** This agent's row in the env's buffers. */
  readonly agentIndex: number;
}

/**
 * @example
 * const env = asSingleAgentEnv(market, 'rl-long-0', { 'rl-short-0': (obs) => shortPolicy(obs) });
 * let { obs } = env.reset({ seed: 0 });
 * const { reward, terminated, truncated } = env.step(new Float32Array(env.actionSpace.shape[0]!).fill(0.1));
 */
export function asSingleAgentEnv(
  env: MarketEnv,
  agentId: string,
  otherPolicies: Record<string, FixedPolicy> = {},
): SingleAgentMarketEnv {
  const a = env.agentIndex(agentId);
  if (!env.agents[a]!.learned) {
    throw new MarketEnvError('CONFIG', `${agentId} is a ${env.agents[a]!.kind} agent, not a learned one`, {
      field: 'agentId',
    });
  }
  const learned = env.learnedAgentIds;
  const missing = learned.filter((id) => id !== agentId && otherPolicies[id] === undefined);
  if (missing.length > 0) {
    throw new MarketEnvError(
      'CONFIG',
      `otherPolicies needs a policy for the learned agent(s) ${missing.join(', ')}`,
      {
        field: 'otherPolicies',
      },
    );
  }
  for (const id of Object.keys(otherPolicies)) {
    if (!learned.includes(id) || id === agentId) {
      throw new MarketEnvError('CONFIG', `otherPolicies.${id}: not another learned agent of this env`, {
        field: `otherPolicies.${id}`,
      });
    }
  }
  const N = env.nAssets;
  const dim = env.obsDim;
  const actions = new Float64Array(learned.length * N);
  const mine = learned.indexOf(agentId);
  const others = learned.map((id) =>
    id === agentId ? null : { index: env.agentIndex(id), policy: otherPolicies[id]! },
  );
  return {
    env,
    agentId,
    agentIndex: a,
    observationSpace: env.observationSpace(agentId),
    actionSpace: env.actionSpace(agentId),
    reset(options = {}) {
      const b = env.resetArrays(options);
      return { obs: b.obs.slice(a * dim, (a + 1) * dim), info: env.info(a) };
    },
    stepArrays(action) {
      if (action.length !== N) {
        throw new MarketEnvError(
          'ACTION',
          `action of ${agentId} has ${action.length} values, expected ${N}`,
          {
            field: agentId,
          },
        );
      }
      const obsAll = env.buffers.obs;
      for (let k = 0; k < others.length; k++) {
        const o = others[k];
        if (o === null) {
          for (let n = 0; n < N; n++) actions[mine * N + n] = action[n]!;
        } else {
          const w = o.policy(obsAll.subarray(o.index * dim, (o.index + 1) * dim));
          for (let n = 0; n < N; n++) actions[k * N + n] = w[n] ?? 0;
        }
      }
      return env.stepArrays(actions);
    },
    step(action) {
      const b = this.stepArrays(action);
      return {
        obs: b.obs.slice(a * dim, (a + 1) * dim),
        reward: b.rewards[a]!,
        terminated: b.terminated[a] === 1,
        truncated: b.truncated,
        info: env.info(a),
      };
    },
  };
}
