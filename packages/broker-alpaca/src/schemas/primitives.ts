/**
 * The one place where Alpaca's wire values become JavaScript values. The Trading API sends
 * money, prices and quantities as decimal strings (`"qty": "10"`): decimal strings (or, in some mocks, numbers) become finite numbers, `null`/absent stays
 * `null`, and timestamps stay RFC 3339 strings (they can carry 9 fractional digits, which
 * `Date` would cut to milliseconds). Objects from Alpaca keep the exact wire object in `raw`.
 */
import { z } from 'zod';
import { nyParts, nyWallToUtc } from '../rules/ny-time.js';

const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A required decimal: `"412.468"` or `412.468` → `412.468`.
 * @example
 * decimal.parse('-8612.5'); // -8612.5
 */
export const decimal = z.union([z.string(), z.number()]).transform((v, ctx): number => {
  const n = typeof v === 'number' ? v : DECIMAL_RE.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a decimal number, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

/**
 * An optional decimal: `null`, absent or `""` → `null`.
 * @example
 * nullableDecimal.parse(null); // null
 */
export const nullableDecimal = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx): number | null => {
    if (v === null || v === undefined || v === '') return null;
    const r = decimal.safeParse(v);
    if (!r.success) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a decimal number or null, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return r.data;
  });

/** A nullable string (absent → `null`). */
export const nullableString = z
  .string()
  .nullish()
  .transform((v): string | null => v ?? null);

/** A boolean that may be absent (→ `null`). */
export const nullableBoolean = z
  .boolean()
  .nullish()
  .transform((v): boolean | null => v ?? null);

/** A boolean that may be absent (→ `false`). */
export const flag = z
  .boolean()
  .nullish()
  .transform((v): boolean => v ?? false);

/**
 * Milliseconds since the epoch from an RFC 3339 string with 0–9 fractional digits and a
 * `Z` or `±HH:MM` offset, or `YYYY-MM-DD` (UTC midnight). Returns NaN when unparsable.
 * @example
 * parseTimestamp('2026-11-18T14:35:02.118843921Z'); // 1795012502118
 */
export function parseTimestamp(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(
    text.trim(),
  );
  if (!m) return Number.NaN;
  const [, date, time, frac, zone] = m;
  if (time === undefined) return Date.parse(`${date}T00:00:00Z`);
  const ms = frac === undefined ? '' : `.${frac.slice(0, 3).padEnd(3, '0')}`;
  const tz =
    zone === undefined
      ? 'Z'
      : zone.toUpperCase() === 'Z'
        ? 'Z'
        : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}${ms}${tz}`);
}

/**
 * Format a number as a plain decimal string for the wire (no exponent, at most
 * `maxDecimals` digits after the point, trailing zeros dropped). Strings pass through.
 * @example
 * toDecimalString(1e-7); // '0.0000001'
 */
export function toDecimalString(value: number | string, maxDecimals = 9): string {
  if (typeof value === 'string') return value.trim();
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const fixed = value.toFixed(maxDecimals);
  const trimmed = fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}

/**
 * True when `text` is a plain decimal string (digits, optional point, optional sign).
 * @example
 * isPlainDecimal('10.25'); // true
 */
export function isPlainDecimal(text: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim());
}

/** Number of digits after the decimal point of a plain decimal string. */
export function decimalPlaces(text: string): number {
  const t = text.trim().replace(/^[+-]/, '');
  const i = t.indexOf('.');
  return i < 0 ? 0 : t.slice(i + 1).replace(/0+$/, '').length;
}

/**
 * The UTC offset in minutes of America/New_York at the given instant (−300 EST, −240 EDT).
 * Uses the ICU time zone data, never a fixed offset: Alpaca's calendar times are bare New York
 * wall times (`"09:30"`), EST −05:00 in winter and EDT −04:00 in summer.
 */
export function newYorkOffsetMinutes(utcMs: number): number {
  return nyParts(utcMs).offsetMinutes;
}

/**
 * Epoch ms of a New York wall time (`date` `YYYY-MM-DD`, `time` `HH:MM` or `HHMM`).
 * @example
 * newYorkWallTimeToMs('2026-11-20', '09:30'); // 2026-11-20T14:30:00Z
 */
export function newYorkWallTimeToMs(date: string, time: string): number {
  const t = time.includes(':') ? time : `${time.slice(0, 2)}:${time.slice(2, 4)}`;
  const m = /^(\d{2}):(\d{2})$/.exec(t);
  if (!m || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !Number.isFinite(Date.parse(`${date}T00:00:00Z`)))
    return Number.NaN;
  return nyWallToUtc(date, Number(m[1]), Number(m[2]));
}
