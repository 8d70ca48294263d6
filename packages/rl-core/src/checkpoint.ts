/**
 * One versioned checkpoint bundle per model: weights, optimiser moments, normaliser
 * statistics, RNG state, counters, the resolved config and the spaces, as a plain
 * JSON-serialisable object sealed with a checksum. Loading validates the structure, the
 * checksum and every array's length, and fails with `RlError('CHECKPOINT')` naming the field
 * — never with a half-loaded model. Float arrays are little-endian float32 in base64.
 *
 * The file helpers write atomically (temp file, fsync, rename), so a crash mid-write leaves
 * the previous file intact. They reach `node:fs` only when called, through
 * `process.getBuiltinModule` (no `import` a bundler would try to resolve), so rl-core bundles
 * for browsers; there they throw `RlError('UNSUPPORTED')`.
 */
import { z } from 'zod';
import { RlError } from './errors.js';
import { nodeBuiltin } from './kernels/node-builtin.js';
import type { Space } from './spaces.js';

/** The `format` field of every bundle. */
export const CHECKPOINT_FORMAT = 'marlts-rl-checkpoint';
/** The bundle layout version this build writes and reads. */
export const CHECKPOINT_VERSION = 1;
/** This package's version, recorded in bundles (kept equal to package.json by a test). */
export const RL_CORE_VERSION = '0.1.0';

/** A float32 array as base64 with its shape. */
export interface EncodedArray {
  dtype: 'float32';
  shape: number[];
  data: string;
}

/** A space as JSON-safe data (non-finite bounds as strings). */
export type EncodedSpace =
  | { kind: 'discrete'; n: number }
  | { kind: 'box'; shape: number[]; low: Array<number | string>; high: Array<number | string> };

const encodeNumber = (x: number): number | string => (Number.isFinite(x) ? x : String(x));
const decodeNumber = (x: number | string): number => (typeof x === 'number' ? x : Number(x));

/** @example encodeSpace(discrete(2)) // { kind: 'discrete', n: 2 } */
export function encodeSpace(space: Space): EncodedSpace {
  if (space.kind === 'discrete') return { kind: 'discrete', n: space.n };
  return {
    kind: 'box',
    shape: [...space.shape],
    low: Array.from(space.low, encodeNumber),
    high: Array.from(space.high, encodeNumber),
  };
}

/**
 * Inverse of {@link encodeSpace}.
 * @example
 * decodeSpace({ kind: 'discrete', n: 2 }); // discrete(2)
 */
export function decodeSpace(space: EncodedSpace): Space {
  if (space.kind === 'discrete') return { kind: 'discrete', n: space.n };
  return {
    kind: 'box',
    shape: [...space.shape],
    low: Float32Array.from(space.low, decodeNumber),
    high: Float32Array.from(space.high, decodeNumber),
  };
}

/** Adam's state in a bundle. */
export interface EncodedAdamState {
  step: number;
  m: EncodedArray[];
  v: EncodedArray[];
}

/** A SAC replay buffer in a bundle (`sac.save({ replayBuffer: true })`): stored rows and write position. */
export interface EncodedReplayBuffer {
  capacity: number;
  pos: number;
  size: number;
  obs: EncodedArray;
  actions: EncodedArray;
  rewards: EncodedArray;
  nextObs: EncodedArray;
  dones: EncodedArray;
}

