import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEodhdClient } from '../client.js';
import { mergeBars } from '../to-bars.js';
import { type FakeEodhd, startFakeEodhd } from './index.js';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url).pathname;
const NOW = Date.parse('2026-11-21T06:00:00Z');
let fake: FakeEodhd;
beforeAll(async () => {
  fake = await startFakeEodhd({ dataDir: `${FIXTURES}data`, now: () => NOW });
});
afterAll(() => fake.close());

const get = (path: string, query: Record<string, string> = {}, token = fake.token) => {
  const url = new URL(`${fake.url}/${path}`);
  for (const [k, v] of Object.entries({ api_token: token, ...query })) url.searchParams.set(k, v);
  return fetch(url);
};

describe('fake EODHD server', () => {
  it('answers like EODHD: 401 plain text, 422 over the span cap, intraday JSON by default', async () => {
    const unauth = await get('eod/AAPL.US', {}, 'wrong');
    expect(unauth.status).toBe(401);
    expect(await unauth.text()).toBe('Unauthenticated');
    const over = await get('intraday/AAPL.US', {
      interval: '1m',
      from: '0',
      to: String(121 * 86_400),
      fmt: 'json',
    });
    expect(over.status).toBe(422);
    expect(await over.text()).toContain('120 days');
    const ok = await get('intraday/AAPL.US', { interval: '1h', from: '1767571200', to: '1767657600' });
    expect(ok.headers.get('content-type')).toContain('json');
    expect(ok.headers.get('x-ratelimit-limit')).toBeTruthy();
  });

  it('truncates instead of erroring when asked to', async () => {
    const trunc = await startFakeEodhd({ overCap: 'truncate', now: () => NOW });
    const to = Date.parse('2026-01-01') / 1000;
    const res = await fetch(
      `${trunc.url}/intraday/AAPL.US?api_token=${trunc.token}&interval=1m&from=${to - 200 * 86_400}&to=${to}&fmt=json`,
    );
    const rows = (await res.json()) as { timestamp: number }[];
    await trunc.close();
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows[0]!.timestamp).toBeGreaterThanOrEqual(to - 120 * 86_400);
  });

  it('enforces a daily call quota (402) and a per-minute limit (429 + Retry-After)', async () => {
    const limited = await startFakeEodhd({ dailyCallLimit: 6, requestsPerMinute: 3, retryAfterSec: 7 });
    const call = (p: string, q = '') => fetch(`${limited.url}/${p}?api_token=${limited.token}&fmt=json${q}`);
    expect((await call('intraday/AAPL.US', '&interval=1h')).status).toBe(200); // 5 calls
    expect((await call('eod/AAPL.US')).status).toBe(200); // 6 calls
    expect((await call('eod/AAPL.US')).status).toBe(402);
    const r429 = await call('eod/AAPL.US');
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('7');
    expect(limited.callsCharged).toBe(6);
    await limited.close();
  });

  it('serves rows from files in dataDir, and the client cleans them', async () => {
    const eodhd = createEodhdClient({ apiToken: fake.token, baseUrl: fake.url, now: () => NOW });
    const bars = await eodhd.intraday('AAPL.US', { interval: '5m', from: '2026-11-18', to: '2026-11-19' });
    // 9 unique rows in the file; one null close and one all-"NA" row are skipped.
    expect(bars.map((b) => b.time / 1000)).toEqual([
      1795008600, 1795008900, 1795009200, 1795009500, 1795009800, 1795010700, 1795011000,
    ]);
    expect(bars[3]!.volume).toBe(0);
    expect(eodhd.stats).toMatchObject({ rowsSkipped: 2, rowsMissingVolume: 1 });
    const ibm = await eodhd.eod('IBM.US', { from: '2026-11-16', to: '2026-11-20' });
    expect(ibm.map((b) => b.date)).toEqual(['2026-11-16', '2026-11-17', '2026-11-19', '2026-11-20']);
    expect(ibm.at(-1)!.adjustedClose).toBeNull();
  });

  it('overlapping recorded chunks merge into unique sorted bars', () => {
    const load = (f: string) =>
      (JSON.parse(readFileSync(`${FIXTURES}${f}`, 'utf8')) as { timestamp: number; close: number | null }[])
        .filter((r) => r.close !== null)
        .map((r) => ({
          symbol: 'AAPL.US',
          time: r.timestamp * 1000,
          open: 1,
          high: 1,
          low: 1,
          close: Number(r.close),
          volume: 0,
        }));
    const chunk1 = load('intraday_5m_chunk1.json');
    const chunk2 = load('intraday_5m_chunk2.json');
    const merged = mergeBars([...chunk2, ...chunk1]);
    expect(merged.length).toBe(new Set([...chunk1, ...chunk2].map((b) => b.time)).size);
    expect(merged.length).toBeLessThan(chunk1.length + chunk2.length);
    expect(merged.every((b, i) => i === 0 || b.time > merged[i - 1]!.time)).toBe(true);
  });

  it('records requests without the token', async () => {
    fake.clearRequests();
    await get('splits/AAPL.US', { fmt: 'json' });
    expect(fake.requests[0]).toMatchObject({
      endpoint: 'splits',
      target: 'AAPL.US',
      tokenValid: true,
      status: 200,
      cost: 1,
    });
    expect(JSON.stringify(fake.requests)).not.toContain(fake.token);
  });
});
