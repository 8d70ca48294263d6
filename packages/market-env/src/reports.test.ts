import { describe, expect, it } from 'vitest';
import type { StepCosts } from './market.js';
import { computeMetrics } from './metrics.js';
import { EpisodeLedger } from './reports.js';

const costs = (x: number): StepCosts => ({
  fees: Float64Array.of(x, 2 * x),
  impactCost: Float64Array.of(-x, 0),
  borrowCost: Float64Array.of(0, x),
  tradedNotional: Float64Array.of(100 * x, 0),
});

describe('EpisodeLedger', () => {
  it('adds each step to the totals and the equity curve; a reset starts afresh, growing when needed', () => {
    const ledger = new EpisodeLedger(2, 2);
    ledger.reset([100, 200], 3);
    ledger.record(costs(1), [110, 190]);
    ledger.record(costs(2), [121, 180]);
    const r = ledger.report(0, 'a', 'learned', 252, false);
    expect(Array.from(r.equity)).toEqual([100, 110, 121]);
    expect([r.feesUsd, r.impactCostUsd, r.borrowCostUsd, r.tradedNotionalUsd]).toEqual([3, -3, 0, 300]);
    expect(r.turnover).toBe(300 / ((100 + 110 + 121) / 3));
    expect(r.sharpe).toBe(computeMetrics(Float64Array.of(100, 110, 121), { barsPerYear: 252 }).sharpe);
    const other = ledger.report(1, 'b', 'momentum', 252, true);
    expect([other.kind, other.liquidated, other.feesUsd, other.borrowCostUsd]).toEqual([
      'momentum',
      true,
      6,
      3,
    ]);
    expect(Array.from(other.equity)).toEqual([200, 190, 180]);
    ledger.reset([50, 60], 2);
    ledger.record(costs(1), [55, 65]);
    expect(Array.from(ledger.report(1, 'b', 'momentum', 252, false).equity)).toEqual([60, 65]);
    expect(ledger.report(1, 'b', 'momentum', 252, false).feesUsd).toBe(2);
  });
});
