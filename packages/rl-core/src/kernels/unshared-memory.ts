/**
 * The kernels module rewritten to import an ordinary (unshared) memory, for runtimes without
 * shared memory: a browser page that is not cross-origin isolated has no
 * `SharedArrayBuffer`, and there a module whose memory import is declared `shared` cannot be
 * instantiated. Only the import's limits flag changes (one byte), so the code, and every
 * number it computes, is the same; the kernels then run on the calling thread only.
 */

const IMPORT_SECTION = 2;
const KIND_FUNC = 0;
const KIND_TABLE = 1;
const KIND_MEMORY = 2;
const KIND_GLOBAL = 3;
/** Limits flag bits: 1 = has a maximum, 2 = shared (threads proposal). */
const LIMITS_SHARED = 2;

/**
 * A copy of `bytes` whose memory import is not shared (or `bytes` itself if none is).
 *
 * @example
 * const module = new WebAssembly.Module(withUnsharedMemory(bytes));
 */
export function withUnsharedMemory(bytes: Uint8Array): Uint8Array {
  let at = 8; // magic + version
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[at++]!;
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return result >>> 0;
  };
  const limits = (): number => {
    const flagAt = at;
    const flags = bytes[at++]!;
    u32();
    if (flags & 1) u32();
    return flagAt;
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = u32();
    const end = at + size;
    if (id !== IMPORT_SECTION) {
      at = end;
      continue;
    }
    for (let n = u32(); n > 0; n--) {
      const moduleName = u32();
      at += moduleName;
      const fieldName = u32();
      at += fieldName;
      const kind = bytes[at++]!;
      if (kind === KIND_FUNC) u32();
      else if (kind === KIND_TABLE) {
        at++; // element type
        limits();
      } else if (kind === KIND_MEMORY) {
        const flagAt = limits();
        if (!(bytes[flagAt]! & LIMITS_SHARED)) return bytes;
        const copy = bytes.slice();
        copy[flagAt] = bytes[flagAt]! & ~LIMITS_SHARED;
        return copy;
      } else if (kind === KIND_GLOBAL)
        at += 2; // value type, mutability
      else throw new Error(`withUnsharedMemory: unknown import kind ${kind}`);
    }
    return bytes;
  }
  return bytes;
}
