/**
 * An MLP's forward pass (keeping its activations) and exact backward pass on rl-core's
 * WebAssembly kernels, over parameters that live in kernel memory in the flat layout of
 * {@link mlpForward} (`W₀ [in,out] row-major, b₀, W₁, b₁, …`). One instance owns the
 * activation and scratch buffers for batches up to `maxBatch`; the parameters are passed
 * per call, so one instance serves a network and its target copy.
 *
 * Each pass is first planned as an {@link OpList} and then run: on the calling thread
 * ({@link KernelMlp.forward}, {@link KernelMlp.backward}), or next to another network's pass
 * on a worker (`wasmKernels().runPair(a.planForward(…), b.planForward(…))`), which is how
 * SAC runs its twin critics.
 *
 * Hidden layers use ReLU (fused into the product) or tanh; the output layer is linear.
 */
import { OP, OpList } from '../kernels/op-list.js';
import {
  GEMM_ACC,
  GEMM_RELU,
  type KernelBlock,
  type WasmKernels,
  wasmKernels,
} from '../kernels/wasm-kernels.js';
import type { MlpSpec } from './mlp.js';

/** Layers narrower than this use the dot-product kernel (the 4x8 tiles need 8 columns). */
const NARROW = 8;

/** Options of {@link KernelMlp.planBackward}. */
export interface BackwardOptions {
  /** Byte address for ∂loss/∂params (overwritten); 0 to skip the weight gradients. */
  grad: number;
  /** Byte address for ∂loss/∂input `[batch, sizes[0]]`; 0 to skip it. */
  dx: number;
  /** Add ∂input to what `dx` holds instead of overwriting it. */
  accumulateDx?: boolean;
  /** Only input columns from this one on get ∂input (e.g. the action part of a critic's input). */
  dxFrom?: number;
}

/**
 * @example
 * const net = new KernelMlp({ sizes: [3, 256, 256, 2], activation: 'relu' }, 256);
 * const k = wasmKernels();
 * const params = k.alloc(net.paramCount); // fill with initMlpParams(...)
 * const out = net.forward(params.ptr, xPtr, 256);  // byte address of [256, 2]
 * net.backward(params.ptr, dOutPtr, { grad: grad.ptr, dx: 0 });
 * net.dispose();
 */
export class KernelMlp {
  readonly paramCount: number;
  /** Byte offset of each layer's weights (and then its bias) within the parameters. */
  private readonly wOff: number[] = [];
  private readonly acts: KernelBlock[] = [];
  private readonly dz: [KernelBlock, KernelBlock];
  private readonly scratch: KernelBlock;
  /** Input rows copied in by {@link gatherRows} or {@link forwardRows} (the tape's input then points here). */
  private readonly inputCopy: KernelBlock;
  private readonly forwardOps: OpList;
  private readonly backwardOps: OpList;
  private batch = 0;
  private input = 0;
  private disposed = false;

