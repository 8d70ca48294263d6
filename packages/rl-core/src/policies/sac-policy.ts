/**
 * SAC's networks, SB3's `sac/policies.py` `MlpPolicy` defaults: an actor MLP (256-256 ReLU)
 * whose last layer gives the Gaussian mean and log-std (clamped to [−20, 2]) of a
 * tanh-squashed policy, and twin Q critics (256-256 ReLU) on `[obs, action]`, with a Polyak
 * target copy. torch's default `nn.Linear` init (SB3 does not orthogonally initialise SAC).
 *
 * The parameters live in kernel memory as flat vectors in {@link mlpForward}'s layout (the
 * critic is Q1's vector then Q2's), so SAC's update runs on rl-core's WebAssembly kernels
 * without a copy per step; `sacActorT` and `sacQValuesT` in `@marlts/rl-core/testing` are the
 * same networks in tfjs, for differentiating SB3's losses with autodiff (the oracles).
 */
import { type KernelBlock, type WasmKernels, wasmKernels } from '../kernels/wasm-kernels.js';
import { KernelMlp } from '../nn/kernel-mlp.js';
import { type Activation, initMlpParams, type MlpSpec } from '../nn/mlp.js';
import type { Rng } from '../random.js';

/** SB3's `LOG_STD_MIN` / `LOG_STD_MAX`. */
export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

/** Options of {@link SacPolicy}. */
export interface SacPolicyOptions {
  obsDim: number;
  actDim: number;
  netArch: { pi: readonly number[]; qf: readonly number[] };
  activation: Activation;
  rng: Rng;
  /** Largest batch the networks' buffers hold (SAC's `batchSize`); acting larger batches is chunked. */
  maxBatch: number;
}

/** The parameter groups of a {@link SacPolicy}, as saved in checkpoints. */
export type SacParamGroup = 'actor' | 'critic' | 'criticTarget';

/**
 * @example
 * const policy = new SacPolicy({ obsDim: 3, actDim: 1, netArch: { pi: [256, 256], qf: [256, 256] },
 *   activation: 'relu', rng: new Rng(0), maxBatch: 256 });
 * const a = policy.act(obs, 1, rng, false); // in [-1, 1]
 * policy.dispose();
 */
export class SacPolicy {
  readonly actorSpec: MlpSpec;
  readonly qSpec: MlpSpec;
  readonly actDim: number;
  readonly obsDim: number;
  readonly k: WasmKernels;
  readonly actorNet: KernelMlp;
  /** Buffers for Q1 and Q2 passes (with the critic's or the target's parameters). */
  readonly q1Net: KernelMlp;
  readonly q2Net: KernelMlp;
  /** Parameters: the actor, the critic (Q1 then Q2) and its Polyak target. */
  readonly params: Record<SacParamGroup, KernelBlock>;
  /** Parameters per Q network (Q2 starts at this element of the critic vectors). */
  readonly qParamCount: number;
  private disposed = false;

  constructor(options: SacPolicyOptions) {
    const { obsDim, actDim, netArch, activation, rng, maxBatch } = options;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.k = wasmKernels();
    this.actorSpec = { sizes: [obsDim, ...netArch.pi, 2 * actDim], activation };
    this.qSpec = { sizes: [obsDim + actDim, ...netArch.qf, 1], activation };
    const actorInit = initMlpParams(this.actorSpec, rng, { init: 'torch-default' });
    const q1Init = initMlpParams(this.qSpec, rng, { init: 'torch-default' });
    const q2Init = initMlpParams(this.qSpec, rng, { init: 'torch-default' });
    this.qParamCount = q1Init.length;
    this.actorNet = new KernelMlp(this.actorSpec, maxBatch, this.k);
    this.q1Net = new KernelMlp(this.qSpec, maxBatch, this.k);
    this.q2Net = new KernelMlp(this.qSpec, maxBatch, this.k);
    this.params = {
      actor: this.k.alloc(actorInit.length),
      critic: this.k.alloc(2 * this.qParamCount),
      criticTarget: this.k.alloc(2 * this.qParamCount),
    };
    this.k.view(this.params.actor).set(actorInit);
    const critic = this.k.view(this.params.critic);
    critic.set(q1Init);
    critic.set(q2Init, this.qParamCount);
    this.k.view(this.params.criticTarget).set(critic);
  }

  /** A copy of a parameter group (flat, in checkpoint layout). */
  get(group: SacParamGroup): Float32Array {
    return this.k.view(this.params[group]).slice();
  }

  /** Overwrites a parameter group; `values` must have its exact length. */
  set(group: SacParamGroup, values: Float32Array): void {
    const block = this.params[group];
    if (values.length !== block.length) {
      throw new Error(`SacPolicy.set: ${group} needs ${block.length} values, got ${values.length}`);
    }
    this.k.view(block).set(values);
  }

  /**
   * The actor's raw output `[n, 2·actDim]` (means, then unclamped log-stds) for `n ≤ maxBatch`
   * rows at byte address `obs`; returns its byte address (valid until the next actor pass).
   */
  actorForward(obs: number, n: number): number {
    return this.actorNet.forward(this.params.actor.ptr, obs, n);
  }

  /** Squashed actions in [−1, 1] `[n, actDim]`: tanh(mean) or tanh(mean + std·ε). */
  act(obs: ArrayLike<number>, n: number, rng: Rng, deterministic: boolean): Float32Array {
    const d = this.actDim;
    const out = this.actorNet.forwardRows(this.params.actor.ptr, obs, n);
    const actions = new Float32Array(n * d);
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < d; j++) {
        const mean = out[s * 2 * d + j]!;
        if (deterministic) {
          actions[s * d + j] = Math.tanh(mean);
        } else {
          const logStd = Math.min(Math.max(out[s * 2 * d + d + j]!, LOG_STD_MIN), LOG_STD_MAX);
          actions[s * d + j] = Math.tanh(mean + Math.exp(logStd) * rng.normal());
        }
      }
    }
    return actions;
  }

  /** Polyak averaging `target ← (1 − τ)·target + τ·critic` (SB3 `polyak_update`, float32). */
  polyakUpdate(tau: number): void {
    const { critic, criticTarget } = this.params;
    this.k.raw.polyak(critic.length, criticTarget.ptr, critic.ptr, tau);
  }

  /** Frees the parameters and buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.actorNet.dispose();
    this.q1Net.dispose();
    this.q2Net.dispose();
    for (const b of Object.values(this.params)) this.k.free(b);
  }
}
