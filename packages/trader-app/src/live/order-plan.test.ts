import { describe, expect, it } from 'vitest';
import { clientOrderId } from './client-id.js';
import { openAfterClose, type PlanOptions, planOrders, roundPrice } from './order-plan.js';
import { netTargets } from './targets.js';

const opts: PlanOptions = {
  runId: 'run-1',
  barTime: Date.UTC(2000, 0, 3),
  orderType: 'market',
  limitOffsetBps: 10,
  timeInForce: 'day',
  useBrackets: true,
  stopLossPct: 0.05,
  takeProfitPct: 0.1,
  minTradeUsd: 1,
};

describe('client order ids', () => {
  it('are deterministic, distinct per leg/bar/symbol and at most 48 chars', () => {
    const a = clientOrderId('run-1', 1000, 'MSFT', 'a');
    expect(clientOrderId('run-1', 1000, 'MSFT', 'a')).toBe(a);
    expect(
      new Set([
        a,
        clientOrderId('run-1', 1000, 'MSFT', 'o'),
        clientOrderId('run-1', 2000, 'MSFT', 'a'),
        clientOrderId('run-2', 1000, 'MSFT', 'a'),
        clientOrderId('run-1', 1000, 'IBM', 'a'),
      ]).size,
    ).toBe(5);
    expect(
      clientOrderId('x'.repeat(100), Date.UTC(2100, 0, 1), 'VERYLONGSYMBOLNAME.WITHSUFFIX', 'o').length,
    ).toBeLessThanOrEqual(48);
  });
});

describe('netTargets', () => {
  it('nets the long and short sleeves, caps the weight and respects shortability', () => {
    const t = netTargets({
      symbols: ['A', 'B', 'C'],
      prices: [10, 20, 50],
      longWeights: [0.4, 0.1, 0.9],
      shortWeights: [-0.1, -0.6, 0],
      equity: 1000,
      longSleeve: 0.5,
      shortSleeve: 0.5,
      maxPositionWeight: 0.3,
      noShort: new Set(['B']),
    });
    expect(t.map((x) => x.qty)).toEqual([15, 0, 6]); // A 0.15·1000/10; B −0.25 not shortable; C capped 0.3·1000/50
    expect(t[1]!.notes).toContain('short not allowed');
  });
});

describe('planOrders', () => {
  it('skips resizes below minTradeUsd, but never an opening or a close to zero', () => {
    const plan = planOrders(
      {
        positions: new Map([
          ['A', 10],
          ['B', 1],
        ]),
        targets: new Map([
          ['A', 11], // +$20: below $50, skipped
          ['B', 0], // −$20, but a close
          ['C', -1], // −$20, but an opening
        ]),
        prices: new Map([
          ['A', 20],
          ['B', 20],
          ['C', 20],
        ]),
        openOrders: [],
      },
      { ...opts, minTradeUsd: 50 },
    );
    expect(plan.orders.map((o) => [o.symbol, o.side, o.qty])).toEqual([
      ['B', 'sell', 1],
      ['C', 'sell', 1],
    ]);
  });

  it('never crosses zero in one order: closes first and opens after', () => {
    const plan = planOrders(
      {
        positions: new Map([['A', 10]]),
        targets: new Map([['A', -5]]),
        prices: new Map([['A', 20]]),
        openOrders: [{ id: 'o1', clientOrderId: 'x', symbol: 'A', side: 'sell' }],
      },
      opts,
    );
    expect(plan.cancels.map((c) => c.id)).toEqual(['o1']);
    expect(plan.orders).toHaveLength(1);
    expect(plan.orders[0]).toMatchObject({ side: 'sell', qty: 10, thenOpen: -5, bracket: null, leg: 'a' });
    const open = openAfterClose('A', -5, 20, opts);
    expect(open).toMatchObject({ side: 'sell', qty: 5, leg: 'o' });
    expect(open.bracket).toEqual({ stopPrice: 21, takeProfitPrice: 18 });
  });

  it('adds bracket legs only to fresh entries, limit prices on the tick, skips tiny trades and planned symbols', () => {
    const plan = planOrders(
      {
        positions: new Map([
          ['B', 3],
          ['C', 1],
        ]),
        targets: new Map([
          ['A', 7],
          ['B', 5],
          ['C', 1],
          ['D', 100],
        ]),
        prices: new Map([
          ['A', 12.345],
          ['B', 10],
          ['C', 1],
          ['D', 0.5],
        ]),
        openOrders: [{ id: 'o9', clientOrderId: 'y', symbol: 'C', side: 'buy' }],
      },
      { ...opts, orderType: 'limit', alreadyPlanned: new Set(['D']) },
    );
    expect(plan.cancels).toEqual([]);
    expect(plan.orders.map((o) => [o.symbol, o.side, o.qty])).toEqual([
      ['A', 'buy', 7],
      ['B', 'buy', 2],
    ]);
    expect(plan.orders[0]!.bracket).toEqual({
      stopPrice: roundPrice(12.345 * 0.95),
      takeProfitPrice: roundPrice(12.345 * 1.1),
    });
    expect(plan.orders[0]!.limitPrice).toBe(12.36);
    expect(plan.orders[1]!.bracket).toBeNull();
    expect(roundPrice(0.123456)).toBe(0.1235);
  });
});
