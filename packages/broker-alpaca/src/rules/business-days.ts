/**
 * Business-day arithmetic for the legacy pattern-day-trader window ("4 or more
 * day trades within 5 business days"). A business day is a New York weekday
 * that is not in the caller's holiday list.
 */
import { addDays, nyDate, weekdayOf } from './ny-time.js';

/** Options shared by the business-day helpers. */
export interface BusinessDayOptions {
  /** Exchange holidays as `YYYY-MM-DD`; weekends are always skipped. */
  holidays?: Iterable<string>;
}

/**
 * True when `date` (`YYYY-MM-DD`) is a weekday and not a holiday.
 * @example
 * isBusinessDay('2026-11-21'); // false (Saturday)
 */
export function isBusinessDay(date: string, options: BusinessDayOptions = {}): boolean {
  const wd = weekdayOf(date);
  if (wd === 0 || wd === 6) return false;
  if (options.holidays) for (const h of options.holidays) if (h === date) return false;
  return true;
}

/**
 * The last `n` business days ending with the New York date of `now` (that day
 * included when it is itself a business day), oldest first.
 * @example
 * // Monday 2026-11-23: Tue 17 … Mon 23 (the weekend is skipped)
 * lastBusinessDays(Date.parse('2026-11-23T15:00:00Z'), 5);
 * // ['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-23']
 */
export function lastBusinessDays(now: number, n: number, options: BusinessDayOptions = {}): string[] {
  const holidays = options.holidays ? [...options.holidays] : [];
  const out: string[] = [];
  let date = nyDate(now);
  // 10 000 calendar days is far beyond any sane window; it only guards a bad holiday list.
  for (let guard = 0; out.length < n && guard < 10_000; guard++) {
    if (isBusinessDay(date, { holidays })) out.unshift(date);
    date = addDays(date, -1);
  }
  return out;
}
