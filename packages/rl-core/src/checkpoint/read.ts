/**
 * Reading a bundle's parts into a model: each checked against what the model needs (the env's
 * spaces, the number of weights, the optimiser's tensors), so a mismatch is
 * `RlError('CHECKPOINT')` naming the field before anything is half-loaded.
 */
import { RlError } from '../errors.js';
import type { AdamState } from '../optim/adam.js';
import { type Space, spaceMismatch } from '../spaces.js';
import type { CheckpointBundle } from './bundle.js';
import { decodeFloat32, decodeSpace } from './encode.js';

/**
 * A bundle's spaces, checked against `env`'s when one is given: a mismatch is
 * `RlError('CHECKPOINT')` naming `spaces.observation` or `spaces.action`.
 *
 * @example
 * const { observationSpace, actionSpace } = bundleSpaces(bundle, options.env, 'Ppo.load');
 */
export function bundleSpaces(
  b: CheckpointBundle,
  env: { observationSpace: Space; actionSpace: Space } | undefined,
  who: string,
): { observationSpace: Space; actionSpace: Space } {
  const observationSpace = decodeSpace(b.spaces.observation);
  const actionSpace = decodeSpace(b.spaces.action);
  if (env) {
    for (const [name, a, e] of [
      ['observation', observationSpace, env.observationSpace],
      ['action', actionSpace, env.actionSpace],
    ] as const) {
      const why = spaceMismatch(a, e);
      if (why) {
        throw new RlError(
          'CHECKPOINT',
          `${who}: the env's ${name} space differs from the checkpoint's (${why})`,
          {
            field: `spaces.${name}`,
          },
        );
      }
    }
  }
  return { observationSpace, actionSpace };
}

/**
 * `weights.<name>` of a bundle: present, `size` values, all finite, else `RlError('CHECKPOINT')` naming it.
 *
 * @example
 * const w = bundleWeights(bundle, 'policy', policy.size, 'Ppo.load');
 */
export function bundleWeights(b: CheckpointBundle, name: string, size: number, who: string): Float32Array {
  const field = `weights.${name}`;
  const enc = b.weights[name];
  if (!enc) throw new RlError('CHECKPOINT', `${who}: ${field} is missing`, { field });
  const w = decodeFloat32(enc, field, size);
  if (!w.every(Number.isFinite))
    throw new RlError('CHECKPOINT', `${who}: ${field} has non-finite values`, { field });
  return w;
}

/**
 * `optimizers.<name>` of a bundle as Adam state, each moment checked against `sizes` (one
 * entry per tensor); `RlError('CHECKPOINT')` naming the field when missing or mis-sized.
 *
 * @example
 * optimizer.setState(bundleAdamState(bundle, 'policy', [policy.size], 'Ppo.load'));
 */
export function bundleAdamState(
  b: CheckpointBundle,
  name: string,
  sizes: readonly number[],
  who: string,
): AdamState {
  const field = `optimizers.${name}`;
  const o = b.optimizers[name];
  if (!o) throw new RlError('CHECKPOINT', `${who}: ${field} is missing`, { field });
  if (o.m.length !== sizes.length || o.v.length !== sizes.length) {
    throw new RlError('CHECKPOINT', `${who}: ${field} has ${o.m.length} tensors, expected ${sizes.length}`, {
      field,
    });
  }
  return {
    step: o.step,
    m: o.m.map((x, i) => decodeFloat32(x, `${field}.m.${i}`, sizes[i]!)),
    v: o.v.map((x, i) => decodeFloat32(x, `${field}.v.${i}`, sizes[i]!)),
  };
}