  constructor(
    readonly spec: MlpSpec,
    readonly maxBatch: number,
    private readonly k: WasmKernels = wasmKernels(),
  ) {
    const sizes = spec.sizes;
    let off = 0;
    let widest = 0;
    let largest = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.wOff.push(off * 4);
      off += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
      this.acts.push(k.alloc(maxBatch * sizes[l + 1]!));
      widest = Math.max(widest, sizes[l]!, sizes[l + 1]!);
      largest = Math.max(largest, sizes[l]! * sizes[l + 1]!);
    }
    this.paramCount = off;
    this.dz = [k.alloc(maxBatch * widest), k.alloc(maxBatch * widest)];
    this.scratch = k.alloc(largest);
    this.inputCopy = k.alloc(maxBatch * sizes[0]!);
    this.forwardOps = new OpList(k, 2 * this.depth);
    this.backwardOps = new OpList(k, 5 * this.depth);
  }

  /** Layers (weight matrices). */
  get depth(): number {
    return this.acts.length;
  }

  /** Byte address of the last forward pass's output `[batch, sizes.at(-1)]`. */
  get output(): number {
    return this.acts.at(-1)!.ptr;
  }

  /**
   * Runs the network on `batch` rows at byte address `x` with the parameters at `params`;
   * returns the byte address of the output `[batch, sizes.at(-1)]` (valid until the next call).
   */
  forward(params: number, x: number, batch: number): number {
    this.k.run(this.planForward(params, x, batch));
    return this.output;
  }

  /**
   * Runs the network on `batch` rows of `x` (a JS array `[batch, sizes[0]]`), `maxBatch` rows
   * at a time, and returns the outputs `[batch, sizes.at(-1)]` as a new array (acting, `predict`).
   */
  forwardRows(params: number, x: ArrayLike<number>, batch: number): Float32Array {
    const k = this.k;
    const nIn = this.spec.sizes[0]!;
    const nOut = this.spec.sizes.at(-1)!;
    const out = new Float32Array(batch * nOut);
    for (let r0 = 0; r0 < batch; r0 += this.maxBatch) {
      const rows = Math.min(this.maxBatch, batch - r0);
      const input = k.view(this.inputCopy);
      for (let i = 0; i < rows * nIn; i++) input[i] = x[r0 * nIn + i]!;
      const y = this.forward(params, this.inputCopy.ptr, rows);
      out.set(k.view({ ptr: y, length: rows * nOut }), r0 * nOut);
    }
    return out;
  }

  /** The forward pass as an op list (run it before {@link planBackward}'s list). */
  planForward(params: number, x: number, batch: number): OpList {
    this.check(batch);
    const sizes = this.spec.sizes;
    const relu = this.spec.activation === 'relu';
    const last = this.depth - 1;
    const ops = this.forwardOps.clear();
    let input = x;
    for (let l = 0; l <= last; l++) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const w = params + this.wOff[l]!;
      const bias = w + nIn * nOut * 4;
      const out = this.acts[l]!.ptr;
      const flags = l < last && relu ? GEMM_RELU : 0;
      if (nOut < NARROW) {
        ops.push(OP.transpose, [nIn, nOut, w, this.scratch.ptr]);
        ops.push(OP.gemmNt, [batch, nOut, nIn, input, nIn, this.scratch.ptr, nIn, out, nOut, bias, flags]);
      } else {
        ops.push(OP.gemm, [batch, nOut, nIn, input, nIn, 1, w, nOut, out, nOut, bias, flags]);
      }
      if (l < last && !relu) ops.push(OP.tanhForward, [batch * nOut, out]);
      input = out;
    }
    this.batch = batch;
    this.input = x;
    return ops;
  }

  /**
   * Makes this network's tape the given rows of `source`'s last forward pass (same spec), so
   * a backward pass can skip rows whose output gradient is zero (SAC's actor loss reaches
   * only the smaller of the twin critics). Per row, the backward pass then computes exactly
   * what it would have on the full batch.
   */
  gatherRows(source: KernelMlp, rows: Int32Array, count: number): void {
    this.check(count);
    const k = this.k;
    const sizes = this.spec.sizes;
    const copy = (from: number, to: number, width: number) => {
      const f = k.f32;
      const src = from >> 2;
      const dst = to >> 2;
      for (let r = 0; r < count; r++) {
        const at = src + rows[r]! * width;
        f.copyWithin(dst + r * width, at, at + width);
      }
    };
    copy(source.input, this.inputCopy.ptr, sizes[0]!);
    // The output layer's activations are not read by the backward pass.
    for (let l = 0; l + 1 < this.depth; l++) copy(source.acts[l]!.ptr, this.acts[l]!.ptr, sizes[l + 1]!);
    this.input = this.inputCopy.ptr;
    this.batch = count;
  }

  /**
   * Backpropagates `dOut` (byte address of ∂loss/∂output, `[batch, sizes.at(-1)]`) through
   * the last forward pass (same `params`), writing what `options` asks for.
   */
  backward(params: number, dOut: number, options: BackwardOptions): void {
    this.k.run(this.planBackward(params, dOut, options));
  }

  /** The backward pass of the last planned forward pass as an op list. */
  planBackward(params: number, dOut: number, options: BackwardOptions): OpList {
    const { spec, batch } = this;
    if (this.disposed) throw new Error('KernelMlp: disposed');
    if (batch === 0) throw new Error('KernelMlp.backward: call forward first');
    const { grad, dx, accumulateDx = false, dxFrom = 0 } = options;
    const sizes = spec.sizes;
    const ops = this.backwardOps.clear();
    let dz = dOut;
    let ping = 0;
    for (let l = this.depth - 1; l >= 0; l--) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const w = params + this.wOff[l]!;
      const x = l === 0 ? this.input : this.acts[l - 1]!.ptr;
      if (grad !== 0) {
        const gw = grad + this.wOff[l]!;
        // ∂W = xᵀ·dz (x read transposed in place), ∂b = Σ rows of dz.
        ops.push(OP.gemm, [nIn, nOut, batch, x, 1, nIn, dz, nOut, gw, nOut, 0, 0]);
        ops.push(OP.colSum, [batch, nOut, dz, gw + nIn * nOut * 4]);
      }
      if (l === 0) {
        // ∂x = dz·Wᵀ for the wanted columns: W's rows are the dot operands.
        if (dx !== 0 && dxFrom < nIn) {
          const cols = nIn - dxFrom;
          const flags = accumulateDx ? GEMM_ACC : 0;
          ops.push(OP.gemmNt, [
            batch,
            cols,
            nOut,
            dz,
            nOut,
            w + dxFrom * nOut * 4,
            nOut,
            dx + dxFrom * 4,
            nIn,
            0,
            flags,
          ]);
        }
        break;
      }
      const dh = this.dz[ping]!.ptr;
      ping = 1 - ping;
      if (nIn < NARROW) {
        ops.push(OP.gemmNt, [batch, nIn, nOut, dz, nOut, w, nOut, dh, nIn, 0, 0]);
      } else {
        ops.push(OP.transpose, [nIn, nOut, w, this.scratch.ptr]);
        ops.push(OP.gemm, [batch, nIn, nOut, dz, nOut, 1, this.scratch.ptr, nIn, dh, nIn, 0, 0]);
      }
      ops.push(spec.activation === 'relu' ? OP.reluBackward : OP.tanhBackward, [batch * nIn, dh, x]);
      dz = dh;
    }
    return ops;
  }

  /** Frees the buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of [...this.acts, ...this.dz, this.scratch, this.inputCopy]) this.k.free(b);
    this.forwardOps.dispose();
    this.backwardOps.dispose();
  }

  private check(batch: number): void {
    if (this.disposed) throw new Error('KernelMlp: disposed');
    if (!Number.isInteger(batch) || batch < 1 || batch > this.maxBatch) {
      throw new Error(`KernelMlp: batch ${batch} is outside 1…${this.maxBatch}`);
    }
  }
}
