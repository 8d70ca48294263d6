/**
 * An MLP's forward pass (keeping its activations) and exact backward pass on rl-core's
 * WebAssembly kernels, over parameters that live in kernel memory in the flat layout of
 * {@link mlpForward} (`W₀ [in,out] row-major, b₀, W₁, b₁, …`). One instance owns the
 * activation and scratch buffers for batches up to `maxBatch`; the parameters are passed
 * per call, so one instance serves a network and its target copy.
 *
 * Hidden layers use ReLU (fused into the product) or tanh; the output layer is linear.
 */
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

/**
 * @example
 * const net = new KernelMlp({ sizes: [3, 256, 256, 2], activation: 'relu' }, 256);
 * const k = wasmKernels();
 * const params = k.alloc(net.paramCount); // fill with initMlpParams(...)
 * const out = net.forward(params.ptr, xPtr, 256);  // byte address of [256, 2]
 * net.backward(params.ptr, xPtr, dOutPtr, 256, grad.ptr, 0);
 * net.dispose();
 */
export class KernelMlp {
  readonly paramCount: number;
  /** Byte offset of each layer's weights (and then its bias) within the parameters. */
  private readonly wOff: number[] = [];
  private readonly acts: KernelBlock[] = [];
  private readonly dz: [KernelBlock, KernelBlock];
  private readonly scratch: KernelBlock;
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
  }

  /** Layers (weight matrices). */
  get depth(): number {
    return this.acts.length;
  }

  /**
   * Runs the network on `batch` rows at byte address `x` with the parameters at `params`;
   * returns the byte address of the output `[batch, sizes.at(-1)]` (valid until the next call).
   */
  forward(params: number, x: number, batch: number): number {
    this.check(batch);
    const { k, spec } = this;
    const sizes = spec.sizes;
    const last = this.depth - 1;
    let input = x;
    for (let l = 0; l <= last; l++) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const w = params + this.wOff[l]!;
      const bias = w + nIn * nOut * 4;
      const out = this.acts[l]!.ptr;
      const flags = l < last && spec.activation === 'relu' ? GEMM_RELU : 0;
      if (nOut < NARROW) {
        k.transpose(nIn, nOut, w, this.scratch.ptr);
        k.gemmNt(batch, nOut, nIn, input, nIn, this.scratch.ptr, nIn, out, nOut, bias, flags);
      } else {
        k.gemm(batch, nOut, nIn, input, nIn, 1, w, nOut, out, nOut, bias, flags);
      }
      if (l < last && spec.activation === 'tanh') {
        const v = k.view({ ptr: out, length: batch * nOut });
        for (let i = 0; i < v.length; i++) v[i] = Math.tanh(v[i]!);
      }
      input = out;
    }
    this.batch = batch;
    this.input = x;
    return input;
  }

  /**
   * Backpropagates `dOut` (byte address of ∂loss/∂output, `[batch, sizes.at(-1)]`) through
   * the last {@link forward} (same `params`). Writes ∂loss/∂params to `grad` (byte address,
   * overwritten) unless it is 0, and ∂loss/∂input `[batch, sizes[0]]` to `dx` unless it is
   * 0 (added to what is there when `accumulateDx`).
   */
  backward(params: number, dOut: number, grad: number, dx: number, accumulateDx = false): void {
    const { k, spec, batch } = this;
    if (batch === 0) throw new Error('KernelMlp.backward: call forward first');
    const sizes = spec.sizes;
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
        k.gemm(nIn, nOut, batch, x, 1, nIn, dz, nOut, gw, nOut);
        k.colSum(batch, nOut, dz, gw + nIn * nOut * 4);
      }
      if (l === 0) {
        // ∂x = dz·Wᵀ: W's rows are the dot operands.
        if (dx !== 0) k.gemmNt(batch, nIn, nOut, dz, nOut, w, nOut, dx, nIn, 0, accumulateDx ? GEMM_ACC : 0);
        break;
      }
      const dh = this.dz[ping]!.ptr;
      ping = 1 - ping;
      if (nIn < NARROW) {
        k.gemmNt(batch, nIn, nOut, dz, nOut, w, nOut, dh, nIn);
      } else {
        k.transpose(nIn, nOut, w, this.scratch.ptr);
        k.gemm(batch, nIn, nOut, dz, nOut, 1, this.scratch.ptr, nIn, dh, nIn);
      }
      if (spec.activation === 'relu') k.reluBackward(batch * nIn, dh, x);
      else k.tanhBackward(batch * nIn, dh, x);
      dz = dh;
    }
  }

  /** Frees the buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of [...this.acts, ...this.dz, this.scratch]) this.k.free(b);
  }

  private check(batch: number): void {
    if (this.disposed) throw new Error('KernelMlp: disposed');
    if (!Number.isInteger(batch) || batch < 1 || batch > this.maxBatch) {
      throw new Error(`KernelMlp: batch ${batch} is outside 1…${this.maxBatch}`);
    }
  }
}
