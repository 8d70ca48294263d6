/**
 * Gymnasium-style action and observation spaces as plain data, so any package can
 * produce them structurally (market-env does) without importing rl-core.
 */
import type { Rng } from './random.js';

/** A box of real vectors, `low <= x <= high` element-wise. Gymnasium's `Box`. */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: ArrayLike<number>;
  readonly high: ArrayLike<number>;
}

/** Integers `0 … n-1`. Gymnasium's `Discrete`. */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}

/** A space an env declares for its observations or actions. */
export type Space = BoxSpace | DiscreteSpace;

/**
 * Builds a box; scalar bounds are broadcast to the shape.
 * @example
 * box({ shape: [3], low: -2, high: 2 })
 */
export function box(options: {
  shape: readonly number[];
  low: number | ArrayLike<number>;
  high: number | ArrayLike<number>;
}): BoxSpace {
  const size = spaceSize({ kind: 'box', shape: options.shape, low: [], high: [] });
  const fill = (v: number | ArrayLike<number>) =>
    typeof v === 'number' ? new Float32Array(size).fill(v) : Float32Array.from(v as ArrayLike<number>);
  const low = fill(options.low);
  const high = fill(options.high);
  if (low.length !== size || high.length !== size) {
    throw new RangeError(`box: low/high have ${low.length}/${high.length} values, shape needs ${size}`);
  }
  return { kind: 'box', shape: [...options.shape], low, high };
}

/**
 * @example
 * discrete(2) // CartPole's actions
 */
export function discrete(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`discrete: n must be a positive integer, got ${n}`);
  return { kind: 'discrete', n };
}

/** Number of scalars in one element: product of the shape for a box, 1 for discrete. */
export function spaceSize(space: Space): number {
  return space.kind === 'discrete' ? 1 : space.shape.reduce((a, b) => a * b, 1);
}

/** True if `x` lies in the space (finite, in bounds, right length / integer). */
export function spaceContains(space: Space, x: number | ArrayLike<number>): boolean {
  if (space.kind === 'discrete') return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < space.n;
  if (typeof x === 'number') return false;
  if (x.length !== spaceSize(space)) return false;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v) || v < space.low[i]! || v > space.high[i]!) return false;
  }
  return true;
}

/** A uniform sample (box bounds must be finite; infinite bounds sample a standard normal). */
export function sampleSpace(space: Space, rng: Rng): number | Float32Array {
  if (space.kind === 'discrete') return rng.int(space.n);
  const out = new Float32Array(spaceSize(space));
  for (let i = 0; i < out.length; i++) {
    const lo = space.low[i]!;
    const hi = space.high[i]!;
    out[i] = Number.isFinite(lo) && Number.isFinite(hi) ? rng.uniform(lo, hi) : rng.normal();
  }
  return out;
}

/**
 * Why two spaces differ, or `null` if they are the same (bounds compared in float32).
 * @example
 * spaceMismatch(discrete(2), discrete(3)); // 'n 2 vs 3'
 */
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