/** The checkpoint bundle (plain data; `JSON.stringify` it or use {@link saveCheckpointFile}). */
export interface CheckpointBundle {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  algo: 'ppo' | 'sac';
  rlCoreVersion: string;
  createdAt: string;
  config: Record<string, unknown>;
  spaces: { observation: EncodedSpace; action: EncodedSpace };
  weights: Record<string, EncodedArray>;
  optimizers: Record<string, EncodedAdamState>;
  normalizers: Record<string, unknown>;
  rng: number[];
  timesteps: number;
  /** Algorithm counters (updates, iterations, entropy coefficient …). */
  state: Record<string, unknown>;
  /** SAC only, when saved with `{ replayBuffer: true }`. */
  replayBuffer?: EncodedReplayBuffer;
  /** `cyrb53:<hex>` over the canonical JSON of every other field. */
  checksum: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    chunk +=
      B64[(n >> 18) & 63]! +
      B64[(n >> 12) & 63]! +
      (i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=') +
      (i + 2 < bytes.length ? B64[n & 63]! : '=');
    if (chunk.length > 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

function base64ToBytes(s: string, field: string): Uint8Array {
  if (s.length % 4 !== 0)
    throw new RlError('CHECKPOINT', `${field}: base64 length is not a multiple of 4`, { field });
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      const v = c === 61 ? 0 : c < 128 ? B64_INDEX[c]! : -1;
      if (v < 0) throw new RlError('CHECKPOINT', `${field}: invalid base64`, { field });
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/**
 * @example
 * encodeFloat32(new Float32Array([1, 2]), [2]); // { dtype: 'float32', shape: [2], data: 'AACAPwAAAEA=' }
 */
export function encodeFloat32(
  values: Float32Array,
  shape: readonly number[] = [values.length],
): EncodedArray {
  const copy = values.slice();
  return { dtype: 'float32', shape: [...shape], data: bytesToBase64(new Uint8Array(copy.buffer)) };
}

/**
 * Decodes an {@link EncodedArray}, checking its length against its shape (and `expectedLength`).
 * @example
 * decodeFloat32(bundle.weights.policy!, 'weights.policy', 4610);
 */
export function decodeFloat32(encoded: EncodedArray, field: string, expectedLength?: number): Float32Array {
  const bytes = base64ToBytes(encoded.data, field);
  if (bytes.length % 4 !== 0)
    throw new RlError('CHECKPOINT', `${field}: byte length not a multiple of 4`, { field });
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4).slice();
  const size = encoded.shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    throw new RlError('CHECKPOINT', `${field}: ${values.length} values but shape [${encoded.shape}]`, {
      field,
    });
  }
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new RlError('CHECKPOINT', `${field}: ${values.length} values, the model needs ${expectedLength}`, {
      field,
    });
  }
  return values;
}

/** JSON with object keys sorted, so the checksum does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** cyrb53 (a fast 53-bit string hash): detects corruption, not tampering. */
function cyrb53(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/**
 * The checksum of a bundle (every field except `checksum`).
 * @example
 * checkpointChecksum(bundle) === bundle.checksum
 */
export function checkpointChecksum(
  bundle: Omit<CheckpointBundle, 'checksum'> & { checksum?: string },
): string {
  const { checksum: _ignored, ...rest } = bundle;
  return `cyrb53:${cyrb53(canonicalJson(rest))}`;
}

/** Adds the checksum (used by `save()`). */
export function sealCheckpoint(bundle: Omit<CheckpointBundle, 'checksum'>): CheckpointBundle {
  return { ...bundle, checksum: checkpointChecksum(bundle) };
}

const encodedArraySchema = z.object({
  dtype: z.literal('float32'),
  shape: z.array(z.number().int().nonnegative()),
  data: z.string(),
});
const encodedSpaceSchema = z.union([
  z.object({ kind: z.literal('discrete'), n: z.number().int().positive() }),
  z.object({
    kind: z.literal('box'),
    shape: z.array(z.number().int().positive()),
    low: z.array(z.union([z.number(), z.string()])),
    high: z.array(z.union([z.number(), z.string()])),
  }),
]);
const bundleSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.number().int(),
  algo: z.enum(['ppo', 'sac']),
  rlCoreVersion: z.string(),
  createdAt: z.string(),
  config: z.record(z.string(), z.unknown()),
  spaces: z.object({ observation: encodedSpaceSchema, action: encodedSpaceSchema }),
  weights: z.record(z.string(), encodedArraySchema),
  optimizers: z.record(
    z.string(),
    z.object({
      step: z.number().int().nonnegative(),
      m: z.array(encodedArraySchema),
      v: z.array(encodedArraySchema),
    }),
  ),
  normalizers: z.record(z.string(), z.unknown()),
  rng: z.array(z.number().int()).length(4),
  timesteps: z.number().int().nonnegative(),
  state: z.record(z.string(), z.unknown()),
  replayBuffer: z
    .object({
      capacity: z.number().int().positive(),
      pos: z.number().int().nonnegative(),
      size: z.number().int().nonnegative(),
      obs: encodedArraySchema,
      actions: encodedArraySchema,
      rewards: encodedArraySchema,
      nextObs: encodedArraySchema,
      dones: encodedArraySchema,
    })
    .optional(),
  checksum: z.string(),
});

