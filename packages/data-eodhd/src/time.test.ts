import { describe, expect, it } from 'vitest';
import { isEodhdError } from './errors.js';
import { parseIsoDate, toEpochMs, toIsoDate } from './time.js';

describe('time inputs', () => {
  it('takes Date, ISO strings with a zone, date-only strings and epoch ms', () => {
    const ms = Date.UTC(2024, 0, 31, 14, 30);
    expect(toEpochMs(new Date(ms))).toBe(ms);
    expect(toEpochMs(ms)).toBe(ms);
    expect(toEpochMs('2024-01-31T14:30:00Z')).toBe(ms);
    expect(toEpochMs('2024-01-31T09:30:00-05:00')).toBe(ms);
    expect(toEpochMs('2024-01-31')).toBe(Date.UTC(2024, 0, 31));
  });

  it('rejects zone-less date-times (JS would read them as local time) and junk', () => {
    for (const bad of [
      '2024-01-31 14:30:00',
      '2024-01-31T14:30',
      'yesterday',
      Number.NaN,
      '2024-02-30T00:00:00Z',
    ]) {
      let error: unknown;
      try {
        toEpochMs(bad as string, 'from');
      } catch (e) {
        error = e;
      }
      expect(isEodhdError(error, 'CONFIG')).toBe(true);
    }
  });

  it('round-trips trading dates and refuses impossible ones', () => {
    expect(toIsoDate(parseIsoDate('2020-02-29')!)).toBe('2020-02-29');
    expect(parseIsoDate('2021-02-29')).toBeUndefined();
    expect(parseIsoDate('2021-2-1')).toBeUndefined();
  });
});
