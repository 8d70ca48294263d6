/**
 * Adam (Kingma & Ba 2015) with torch's update, so SB3 hyperparameters mean the same thing:
 * `p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)` (torch.optim.Adam, `_single_tensor_adam`),
 * on one flat float32 parameter vector. The learning rate can change every step (schedules),
 * and the state (step count, first and second moments) can be read and restored
 * (checkpoints, PPO's rollback of a failed update phase).
 *
 * The moments live where the parameters do. `new Adam(size, …)` keeps them in JS arrays and
 * steps each element in float64, stored as float32 (PPO's policy, SAC's log α);
 * with `{ kernels }` it keeps them in rl-core's kernel memory and steps them with the
 * `adam` kernel in float32 SIMD (SAC's networks, whose weights and gradients are there), with
 * no copy in or out.
 */
import { RlError } from '../errors.js';
import type { KernelBlock, WasmKernels } from '../kernels/wasm-kernels.js';

/** Hyperparameters of {@link Adam}. */
export interface AdamOptions {
  /** The rate {@link Adam.step} uses when it is given none. */
  learningRate: number;
  beta1?: number;
  beta2?: number;
  /** torch default 1e-8; SB3's PPO/A2C policies pass 1e-5. */
  eps?: number;
}

/** A checkpointable snapshot of {@link Adam}'s state, its moments split per layer tensor. */
export interface AdamState {
  step: number;
  /** First moments, one flat array per tensor. */
  m: Float32Array[];
  /** Second moments, one flat array per tensor. */
  v: Float32Array[];
}

/** Where {@link Adam}'s moments live and how checkpoints split them. */
export interface AdamLayout {
  /** Keep the moments in this kernel memory (the parameters and gradients are blocks there too). */
  kernels?: WasmKernels;
  /** Sizes of the layer tensors `[W₀, b₀, W₁, b₁, …]` the state is split into (sum = size). */
  tensorSizes?: readonly number[];
}

/** Where the moments are: JS arrays, or blocks of kernel memory. */
type Moments = { m: Float32Array; v: Float32Array } | { k: WasmKernels; m: KernelBlock; v: KernelBlock };

/**
 * @example
 * const adam = new Adam(weights.length, { learningRate: 3e-4, eps: 1e-5 });
 * adam.step(weights, grad); // weights updated in place
 * const state = adam.getState(); // for a checkpoint
 */
export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  learningRate: number;
  /** Sizes of the tensors the moments are split into by {@link getState} (sum = the vector's length). */
  readonly tensorSizes: readonly number[];
  private readonly moments: Moments;
  private t = 0;
  private disposed = false;

  /**
   * Moments for a vector of `size` values: in JS memory, or in `layout.kernels`' memory (then
   * `dispose()` frees them). `layout.tensorSizes` splits them per layer tensor in
   * {@link getState} (default: one tensor).
   */
  constructor(size: number, options: AdamOptions, layout: AdamLayout = {}) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    const sizes = layout.tensorSizes ?? [size];
    if (sizes.reduce((a, n) => a + n, 0) !== size) {
      throw new RlError('CONFIG', `Adam: tensor sizes [${sizes}] do not add up to ${size}`, {
        field: 'tensorSizes',
      });
    }
    this.tensorSizes = [...sizes];
    const k = layout.kernels;
    this.moments = k
      ? { k, m: k.alloc(size), v: k.alloc(size) }
      : { m: new Float32Array(size), v: new Float32Array(size) };
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.t;
  }

  /**
   * One update of `params` in place from `grad`: two Float32Arrays for moments in JS memory,
   * two kernel blocks for moments in kernel memory.
   */
  step(
    params: Float32Array | KernelBlock,
    grad: Float32Array | KernelBlock,
    learningRate = this.learningRate,
  ): void {
    if (this.disposed) throw new RlError('STATE', 'Adam: disposed');
    this.t += 1;
    const { beta1: b1, beta2: b2, eps } = this;
    const stepSize = learningRate / (1 - b1 ** this.t);
    const sqrtBc2 = Math.sqrt(1 - b2 ** this.t);
    const mo = this.moments;
    if ('k' in mo) {
      const [p, g] = [params as KernelBlock, grad as KernelBlock];
      mo.k.raw.adam(mo.m.length, p.ptr, g.ptr, mo.m.ptr, mo.v.ptr, stepSize, b1, b2, eps, sqrtBc2);
      return;
    }
    const p = params as Float32Array;
    const g = grad as Float32Array;
    const { m, v } = mo;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      p[i] = p[i]! - stepSize * (m[i]! / (Math.sqrt(v[i]!) / sqrtBc2 + eps));
    }
  }

  /** A copy of the state, the moments split per tensor (see {@link tensorSizes}). */
  getState(): AdamState {
    const split = (flat: Float32Array) => {
      const out: Float32Array[] = [];
      let off = 0;
      for (const n of this.tensorSizes) {
        out.push(flat.slice(off, off + n));
        off += n;
      }
      return out;
    };
    const [m, v] = this.views();
    return { step: this.t, m: split(m), v: split(v) };
  }

  /** Restores {@link getState}'s output; `RlError('CHECKPOINT')` when its tensors do not fit. */
  setState(state: AdamState): void {
    const sizes = this.tensorSizes;
    if (state.m.length !== sizes.length || state.v.length !== sizes.length) {
      throw new RlError('CHECKPOINT', `Adam state has ${state.m.length} moments, optimiser ${sizes.length}`, {
        field: 'optimizer.m',
      });
    }
    for (const [name, parts] of [
      ['m', state.m],
      ['v', state.v],
    ] as const) {
      parts.forEach((x, i) => {
        if (x.length !== sizes[i]) {
          throw new RlError('CHECKPOINT', `Adam ${name}[${i}] has ${x.length} values, expected ${sizes[i]}`, {
            field: `optimizer.${name}`,
          });
        }
      });
    }
    const [m, v] = this.views();
    let off = 0;
    for (let i = 0; i < sizes.length; i++) {
      m.set(state.m[i]!, off);
      v.set(state.v[i]!, off);
      off += sizes[i]!;
    }
    this.t = state.step;
  }

  /** Frees kernel memory (nothing to free for JS moments). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const mo = this.moments;
    if ('k' in mo) {
      mo.k.free(mo.m);
      mo.k.free(mo.v);
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The moments as arrays (views of kernel memory, valid until its next allocation). */
  private views(): [Float32Array, Float32Array] {
    const mo = this.moments;
    return 'k' in mo ? [mo.k.view(mo.m), mo.k.view(mo.v)] : [mo.m, mo.v];
  }
}
