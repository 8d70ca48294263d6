/**
 * Tolerance comparison of {@link VectorCheck}s, and the tolerances of test/vectors/README.md.
 */
import type { VectorCheck, VectorMismatch } from './types.js';

/**
 * Tolerances from test/vectors/README.md (`|a − e| <= atol + rtol·|e|`).
 * @example
 * const check = { label: 'x', actual: [1], expected: [1], ...VECTOR_TOLERANCES.float64 };
 */
export const VECTOR_TOLERANCES = {
  /** A float64 implementation against float64 expectations. */
  float64: { rtol: 1e-9, atol: 1e-12 },
  /** Float32 arithmetic emulated op by op with Math.fround (GAE's SB3 float32 buffer): bit-exact. */
  float32Exact: { rtol: 0, atol: 0 },
  /** A float32 (TF.js or float32-emulating) implementation. */
  float32: { rtol: 1e-5, atol: 1e-5 },
  /** Float32 over long GAE horizons and Pendulum-scale values. */
  float32Loose: { rtol: 1e-5, atol: 1e-4 },
} as const;

/**
 * Every element that misses its tolerance (lengths that differ count as one mismatch).
 * NaN matches NaN; booleans should be passed as 0/1.
 *
 * @example
 * const bad = compareChecks([{ label: 'x', actual: [1], expected: [1 + 1e-12], rtol: 1e-9, atol: 0 }]);
 * bad.length; // 0
 */
export function compareChecks(checks: readonly VectorCheck[]): VectorMismatch[] {
  const out: VectorMismatch[] = [];
  for (const c of checks) {
    const a = typeof c.actual === 'number' ? [c.actual] : c.actual;
    const e = typeof c.expected === 'number' ? [c.expected] : c.expected;
    if (a.length !== e.length) {
      out.push({
        label: `${c.label} (length)`,
        index: -1,
        actual: a.length,
        expected: e.length,
        diff: NaN,
        allowed: 0,
      });
      continue;
    }
    for (let i = 0; i < a.length; i++) {
      const av = a[i]!;
      const ev = e[i]!;
      if (Number.isNaN(ev) && Number.isNaN(av)) continue;
      const diff = Math.abs(av - ev);
      const allowed = c.atol + c.rtol * Math.abs(ev);
      if (!(diff <= allowed)) out.push({ label: c.label, index: i, actual: av, expected: ev, diff, allowed });
    }
  }
  return out;
}

/**
 * A readable multi-line report of mismatches (first `limit` lines).
 *
 * @example
 * if (bad.length) throw new Error(formatMismatches(bad));
 */
export function formatMismatches(mismatches: readonly VectorMismatch[], limit = 20): string {
  const lines = mismatches
    .slice(0, limit)
    .map(
      (m) =>
        `${m.label}[${m.index}]: actual ${m.actual}, expected ${m.expected} (|diff| ${m.diff.toExponential(3)} > ${m.allowed.toExponential(3)})`,
    );
  if (mismatches.length > limit) lines.push(`… and ${mismatches.length - limit} more`);
  return lines.join('\n');
}
