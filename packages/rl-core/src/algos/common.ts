/**
 * Plumbing shared by PPO and SAC: option parsing with field-naming errors, reading
 * checkpoint bundles (spaces, weights, Adam state) with errors that name the field, episode
 * statistics, and yielding to the event loop.
 */
import type { z } from 'zod';
import { type CheckpointBundle, decodeFloat32, decodeSpace } from '../checkpoint.js';
import { RlError } from '../errors.js';
import type { AdamState } from '../optim/adam.js';
import { type Space, spaceMismatch } from '../spaces.js';
import type { EpisodeInfo } from '../vec-env.js';

/** Parses `input` with `schema`; a failure becomes `RlError('CONFIG')` naming the field. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'options';
    throw new RlError('CONFIG', `${what}: invalid option "${field}": ${issue?.message ?? 'invalid'}`, {
      field,
    });
  }
  return parsed.data;
}

/** Monitor-style statistics over the last `window` finished episodes. */
export class EpisodeStats {
  private readonly rewards: number[] = [];
  private readonly lengths: number[] = [];
  /** Episodes finished since construction. */
  count = 0;
  constructor(private readonly window = 100) {}

  add(info: unknown): void {
    const ep = info as EpisodeInfo | undefined;
    if (!ep || typeof ep.reward !== 'number') return;
    this.rewards.push(ep.reward);
    this.lengths.push(ep.length);
    if (this.rewards.length > this.window) {
      this.rewards.shift();
      this.lengths.shift();
    }
    this.count++;
  }

  /** Mean episode return over the window (NaN before the first episode). */
  get meanReward(): number {
    return this.rewards.length ? this.rewards.reduce((a, b) => a + b, 0) / this.rewards.length : Number.NaN;
  }

  get meanLength(): number {
    return this.lengths.length ? this.lengths.reduce((a, b) => a + b, 0) / this.lengths.length : Number.NaN;
  }
}

/** Lets timers and I/O run between training iterations. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Throws `RlError('STATE')` after `dispose()`. */
export function assertAlive(disposed: boolean, what: string): void {
  if (disposed) throw new RlError('STATE', `${what} was disposed`);
}

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

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
  if (firstNonFinite(w) >= 0)
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
