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
import {
  INITIAL_PAGES,
  type KernelExports,
  type KernelVariant,
  MAX_PAGES,
  pickVariant,
  sharedMemory,
} from './module.js';
import { nodeBuiltin } from './node-builtin.js';
import { OP, OP_WORDS, type OpList } from './op-list.js';
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

/** Options of {@link WasmKernels}; both exist for tests, the defaults pick what the runtime supports. */
export interface WasmKernelsOptions {
  /** Force a build; by default the fastest this runtime validates. */
  variant?: KernelVariant;
  /** `false` forces an unshared memory (one thread); by default shared where `SharedArrayBuffer` exists. */
  sharedMemory?: boolean;
}

/** A float32 array inside kernel memory: `ptr` is its byte address, `length` its element count. */
export interface KernelBlock {
  readonly ptr: number;
  readonly length: number;
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
