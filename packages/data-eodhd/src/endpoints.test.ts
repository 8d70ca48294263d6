import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEodhdClient } from './client.js';
import { type FakeEodhd, startFakeEodhd } from './testing/index.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');
let fake: FakeEodhd;
beforeAll(async () => {
  fake = await startFakeEodhd({ now: () => NOW });
});
afterAll(() => fake.close());
const client = () => createEodhdClient({ apiToken: fake.token, baseUrl: fake.url, now: () => NOW });

describe('end of day, splits, dividends, lists', () => {
  it('eod returns raw OHLC and the adjusted close; the split shows in raw prices only', async () => {
    const eodhd = client();
    fake.clearRequests();
    const bars = await eodhd.eod('AAPL.US', { from: '2020-08-20', to: '2020-09-10' });
    expect(fake.requests[0]!.query).toMatchObject({
      fmt: 'json',
      from: '2020-08-20',
      to: '2020-09-10',
      period: 'd',
    });
    for (const b of bars) {
      expect(b.time).toBe(Date.parse(`${b.date}T00:00:00Z`)); // trading date at 00:00 UTC
      expect(new Date(b.time).getUTCDay()).not.toBe(0);
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close) - 1e-9);
    }
    const before = bars.find((b) => b.date === '2020-08-28')!;
    const after = bars.find((b) => b.date === '2020-08-31')!;
    // AAPL split 4-for-1 on 2020-08-31: raw close drops ~4×, the adjusted close does not.
    expect(before.close / after.close).toBeGreaterThan(3);
    expect(before.adjustedClose! / after.adjustedClose!).toBeLessThan(1.3);
    expect(before.adjustedClose! / before.close).toBeCloseTo(0.25, 2);

    const splits = await eodhd.splits('AAPL.US', { from: '2010-01-01', to: '2025-01-01' });
    expect(splits.map((s) => [s.date, s.ratio])).toEqual([
      ['2014-06-09', 7],
      ['2020-08-31', 4],
    ]);
    const reverse = await eodhd.splits('GE.US');
    expect(reverse[0]!.ratio).toBeCloseTo(1 / 8);
    expect(eodhd.callsSpent).toBe(3);
  });

  it('eod weekly and monthly periods', async () => {
    const eodhd = client();
    const weekly = await eodhd.eod('MSFT.US', { from: '2026-01-01', to: '2026-03-31', period: 'w' });
    const monthly = await eodhd.eod('MSFT.US', { from: '2026-01-01', to: '2026-03-31', period: 'm' });
    const daily = await eodhd.eod('MSFT.US', { from: '2026-01-01', to: '2026-03-31' });
    expect(monthly.length).toBe(3);
    expect(weekly.length).toBeGreaterThanOrEqual(13);
    expect(monthly.reduce((s, b) => s + b.volume, 0)).toBe(daily.reduce((s, b) => s + b.volume, 0));
  });

  it('dividends carry ex-date, value, unadjusted value and nullable dates', async () => {
    const divs = await client().dividends('AAPL.US', { from: '2019-01-01', to: '2021-12-31' });
    expect(divs.length).toBe(12);
    for (const d of divs) {
      expect(d.time).toBe(Date.parse(`${d.date}T00:00:00Z`));
      expect(d.value).toBeGreaterThan(0);
      expect(d.currency).toBe('USD');
    }
    // Before the 2020 split the amount as paid is 4× the split-adjusted one.
    const early = divs.find((d) => d.date === '2019-05-10')!;
    expect(early.unadjustedValue! / early.value).toBeCloseTo(4, 1);
    expect(divs.at(-1)!.paymentDate).toBeNull();
  });

  it('exchangeSymbols maps PascalCase rows and builds ready symbols', async () => {
    const eodhd = client();
    const all = await eodhd.exchangeSymbols('US');
    expect(all.find((s) => s.code === 'BRK-B')).toMatchObject({
      symbol: 'BRK-B.US',
      exchange: 'NYSE',
      type: 'Common Stock',
    });
    expect(all.find((s) => s.code === 'XYZW')!.isin).toBeNull();
    const etfs = await eodhd.exchangeSymbols('US', { type: 'etf' });
    expect(etfs.map((s) => s.symbol)).toEqual(['SPY.US']);
  });

  it('bulkEod returns one bar per code and costs 100 calls (+1 per symbol)', async () => {
    const eodhd = client();
    const bars = await eodhd.bulkEod('US', { date: '2026-06-12' });
    expect(bars.length).toBeGreaterThanOrEqual(5);
    expect(bars.every((b) => b.date === '2026-06-12' && b.symbol.endsWith('.US'))).toBe(true);
    expect(eodhd.callsSpent).toBe(100);
    const two = await eodhd.bulkEod('US', { date: '2026-06-12', symbols: ['AAPL', 'MSFT'] });
    expect(two.map((b) => b.symbol).sort()).toEqual(['AAPL.US', 'MSFT.US']);
    expect(eodhd.callsSpent).toBe(202);
    expect(fake.callsCharged).toBeGreaterThanOrEqual(202);
  });

  it('user reports the quota the server counted', async () => {
    const eodhd = client();
    const user = await eodhd.user();
    expect(user.apiRequests).toBe(fake.callsCharged);
    expect(user.dailyRateLimit).toBe(100_000);
  });
});
