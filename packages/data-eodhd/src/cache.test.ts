import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheNamespaceOf } from './cache.js';
import { createEodhdClient } from './client.js';
import { type FakeEodhd, startFakeEodhd } from './testing/index.js';

const TOKEN = 'cache-SECRET-4242';
const DAY = 86_400_000;
let now = Date.parse('2026-06-15T12:00:00Z');
let fake: FakeEodhd;
let dir: string;

beforeAll(async () => {
  fake = await startFakeEodhd({ token: TOKEN, now: () => now });
});
afterAll(() => fake.close());
beforeEach(async () => {
  now = Date.parse('2026-06-15T12:00:00Z');
  dir = await mkdtemp(join(tmpdir(), 'eodhd-cache-'));
  fake.clearRequests();
  return () => rm(dir, { recursive: true, force: true });
});

const client = () =>
  createEodhdClient({ apiToken: TOKEN, baseUrl: fake.url, cache: { dir }, now: () => now });
const intradayCalls = () => fake.requests.filter((r) => r.endpoint === 'intraday');

describe('on-disk cache', () => {
  it('serves a second identical request with no HTTP call', async () => {
    const range = { interval: '1m', from: '2025-10-01', to: '2026-02-01' } as const;
    const first = await client().intraday('AAPL.US', range);
    const sent = fake.requests.length;
    expect(sent).toBe(2);
    const second = client(); // a new process would see the same files
    expect(await second.intraday('AAPL.US', range)).toEqual(first);
    expect(fake.requests.length).toBe(sent);
    expect(second.callsSpent).toBe(0);
    expect(second.stats.cacheHits).toBe(2);

    const eod = { from: '2020-01-01', to: '2020-12-31' };
    const bars = await second.eod('AAPL.US', eod);
    expect(await client().eod('AAPL.US', eod)).toEqual(bars);
    expect(await client().splits('AAPL.US', eod)).toEqual(await client().splits('AAPL.US', eod));
    expect(fake.requests.filter((r) => r.endpoint === 'eod').length).toBe(1);
    expect(fake.requests.filter((r) => r.endpoint === 'splits').length).toBe(1);
  });

  it('fetches only the missing windows for a longer range, gaps sharing a window', async () => {
    const eodhd = client();
    await eodhd.intraday('MSFT.US', { interval: '1m', from: '2025-03-01', to: '2025-05-01' });
    expect(intradayCalls().length).toBe(1);
    fake.clearRequests();
    // Extends on both sides: the two gaps fit one capped window together.
    const bars = await eodhd.intraday('MSFT.US', { interval: '1m', from: '2025-02-01', to: '2025-05-20' });
    const calls = intradayCalls();
    expect(calls.length).toBe(1);
    expect(Number(calls[0]!.query['from'])).toBe(Date.parse('2025-02-01') / 1000);
    expect(Number(calls[0]!.query['to'])).toBe(Date.parse('2025-05-20') / 1000);
    fake.clearRequests();
    // Extends far to the right: only the new part is fetched.
    const longer = await eodhd.intraday('MSFT.US', { interval: '1m', from: '2025-02-01', to: '2025-09-20' });
    const more = intradayCalls().map((r) => Number(r.query['from']));
    expect(more.every((f) => f > Date.parse('2025-05-20') / 1000)).toBe(true);
    expect(more.length).toBe(2);
    const fresh = await createEodhdClient({ apiToken: TOKEN, baseUrl: fake.url, now: () => now }).intraday(
      'MSFT.US',
      {
        interval: '1m',
        from: '2025-02-01',
        to: '2025-09-20',
      },
    );
    expect(longer).toEqual(fresh);
    expect(longer.slice(0, bars.length)).toEqual(bars);
  });

  it('refreshes a window that includes today, keeps closed ones', async () => {
    const eodhd = client();
    const range = { interval: '5m', from: now - 10 * DAY, to: now } as const;
    await eodhd.intraday('AAPL.US', range);
    await eodhd.intraday('AAPL.US', range);
    expect(intradayCalls().length).toBe(2);
    await eodhd.eod('AAPL.US', { from: '2026-06-01', to: '2026-06-15' });
    await eodhd.eod('AAPL.US', { from: '2026-06-01', to: '2026-06-15' });
    expect(fake.requests.filter((r) => r.endpoint === 'eod').length).toBe(2);
    // Days later the same range is closed: fetched once more, then cached.
    now += 3 * DAY;
    await eodhd.intraday('AAPL.US', range);
    await eodhd.intraday('AAPL.US', range);
    expect(intradayCalls().length).toBe(3);
  });

  it('does not treat yesterday as final until it has settled', async () => {
    now = Date.parse('2026-06-16T02:00:00Z'); // 2 h after midnight: yesterday's data may still change
    const eodhd = client();
    const range = { interval: '1h', from: '2026-06-15', to: '2026-06-15T23:59:59Z' } as const;
    await eodhd.intraday('AAPL.US', range);
    await eodhd.intraday('AAPL.US', range);
    expect(intradayCalls().length).toBe(2);
    now = Date.parse('2026-06-16T08:00:00Z');
    await eodhd.intraday('AAPL.US', range);
    await eodhd.intraday('AAPL.US', range);
    expect(intradayCalls().length).toBe(3);
  });

  it('keeps already-fetched windows when a later window fails', async () => {
    // Windows 1 and 2 succeed (a zero delay passes them through), window 3 hits the quota.
    fake.setFaults([
      { kind: 'delay', ms: 0, times: 2, endpoint: 'intraday' },
      { kind: 'status', status: 402, endpoint: 'intraday' },
    ]);
    const range = { interval: '1m', from: '2025-01-01', to: '2025-12-01' } as const;
    await expect(client().intraday('AAPL.US', range)).rejects.toMatchObject({ code: 'QUOTA_EXHAUSTED' });
    expect(intradayCalls().map((r) => r.status)).toEqual([200, 200, 402]);
    // After the reset the two paid windows come from disk: only the third is fetched.
    fake.clearRequests();
    await client().intraday('AAPL.US', range);
    expect(intradayCalls().length).toBe(1);
  });

  it('names files by a hash without the token, writes atomically, survives a corrupt file', async () => {
    const eodhd = client();
    await eodhd.eod('AAPL.US', { from: '2021-01-01', to: '2021-03-01' });
    await eodhd.intraday('AAPL.US', { interval: '1h', from: '2021-01-04', to: '2021-01-08' });
    const files = await readdir(dir);
    expect(files.length).toBe(3); // eod entry, intraday entry, intraday index
    for (const f of files) {
      expect(f).toMatch(/^[0-9a-f]{64}\.json$/);
      const content = await readFile(join(dir, f), 'utf8');
      expect(content).not.toContain(TOKEN);
    }
    const entries = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))),
    );
    const eodEntry = entries.find((e) => e.request?.path === 'eod/AAPL.US');
    expect(eodEntry).toMatchObject({
      closed: true,
      request: { query: { from: '2021-01-01', to: '2021-03-01' } },
    });
    expect(Date.parse(eodEntry.fetchedAt)).toBe(now);

    for (const f of files) await writeFile(join(dir, f), '{"version":1,"clo');
    fake.clearRequests();
    const again = client();
    expect((await again.eod('AAPL.US', { from: '2021-01-01', to: '2021-03-01' })).length).toBeGreaterThan(30);
    expect(fake.requests.length).toBe(1);
  });

  it('refresh: true bypasses the cache', async () => {
    const eodhd = client();
    await eodhd.eod('AAPL.US', { from: '2021-01-01', to: '2021-03-01' });
    await eodhd.eod('AAPL.US', { from: '2021-01-01', to: '2021-03-01', refresh: true });
    expect(fake.requests.length).toBe(2);
  });
});

