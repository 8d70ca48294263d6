/**
 * Plumbing shared by PPO and SAC: option parsing with field-naming errors, space
 * comparison and (de)serialisation, episode statistics, and yielding to the event loop.
 */
import type { z } from 'zod';
import { RlError } from '../errors.js';
import type { Space } from '../spaces.js';
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

/** Inverse of {@link encodeSpace}. */
export function decodeSpace(space: EncodedSpace): Space {
  if (space.kind === 'discrete') return { kind: 'discrete', n: space.n };
  return {
    kind: 'box',
    shape: [...space.shape],
    low: Float32Array.from(space.low, decodeNumber),
    high: Float32Array.from(space.high, decodeNumber),
  };
}

/** Why two spaces differ, or `null` if they are the same (bounds compared in float32). */
export function spaceMismatch(a: Space, b: Space): string | null {
  if (a.kind !== b.kind) return `kind ${a.kind} vs ${b.kind}`;
  if (a.kind === 'discrete' || b.kind === 'discrete') {
    return (a as { n: number }).n === (b as { n: number }).n
      ? null
      : `n ${(a as { n: number }).n} vs ${(b as { n: number }).n}`;
  }
  if (a.shape.join(',') !== b.shape.join(',')) return `shape [${a.shape}] vs [${b.shape}]`;
  for (let i = 0; i < a.low.length; i++) {
    if (
      Math.fround(a.low[i]!) !== Math.fround(b.low[i]!) ||
      Math.fround(a.high[i]!) !== Math.fround(b.high[i]!)
    ) {
      return `bounds differ at index ${i}`;
    }
  }
  return null;
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
