/**
 * Content hashes for the run store: a config is stored under the hash of its stable
 * JSON, and a checkpoint file under the hash of its bytes.
 */
import { createHash } from 'node:crypto';

/**
 * SHA-256 of a string or buffer, hex.
 *
 * @example
 * sha256('abc'); // 'ba7816bf…'
 */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Stable JSON (sorted keys) so equal configs hash equally.
 *
 * @example
 * stableJson({ b: 1, a: 2 }); // '{"a":2,"b":1}'
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