describe('cache namespace', () => {
  it('is the base URL host and path without scheme or port', () => {
    expect(cacheNamespaceOf('https://eodhd.com/api')).toBe('eodhd.com/api');
    expect(cacheNamespaceOf('http://127.0.0.1:41234/api/')).toBe('127.0.0.1/api');
    expect(cacheNamespaceOf('https://user:pw@eodhd.com:443/api?x=1')).toBe('eodhd.com/api');
  });

  it('the same provider on another port (a fake server in another process) hits the cache', async () => {
    const other = await startFakeEodhd({ token: TOKEN, now: () => now });
    try {
      expect(new URL(other.url).port).not.toBe(new URL(fake.url).port);
      const range = { interval: '1m', from: '2025-10-01', to: '2026-02-01' } as const;
      const eod = { from: '2020-01-01', to: '2020-12-31' };
      const first = createEodhdClient({ apiToken: TOKEN, baseUrl: fake.url, cache: { dir }, now: () => now });
      const intraday = await first.intraday('AAPL.US', range);
      const daily = await first.eod('AAPL.US', eod);
      expect(first.callsSpent).toBeGreaterThan(0);

      const second = createEodhdClient({
        apiToken: TOKEN,
        baseUrl: other.url,
        cache: { dir },
        now: () => now,
      });
      expect(await second.intraday('AAPL.US', range)).toEqual(intraday);
      expect(await second.eod('AAPL.US', eod)).toEqual(daily);
      expect(other.requests).toEqual([]);
      expect(second.callsSpent).toBe(0);

      // Another namespace is another provider: nothing is shared.
      const third = createEodhdClient({
        apiToken: TOKEN,
        baseUrl: other.url,
        cache: { dir, namespace: 'mirror.example/api' },
        now: () => now,
      });
      await third.eod('AAPL.US', eod);
      expect(other.requests.map((r) => r.endpoint)).toEqual(['eod']);
    } finally {
      await other.close();
    }
  });

  it('refuses an empty namespace naming the field', () => {
    expect(() => createEodhdClient({ apiToken: TOKEN, cache: { dir, namespace: '' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG', field: 'cache.namespace' }),
    );
  });
});
