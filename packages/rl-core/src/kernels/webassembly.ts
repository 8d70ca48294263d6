/**
 * The slice of the WebAssembly JS API the kernels use, typed here because rl-core compiles
 * without the DOM library and @types/node 20 declares only part of it.
 */

/** A (shared) linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** A compiled module (structured-cloneable to worker threads). */
export type WasmModule = object;

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** `globalThis.WebAssembly` with the types above. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
