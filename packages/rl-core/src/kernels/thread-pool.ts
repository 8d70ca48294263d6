/**
 * Row-parallel kernel calls over Node worker threads. Each worker instantiates the same
 * kernels module on the same shared memory and waits on a small shared control array; the
 * caller writes a job (the function and its arguments for the worker's rows), wakes the
 * worker, runs its own rows, then waits for the worker's "done". Only one job is in flight,
 * so there are no queues and nothing to order.
 *
 * Workers spin for a short while after each job before sleeping in `Atomics.wait`: a SAC
 * update issues a large matrix product every few hundred µs, and a futex wake-up costs more
 * than a short spin. Workers are `unref`'d: they never keep a process alive.
 */

import { nodeBuiltin } from './node-builtin.js';
import type { WasmMemory, WasmModule } from './webassembly.js';

/** Control words per worker: [0] job sequence, [1] done sequence, [2] function id, [3…14] arguments, [15] ready. */
const SLOTS = 16;
const STOP = -1;
/** Milliseconds a worker spins on the job word before sleeping. */
const SPIN_MS = 0.5;
/** If a worker has not finished a job after this long, it is presumed dead and the pool is shut. */
const JOB_TIMEOUT_MS = 10_000;
/** A worker that has not started after this long (e.g. its runtime rejected the source) is presumed dead. */
const START_TIMEOUT_MS = 3_000;
const READY = 15;

/** Function ids a job may name (the worker calls `exports[FUNCTIONS[id]]`). */
export const FUNCTIONS = ['gemm', 'run_ops'] as const;

// The worker is evaluated source so the same code runs from the ESM and the CJS build (and
// Deno, whose eval wrapper already binds \`module\`).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { wasmModule, memory, control, functions, spinMs } = workerData;
const inst = new WebAssembly.Instance(wasmModule, { env: { memory } });
const c = new Int32Array(control);
const fns = functions.map((name) => inst.exports[name]);
Atomics.store(c, ${READY}, 1);
let seen = 0;
for (;;) {
  let t0 = 0;
  let spins = 0;
  while (Atomics.load(c, 0) === seen) {
    if ((++spins & 1023) === 0) {
      const now = performance.now();
      if (t0 === 0) t0 = now;
      else if (now - t0 > spinMs) { Atomics.wait(c, 0, seen); t0 = 0; }
    }
  }
  seen = Atomics.load(c, 0);
  const id = c[2];
  if (id === ${STOP}) break;
  fns[id](c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14]);
  Atomics.store(c, 1, seen);
  Atomics.notify(c, 1);
}
`;

interface WorkerHandle {
  worker: { terminate(): Promise<number>; unref(): void; on(event: string, cb: (x: unknown) => void): void };
  control: Int32Array;
  seq: number;
  dead: boolean;
}

type WorkerCtor = new (
  source: string,
  options: { eval: true; workerData: unknown },
) => WorkerHandle['worker'];

/** `node:worker_threads`'s Worker if this runtime has it (Node ≥ 20.16, Deno), else null. */
function workerConstructor(): WorkerCtor | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  return nodeBuiltin<{ Worker?: WorkerCtor }>('node:worker_threads')?.Worker ?? null;
}

/**
 * @example
 * const pool = new ThreadPool(module, memory, 1);
 * if (pool.post(0, FUNCTIONS.indexOf('gemm'), argsForTheWorkersRows)) {
 *   // … run the caller's own rows …
 *   pool.wait(0);
 * }
 */
export class ThreadPool {
  private readonly handles: WorkerHandle[] = [];

  constructor(module: WasmModule, memory: WasmMemory, workers: number) {
    const Worker = workerConstructor();
    if (!Worker) return;
    for (let i = 0; i < workers; i++) {
      const control = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
      try {
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: {
            wasmModule: module,
            memory,
            control: control.buffer,
            functions: [...FUNCTIONS],
            spinMs: SPIN_MS,
          },
        });
        worker.unref();
        const handle: WorkerHandle = { worker, control, seq: 0, dead: false };
        worker.on('error', () => {
          handle.dead = true;
        });
        worker.on('exit', () => {
          handle.dead = true;
        });
        this.handles.push(handle);
      } catch {
        break;
      }
    }
  }

  /** Live workers (0 when the runtime has no worker threads). */
  get size(): number {
    return this.handles.filter((h) => !h.dead).length;
  }

  /** Hands `args` for function `fn` to worker `w`; pair with {@link wait}. Returns false if the worker is gone. */
  post(w: number, fn: number, args: readonly number[]): boolean {
    const h = this.handles[w];
    if (!h || h.dead) return false;
    const c = h.control;
    c[2] = fn;
    for (let i = 0; i < args.length; i++) c[3 + i] = args[i]!;
    h.seq = (h.seq + 1) | 0;
    Atomics.store(c, 0, h.seq);
    Atomics.notify(c, 0);
    return true;
  }

  /** Blocks until worker `w` has finished its posted job; false (and the worker is dropped) on timeout. */
  wait(w: number): boolean {
    const h = this.handles[w]!;
    const c = h.control;
    const t0 = performance.now();
    let spins = 0;
    while (Atomics.load(c, 1) !== h.seq) {
      if ((++spins & 255) === 0) {
        const waited = performance.now() - t0;
        const started = Atomics.load(c, READY) === 1;
        if (waited > JOB_TIMEOUT_MS || (!started && waited > START_TIMEOUT_MS)) {
          h.dead = true;
          return false;
        }
        if (waited > 1) Atomics.wait(c, 1, Atomics.load(c, 1), 1);
      }
    }
    return true;
  }

  /** Stops every worker. */
  close(): void {
    for (const h of this.handles) {
      if (h.dead) continue;
      h.dead = true;
      h.control[2] = STOP;
      h.seq = (h.seq + 1) | 0;
      Atomics.store(h.control, 0, h.seq);
      Atomics.notify(h.control, 0);
    }
    this.handles.length = 0;
  }
}
