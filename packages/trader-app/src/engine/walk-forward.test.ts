import { describe, expect, it } from 'vitest';
import { assertNoOverlap, walkForwardFolds } from './folds.js';

describe('walkForwardFolds', () => {
  it('rolls a train window forward by the test window, never overlapping', () => {
    const folds = walkForwardFolds(1000, { trainBars: 500, testBars: 100, window: 10, maxFolds: 0 });
    expect(folds.map((f) => [f.trainStart, f.trainEnd, f.testStart, f.testEnd])).toEqual([
      [0, 500, 500, 600],
      [100, 600, 600, 700],
      [200, 700, 700, 800],
      [300, 800, 800, 900],
      [400, 900, 900, 999],
    ]);
    for (const f of folds) expect(f.trainEnd).toBeLessThanOrEqual(f.testStart);
  });

  it('keeps the last folds, drops a short tail and refuses too little data', () => {
    const folds = walkForwardFolds(1030, { trainBars: 500, testBars: 100, window: 10, maxFolds: 2 });
    expect(folds.map((f) => f.testStart)).toEqual([800, 900]);
    expect(() => walkForwardFolds(100, { trainBars: 500, testBars: 100, window: 10, maxFolds: 0 })).toThrow(
      /not enough bars/,
    );
    expect(() => walkForwardFolds(1000, { trainBars: 5, testBars: 100, window: 10, maxFolds: 0 })).toThrow(
      /trainBars/,
    );
  });

  it('assertNoOverlap catches leaking windows', () => {
    expect(() =>
      assertNoOverlap([{ index: 0, trainStart: 0, trainEnd: 101, testStart: 100, testEnd: 150 }]),
    ).toThrow(/overlap/);
    expect(() =>
      assertNoOverlap([
        { index: 0, trainStart: 0, trainEnd: 100, testStart: 100, testEnd: 150 },
        { index: 1, trainStart: 40, trainEnd: 140, testStart: 140, testEnd: 190 },
      ]),
    ).toThrow(/test windows overlap/);
  });
});
