/**
 * Kernel calls recorded into kernel memory, so that one job hands a whole network pass to a
 * worker thread (the list format `run_ops` in kernels.c reads).
 */

/** What an {@link OpList} needs of the kernels: blocks of their memory, and the memory as int32. */
export interface OpMemory {
  alloc(length: number): { readonly ptr: number; readonly length: number };
  free(block: { readonly ptr: number; readonly length: number }): void;
  readonly i32: Int32Array;
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

/** Words per recorded call: the kernel id and 12 arguments. */
export const OP_WORDS = 13;

/**
 * A recorded sequence of kernel calls, written straight into kernel memory so a worker can
 * run it from one job (`WasmKernels.runPair`); `WasmKernels.run` runs it on the calling
 * thread.
 *
 * @example
 * const ops = new OpList(k, 8);
 * ops.clear().push(OP.transpose, [rows, cols, x, y]);
 * k.run(ops);
 */
export class OpList {
  readonly block: { readonly ptr: number; readonly length: number };
  /** Calls recorded since {@link clear}. */
  length = 0;
  /** Multiply-adds of the recorded matrix products (decides whether a worker is worth waking). */
  work = 0;

  constructor(
    private readonly k: OpMemory,
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
