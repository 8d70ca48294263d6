import { describe, expect, it } from 'vitest';
import {
  checkDayTradeRule,
  checkShortable,
  checkWashTrade,
  countDayTrades,
  isBusinessDay,
  lastBusinessDays,
  nyDate,
  nyIso,
  nyWallToUtc,
} from './index.js';

// 10:00 New York on a date (EST in winter, EDT in summer).
const at = (date: string, hour = 10, minute = 0) => nyWallToUtc(date, hour, minute);

describe('New York time', () => {
  it('converts wall time with the right offset on both sides of DST', () => {
    expect(new Date(at('2026-01-15', 9, 30)).toISOString()).toBe('2026-01-15T14:30:00.000Z');
    expect(new Date(at('2026-07-15', 9, 30)).toISOString()).toBe('2026-07-15T13:30:00.000Z');
    expect(nyIso(Date.parse('2026-11-20T15:31:07Z'))).toBe('2026-11-20T10:31:07-05:00');
    expect(nyIso(Date.parse('2026-06-01T13:30:00Z'))).toBe('2026-06-01T09:30:00-04:00');
    // 22:00 New York is already the next day in UTC
    expect(nyDate(Date.parse('2026-11-21T03:00:00Z'))).toBe('2026-11-20');
  });
});

describe('business days', () => {
  it('skips weekends and listed holidays', () => {
    expect(isBusinessDay('2026-11-20')).toBe(true); // Friday
    expect(isBusinessDay('2026-11-21')).toBe(false); // Saturday
    expect(isBusinessDay('2026-11-22')).toBe(false); // Sunday
    expect(isBusinessDay('2026-11-26', { holidays: ['2026-11-26'] })).toBe(false); // Thanksgiving
    expect(lastBusinessDays(at('2026-11-23'), 5)).toEqual([
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-23',
    ]);
    // from a Saturday the window ends on Friday
    expect(lastBusinessDays(at('2026-11-21'), 2)).toEqual(['2026-11-19', '2026-11-20']);
    expect(lastBusinessDays(at('2026-11-27'), 3, { holidays: ['2026-11-26'] })).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-27',
    ]);
  });
});

describe('countDayTrades', () => {
  const rt = (symbol: string, date: string) => [
    { symbol, side: 'buy' as const, time: at(date, 10) },
    { symbol, side: 'sell' as const, time: at(date, 11) },
  ];

  it('counts round trips per symbol and day, collapsing same-side runs', () => {
    const d = '2026-11-18';
    expect(
      countDayTrades(
        [
          { symbol: 'A', side: 'buy', time: at(d, 10) },
          { symbol: 'A', side: 'buy', time: at(d, 10, 5) },
          { symbol: 'A', side: 'sell', time: at(d, 11) }, // B,B,S → 1
          { symbol: 'B', side: 'sell', time: at(d, 10) },
          { symbol: 'B', side: 'buy', time: at(d, 12) }, // short then cover → 1
          { symbol: 'B', side: 'sell', time: at(d, 13) },
          { symbol: 'B', side: 'buy', time: at(d, 14) }, // and again: B makes 2
          { symbol: 'C', side: 'buy', time: at(d, 10) }, // bought today, sold tomorrow → 0
          { symbol: 'C', side: 'sell', time: at('2026-11-19', 10) },
        ],
        { now: at('2026-11-19', 15) },
      ),
    ).toBe(3); // A: 1, B: 2, C: 0
  });

  it('uses a window of 5 business days across a weekend', () => {
    // Tue 17 … Fri 20 and Mon 23 are the 5 business days ending Monday 23;
    // Monday 16 falls outside.
    const fills = [
      ...rt('X', '2026-11-16'),
      ...rt('X', '2026-11-17'),
      ...rt('X', '2026-11-20'),
      ...rt('Y', '2026-11-23'),
    ];
    expect(countDayTrades(fills, { now: at('2026-11-23', 15) })).toBe(3);
    expect(countDayTrades(fills, { now: at('2026-11-22', 15) })).toBe(3); // Sunday: Mon 16 … Fri 20
    expect(countDayTrades(fills, { now: at('2026-11-24', 15) })).toBe(2); // Tue 17 drops out
    // fills after `now` are not counted
    expect(countDayTrades(fills, { now: at('2026-11-20', 10, 30) })).toBe(2);
  });
});

