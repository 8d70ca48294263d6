/**
 * tfjs reference of `Adam`: torch's update (`_single_tensor_adam`) on tfjs variables, one
 * moment per variable, with the same state layout, for differentiable code written in tfjs
 * and as the oracle of the Adam PPO and SAC run. Unlike `tf.train.adam`, the learning rate
 * can change every step and the state can be read and restored.
 */
import * as tf from '@tensorflow/tfjs-core';
import { RlError } from '../errors.js';
import type { AdamOptions, AdamState } from '../optim/adam.js';

/**
 * @example
 * const w = tf.variable(tf.zeros([3]));
 * const adam = new AdamT([w], { learningRate: 1e-3 });
 * const { grads } = tf.variableGrads(() => w.sub(1).square().sum(), [w]);
 * adam.step([grads[w.name]!]);
 * tf.dispose(grads); adam.dispose();
 */
export class AdamT {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  learningRate: number;
  private readonly vars: readonly tf.Variable[];
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(vars: readonly tf.Variable[], options: AdamOptions) {
    this.vars = vars;
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.m = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.t;
  }

  /** Applies one update from `grads` (same order as the variables; not disposed here). */
  step(grads: readonly tf.Tensor[], learningRate = this.learningRate): void {
    if (grads.length !== this.vars.length) {
      throw new RlError('SHAPE', `AdamT.step: ${grads.length} gradients for ${this.vars.length} variables`);
    }
    this.t += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = learningRate / (1 - b1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - b2 ** this.t);
    tf.tidy(() => {
      for (let i = 0; i < grads.length; i++) {
        const g = grads[i]!;
        const m = tf.add(tf.mul(this.m[i]!, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i]!, b2), tf.mul(tf.square(g), 1 - b2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), this.eps);
        this.vars[i]!.assign(tf.sub(this.vars[i]!, tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /** Copies the state out (one `dataSync` per moment). */
  getState(): AdamState {
    return {
      step: this.t,
      m: this.m.map((x) => x.dataSync().slice() as Float32Array),
      v: this.v.map((x) => x.dataSync().slice() as Float32Array),
    };
  }

  /** Restores a state from {@link AdamT.getState}; shapes must match. */
  setState(state: AdamState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new RlError(
        'CHECKPOINT',
        `Adam state has ${state.m.length} moments, optimiser ${this.m.length}`,
        {
          field: 'optimizer.m',
        },
      );
    }
    for (let i = 0; i < this.m.length; i++) {
      for (const [name, src, dst] of [
        ['m', state.m[i]!, this.m[i]!],
        ['v', state.v[i]!, this.v[i]!],
      ] as const) {
        if (src.length !== dst.size) {
          throw new RlError(
            'CHECKPOINT',
            `Adam ${name}[${i}] has ${src.length} values, expected ${dst.size}`,
            {
              field: `optimizer.${name}`,
            },
          );
        }
        tf.tidy(() => dst.assign(tf.tensor(src, dst.shape)));
      }
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
