import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { openAfterClose, type PlanOptions } from './order-plan.js';
import { applyRiskRules, fitBuyingPower } from './risk.js';

const risk = parseConfig({ risk: { stopLossPct: 0.05, takeProfitPct: 0.1, dailyLossStopPct: 0.03 } }).risk;
const prices = new Map([
  ['A', 94],
  ['B', 111],
  ['C', 50],
  ['D', 20],
]);
const positions = [
  { symbol: 'A', qty: 10, avgEntryPrice: 100 }, // −6 %: stop-loss
  { symbol: 'B', qty: -10, avgEntryPrice: 100 }, // short, price up 11 %: stop-loss
  { symbol: 'C', qty: 10, avgEntryPrice: 45 }, // +11 %: take-profit
  { symbol: 'D', qty: 5, avgEntryPrice: 20 },
];

describe('applyRiskRules', () => {
  it('closes positions at their stop-loss or take-profit', () => {
    const targets = new Map([
      ['A', 12],
      ['B', -10],
      ['C', 10],
      ['D', 8],
    ]);
    const notes = applyRiskRules(
      targets,
      positions,
      prices,
      { equity: 100_000, dayStartEquity: 100_000 },
      risk,
    );
    expect(Object.fromEntries(targets)).toEqual({ A: 0, B: 0, C: 0, D: 8 });
    expect(notes).toEqual(['A stop-loss at -6.0%', 'B stop-loss at -11.0%', 'C take-profit at 11.1%']);
  });

  it('blocks new entries after the daily loss limit: positions may only shrink', () => {
    const targets = new Map([
      ['D', 8],
      ['E', 3],
      ['F', -4],
    ]);
    const notes = applyRiskRules(
      targets,
      [{ symbol: 'D', qty: 5, avgEntryPrice: 20 }],
      new Map([
        ['D', 20],
        ['E', 10],
        ['F', 10],
      ]),
      { equity: 96_900, dayStartEquity: 100_000 },
      risk,
    );
    expect(Object.fromEntries(targets)).toEqual({ D: 5, E: 0, F: 0 });
    expect(notes[0]).toMatch(/^daily stop: equity 96900 is -3.1%/);
  });
});

describe('fitBuyingPower', () => {
  it('scales buys that add exposure down to 95 % of buying power, leaving covers alone', () => {
    const opts: PlanOptions = {
      runId: 'r',
      barTime: 0,
      orderType: 'market',
      limitOffsetBps: 0,
      timeInForce: 'day',
      useBrackets: false,
      stopLossPct: 0.05,
      takeProfitPct: 0.1,
      minTradeUsd: 0,
    };
    const orders = [openAfterClose('A', 100, 10, opts), openAfterClose('B', 50, 10, opts)];
    const cover = openAfterClose('C', 20, 10, opts);
    const note = fitBuyingPower(
      [...orders, cover],
      new Map([['C', -20]]),
      new Map([
        ['A', 10],
        ['B', 10],
        ['C', 10],
      ]),
      1000,
    );
    expect(orders.map((o) => o.qty)).toEqual([63, 31]);
    expect(cover.qty).toBe(20);
    expect(note).toBe('buying power 1000: buys scaled by 0.63');
    expect(
      fitBuyingPower([openAfterClose('A', 1, 10, opts)], new Map(), new Map([['A', 10]]), 1000),
    ).toBeUndefined();
  });
});
