import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEodhdClient } from './client.js';
import { EodhdError, isEodhdError } from './errors.js';
import { type FakeEodhd, startFakeEodhd } from './testing/index.js';

const TOKEN = 'SECRET-tok3n-9f8e7d';
const NOW = Date.parse('2026-06-15T12:00:00Z');
let fake: FakeEodhd;
const lines: string[] = [];
const logger = {
  debug: (m: string, f?: unknown) => lines.push(`${m} ${JSON.stringify(f)}`),
  info: (m: string, f?: unknown) => lines.push(`${m} ${JSON.stringify(f)}`),
  warn: (m: string, f?: unknown) => lines.push(`${m} ${JSON.stringify(f)}`),
  error: (m: string, f?: unknown) => lines.push(`${m} ${JSON.stringify(f)}`),
};

beforeAll(async () => {
  fake = await startFakeEodhd({ token: TOKEN, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
  // The token never reached a log line.
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) expect(line).not.toContain(TOKEN);
});

const client = (extra: Record<string, unknown> = {}) =>
  createEodhdClient({
    apiToken: TOKEN,
    baseUrl: fake.url,
    now: () => NOW,
    logger,
    retry: { limit: 2, backoffMs: 5, maxBackoffMs: 20 },
    ...extra,
  });

const eodArgs = { from: '2026-01-01', to: '2026-01-31' } as const;

/** Runs `fn`, expects an EodhdError, checks the token is nowhere in it. */
async function failure(fn: () => Promise<unknown>): Promise<EodhdError> {
  try {
    await fn();
  } catch (e) {
    expect(isEodhdError(e)).toBe(true);
    const err = e as EodhdError;
    expect(`${err.message} ${err.stack} ${err.url} ${JSON.stringify(err)}`).not.toContain(TOKEN);
    return err;
  }
  throw new Error('expected a failure');
}

describe('retries and errors', () => {
  it('retries a 429 after Retry-After, then succeeds', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 429, retryAfterSec: 1, endpoint: 'eod' }]);
    const eodhd = client();
    const bars = await eodhd.eod('AAPL.US', eodArgs);
    expect(bars.length).toBeGreaterThan(15);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
    // Honoured Retry-After: the retry came at least 1 s later.
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(eodhd.stats.retries).toBe(1);
    expect(eodhd.callsSpent).toBe(1);
  });

  it('gives up on a persistent 429 with RATE_LIMITED after limit + 1 tries', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 429, retryAfterSec: 0, times: 10 }]);
    const err = await failure(() => client().eod('AAPL.US', eodArgs));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.status).toBe(429);
    expect(fake.requests.length).toBe(3);
    fake.setFaults([]);
  });

  it('fails at once when Retry-After is longer than allowed', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 429, retryAfterSec: 3600 }]);
    const err = await failure(() => client().eod('AAPL.US', eodArgs));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(fake.requests.length).toBe(1);
  });

  it('retries 500 with backoff and succeeds; a persistent 500 is SERVER', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 500, times: 2 }]);
    const eodhd = client();
    await eodhd.splits('AAPL.US');
    expect(fake.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 503, times: 5 }]);
    const err = await failure(() => eodhd.splits('AAPL.US'));
    expect(err).toMatchObject({ code: 'SERVER', status: 503 });
    expect(fake.requests.length).toBe(3);
    expect(eodhd.callsSpent).toBe(1);
    fake.setFaults([]);
  });

  it('never retries a 402 and stops sending until the quota resets', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 402, times: 5 }]);
    const eodhd = client();
    const err = await failure(() =>
      eodhd.intraday('AAPL.US', { interval: '5m', from: '2026-01-01', to: '2026-02-01' }),
    );
    expect(err).toMatchObject({ code: 'QUOTA_EXHAUSTED', status: 402 });
    expect(fake.requests.length).toBe(1);
    // The next call fails without touching the network.
    const again = await failure(() => eodhd.eod('AAPL.US', eodArgs));
    expect(again.code).toBe('QUOTA_EXHAUSTED');
    expect(fake.requests.length).toBe(1);
    expect(eodhd.callsSpent).toBe(0);
    fake.setFaults([]);
  });

  it('maps 401 (plain-text Unauthenticated) and 403 (demo ticker) to AUTH', async () => {
    const wrong = createEodhdClient({ apiToken: 'not-the-token', baseUrl: fake.url, logger });
    const e401 = await failure(() => wrong.eod('AAPL.US', eodArgs));
    expect(e401).toMatchObject({ code: 'AUTH', status: 401 });
    expect(e401.message).toContain('Unauthenticated');
    expect(e401.message).not.toContain('not-the-token');
    const demo = createEodhdClient({ apiToken: 'demo', baseUrl: fake.url });
    expect((await demo.eod('AAPL.US', eodArgs)).length).toBeGreaterThan(0);
    const e403 = await failure(() => demo.eod('IBM.US', eodArgs));
    expect(e403).toMatchObject({ code: 'AUTH', status: 403 });
  });

  it('maps 404 to NOT_FOUND and an over-cap 422 to HTTP, without retries', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'status', status: 404 }]);
    expect(await failure(() => client().dividends('NOPE.US'))).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
    fake.setFaults([{ kind: 'status', status: 422, body: '{"message":"Max period length is 120 days"}' }]);
    const e = await failure(() => client().splits('AAPL.US'));
    expect(e).toMatchObject({ code: 'HTTP', status: 422 });
    expect(e.message).toContain('Max period length');
    expect(fake.requests.length).toBe(2);
  });

  it('times out a slow response with TIMEOUT', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'delay', ms: 400, times: 2 }]);
    const err = await failure(() =>
      client({ timeoutMs: 100, retry: { limit: 1, backoffMs: 1 } }).eod('AAPL.US', eodArgs),
    );
    expect(err.code).toBe('TIMEOUT');
    expect(fake.requests.length).toBe(2);
  });

  it('reports NETWORK when nothing listens', async () => {
    const dead = await startFakeEodhd();
    const url = dead.url;
    await dead.close();
    const err = await failure(() =>
      createEodhdClient({ apiToken: TOKEN, baseUrl: url, retry: { limit: 1, backoffMs: 1 }, logger }).eod(
        'AAPL.US',
        eodArgs,
      ),
    );
    expect(err.code).toBe('NETWORK');
    expect(err.url).toContain('api_token=***');
  });

  it('reports BAD_RESPONSE for a malformed or HTML body, and does not pay twice for it', async () => {
    fake.clearRequests();
    fake.setFaults([{ kind: 'malformed' }, { kind: 'html' }]);
    const eodhd = client();
    expect(await failure(() => eodhd.eod('AAPL.US', eodArgs))).toMatchObject({ code: 'BAD_RESPONSE' });
    const html = await failure(() => eodhd.eod('AAPL.US', eodArgs));
    expect(html.code).toBe('BAD_RESPONSE');
    expect(html.message).toContain('Maintenance');
    expect(fake.requests.length).toBe(2);
    expect(eodhd.callsSpent).toBe(2);
  });

  it('reports an error object sent with status 200 as BAD_RESPONSE quoting the server', async () => {
    fake.setFaults([
      { kind: 'status', status: 200, body: '{"error":"Invalid period parameter","code":200}' },
    ]);
    const err = await failure(() => client().eod('AAPL.US', eodArgs));
    expect(err).toMatchObject({ code: 'BAD_RESPONSE', field: '(root)' });
    expect(err.message).toContain('Invalid period parameter');
  });

  it('names the field of a wrong-typed value', async () => {
    const bad = await startFakeEodhd({
      token: TOKEN,
      data: {
        eod: {
          'AAPL.US': [
            { date: '2026-01-02', open: 1, high: 2, low: 0.5, close: 'abc', adjusted_close: 1, volume: 5 },
          ],
        },
      },
    });
    const err = await failure(() =>
      createEodhdClient({ apiToken: TOKEN, baseUrl: bad.url }).eod('AAPL.US', eodArgs),
    );
    await bad.close();
    expect(err).toMatchObject({ code: 'BAD_RESPONSE', field: '[0].close' });
    expect(err.message).toContain('[0].close');
  });

  it('validates options and never echoes the token', () => {
    expect(() => createEodhdClient({ apiToken: '' })).toThrow(EodhdError);
    let caught: unknown;
    try {
      createEodhdClient({ apiToken: TOKEN, retry: { limit: -1 } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'CONFIG', field: 'retry.limit' });
    expect(String(caught)).not.toContain(TOKEN);
    expect(createEodhdClient({ apiToken: TOKEN }).config).toMatchObject({
      apiToken: '***',
      baseUrl: 'https://eodhd.com/api',
    });
  });
});