describe('checkDayTradeRule', () => {
  const now = at('2026-11-20', 14);
  const order = { symbol: 'MSFT', side: 'sell' as const, qty: 10 };
  const boughtToday = [{ symbol: 'MSFT', side: 'buy' as const, time: at('2026-11-20', 10) }];

  it('intraday-margin never refuses on its own', () => {
    expect(
      checkDayTradeRule('intraday-margin', { equity: 100, dayTrades: 99, order, fills: boughtToday, now }),
    ).toEqual({ ok: true });
  });

  it('legacy-pdt refuses a potential 4th day trade under $25,000', () => {
    const r = checkDayTradeRule('legacy-pdt', {
      equity: 10_000,
      dayTrades: 3,
      order,
      fills: boughtToday,
      now,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('DAY_TRADE_RULE');
    // enough equity
    expect(
      checkDayTradeRule('legacy-pdt', { equity: 25_000, dayTrades: 3, order, fills: boughtToday, now }).ok,
    ).toBe(true);
    // only 2 before: this one would be the 3rd
    expect(
      checkDayTradeRule('legacy-pdt', { equity: 10_000, dayTrades: 2, order, fills: boughtToday, now }).ok,
    ).toBe(true);
    // not a potential day trade: the buy was yesterday
    const yesterday = [{ symbol: 'MSFT', side: 'buy' as const, time: at('2026-11-19', 10) }];
    expect(
      checkDayTradeRule('legacy-pdt', { equity: 10_000, dayTrades: 3, order, fills: yesterday, now }).ok,
    ).toBe(true);
  });

  it('counts pending orders and filters day-trade timestamps to the window', () => {
    const pendingOrders = [{ symbol: 'MSFT', side: 'buy' as const }];
    const times = [at('2026-11-13'), at('2026-11-17'), at('2026-11-18'), at('2026-11-19')];
    // Fri 20: window is Mon 16 … Fri 20 → 3 inside (the 13th is out) → this would be the 4th
    expect(
      checkDayTradeRule('legacy-pdt', { equity: 5_000, dayTrades: times, order, pendingOrders, now }).ok,
    ).toBe(false);
    // a week later only ... none of them are inside the window
    expect(
      checkDayTradeRule('legacy-pdt', {
        equity: 5_000,
        dayTrades: times,
        order,
        pendingOrders,
        now: at('2026-11-27', 14),
      }).ok,
    ).toBe(true);
    // a pending order in another symbol does not make this a day trade
    expect(
      checkDayTradeRule('legacy-pdt', {
        equity: 5_000,
        dayTrades: 3,
        order,
        pendingOrders: [{ symbol: 'AAPL', side: 'buy' }],
        now,
      }).ok,
    ).toBe(true);
  });
});

describe('checkShortable', () => {
  const asset = { symbol: 'MSFT', shortable: true, easyToBorrow: true };

  it('accepts whole shares of an easy-to-borrow asset with $2,000 equity', () => {
    expect(checkShortable({ asset, qty: 10, equity: 2_000 })).toEqual({ ok: true });
    expect(
      checkShortable({
        asset: { symbol: 'X', shortable: true, borrowStatus: 'easy_to_borrow' },
        qty: 1,
        equity: 1e6,
      }).ok,
    ).toBe(true);
  });

  it('refuses each missing condition with a reason', () => {
    const cases = [
      checkShortable({ asset, qty: 10, equity: 1_999.99 }),
      checkShortable({ asset, qty: 10, equity: 1e6, shortingEnabled: false }),
      checkShortable({ asset: { ...asset, shortable: false }, qty: 10, equity: 1e6 }),
      checkShortable({ asset: { ...asset, easyToBorrow: false }, qty: 10, equity: 1e6 }),
      // borrowStatus wins over the deprecated flag
      checkShortable({ asset: { ...asset, borrowStatus: 'hard_to_borrow' }, qty: 10, equity: 1e6 }),
      checkShortable({ asset: { symbol: 'MSFT', shortable: true }, qty: 10, equity: 1e6 }), // unknown borrow → no
      checkShortable({ asset, qty: 0.5, equity: 1e6 }),
      checkShortable({ asset, notional: 100, equity: 1e6 }),
    ];
    const reasons = cases.map((r) => (r.ok ? 'ok' : `${r.code}: ${r.reason}`));
    expect(reasons.every((r) => r.startsWith('NOT_SHORTABLE'))).toBe(true);
    expect(reasons[0]).toContain('not allowed to short');
    expect(reasons[2]).toContain('not shortable');
    expect(reasons[3]).toContain('cannot be sold short: it is hard to borrow');
    expect(reasons[6]).toContain('fractional');
  });
});

describe('checkWashTrade', () => {
  it('refuses only an opposite-side open order in the same symbol', () => {
    const order = { symbol: 'MSFT', side: 'buy' as const, qty: 1 };
    expect(checkWashTrade({ order, openOrders: [] }).ok).toBe(true);
    expect(checkWashTrade({ order, openOrders: [{ symbol: 'MSFT', side: 'buy' }] }).ok).toBe(true);
    expect(checkWashTrade({ order, openOrders: [{ symbol: 'AAPL', side: 'sell' }] }).ok).toBe(true);
    const r = checkWashTrade({ order, openOrders: [{ symbol: 'MSFT', side: 'sell', id: 'o-1' }] });
    expect(r).toMatchObject({ ok: false, code: 'WASH_TRADE' });
    if (!r.ok) expect(r.reason).toContain('potential wash trade detected');
  });
});
