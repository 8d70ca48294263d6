/**
 * Gaps in a time axis: stretches where no symbol has a bar. A gap in one symbol while
 * others trade shows up when aligning (forward-filled cells); a gap in every symbol, or in
 * a one-symbol file, leaves no trace in the frame, so it is looked for here. Knowing the
 * exchange calendar (holidays, half days, 24/5 FX, 24/7 crypto) is out of reach, so the
 * rule is a plain one (docs/csv.md): a spacing longer than `factor` × the median spacing
 * AND longer than `minGapMs` is a gap. The defaults (5×, 5 days) pass weekends, long
 * weekends and overnight breaks, and flag a missing week.
 */
import { z } from 'zod';
import { MarketEnvError } from './errors.js';

const optionsSchema = z.strictObject({
  /** A spacing above `factor` × the median spacing may be a gap. @default 5 */
  factor: z.number().finite().min(1).default(5),
  /** ...if it is also longer than this, in ms. @default 5 days */
  minGapMs: z
    .number()
    .finite()
    .min(0)
    .default(5 * 86_400_000),
});

/** Options of {@link findTimeGaps}. */
export type FindTimeGapsOptions = z.input<typeof optionsSchema>;

/** One gap: no bar strictly between `from` and `to`. */
export interface TimeGap {
  /** The last time before the gap (ms since the epoch). */
  from: number;
  /** The first time after the gap. */
  to: number;
  /** `to − from` in ms. */
  spanMs: number;
  /** The median spacing of the whole axis, in ms (what the gap is compared with). */
  medianMs: number;
}

/**
 * Finds gaps in an increasing time axis (e.g. `frame.times`). Returns them rather than
 * printing: the caller decides how to warn.
 * @example
 * for (const g of findTimeGaps(frame.times))
 *   console.warn(`no bars from ${new Date(g.from).toISOString()} to ${new Date(g.to).toISOString()}`);
 */
export function findTimeGaps(times: ArrayLike<number>, options: FindTimeGapsOptions = {}): TimeGap[] {
  const r = optionsSchema.safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(options)';
    throw new MarketEnvError('CONFIG', `findTimeGaps option ${field}: ${issue.message}`, {
      field,
      cause: r.error,
    });
  }
  const { factor, minGapMs } = r.data;
  const n = times.length;
  if (n < 3) return [];
  const spacing = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) {
    const d = times[i]! - times[i - 1]!;
    if (!(d > 0))
      throw new MarketEnvError('DATA', `findTimeGaps: times must increase (index ${i})`, {
        field: 'times',
        row: i,
      });
    spacing[i - 1] = d;
  }
  const sorted = spacing.slice().sort();
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const limit = Math.max(factor * medianMs, minGapMs);
  const gaps: TimeGap[] = [];
  for (let i = 0; i < spacing.length; i++) {
    if (spacing[i]! > limit) gaps.push({ from: times[i]!, to: times[i + 1]!, spanMs: spacing[i]!, medianMs });
  }
  return gaps;
}
