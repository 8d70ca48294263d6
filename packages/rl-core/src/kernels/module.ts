/**
 * The compiled kernels (`kernels-binary.ts`, built from `kernels.c`) as this runtime loads
 * them: which build it validates, the memory they run on, and the functions they export.
 */
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-binary.js';
import { type WasmMemory, wasmApi } from './webassembly.js';

/** Pages (64 KiB) a fresh kernel memory starts with: 2 MiB. */
export const INITIAL_PAGES = 32;
/** The module's declared maximum: 1 GiB. */
export const MAX_PAGES = 16384;

/** The kernels module's exports (byte addresses; strides and sizes in elements). See kernels.c. */
export interface KernelExports {
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    sai: number,
    sap: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    bias: number,
    flags: number,
  ): void;
  gemm_nt(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    bias: number,
    flags: number,
  ): void;
  transpose(rows: number, cols: number, x: number, y: number): void;
  col_sum(m: number, n: number, x: number, out: number): void;
  relu_backward(len: number, d: number, h: number): void;
  tanh_backward(len: number, d: number, h: number): void;
  adam(
    len: number,
    p: number,
    g: number,
    m: number,
    v: number,
    stepSize: number,
    b1: number,
    b2: number,
    eps: number,
    sqrtBc2: number,
  ): void;
  polyak(len: number, t: number, s: number, tau: number): void;
  sum_sq(len: number, x: number): number;
  tanh_forward(len: number, x: number): void;
  run_ops(ops: number): void;
  __heap_base: { value: number };
}

function decodeBase64(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return B.from(b64, 'base64');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A shared memory for the kernels, or null where the runtime has none: without
 * `SharedArrayBuffer` (a page that is not cross-origin isolated) worker threads could not use
 * it anyway, and some browsers refuse to create it.
 */
export function sharedMemory(): WasmMemory | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  try {
    return new wasmApi.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  } catch {
    return null;
  }
}

/** Which build of the kernels runs: with relaxed SIMD (fused multiply-add) where the runtime has it (Node ≥ 22), else baseline SIMD. */
export type KernelVariant = 'relaxed-simd' | 'simd';

/**
 * The relaxed-SIMD build if this runtime validates it, else the baseline one.
 * @example
 * const { variant, bytes } = pickVariant(undefined);
 */
export function pickVariant(prefer: KernelVariant | undefined): {
  variant: KernelVariant;
  bytes: Uint8Array;
} {
  if (prefer !== 'simd') {
    const relaxed = decodeBase64(KERNELS_RELAXED_WASM_BASE64);
    if (wasmApi.validate(relaxed)) return { variant: 'relaxed-simd', bytes: relaxed };
    if (prefer === 'relaxed-simd') throw new Error('WasmKernels: this runtime has no relaxed SIMD');
  }
  return { variant: 'simd', bytes: decodeBase64(KERNELS_WASM_BASE64) };
}
