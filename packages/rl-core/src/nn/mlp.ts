/**
 * Small multilayer perceptrons whose parameters live in ONE flat float32 vector
 * (`W₀ [in,out] row-major, b₀, W₁, b₁, …`): the optimiser, gradient clipping, Polyak
 * averaging and checkpoints each handle one array, whatever the depth.
 *
 * Three passes share the layout: {@link mlpForward} (pure JS, the reference), `KernelMlp` and
 * `FastForward` (rl-core's WebAssembly kernels: training and acting), and `mlpApplyT` in
 * `@marlts/rl-core/testing` (tfjs, differentiable by autodiff, the oracle).
 */
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
