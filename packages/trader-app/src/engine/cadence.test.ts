import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { barSpacingMs, retrainCadenceBars } from './cadence.js';

describe('retrainCadenceBars', () => {
  it('is 60 minutes of bar time intraday, 21 bars on daily data, or retrain.everyBars', () => {
    const c = parseConfig({});
    expect(retrainCadenceBars(c, 30 * 60_000)).toBe(2);
    expect(retrainCadenceBars(c, 60_000)).toBe(60);
    expect(retrainCadenceBars(c, 86_400_000)).toBe(21);
    expect(retrainCadenceBars(parseConfig({ retrain: { everyBars: 5 } }), 60_000)).toBe(5);
    expect(retrainCadenceBars(parseConfig({ retrain: { everyMinutes: 15 } }), 5 * 60_000)).toBe(3);
    expect(barSpacingMs([0, 300, 900, 1200])).toBe(300);
  });
});
