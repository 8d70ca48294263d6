/**
 * The JSON forms a checkpoint bundle holds: float arrays as little-endian float32 in base64
 * with their shape, spaces with non-finite bounds as strings, Adam's state, and SAC's replay
 * buffer.
 */

import type { ReplayBufferState } from '../buffers/replay-buffer.js';
import { RlError } from '../errors.js';
import type { AdamState } from '../optim/adam.js';
import type { Space } from '../spaces.js';
import type { EncodedAdamState, EncodedArray, EncodedReplayBuffer, EncodedSpace } from './bundle.js';

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

/**
 * Adam's state as bundle fields (one encoded array per tensor).
 * @example
 * bundle.optimizers.policy = encodeAdamState(adam.getState());
 */
export function encodeAdamState(state: AdamState): EncodedAdamState {
  return {
    step: state.step,
    m: state.m.map((x) => encodeFloat32(x)),
    v: state.v.map((x) => encodeFloat32(x)),
  };
}

/**
 * A replay buffer's stored rows and write position as bundle fields.
 * @example
 * const encoded = encodeReplayBuffer(replay.getState());
 */
export function encodeReplayBuffer(s: ReplayBufferState): EncodedReplayBuffer {
  return {
    capacity: s.capacity,
    pos: s.pos,
    size: s.size,
    obs: encodeFloat32(s.obs, [s.size, s.obsDim]),
    actions: encodeFloat32(s.actions, [s.size, s.actDim]),
    rewards: encodeFloat32(s.rewards),
    nextObs: encodeFloat32(s.nextObs, [s.size, s.obsDim]),
    dones: encodeFloat32(s.dones),
  };
}

/**
 * Inverse of {@link encodeReplayBuffer} for a model's dimensions; a length that does not fit
 * throws `RlError('CHECKPOINT')` naming the field.
 * @example
 * replay.setState(decodeReplayBuffer(bundle.replayBuffer, obsDim, actDim));
 */
export function decodeReplayBuffer(
  rb: EncodedReplayBuffer,
  obsDim: number,
  actDim: number,
): ReplayBufferState {
  const dec = (name: 'obs' | 'actions' | 'rewards' | 'nextObs' | 'dones', dim: number) =>
    decodeFloat32(rb[name], `replayBuffer.${name}`, rb.size * dim);
  return {
    capacity: rb.capacity,
    obsDim,
    actDim,
    pos: rb.pos,
    size: rb.size,
    obs: dec('obs', obsDim),
    actions: dec('actions', actDim),
    rewards: dec('rewards', 1),
    nextObs: dec('nextObs', obsDim),
    dones: dec('dones', 1),
  };
}
