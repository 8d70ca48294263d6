/**
 * Wire formatting: Alpaca's trading API sends every decimal as a JSON string
 * with trailing zeros dropped (`"9264.8"`, `"0"`) and timestamps as RFC 3339 UTC.
 */

/**
 * A decimal string as Alpaca writes it: at most 9 fractional digits, no trailing zeros, no `-0`.
 * @example
 * dec(412.4680); // '412.468'
 */
export function dec(n: number): string {
  const r = Number(n.toFixed(9));
  if (r === 0) return '0';
  if (Number.isInteger(r) && Math.abs(r) < 1e21) return r.toFixed(0);
  return String(r);
}

/** A nullable decimal string. */
export function decOrNull(n: number | null | undefined): string | null {
  return n === null || n === undefined ? null : dec(n);
}

/** RFC 3339 UTC with millisecond precision (`Z`), or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** Round to `digits` decimals (money math stays readable in JSON). */
export function round(n: number, digits = 9): number {
  return Number(n.toFixed(digits));
}
