/**
 * Maps validated EODHD rows to `Bar`s. Nothing is invented: a row with a missing
 * price is skipped and counted; a missing volume becomes 0 and is counted too.
 * Intraday `time` comes from the Unix `timestamp` (bar start, UTC). The zone-less
 * `datetime` is used only when `timestamp` is missing, read explicitly as UTC.
 */
import type { BulkEodRow, EodRow, IntradayRow } from './schemas.js';
import { parseIsoDate } from './time.js';
import type { Bar, EodBar } from './types.js';

/** What a mapping dropped or patched. */
export interface MapReport {
  /** Rows dropped because open/high/low/close (or the time) was null, `"NA"` or empty. */
  skipped: number;
  /** Rows kept whose volume was missing and is reported as 0. */
  missingVolume: number;
}

/** Counts of a mapping, summed across calls. */
export function emptyReport(): MapReport {
  return { skipped: 0, missingVolume: 0 };
}

/**
 * Intraday rows → bars (time = `timestamp` × 1000). Rows without a full OHLC or a
 * time are skipped and counted in `report`.
 *
 * @example
 * const report = emptyReport();
 * intradayRowsToBars('AAPL.US', rows, report);
 */
export function intradayRowsToBars(symbol: string, rows: readonly IntradayRow[], report: MapReport): Bar[] {
  const bars: Bar[] = [];
  for (const row of rows) {
    const time = rowTime(row);
    const { open, high, low, close } = row;
    if (time === undefined || open == null || high == null || low == null || close == null) {
      report.skipped++;
      continue;
    }
    if (row.volume == null) report.missingVolume++;
    bars.push({ symbol, time, open, high, low, close, volume: row.volume ?? 0 });
  }
  return bars;
}

function rowTime(row: IntradayRow): number | undefined {
  if (row.timestamp != null) return row.timestamp * 1000;
  // `datetime` is UTC with no zone marker: `new Date(datetime)` would read local time.
  const m = row.datetime?.match(/^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * End-of-day rows → bars with `time` = trading date at 00:00 UTC, raw OHLC and
 * `adjustedClose`. Rows without a full raw OHLC are skipped and counted.
 *
 * @example
 * eodRowsToBars('AAPL.US', rows, emptyReport())[0].adjustedClose;
 */
export function eodRowsToBars(
  symbol: string | ((row: BulkEodRow) => string),
  rows: readonly (EodRow | BulkEodRow)[],
  report: MapReport,
): EodBar[] {
  const bars: EodBar[] = [];
  for (const row of rows) {
    const time = parseIsoDate(row.date);
    const { open, high, low, close } = row;
    if (time === undefined || open === null || high === null || low === null || close === null) {
      report.skipped++;
      continue;
    }
    if (row.volume === null) report.missingVolume++;
    bars.push({
      symbol: typeof symbol === 'string' ? symbol : symbol(row as BulkEodRow),
      time,
      date: row.date,
      open,
      high,
      low,
      close,
      volume: row.volume ?? 0,
      adjustedClose: row.adjusted_close,
    });
  }
  return bars;
}

/**
 * Sorts bars by time and removes duplicate times, keeping the LAST occurrence (the
 * most recently fetched copy when fresh windows are appended after cached ones).
 *
 * @example
 * mergeBars([b2, b1, b2again]); // [b1, b2again]
 */
export function mergeBars<B extends Bar>(bars: readonly B[]): B[] {
  const byTime = new Map<number, B>();
  for (const bar of bars) byTime.set(bar.time, bar);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}
