import { describe, expect, it } from 'vitest';
import { historyStart } from './paper.js';

describe('historyStart', () => {
  const now = Date.UTC(2026, 10, 20, 15);
  it('asks a real broker for enough calendar time to hold the bars the loop needs', () => {
    const daily = (now - Date.parse(historyStart('1Day', 100, now))) / 86_400_000;
    expect(daily).toBeCloseTo(100 * 1.4 + 5, 6);
    const hourly = (now - Date.parse(historyStart('1Hour', 300, now))) / 86_400_000;
    // 300 hourly bars at ~6.5 trading hours a day, 5 days a week ≈ 65 calendar days.
    expect(hourly).toBeGreaterThan(60);
    expect(hourly).toBeLessThan(75);
    expect(historyStart('5Min', 10, now) < historyStart('1Hour', 10, now)).toBe(false);
  });
});
