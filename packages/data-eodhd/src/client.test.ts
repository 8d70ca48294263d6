import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEodhdClient } from './client.js';
import { type FakeEodhd, generateIntradayRows, startFakeEodhd } from './testing/index.js';
import { MAX_SPAN_DAYS } from './windows.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const DAY_S = 86_400;
let fake: FakeEodhd;

beforeAll(async () => {
  fake = await startFakeEodhd({ now: () => NOW });
});
afterAll(() => fake.close());

const client = (extra: Record<string, unknown> = {}) =>
  createEodhdClient({
    apiToken: fake.token,
    baseUrl: fake.url,
    now: () => NOW,
    retry: { backoffMs: 5 },
    ...extra,
  });

describe('intraday windowing', () => {
  it('splits a one-year 1m range into capped windows and returns sorted, unique bars', async () => {
    fake.clearRequests();
    const eodhd = client();
    const from = Date.parse('2025-01-06T00:00:00Z');
    const to = Date.parse('2026-01-06T00:00:00Z');
    const bars = await eodhd.intraday('AAPL.US', { interval: '1m', from, to });

    const calls = fake.requests.filter((r) => r.endpoint === 'intraday');
    const spanS = (to - from) / 1000;
    // Fewest windows the 120-day cap allows, and never more than with our 1-day margin.
    expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(spanS / (120 * DAY_S)));
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(spanS / (119 * DAY_S)));
    const windows = calls.map((r) => ({ from: Number(r.query['from']), to: Number(r.query['to']) }));
    for (const w of windows) expect(w.to - w.from).toBeLessThanOrEqual(MAX_SPAN_DAYS['1m'] * DAY_S);
    // Contiguous cover of the range: no gap, no overlap.
    expect(windows[0]!.from).toBe(from / 1000);
    expect(windows.at(-1)!.to).toBe(to / 1000);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.from).toBe(windows[i - 1]!.to + 1);
    for (const r of calls) {
      expect(r.query['fmt']).toBe('json');
      expect(r.query['interval']).toBe('1m');
      expect(r.tokenValid).toBe(true);
      expect(r.status).toBe(200);
    }

    // Same bars as the source has for the whole range, in order, no duplicates.
    const truth = generateIntradayRows('AAPL.US', '1m', from / 1000, to / 1000);
    expect(bars.length).toBe(truth.length);
    expect(bars[0]!.time).toBe(Number(truth[0]!.timestamp) * 1000);
    expect(bars.at(-1)!.close).toBe(truth.at(-1)!.close);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.time).toBeGreaterThan(bars[i - 1]!.time);
    expect(eodhd.callsSpent).toBe(5 * calls.length);
    expect(fake.callsCharged).toBe(eodhd.callsSpent);
  });

  it('uses one call for 5m and 1h ranges inside their larger caps', async () => {
    fake.clearRequests();
    const eodhd = client();
    const from = '2025-01-01T00:00:00Z';
    const to = '2026-05-01T00:00:00Z'; // ~485 days: over the 1m cap, under the 5m cap
    const five = await eodhd.intraday('MSFT.US', { interval: '5m', from, to });
    const hour = await eodhd.intraday('MSFT.US', { interval: '1h', from: '2008-01-01', to });
    expect(fake.requests.map((r) => r.query['interval'])).toEqual(['5m', '1h']);
    expect(five.every((b) => b.time % 300_000 === 0)).toBe(true);
    expect(hour.every((b) => b.time % 3_600_000 === 0)).toBe(true);
    expect(hour.length).toBeGreaterThan(five.length / 20);
  });

  it('takes the bar start from the Unix timestamp (UTC), not the zone-less datetime', async () => {
    const eodhd = client();
    const bars = await eodhd.intraday('AAPL.US', { interval: '1h', from: '2026-03-02', to: '2026-03-03' });
    const raw = generateIntradayRows(
      'AAPL.US',
      '1h',
      Date.parse('2026-03-02') / 1000,
      Date.parse('2026-03-03') / 1000,
    );
    expect(bars.map((b) => new Date(b.time).toISOString().slice(0, 19).replace('T', ' '))).toEqual(
      raw.map((r) => r.datetime),
    );
  });

  it('does not call the API for a range entirely in the future', async () => {
    fake.clearRequests();
    const eodhd = client();
    expect(
      await eodhd.intraday('AAPL.US', { interval: '5m', from: NOW + 86_400_000, to: NOW + 2 * 86_400_000 }),
    ).toEqual([]);
    expect(fake.requests.length).toBe(0);
    expect(eodhd.callsSpent).toBe(0);
  });

  it('rejects bad arguments before any request', async () => {
    fake.clearRequests();
    const eodhd = client();
    await expect(
      eodhd.intraday('AAPL.US', { interval: '2m' as '1m', from: '2026-01-01' }),
    ).rejects.toMatchObject({ code: 'CONFIG', field: 'interval' });
    await expect(eodhd.intraday('AAPL US', { interval: '1m', from: '2026-01-01' })).rejects.toMatchObject({
      code: 'CONFIG',
    });
    await expect(
      eodhd.intraday('AAPL.US', { interval: '1m', from: '2026-01-01 10:00' }),
    ).rejects.toMatchObject({ code: 'CONFIG', field: 'from' });
    await expect(
      eodhd.intraday('AAPL.US', { interval: '1m', from: '2026-02-01', to: '2026-01-01' }),
    ).rejects.toMatchObject({ code: 'CONFIG' });
    expect(fake.requests.length).toBe(0);
  });

  it('accepts Date, ISO string and epoch ms alike', async () => {
    const eodhd = client();
    const a = await eodhd.intraday('TSLA.US', {
      interval: '1h',
      from: new Date('2026-01-05T00:00:00Z'),
      to: '2026-01-07T00:00:00Z',
    });
    const b = await eodhd.intraday('TSLA.US', {
      interval: '1h',
      from: Date.parse('2026-01-05'),
      to: Date.parse('2026-01-07'),
    });
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
