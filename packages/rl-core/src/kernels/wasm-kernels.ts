/**
 * rl-core's own float32 kernels (WebAssembly SIMD, `kernels.c`) on one memory per process:
 * the matrix products, Adam and Polyak steps under SAC's update and every batch-1 `predict`
 * of a wide network. Where the runtime has shared memory and worker threads (Node, Deno),
 * large products are split by rows across workers; each output is summed in the same order
 * on any thread, so results do not depend on the thread count. Without shared memory (a
 * browser page that is not cross-origin isolated) the same code runs on an unshared memory
 * on the calling thread, with the same results.
 */
import { RlError } from '../errors.js';
import { Heap } from './heap.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm.js';
import { nodeBuiltin } from './node-builtin.js';
import { FUNCTIONS, ThreadPool } from './thread-pool.js';
import { withUnsharedMemory } from './unshared-memory.js';
import { type WasmMemory, type WasmModule, wasmApi } from './webassembly.js';

/** `gemm` flags: add into C; apply ReLU after the bias. */
export const GEMM_ACC = 1;
export const GEMM_RELU = 2;

/** Products with fewer multiply-adds than this stay on the calling thread. */
export const PARALLEL_MIN_MACS = 1 << 20;

/** `'auto'`: the cores this process may use (`os.availableParallelism()`), at most 8. */
function autoThreads(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number }>('node:os');
  return Math.min(8, Math.max(1, os?.availableParallelism?.() ?? 1));
}

const INITIAL_PAGES = 32; // 2 MiB
const MAX_PAGES = 16384; // 1 GiB, as declared by the module

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
function sharedMemory(): WasmMemory | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  try {
    return new wasmApi.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  } catch {
    return null;
  }
}

/** Which build of the kernels runs: with relaxed SIMD (fused multiply-add) where the runtime has it (Node ≥ 22), else baseline SIMD. */
export type KernelVariant = 'relaxed-simd' | 'simd';

/** Options of {@link WasmKernels}; both exist for tests, the defaults pick what the runtime supports. */
export interface WasmKernelsOptions {
  /** Force a build; by default the fastest this runtime validates. */
  variant?: KernelVariant;
  /** `false` forces an unshared memory (one thread); by default shared where `SharedArrayBuffer` exists. */
  sharedMemory?: boolean;
}

/** The relaxed-SIMD build if this runtime validates it, else the baseline one. */
function pickVariant(prefer: KernelVariant | undefined): { variant: KernelVariant; bytes: Uint8Array } {
  if (prefer !== 'simd') {
    const relaxed = decodeBase64(KERNELS_RELAXED_WASM_BASE64);
    if (wasmApi.validate(relaxed)) return { variant: 'relaxed-simd', bytes: relaxed };
    if (prefer === 'relaxed-simd') throw new Error('WasmKernels: this runtime has no relaxed SIMD');
  }
  return { variant: 'simd', bytes: decodeBase64(KERNELS_WASM_BASE64) };
}

/** A float32 array inside kernel memory: `ptr` is its byte address, `length` its element count. */
export interface KernelBlock {
  readonly ptr: number;
  readonly length: number;
}

/** Kernel ids in an {@link OpList} (the `switch` of `run_ops` in kernels.c). */
export const OP = {
  gemm: 0,
  gemmNt: 1,
  transpose: 2,
  colSum: 3,
  reluBackward: 4,
  tanhBackward: 5,
  tanhForward: 6,
} as const;

const OP_WORDS = 13;

/**
 * A recorded sequence of kernel calls, written straight into kernel memory so a worker can
 * run it from one job ({@link WasmKernels.runPair}); {@link WasmKernels.run} runs it on the
 * calling thread.
 *
 * @example
 * const ops = new OpList(k, 8);
 * ops.clear().push(OP.transpose, [rows, cols, x, y]);
 * k.run(ops);
 */
export class OpList {
  readonly block: KernelBlock;
  /** Calls recorded since {@link clear}. */
  length = 0;
  /** Multiply-adds of the recorded matrix products (decides whether a worker is worth waking). */
  work = 0;

  constructor(
    private readonly k: WasmKernels,
    readonly capacity: number,
  ) {
    this.block = k.alloc(1 + capacity * OP_WORDS);
  }

  clear(): this {
    this.length = 0;
    this.work = 0;
    this.k.i32[this.block.ptr >> 2] = 0;
    return this;
  }

  push(op: number, args: readonly number[]): this {
    if (this.length === this.capacity) throw new Error(`OpList: more than ${this.capacity} calls`);
    const words = this.k.i32;
    const at = (this.block.ptr >> 2) + 1 + this.length * OP_WORDS;
    words[at] = op;
    for (let i = 0; i < OP_WORDS - 1; i++) words[at + 1 + i] = i < args.length ? args[i]! : 0;
    this.length++;
    words[this.block.ptr >> 2] = this.length;
    if (op === OP.gemm || op === OP.gemmNt) this.work += args[0]! * args[1]! * args[2]!;
    return this;
  }

  /** Byte address of the encoded list (what `run_ops` reads). */
  get ptr(): number {
    return this.block.ptr;
  }

