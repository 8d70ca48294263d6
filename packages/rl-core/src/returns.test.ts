import { describe, expect, it } from 'vitest';
import { discountedReturns, explainedVariance, normalizeAdvantages } from './returns.js';
import { expectClose } from './testing.js';

describe('normalizeAdvantages', () => {
  it('gives mean 0 and unbiased std 1 (torch .std()), and leaves a batch of one alone', () => {
    const x = normalizeAdvantages([1, 4, 2, 8, -3]);
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    const s = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
    expect(m).toBeCloseTo(0, 12);
    expect(s).toBeCloseTo(1, 7);
    expect(Array.from(normalizeAdvantages([5]))).toEqual([5]);
  });
});

describe('explainedVariance', () => {
  it('is 1 for a perfect fit, 0 for the mean, NaN for constant targets', () => {
    expect(explainedVariance([1, 2, 4], [1, 2, 4])).toBe(1);
    expect(explainedVariance([7 / 3, 7 / 3, 7 / 3], [1, 2, 4])).toBeCloseTo(0, 12);
    expect(explainedVariance([1, 2, 3], [1, 2, 4])).toBeCloseTo(1 - 2 / 9 / (14 / 9), 12);
    expect(explainedVariance([1, 2], [3, 3])).toBeNaN();
  });
});

describe('discountedReturns', () => {
  it('discounts, cuts at dones and bootstraps the tail', () => {
    expectClose(discountedReturns([1, 1, 1], 0.5), [1.75, 1.5, 1], { rtol: 0, atol: 0 });
    expectClose(discountedReturns([1, 1], 0.5, { bootstrapValue: 4 }), [2.5, 3], { rtol: 0, atol: 0 });
    expectClose(discountedReturns([1, 1, 1], 0.5, { dones: [0, 1, 0], bootstrapValue: 8 }), [1.5, 1, 5], {
      rtol: 0,
      atol: 0,
    });
  });
});
