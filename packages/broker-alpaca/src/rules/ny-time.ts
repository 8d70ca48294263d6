/**
 * New York wall-time helpers. US equity sessions, business days and Alpaca's
 * `/v2/clock` offsets are all defined in America/New_York; a fixed −05:00 is
 * wrong half the year, so every conversion goes through `Intl` (full ICU ships
 * with Node ≥ 13).
 */

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
});

/** The parts of an instant as read on a New York wall clock. */
export interface NyParts {
  /** `YYYY-MM-DD` */
  date: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** Offset from UTC in minutes, e.g. −300 (EST) or −240 (EDT). */
  offsetMinutes: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Read `ms` (UTC epoch milliseconds) on a New York wall clock.
 * @example
 * nyParts(Date.parse('2026-11-20T15:31:00Z')).hour; // 10
 */
export function nyParts(ms: number): NyParts {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
    offsetMinutes,
  };
}

/**
 * The New York calendar date (`YYYY-MM-DD`) of an instant.
 * @example
 * nyDate(Date.parse('2026-11-21T03:00:00Z')); // '2026-11-20' (22:00 in New York)
 */
export function nyDate(ms: number): string {
  return nyParts(ms).date;
}

/**
 * The UTC instant of a New York wall time on a date (DST-correct).
 * @example
 * new Date(nyWallToUtc('2026-07-01', 9, 30)).toISOString(); // '2026-07-01T13:30:00.000Z'
 */
export function nyWallToUtc(date: string, hour: number, minute = 0): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, hour, minute);
  // Two passes settle the offset even across a DST switch.
  let ms = guess - nyParts(guess).offsetMinutes * 60_000;
  ms = guess - nyParts(ms).offsetMinutes * 60_000;
  return ms;
}

/**
 * Format an instant as RFC 3339 with the New York offset, as `/v2/clock` does.
 * @example
 * nyIso(Date.parse('2026-11-20T15:31:07Z')); // '2026-11-20T10:31:07-05:00'
 */
export function nyIso(ms: number): string {
  const p = nyParts(ms);
  const sign = p.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(p.offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.date}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Add `days` calendar days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Day of week of a `YYYY-MM-DD` date, 0 = Sunday. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
