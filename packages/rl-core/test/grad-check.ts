/**
 * Test helper: central finite differences of a float64 function, to check tfjs gradients
 * of the tensor-level maths against the (vector-verified) array-level maths.
 */

/** d f / d x_i for every i, by central differences with step `h`. */
export function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const out = new Float64Array(x.length);
  const xp = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const x0 = xp[i]!;
    xp[i] = x0 + h;
    const fp = f(xp);
    xp[i] = x0 - h;
    const fm = f(xp);
    xp[i] = x0;
    out[i] = (fp - fm) / (2 * h);
  }
  return out;
}

/** The sum of a Float64Array (to turn a per-sample function into a scalar). */
export function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/** The backends every tensor-level test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
