/**
 * MLP forward pass with a tape and its exact backward pass on plain Float32Arrays, for
 * gradient steps that cost a handful of tfjs kernels instead of hundreds.
 *
 * tfjs charges several µs per kernel (and as much again per recorded gradient op), far more
 * than the arithmetic of a 64-wide layer's bias, activation or loss. The forward pass runs
 * in tfjs without a gradient tape (fused matmul + bias, then the activation) and reads each
 * layer's output back once; the backward pass is JS except for matrix products large enough
 * to pay for a kernel ({@link HYBRID_MATMUL_MIN} multiply-adds, e.g. the 64×64 hidden layer
 * at batch 64), which run in tfjs (XNNPACK on WASM), always non-transposed: operands are
 * transposed in JS first. Parameters use the flat layout of {@link mlpForward}
 * (`W₀ [in,out] row-major, b₀, W₁, b₁, …`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MlpSpec } from './mlp.js';

/** Matrix products with at least this many multiply-adds (m·k·n) run in tfjs; smaller ones in JS. */
export const HYBRID_MATMUL_MIN = 32 * 1024;

/**
 * `[m,k]·[k,n]` row-major → new Float32Array `[m,n]`: tfjs for large products, JS (float64
 * accumulators) for small ones. Leaves no tensors behind.
 *
 * @example
 * const c = matMulHybrid(Float32Array.from([1, 2]), 1, 2, Float32Array.from([3, 4]), 1); // [11]
 */
export function matMulHybrid(
  a: Float32Array,
  m: number,
  k: number,
  b: Float32Array,
  n: number,
): Float32Array {
  if (m * k * n >= HYBRID_MATMUL_MIN) {
    const y = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
    const out = Float32Array.from(y.dataSync() as Float32Array);
    y.dispose();
    return out;
  }
  const out = new Float32Array(m * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    const ao = i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ao + p]!;
      const bo = p * n;
      for (let j = 0; j < n; j++) acc[j] = acc[j]! + av * b[bo + j]!;
    }
    out.set(acc, i * n);
  }
  return out;
}

/**
 * Transpose of a row-major `[rows, cols]` matrix.
 * @example
 * transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3); // [1, 4, 2, 5, 3, 6]
 */
export function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const ro = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[ro + c]!;
  }
  return out;
}

/** What {@link mlpForwardTape} keeps for {@link mlpBackward}. */
export interface MlpTape {
  batch: number;
  /** Layer inputs: `acts[0]` is x, `acts[l]` the activated output of hidden layer l−1. */
  acts: Float32Array[];
  /** Network output `[batch, sizes.at(-1)]` (linear). */
  out: Float32Array;
}

/**
 * Forward pass `[batch, sizes[0]] → [batch, sizes.at(-1)]` on flat `params` from `offset`,
 * keeping the activations for {@link mlpBackward}. Runs in tfjs (one fused matmul + bias per
 * layer, plus `tanh`: a tfjs kernel beats thousands of `Math.tanh` calls) and reads every
 * layer's output back once; same maths as {@link mlpApplyT}. Leaves no tensors behind.
 *
 * @example
 * const tape = mlpForwardTape(spec, weights, 0, obs, 64);
 * tape.out; // [64, sizes.at(-1)]
 */
export function mlpForwardTape(
  spec: MlpSpec,
  params: Float32Array,
  offset: number,
  x: Float32Array,
  batch: number,
): MlpTape {
  const sizes = spec.sizes;
  const last = sizes.length - 2;
  const relu = spec.activation === 'relu';
  const outs = tf.tidy(() => {
    let h: tf.Tensor2D = tf.tensor2d(x, [batch, sizes[0]!]);
    const hs: tf.Tensor[] = [];
    let off = offset;
    for (let l = 0; l <= last; l++) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const w = tf.tensor2d(params.subarray(off, off + nIn * nOut), [nIn, nOut]);
      off += nIn * nOut;
      const b = tf.tensor1d(params.subarray(off, off + nOut));
      off += nOut;
      if (l < last && relu) {
        h = tf.fused.matMul({ a: h, b: w, bias: b, activation: 'relu' }) as tf.Tensor2D;
      } else {
        h = tf.fused.matMul({ a: h, b: w, bias: b }) as tf.Tensor2D;
        if (l < last) h = tf.tanh(h);
      }
      hs.push(h);
    }
    return hs;
  });
  const read = outs.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose(outs);
  return { batch, acts: [x, ...read.slice(0, -1)], out: read.at(-1)! };
}

/**
 * Backpropagates `dOut` (∂loss/∂output, `[batch, sizes.at(-1)]`) through the network of
 * {@link mlpForwardTape}, writing ∂loss/∂params into `grad` at the same flat positions
 * (`grad[offset …]`, overwritten, not accumulated).
 *
 * @example
 * const grad = new Float32Array(weights.length);
 * mlpBackward(spec, weights, 0, tape, dOut, grad);
 */
export function mlpBackward(
  spec: MlpSpec,
  params: Float32Array,
  offset: number,
  tape: MlpTape,
  dOut: Float32Array,
  grad: Float32Array,
): void {
  const sizes = spec.sizes;
  const last = sizes.length - 2;
  const relu = spec.activation === 'relu';
  const batch = tape.batch;
  const wOffsets: number[] = [];
  let off = offset;
  for (let l = 0; l <= last; l++) {
    wOffsets.push(off);
    off += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  }
  let dz = dOut;
  for (let l = last; l >= 0; l--) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const wOff = wOffsets[l]!;
    const bOff = wOff + nIn * nOut;
    const x = tape.acts[l]!;
    grad.set(matMulHybrid(transpose(x, batch, nIn), nIn, batch, dz, nOut), wOff);
    for (let j = 0; j < nOut; j++) {
      let s = 0;
      for (let i = 0; i < batch; i++) s += dz[i * nOut + j]!;
      grad[bOff + j] = s;
    }
    if (l === 0) break;
    const wT = transpose(params.subarray(wOff, bOff), nIn, nOut);
    const dh = matMulHybrid(dz, batch, nOut, wT, nIn);
    for (let i = 0; i < dh.length; i++) {
      const h = x[i]!;
      dh[i] = dh[i]! * (relu ? (h > 0 ? 1 : 0) : 1 - h * h);
    }
    dz = dh;
  }
}