  dispose(): void {
    this.k.free(this.block);
  }
}

/**
 * @example
 * const k = wasmKernels();
 * const a = k.alloc(4), b = k.alloc(4), c = k.alloc(4);
 * k.view(a).set([1, 2, 3, 4]); k.view(b).set([1, 0, 0, 1]);
 * k.gemm(2, 2, 2, a.ptr, 2, 1, b.ptr, 2, c.ptr, 2); // c = a·b
 * k.free(a); k.free(b); k.free(c);
 */
export class WasmKernels {
  readonly memory: WasmMemory;
  /**
   * The module's functions, run on the calling thread as they are (see kernels.c);
   * {@link gemm}, {@link run} and {@link runPair} add the splitting across worker threads.
   */
  readonly raw: KernelExports;
  private readonly heap: Heap;
  private readonly module: WasmModule;
  private pool: ThreadPool | null = null;
  private threads = 1;
  /** Until {@link setThreads} is called, the first product worth sharing picks all cores. */
  private threadsChosen = false;
  private f32View: Float32Array;
  private i32View: Int32Array;

  /** The build in use (see {@link KernelVariant}). */
  readonly variant: KernelVariant;

  /**
   * False where the runtime has no shared memory: no worker can see this memory, so
   * everything runs on the calling thread.
   */
  readonly sharedMemory: boolean;

  constructor(options: WasmKernelsOptions = {}) {
    const picked = pickVariant(options.variant);
    this.variant = picked.variant;
    const memory = options.sharedMemory === false ? null : sharedMemory();
    this.sharedMemory = memory !== null;
    this.module = new wasmApi.Module(memory ? picked.bytes : withUnsharedMemory(picked.bytes));
    this.memory = memory ?? new wasmApi.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES });
    const instance = new wasmApi.Instance(this.module, { env: { memory: this.memory } });
    this.raw = instance.exports as unknown as KernelExports;
    this.heap = new Heap(this.memory, this.raw.__heap_base.value);
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  /**
   * The whole memory as float32; index = byte address / 4. Re-read after any `alloc` (an
   * unshared memory's old buffer is detached when it grows).
   */
  get f32(): Float32Array {
    if (this.f32View.length * 4 !== this.memory.buffer.byteLength) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  /** The whole memory as int32 (op lists). */
  get i32(): Int32Array {
    if (this.i32View.length * 4 !== this.memory.buffer.byteLength) {
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return this.i32View;
  }

  /** `block`'s elements as a view (valid until the next `alloc`). */
  view(block: KernelBlock): Float32Array {
    const i = block.ptr >> 2;
    return this.f32.subarray(i, i + block.length);
  }

  /** A zero-filled block of `length` float32s; `RlError('CONFIG')` when the 1 GiB memory is full. */
  alloc(length: number): KernelBlock {
    try {
      return { ptr: this.heap.alloc(length * 4), length };
    } catch (cause) {
      if (!(cause instanceof RangeError)) throw cause;
      throw new RlError(
        'CONFIG',
        `rl-core's kernel memory (1 GiB) cannot hold ${(length * 4) / 2 ** 20} MiB more: ` +
          `${(this.heap.allocatedBytes / 2 ** 20).toFixed(0)} MiB are in use by live models. ` +
          'dispose() models you no longer need, or use smaller networks or batches.',
        { field: 'memory', cause },
      );
    }
  }

  free(block: KernelBlock): void {
    this.heap.release(block.ptr);
  }

  /** Bytes allocated by live blocks (for leak tests). */
  get allocatedBytes(): number {
    return this.heap.allocatedBytes;
  }

  /**
   * Threads that share large matrix products (the caller plus `n − 1` workers). Unless set,
   * the first product worth sharing picks every core (at most 8); {@link setNumThreads} sets
   * it for the process. Results are identical for any `n`.
   */
  setThreads(n: number): number {
    this.threadsChosen = true;
    const want = Math.max(1, Math.floor(n));
    if (want === this.threads && (want === 1 || this.pool)) return this.threads;
    this.pool?.close();
    this.pool = null;
    this.threads = 1;
    if (want > 1 && this.sharedMemory) {
      const pool = new ThreadPool(this.module, this.memory, want - 1);
      if (pool.size > 0) {
        this.pool = pool;
        this.threads = pool.size + 1;
      }
    }
    return this.threads;
  }

  /** Threads in use (1 when worker threads are unavailable). */
  get threadCount(): number {
    return this.threads;
  }

  /**
   * `C[m,n] = A·B (+ C if GEMM_ACC) (+ bias) (ReLU if GEMM_RELU)`, with `A(i,p) = A[i·sai +
   * p·sap]` (byte addresses; strides in elements), B row-major with row stride `ldb`.
   */
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
    bias = 0,
    flags = 0,
  ): void {
    if (m * n * k >= PARALLEL_MIN_MACS) this.defaultThreads();
    const pool = this.pool;
    if (!pool || m < 8 * this.threads || m * n * k < PARALLEL_MIN_MACS) {
      this.raw.gemm(m, n, k, a, sai, sap, b, ldb, c, ldc, bias, flags);
      return;
    }
    // Rows in multiples of 4 (the kernel's tile) so every thread runs full tiles.
    const chunk = Math.ceil(m / this.threads / 4) * 4;
    const rows = (r0: number) => {
      const count = Math.min(m, r0 + chunk) - r0;
      return [count, n, k, a + r0 * sai * 4, sai, sap, b, ldb, c + r0 * ldc * 4, ldc, bias, flags] as const;
    };
    const posted: Array<[worker: number, args: ReturnType<typeof rows>]> = [];
    for (let w = 1; w < this.threads && w * chunk < m; w++) {
      const args = rows(w * chunk);
      if (pool.post(w - 1, FUNCTIONS.indexOf('gemm'), args)) posted.push([w - 1, args]);
      else this.raw.gemm(...args);
    }
    this.raw.gemm(...rows(0));
    for (const [worker, args] of posted) {
      if (pool.wait(worker)) continue;
      // A lost worker: do its rows here (identical values) and stop using the pool.
      this.raw.gemm(...args);
      this.setThreads(1);
    }
  }

  private defaultThreads(): void {
    if (!this.threadsChosen) this.setThreads(autoThreads());
  }

  /** Runs `ops` on this thread, splitting large products across the workers. */
  run(ops: OpList): void {
    const x = this.raw;
    for (let i = 0; i < ops.length; i++) {
      const w = this.i32;
      const at = (ops.ptr >> 2) + 1 + i * OP_WORDS;
      const a = (j: number) => w[at + 1 + j]!;
      switch (w[at]) {
        case OP.gemm:
          this.gemm(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10), a(11));
          break;
        case OP.gemmNt:
          x.gemm_nt(a(0), a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9), a(10));
          break;
        case OP.transpose:
          x.transpose(a(0), a(1), a(2), a(3));
          break;
        case OP.colSum:
          x.col_sum(a(0), a(1), a(2), a(3));
          break;
        case OP.reluBackward:
          x.relu_backward(a(0), a(1), a(2));
          break;
        case OP.tanhBackward:
          x.tanh_backward(a(0), a(1), a(2));
          break;
        case OP.tanhForward:
          x.tanh_forward(a(0), a(1));
          break;
        default:
          throw new Error(`WasmKernels.run: unknown op ${w[at]}`);
      }
    }
  }

  /**
   * Runs two independent op lists (e.g. the Q1 and Q2 passes of twin critics) at once: `b`
   * on a worker, `a` on this thread; without workers, `a` then `b`. Each list computes the
   * same values either way (a list's products are not split when it runs on one thread).
   * Small lists run here: waking a worker costs more than they do.
   */
  runPair(a: OpList, b: OpList): void {
    if (b.work >= PARALLEL_MIN_MACS) this.defaultThreads();
    const pool = b.work >= PARALLEL_MIN_MACS ? this.pool : null;
    if (!pool?.post(0, FUNCTIONS.indexOf('run_ops'), [b.ptr])) {
      this.run(a);
      this.run(b);
      return;
    }
    this.raw.run_ops(a.ptr);
    if (!pool.wait(0)) {
      this.raw.run_ops(b.ptr);
      this.setThreads(1);
    }
  }
}

