/**
 * One versioned checkpoint bundle per model: weights, optimiser moments, normaliser
 * statistics, RNG state, counters, the resolved config and the spaces, as a plain
 * JSON-serialisable object sealed with a checksum. Loading validates the structure, the
 * checksum and every array's length, and fails with `RlError('CHECKPOINT')` naming the field
 * — never with a half-loaded model. This file is the format: its fields, the checksum and the
 * validation; `encode.ts` turns arrays, spaces, optimiser state and replay buffers into its
 * fields, `read.ts` reads them back checked against a model, `files.ts` stores bundles.
 */
import { z } from 'zod';
import { RlError } from '../errors.js';

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
