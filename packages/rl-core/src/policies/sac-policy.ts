/**
 * SAC's networks, SB3's `sac/policies.py` `MlpPolicy` defaults: an actor MLP (256-256 ReLU)
 * whose last layer gives the Gaussian mean and log-std (clamped to [−20, 2]) of a
 * tanh-squashed policy, and twin Q critics (256-256 ReLU) on `[obs, action]`, with a Polyak
 * target copy. torch's default `nn.Linear` init (SB3 does not orthogonally initialise SAC).
 *
 * Parameters are per-layer variables (`[W₀, b₀, W₁, b₁, …]`; the critic list is Q1's layers
 * then Q2's): at 256 wide, slicing one flat vector inside the tape costs more than a
 * per-layer optimiser. Acting is pure JS on a flat actor snapshot.
 */
import * as tf from '@tensorflow/tfjs-core';
import { squashedGaussianRsampleT } from '../distributions/squashed-gaussian.js';
import {
  type Activation,
  FastForward,
  flattenTensors,
  initMlpParams,
  type MlpSpec,
  mlpApplyT,
  mlpLayerVariables,
} from '../nn/mlp.js';
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
}

/**
 * @example
 * const policy = new SacPolicy({ obsDim: 3, actDim: 1, netArch: { pi: [256, 256], qf: [256, 256] },
 *   activation: 'relu', rng: new Rng(0) });
 * const a = policy.act(obs, 1, rng, false); // in [-1, 1]
 */
export class SacPolicy {
  readonly actorSpec: MlpSpec;
  readonly qSpec: MlpSpec;
  readonly actDim: number;
  readonly obsDim: number;
  /** Number of layer tensors per Q network. */
  readonly qTensors: number;
  readonly actor: tf.Variable[];
  /** Q1's layers then Q2's. */
  readonly critic: tf.Variable[];
  readonly criticTarget: tf.Variable[];
  private snapshot: Float32Array;
  private readonly actorFast: FastForward;

  constructor(options: SacPolicyOptions) {
    const { obsDim, actDim, netArch, activation, rng } = options;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.actorSpec = { sizes: [obsDim, ...netArch.pi, 2 * actDim], activation };
    this.qSpec = { sizes: [obsDim + actDim, ...netArch.qf, 1], activation };
    this.qTensors = 2 * (this.qSpec.sizes.length - 1);
    const actorInit = initMlpParams(this.actorSpec, rng, { init: 'torch-default' });
    const q1Init = initMlpParams(this.qSpec, rng, { init: 'torch-default' });
    const q2Init = initMlpParams(this.qSpec, rng, { init: 'torch-default' });
    this.snapshot = actorInit;
    this.actorFast = new FastForward(this.actorSpec, 0);
    this.actor = mlpLayerVariables(this.actorSpec, actorInit);
    this.critic = [...mlpLayerVariables(this.qSpec, q1Init), ...mlpLayerVariables(this.qSpec, q2Init)];
    this.criticTarget = [
      ...mlpLayerVariables(this.qSpec, q1Init, false),
      ...mlpLayerVariables(this.qSpec, q2Init, false),
    ];
  }

  /** Re-reads the actor weights for JS acting; call after each actor update. */
  refresh(): void {
    this.snapshot = flattenTensors(this.actor);
  }

  /** Squashed actions in [−1, 1] `[n, actDim]`: tanh(mean) or tanh(mean + std·ε); pure JS. */
  act(obs: ArrayLike<number>, n: number, rng: Rng, deterministic: boolean): Float32Array {
    const out = this.actorFast.forward(this.snapshot, obs, n);
    const d = this.actDim;
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

  /** Differentiable reparameterised sample: squashed actions and their log-probs. */
  sampleT(obs: tf.Tensor2D, noise: tf.Tensor2D): { actions: tf.Tensor2D; logProb: tf.Tensor1D } {
    const out = mlpApplyT(this.actorSpec, this.actor, obs);
    const d = this.actDim;
    const mean = tf.slice(out, [0, 0], [-1, d]) as tf.Tensor2D;
    const logStd = tf.clipByValue(tf.slice(out, [0, d], [-1, d]), LOG_STD_MIN, LOG_STD_MAX) as tf.Tensor2D;
    return squashedGaussianRsampleT(mean, logStd, noise);
  }

  /** Q1(s, a), Q2(s, a) from `params` (the critic or its target), each `[B]`; `frozen`: no weight gradients. */
  qValuesT(
    params: readonly tf.Tensor[],
    obs: tf.Tensor2D,
    actions: tf.Tensor2D,
    frozen = false,
  ): [tf.Tensor1D, tf.Tensor1D] {
    const x = tf.concat([obs, actions], 1) as tf.Tensor2D;
    const k = this.qTensors;
    const q1 = tf.reshape(mlpApplyT(this.qSpec, params.slice(0, k), x, 0, { frozen }), [-1]) as tf.Tensor1D;
    const q2 = tf.reshape(
      mlpApplyT(this.qSpec, params.slice(k, 2 * k), x, 0, { frozen }),
      [-1],
    ) as tf.Tensor1D;
    return [q1, q2];
  }

  /** Polyak averaging `target ← τ·critic + (1 − τ)·target`. */
  polyakUpdate(tau: number): void {
    tf.tidy(() => {
      this.criticTarget.forEach((t, i) => {
        t.assign(tf.add(tf.mul(t, 1 - tau), tf.mul(this.critic[i]!, tau)));
      });
    });
  }

  dispose(): void {
    for (const v of [...this.actor, ...this.critic, ...this.criticTarget]) v.dispose();
    this.actorFast.dispose();
  }
}