let shared: WasmKernels | null = null;

/**
 * The process-wide kernels instance (created on first use).
 *
 * @example
 * const k = wasmKernels();
 */
export function wasmKernels(): WasmKernels {
  shared ??= new WasmKernels();
  return shared;
}

/**
 * Sets how many threads share rl-core's large matrix products (SAC's update, wide PPO
 * networks): a number, or `'auto'` for every available core (at most 8). Like
 * `torch.set_num_threads`, it applies to the whole process (each JS thread has its own
 * kernels); results are bit-identical for any count. Returns the count in use: 1 where worker
 * threads or shared memory are unavailable (in a browser: rl-core starts no web workers). Until this is called, the first product worth sharing chooses
 * `'auto'`; `predict` and small networks never start a worker.
 *
 * @example
 * import { setNumThreads } from '@marlts/rl-core';
 * setNumThreads(1); // keep training on the calling thread
 */
export function setNumThreads(n: number | 'auto'): number {
  if (n !== 'auto' && !(Number.isInteger(n) && n >= 1 && n <= 64)) {
    throw new RlError(
      'CONFIG',
      `setNumThreads: threads must be 'auto' or an integer in 1…64, got ${String(n)}`,
      {
        field: 'threads',
      },
    );
  }
  return wasmKernels().setThreads(n === 'auto' ? autoThreads() : n);
}

/**
 * The kernels build in use: `'relaxed-simd'` (fused multiply-add; Node ≥ 22) or `'simd'`.
 *
 * @example
 * kernelVariant(); // 'simd' on Node 20
 */
export function kernelVariant(): KernelVariant {
  return wasmKernels().variant;
}

/**
 * Threads in use for rl-core's kernels.
 *
 * @example
 * numThreads(); // 2 on a two-core machine once SAC has trained
 */
export function numThreads(): number {
  return shared?.threadCount ?? 1;
}