/**
 * Validates a bundle's structure, format, version, algorithm and checksum.
 * Throws `RlError('CHECKPOINT')` whose `field` names the offending field.
 *
 * @example
 * const bundle = validateCheckpoint(JSON.parse(text), 'ppo');
 */
export function validateCheckpoint(bundle: unknown, algo?: 'ppo' | 'sac'): CheckpointBundle {
  const parsed = bundleSchema.safeParse(bundle);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'bundle';
    throw new RlError('CHECKPOINT', `checkpoint: invalid field "${field}": ${issue?.message ?? 'invalid'}`, {
      field,
    });
  }
  const b = parsed.data as CheckpointBundle;
  if (b.version !== CHECKPOINT_VERSION) {
    throw new RlError(
      'CHECKPOINT',
      `checkpoint: version ${b.version} is not supported by rl-core ${RL_CORE_VERSION} (reads version ${CHECKPOINT_VERSION})`,
      { field: 'version' },
    );
  }
  if (algo !== undefined && b.algo !== algo) {
    throw new RlError('CHECKPOINT', `checkpoint: holds a ${b.algo} model, not ${algo}`, { field: 'algo' });
  }
  const sum = checkpointChecksum(b);
  if (sum !== b.checksum) {
    throw new RlError(
      'CHECKPOINT',
      `checkpoint: checksum mismatch (stored ${b.checksum}, computed ${sum}): corrupted`,
      {
        field: 'checksum',
      },
    );
  }
  return b;
}

type Fs = typeof import('node:fs/promises');

/** `node:fs/promises` (Node, Deno, Bun), or `RlError('UNSUPPORTED')` where there is no file system. */
function fileSystem(caller: string): Fs {
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  if (fs) return fs;
  throw new RlError(
    'UNSUPPORTED',
    `${caller} needs a file system (Node ≥ 20.16, Deno or Bun) and this runtime has none (a browser?). ` +
      'Keep the bundle yourself instead: model.save() returns plain JSON to store anywhere ' +
      '(IndexedDB, a download, a server), and Ppo.load/Sac.load take it back.',
    { field: 'path' },
  );
}

/**
 * Writes a bundle as JSON atomically: a temp file in the same folder, fsync, rename.
 * The bundle is validated first, so an invalid bundle never reaches the disk. Where there
 * is no file system (a browser) it rejects with `RlError('UNSUPPORTED')`.
 *
 * @example
 * await saveCheckpointFile('runs/ppo.json', ppo.save());
 */
export async function saveCheckpointFile(path: string, bundle: CheckpointBundle): Promise<void> {
  validateCheckpoint(bundle);
  const fs = fileSystem('saveCheckpointFile');
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(bundle));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, path);
  } catch (cause) {
    await fs.rm(tmp, { force: true });
    throw cause;
  }
}

/**
 * Reads and validates a bundle written by {@link saveCheckpointFile} (checksum included);
 * `RlError('UNSUPPORTED')` where there is no file system (a browser).
 * @example
 * const ppo = Ppo.load(await loadCheckpointFile('runs/ppo.json'), { env });
 */
export async function loadCheckpointFile(path: string): Promise<CheckpointBundle> {
  const fs = fileSystem('loadCheckpointFile');
  const text = await fs.readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RlError('CHECKPOINT', `checkpoint file ${path} is not valid JSON`, { field: 'file', cause });
  }
  return validateCheckpoint(json);
}
