/**
 * A first-fit allocator over a growable WebAssembly memory: 64-byte-aligned blocks, a free
 * list kept in address order and merged with its neighbours on free. Models allocate their
 * weights and scratch once and free them on `dispose()`, so a simple list is enough.
 */

import type { WasmMemory } from './webassembly.js';

/** Alignment of every block, in bytes (one cache line; a multiple of the 16-byte v128). */
export const BLOCK_ALIGN = 64;
const PAGE = 65536;

interface Span {
  start: number;
  size: number;
}

/**
 * @example
 * const heap = new Heap(memory, 1024);
 * const p = heap.alloc(4096); // byte address, 64-byte aligned, zero-filled
 * heap.free(p);
 */
export class Heap {
  private readonly free: Span[] = [];
  private readonly used = new Map<number, number>();

  constructor(
    private readonly memory: WasmMemory,
    base: number,
  ) {
    const start = align(base);
    const end = memory.buffer.byteLength;
    if (end > start) this.free.push({ start, size: end - start });
  }

  /** Bytes currently allocated. */
  get allocatedBytes(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }

  /** A zero-filled block of at least `bytes` bytes; grows the memory when nothing fits. */
  alloc(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    let i = this.free.findIndex((s) => s.size >= size);
    if (i < 0) {
      this.grow(size);
      i = this.free.findIndex((s) => s.size >= size);
    }
    const span = this.free[i]!;
    const ptr = span.start;
    if (span.size === size) this.free.splice(i, 1);
    else {
      span.start += size;
      span.size -= size;
    }
    this.used.set(ptr, size);
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Returns a block from {@link alloc}; freeing twice or a foreign address throws. */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`Heap.release: ${ptr} is not an allocated block`);
    this.used.delete(ptr);
    this.insert({ start: ptr, size });
  }

  private grow(size: number): void {
    const before = this.memory.buffer.byteLength;
    // At least double (amortised growth), at least enough for the request.
    const pages = Math.max(Math.ceil((size + BLOCK_ALIGN) / PAGE), Math.ceil(before / PAGE));
    this.memory.grow(pages);
    this.insert({ start: before, size: pages * PAGE });
  }

  private insert(span: Span): void {
    let i = 0;
    while (i < this.free.length && this.free[i]!.start < span.start) i++;
    this.free.splice(i, 0, span);
    const next = this.free[i + 1];
    if (next && span.start + span.size === next.start) {
      span.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === span.start) {
      prev.size += span.size;
      this.free.splice(i, 1);
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / BLOCK_ALIGN) * BLOCK_ALIGN;
}
