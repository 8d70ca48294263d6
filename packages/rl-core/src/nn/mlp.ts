/**
 * Small multilayer perceptrons whose parameters live in ONE flat float32 vector
 * (`W₀ [in,out] row-major, b₀, W₁, b₁, …`). A flat vector keeps the optimiser, gradient
 * clipping, Polyak averaging and checkpointing to a handful of tfjs ops, whatever the depth;
 * tfjs costs several µs per op, so op count, not FLOPs, bounds small-network training.
 *
 * Three forward passes share the layout: {@link mlpApplyT} (tfjs, differentiable, for
 * gradient steps), {@link mlpForward} (pure JS in float64, the reference) and
 * `FastForward` (rl-core's WebAssembly kernels, for acting and `predict`, where a tfjs call
 * would cost more than the arithmetic).
 */
import * as tf from '@tensorflow/tfjs-core';
import { RlError } from '../errors.js';
import type { Rng } from '../random.js';
import { orthogonal, torchLinearDefault } from './init.js';

/** Hidden-layer activation (the output layer is linear). */
export type Activation = 'tanh' | 'relu';

/** The shape of an MLP: layer widths including input and output, e.g. `[4, 64, 64, 2]`. */
export interface MlpSpec {
  readonly sizes: readonly number[];
  readonly activation: Activation;
}

/** How {@link initMlpParams} initialises weights. */
export interface MlpInitOptions {
  /** `'orthogonal'` (SB3 PPO, default) or `'torch-default'` (SB3 SAC: torch's `nn.Linear` init). */
  init?: 'orthogonal' | 'torch-default';
  /** Orthogonal gain of hidden layers (SB3: √2). */
  hiddenGain?: number;
  /** Orthogonal gain of the output layer (SB3: 0.01 policy head, 1 value head). */
  outputGain?: number;
}

/**
 * Number of parameters of an MLP with these layer sizes.
 * @example
 * mlpParamCount([4, 64, 64, 2]); // 4·64+64 + 64·64+64 + 64·2+2 = 4610
 */
export function mlpParamCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  return n;
}

function checkSpec(spec: MlpSpec): void {
  if (spec.sizes.length < 2 || spec.sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new RlError('CONFIG', `mlp: sizes must be >= 2 positive integers, got [${spec.sizes.join(', ')}]`, {
      field: 'sizes',
    });
  }
}

/**
 * Fresh flat parameters for `spec` (biases zero for orthogonal init, as SB3).
 * @example
 * const p = initMlpParams({ sizes: [4, 64, 64, 1], activation: 'tanh' }, new Rng(0), { outputGain: 1 });
 */
export function initMlpParams(spec: MlpSpec, rng: Rng, options: MlpInitOptions = {}): Float32Array {
  checkSpec(spec);
  const { init = 'orthogonal', hiddenGain = Math.SQRT2, outputGain = 1 } = options;
  const out = new Float32Array(mlpParamCount(spec.sizes));
  let off = 0;
  const last = spec.sizes.length - 2;
  for (let l = 0; l <= last; l++) {
    const nIn = spec.sizes[l]!;
    const nOut = spec.sizes[l + 1]!;
    if (init === 'orthogonal') {
      out.set(orthogonal(nIn, nOut, l === last ? outputGain : hiddenGain, rng), off);
      off += nIn * nOut + nOut; // zero bias
    } else {
      out.set(torchLinearDefault(nIn * nOut, nIn, rng), off);
      off += nIn * nOut;
      out.set(torchLinearDefault(nOut, nIn, rng), off);
      off += nOut;
    }
  }
  return out;
}

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

/** Per-layer transposed weights `[out][in]` for dot-product inner loops, cached per snapshot. */
interface JsLayers {
  wT: Float32Array[];
  b: Float32Array[];
}
const jsCache = new WeakMap<Float32Array, Map<string, JsLayers>>();

function jsLayers(spec: MlpSpec, params: Float32Array, offset: number): JsLayers {
  const key = `${offset}:${spec.sizes.join(',')}`;
  let byKey = jsCache.get(params);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const layers: JsLayers = { wT: [], b: [] };
  let off = offset;
  for (let l = 0; l + 1 < spec.sizes.length; l++) {
    const nIn = spec.sizes[l]!;
    const nOut = spec.sizes[l + 1]!;
    const wT = new Float32Array(nIn * nOut);
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < nOut; j++) wT[j * nIn + i] = params[off + i * nOut + j]!;
    off += nIn * nOut;
    layers.wT.push(wT);
    layers.b.push(params.slice(off, off + nOut));
    off += nOut;
  }
  if (!byKey) {
    byKey = new Map();
    jsCache.set(params, byKey);
  }
  byKey.set(key, layers);
  return layers;
}

/**
 * Pure-JS forward pass on a parameter snapshot, `x` flat `[batch, sizes[0]]` → new
 * Float32Array `[batch, sizes.at(-1)]`; no tfjs call. The first call per snapshot caches a
 * transposed copy of the weights (treat `params` as immutable afterwards: pass a new array
 * when the weights change), so each output is a 4-accumulator dot product.
 *
 * @example
 * const logits = mlpForward(spec, snapshot, obs, 1);
 */
export function mlpForward(
  spec: MlpSpec,
  params: Float32Array,
  x: ArrayLike<number>,
  batch: number,
  offset = 0,
): Float32Array {
  const sizes = spec.sizes;
  const last = sizes.length - 2;
  const relu = spec.activation === 'relu';
  const { wT, b } = jsLayers(spec, params, offset);
  let input: ArrayLike<number> = x;
  let out = new Float32Array(0);
  for (let l = 0; l <= last; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const w = wT[l]!;
    const bias = b[l]!;
    out = new Float32Array(batch * nOut);
    for (let s = 0; s < batch; s++) {
      const xo = s * nIn;
      for (let j = 0; j < nOut; j++) {
        const r = j * nIn;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = 0;
        for (; i + 3 < nIn; i += 4) {
          s0 += input[xo + i]! * w[r + i]!;
          s1 += input[xo + i + 1]! * w[r + i + 1]!;
          s2 += input[xo + i + 2]! * w[r + i + 2]!;
          s3 += input[xo + i + 3]! * w[r + i + 3]!;
        }
        for (; i < nIn; i++) s0 += input[xo + i]! * w[r + i]!;
        const z = bias[j]! + s0 + s1 + s2 + s3;
        out[s * nOut + j] = l === last ? z : relu ? Math.max(z, 0) : Math.tanh(z);
      }
    }
    input = out;
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
