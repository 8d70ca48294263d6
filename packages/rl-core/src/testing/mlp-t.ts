/**
 * tfjs reference of rl-core's MLPs (`nn/mlp.ts`'s flat layout): a differentiable forward pass
 * over a flat parameter vector or per-layer variables, and a standalone network owning one
 * `tf.Variable`. The oracle of the kernels' backward pass, and a way to write new losses in
 * tfjs with autodiff.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initMlpParams, type MlpInitOptions, type MlpSpec, mlpForward } from '../nn/mlp.js';
import type { Rng } from '../random.js';

/**
 * `x·W + b` with a hand-written gradient that transposes explicitly, so the backward pass
 * runs plain (non-transposed) matrix products. tfjs-backend-wasm only routes those through
 * XNNPACK; its transposed `BatchMatMul` (what tfjs's own MatMul gradient uses) is ~10×
 * slower, which made the backward pass dominate SAC's 256-wide networks.
 */
const linearT = tf.customGrad((...args: unknown[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.fused.matMul({ a: x, b: w, bias: b }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy as tf.Tensor2D),
        tf.sum(dy, 0),
      ];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** `x·W + b` differentiable in `x` only: `W` and `b` are constants (no weight gradients computed). */
function linearFrozenT(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad((...args: unknown[]) => {
    const [input] = args as [tf.Tensor2D];
    return {
      value: tf.fused.matMul({ a: input, b: w, bias: b }),
      gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, tf.transpose(w)),
    };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;
  return f(x);
}

/**
 * Differentiable forward pass `[batch, sizes[0]] → [batch, sizes.at(-1)]`, reading the
 * layers from a flat `params` vector starting at `offset`, or from per-layer tensors
 * `[W₀, b₀, W₁, b₁, …]` (see {@link mlpLayerVariables}). Call it inside `tf.tidy`/`tf.variableGrads`.
 * `frozen: true` differentiates with respect to `x` only (SAC's actor loss through the
 * critic), skipping the weight-gradient matrix products.
 *
 * @example
 * const y = tf.tidy(() => mlpApplyT(spec, flatParams, tf.zeros([8, 4])));
 */
export function mlpApplyT(
  spec: MlpSpec,
  params: tf.Tensor1D | readonly tf.Tensor[],
  x: tf.Tensor2D,
  offset = 0,
  options: { frozen?: boolean } = {},
): tf.Tensor2D {
  let h = x;
  let off = offset;
  const last = spec.sizes.length - 2;
  for (let l = 0; l <= last; l++) {
    const nIn = spec.sizes[l]!;
    const nOut = spec.sizes[l + 1]!;
    let w: tf.Tensor2D;
    let b: tf.Tensor1D;
    if (Array.isArray(params)) {
      w = params[2 * l] as tf.Tensor2D;
      b = params[2 * l + 1] as tf.Tensor1D;
    } else {
      const flat = params as tf.Tensor1D;
      w = tf.reshape(tf.slice(flat, off, nIn * nOut), [nIn, nOut]);
      off += nIn * nOut;
      b = tf.slice(flat, off, nOut);
      off += nOut;
    }
    h = options.frozen ? linearFrozenT(h, w, b) : linearT(h, w, b);
    if (l < last) h = spec.activation === 'relu' ? tf.relu(h) : tf.tanh(h);
  }
  return h;
}

/**
 * Per-layer variables `[W₀ [in,out], b₀, W₁, b₁, …]` holding a flat parameter vector. Wide
 * networks use these instead of one flat variable: slicing a large flat vector inside a
 * gradient tape costs more (slice, saved copies, pad, add) than a per-layer optimiser.
 *
 * @example
 * const vars = mlpLayerVariables(spec, initMlpParams(spec, rng));
 */
export function mlpLayerVariables(spec: MlpSpec, flat: Float32Array, trainable = true): tf.Variable[] {
  const out: tf.Variable[] = [];
  let off = 0;
  for (let l = 0; l + 1 < spec.sizes.length; l++) {
    const nIn = spec.sizes[l]!;
    const nOut = spec.sizes[l + 1]!;
    const w = flat.subarray(off, off + nIn * nOut);
    off += nIn * nOut;
    const b = flat.subarray(off, off + nOut);
    off += nOut;
    out.push(tf.tidy(() => tf.variable(tf.tensor2d(w, [nIn, nOut]), trainable)));
    out.push(tf.tidy(() => tf.variable(tf.tensor1d(b), trainable)));
  }
  return out;
}

/**
 * A standalone MLP owning one flat `tf.Variable` (rl-core's policies pack several MLPs into
 * one vector with the functions above; this class is the same thing for one network).
 *
 * @example
 * const net = new Mlp({ sizes: [4, 64, 64, 2], activation: 'tanh', rng: new Rng(0), outputGain: 0.01 });
 * const y = tf.tidy(() => net.apply(tf.zeros([1, 4])));     // tfjs, differentiable
 * const yJs = net.forward(new Float32Array(4), 1);            // pure JS on a snapshot
 * net.dispose();
 */
export class Mlp {
  readonly spec: MlpSpec;
  readonly params: tf.Variable<tf.Rank.R1>;
  private snapshotCache: Float32Array | undefined;

  constructor(options: MlpSpec & MlpInitOptions & { rng: Rng; name?: string }) {
    this.spec = { sizes: [...options.sizes], activation: options.activation };
    const init = initMlpParams(this.spec, options.rng, options);
    this.params = tf.tidy(() => tf.variable(tf.tensor1d(init), true, options.name));
  }

  /** Number of parameters. */
  get size(): number {
    return this.params.shape[0];
  }

  /** Differentiable forward pass; the caller owns the result. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => mlpApplyT(this.spec, this.params, x));
  }

  /** Pure-JS forward pass on the weights as of the last {@link refresh} (taken on first use). */
  forward(x: ArrayLike<number>, batch: number): Float32Array {
    this.snapshotCache ??= this.params.dataSync().slice() as Float32Array;
    return mlpForward(this.spec, this.snapshotCache, x, batch);
  }

  /** Re-reads the weights for {@link forward} after the variable changed. */
  refresh(): void {
    this.snapshotCache = this.params.dataSync().slice() as Float32Array;
  }

  dispose(): void {
    this.params.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
