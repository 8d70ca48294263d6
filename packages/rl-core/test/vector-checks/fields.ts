/**
 * Typed access to the JSON fields of a vector case, with errors that name the file, case
 * and field when a file is malformed.
 */
import { RlError } from '../../src/errors.js';
import type { VectorCase } from './types.js';

function fail(c: VectorCase, field: string, what: string): never {
  throw new RlError('VECTORS', `vector case "${c.name}": field "${field}" ${what}`, { field });
}

/**
 * A nested object field (e.g. `expected`), named `case.field` in later errors.
 * @example
 * const e = obj(c, 'expected');
 */
export function obj(c: VectorCase, field: string): VectorCase {
  const v = c[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(c, field, 'must be an object');
  return { ...(v as Record<string, unknown>), name: `${c.name}.${field}` };
}

/**
 * A number field (booleans read as 0/1); anything else throws `RlError('VECTORS')`.
 * @example
 * const gamma = num(c, 'gamma');
 */
export function num(c: VectorCase, field: string): number {
  const v = c[field];
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return fail(c, field, 'must be a number');
}

/**
 * A number, or `null` when the JSON holds null.
 * @example
 * const clipVf = numOrNull(c, 'clip_range_vf');
 */
export function numOrNull(c: VectorCase, field: string): number | null {
  return c[field] === null ? null : num(c, field);
}

/**
 * True when the field exists.
 * @example
 * if (has(c, 'raw_rewards')) checkPipeline(c);
 */
export function has(c: VectorCase, field: string): boolean {
  return c[field] !== undefined;
}

/**
 * A (possibly nested) array of numbers or booleans flattened row-major into a Float64Array.
 * @example
 * flat({ name: 'c', x: [[1, 2], [3, 4]] }, 'x'); // Float64Array [1, 2, 3, 4]
 */
export function flat(c: VectorCase, field: string): Float64Array {
  const v = c[field];
  if (!Array.isArray(v)) fail(c, field, 'must be an array');
  const out: number[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const y of x) walk(y);
    else if (typeof x === 'number') out.push(x);
    else if (typeof x === 'boolean') out.push(x ? 1 : 0);
    else fail(c, field, `holds a non-numeric value ${JSON.stringify(x)}`);
  };
  walk(v);
  return Float64Array.from(out);
}

/**
 * A flattened array, or `null` when the JSON holds null.
 * @example
 * const entropy = flatOrNull(c, 'entropy');
 */
export function flatOrNull(c: VectorCase, field: string): Float64Array | null {
  return c[field] === null ? null : flat(c, field);
}

/**
 * The shape of a nested array field, e.g. `[B, D]`.
 * @example
 * shapeOf({ name: 'c', mean: [[1, 2, 3]] }, 'mean'); // [1, 3]
 */
export function shapeOf(c: VectorCase, field: string): number[] {
  const shape: number[] = [];
  let v = c[field];
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  if (shape.length === 0) fail(c, field, 'must be an array');
  return shape;
}
