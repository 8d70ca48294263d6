/**
 * Time helpers: every input (`Date`, ISO string, epoch ms) becomes epoch ms, and back
 * to the two forms EODHD takes (Unix seconds for intraday, `YYYY-MM-DD` for EOD).
 */
import { EodhdError } from './errors.js';
import type { TimeInput } from './types.js';

/** One day in ms. */
export const DAY_MS = 86_400_000;

/**
 * Converts a `Date`, an ISO-8601 string or epoch ms to epoch ms. A date-only string
 * (`2024-01-31`) means 00:00 UTC; a date-time without a zone is rejected, because
 * JavaScript would read it as local time.
 *
 * @example
 * toEpochMs('2024-01-31'); // 1706659200000
 */
export function toEpochMs(value: TimeInput, field = 'time'): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (parseIsoDate(text.slice(0, 10)) === undefined)
      ms = Number.NaN; // e.g. 2024-02-30, which Date.parse rolls over
    else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) ms = Date.parse(`${text}T00:00:00Z`);
    else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text))
      ms = Date.parse(text.replace(' ', 'T'));
    else
      throw new EodhdError(
        'CONFIG',
        `${field}: "${value}" is not an ISO-8601 date or a date-time with a zone (Z or ±hh:mm)`,
        { field },
      );
  } else ms = Number.NaN;
  if (!Number.isFinite(ms))
    throw new EodhdError('CONFIG', `${field}: ${String(value)} is not a valid time`, { field });
  return ms;
}

/** Epoch ms → `YYYY-MM-DD` (the UTC date). */
export function toIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of the UTC day containing `ms`. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** `YYYY-MM-DD` → epoch ms at 00:00 UTC, or `undefined` when the text is not a real date. */
export function parseIsoDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && toIsoDate(ms) === text ? ms : undefined;
}
