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

/** What the fake answers, fetched directly (no client), for comparison. */
async function rawJson(path: string, query: Record<string, string>): Promise<Record<string, unknown>[]> {
  const url = new URL(`${fake.url}/${path}`);
  for (const [k, v] of Object.entries({ ...query, api_token: fake.token, fmt: 'json' }))
    url.searchParams.set(k, v);
  return (await (await fetch(url)).json()) as Record<string, unknown>[];
}

const range = { interval: '5m', from: '2026-03-02T00:00:00Z', to: '2026-03-06T00:00:00Z' } as const;

describe('EODHD quirks', () => {
  it('skips and counts rows with a null close or "NA" prices; never invents them; null volume → 0, counted', async () => {
    const eodhd = client();
    const clean = await eodhd.intraday('AAPL.US', range);
    fake.setFaults([{ kind: 'nulls', every: 7, endpoint: 'intraday' }]);
    const dirty = await eodhd.intraday('AAPL.US', range);
    fake.setFaults([{ kind: 'nulls', every: 7, endpoint: 'intraday' }]);
    const served = await rawJson('intraday/AAPL.US', {
      interval: '5m',
      from: String(Date.parse(range.from) / 1000),
      to: String(Date.parse(range.to) / 1000),
    });
    const badPrice = served.filter((r) =>
      [r['open'], r['high'], r['low'], r['close']].some((v) => v === null || v === 'NA'),
    );
    const noVolume = served.filter((r) => r['volume'] === null);
    expect(badPrice.length).toBeGreaterThan(10);
    expect(dirty.length).toBe(served.length - badPrice.length);
    expect(eodhd.stats.rowsSkipped).toBe(badPrice.length);
    expect(eodhd.stats.rowsMissingVolume).toBe(noVolume.length);
    // Kept bars are exactly the clean bars at those times (nothing invented or shifted).
    const cleanByTime = new Map(clean.map((b) => [b.time, b]));
    for (const bar of dirty) {
      const original = cleanByTime.get(bar.time)!;
      expect(bar.close).toBe(original.close);
      expect(bar.open).toBe(original.open);
    }
    const skippedTimes = new Set(badPrice.map((r) => Number(r['timestamp']) * 1000));
    expect(dirty.some((b) => skippedTimes.has(b.time))).toBe(false);
    for (const r of noVolume)
      expect(dirty.find((b) => b.time === Number(r['timestamp']) * 1000)?.volume).toBe(0);
  });

  it('handles "NA" and null in EOD rows too', async () => {
    const eodhd = client();
    fake.setFaults([{ kind: 'nulls', every: 5, endpoint: 'eod' }]);
    const bars = await eodhd.eod('MSFT.US', { from: '2026-01-01', to: '2026-03-31' });
    const all = await eodhd.eod('MSFT.US', { from: '2026-01-01', to: '2026-03-31' });
    expect(eodhd.stats.rowsSkipped).toBeGreaterThan(0);
    expect(bars.length + eodhd.stats.rowsSkipped).toBe(all.length);
    expect(bars.every((b) => Number.isFinite(b.close) && Number.isFinite(b.open))).toBe(true);
  });

  it('accepts an empty window', async () => {
    const eodhd = client();
    fake.setFaults([{ kind: 'empty' }]);
    expect(await eodhd.intraday('AAPL.US', range)).toEqual([]);
    // A weekend really is empty.
    expect(
      await eodhd.intraday('AAPL.US', { interval: '1m', from: '2026-03-07', to: '2026-03-08T23:59:00Z' }),
    ).toEqual([]);
    expect(eodhd.callsSpent).toBe(10);
  });

  it('salvages a CSV body sent although fmt=json was asked', async () => {
    const eodhd = client();
    const json = await eodhd.eod('AAPL.US', { from: '2026-02-01', to: '2026-02-28' });
    const jsonIntraday = await eodhd.intraday('AAPL.US', range);
    fake.setFaults([{ kind: 'csv', times: 2 }]);
    expect(await eodhd.eod('AAPL.US', { from: '2026-02-01', to: '2026-02-28' })).toEqual(json);
    expect(await eodhd.intraday('AAPL.US', range)).toEqual(jsonIntraday);
  });

  it('removes duplicates when windows repeat their boundary bars', async () => {
    const eodhd = client();
    fake.clearRequests();
    fake.setFaults([{ kind: 'boundary', times: 10 }]);
    // Two 1m windows whose edge (from + 119 days) falls inside the trading session.
    const from = Date.parse('2025-01-02T15:00:00Z');
    const to = Date.parse('2025-05-15T00:00:00Z');
    const bars = await eodhd.intraday('AAPL.US', { interval: '1m', from, to });
    fake.setFaults([]);
    expect(fake.requests.filter((r) => r.endpoint === 'intraday').length).toBe(2);
    const times = bars.map((b) => b.time);
    expect(new Set(times).size).toBe(times.length);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(times[0]).toBeGreaterThanOrEqual(from);
    expect(times.at(-1)).toBeLessThanOrEqual(to);
  });

  it('the fake serves EOD as CSV when fmt is missing (the documented default)', async () => {
    const res = await fetch(`${fake.url}/eod/AAPL.US?api_token=${fake.token}&from=2026-01-05&to=2026-01-09`);
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('Date,Open,High,Low,Close,Adjusted_close,Volume');
    expect(text.trim().split('\n').length).toBe(6);
  });
});
