/**
 * Every documented Alpaca error (status, 8-digit code, message) maps to its code, with the HTTP
 * status and Alpaca's numeric code; and the keys never appear in any error or log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAlpaca } from '../test/fake-alpaca.js';
import { clientFor, startFake } from '../test/helpers.js';
import { classifyHttpError } from './errors.js';
import { type AlpacaError, type AlpacaErrorCode, isAlpacaError } from './index.js';

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(async () => {
  await fake.close();
});

const CASES: [number, unknown, AlpacaErrorCode, number | undefined][] = [
  [401, { message: 'unauthorized' }, 'AUTH', undefined],
  [401, '<html><body>401 Authorization Required</body></html>', 'AUTH', undefined],
  [
    403,
    { code: 40310000, message: 'insufficient buying power', buying_power: '10', cost_basis: '190' },
    'INSUFFICIENT_BUYING_POWER',
    40310000,
  ],
  [
    403,
    {
      code: 40310000,
      message: 'insufficient qty available for order (requested: 10, available: 4)',
      available: '4',
      symbol: 'AAPL',
    },
    'INSUFFICIENT_QTY',
    40310000,
  ],
  [403, { code: 40310000, message: 'account is not allowed to short' }, 'NOT_SHORTABLE', 40310000],
  [403, { code: 40310000, message: 'fractional orders are not allowed to short' }, 'NOT_SHORTABLE', 40310000],
  [
    403,
    { code: 40310000, message: 'potential wash trade detected. use complex orders' },
    'WASH_TRADE',
    40310000,
  ],
  [
    422,
    { code: 42210000, message: 'potential wash trade detected. use complex orders' },
    'WASH_TRADE',
    42210000,
  ],
  [403, { message: 'cannot open a long buy while a short sell order is open' }, 'WASH_TRADE', undefined],
  [
    403,
    { code: 40310100, message: 'trade denied due to pattern day trading protection' },
    'DAY_TRADE_RULE',
    40310100,
  ],
  [403, { message: 'insufficient day trading buying power' }, 'DAY_TRADE_RULE', undefined],
  [403, { code: 40310000, message: 'new orders are rejected by user request' }, 'FORBIDDEN', 40310000],
  [404, { code: 40410000, message: 'order not found' }, 'NOT_FOUND', 40410000],
  [
    422,
    {
      code: 42210000,
      message: 'invalid limit_price 290.123. sub-penny increment does not fulfill minimum pricing criteria',
    },
    'UNPROCESSABLE',
    42210000,
  ],
  [422, { code: 40010001, message: 'us_equity orders not allowed for account' }, 'UNPROCESSABLE', 40010001],
  [400, { code: 40010000, message: 'request body format is invalid' }, 'UNPROCESSABLE', 40010000],
];

describe('error mapping', () => {
  it.each(CASES)('%i %j → %s', async (status, body, code, alpacaCode) => {
    const { client } = clientFor(fake);
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'status', status, body });
    const e = (await client
      .submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' })
      .catch((x) => x)) as AlpacaError;
    expect(isAlpacaError(e)).toBe(true);
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.alpacaCode).toBe(alpacaCode);
    expect(e.request).toBe('POST /v2/orders');
    expect(typeof e.clientOrderId).toBe('string');
  });

  it('429 after the retries → RATE_LIMITED', async () => {
    const { client } = clientFor(fake, { retry: { retries: 1, baseDelayMs: 1, jitter: false } });
    fake.fault({
      method: 'GET',
      path: '/v2/account',
      kind: 'status',
      status: 429,
      times: 2,
      body: { code: 42910000, message: 'rate limit exceeded' },
    });
    const e = await client.getAccount().catch((x) => x);
    expect(isAlpacaError(e, 'RATE_LIMITED')).toBe(true);
    expect(e.status).toBe(429);
    expect(e.retryable).toBe(true);
  });

  it('5xx after the retries → NETWORK with the status', async () => {
    const { client } = clientFor(fake, { retry: { retries: 1, baseDelayMs: 1, jitter: false } });
    fake.fault({ method: 'GET', path: '/v2/account', kind: 'status', status: 500, times: 2 });
    const e = await client.getAccount().catch((x) => x);
    expect(isAlpacaError(e, 'NETWORK')).toBe(true);
    expect(e.status).toBe(500);
  });

  it('malformed JSON and wrong shapes → BAD_RESPONSE naming the field', async () => {
    const { client } = clientFor(fake);
    fake.fault({ method: 'GET', path: '/v2/account', kind: 'malformed' });
    const e1 = await client.getAccount().catch((x) => x);
    expect(isAlpacaError(e1, 'BAD_RESPONSE')).toBe(true);
    fake.fault({
      method: 'GET',
      path: '/v2/account',
      kind: 'status',
      status: 200,
      body: { id: 'x', status: 'ACTIVE', cash: 'lots', equity: '1', buying_power: '1' },
    });
    const e2 = await client.getAccount().catch((x) => x);
    expect(isAlpacaError(e2, 'BAD_RESPONSE')).toBe(true);
    expect(e2.message).toMatch(/at cash/);
  });

  it('an unreachable server → NETWORK', async () => {
    const { client } = clientFor(fake, {
      baseUrl: 'http://127.0.0.1:1',
      retry: { retries: 1, baseDelayMs: 1, jitter: false },
    });
    const e = await client.getClock().catch((x) => x);
    expect(isAlpacaError(e, 'NETWORK')).toBe(true);
    expect(e.message).toMatch(/GET \/v2\/clock failed/);
  });

  it('wrong keys → AUTH from the server', async () => {
    const { client } = clientFor(fake, { keyId: 'PKWRONGKEY000000', secretKey: 'wrong-secret-0000000000' });
    const e = await client.getAccount().catch((x) => x);
    expect(isAlpacaError(e, 'AUTH')).toBe(true);
    expect(e.message).not.toContain('wrong-secret-0000000000');
  });

  it('classifies by status when there is no body', () => {
    expect(classifyHttpError(403, undefined, 'HTTP 403')).toBe('FORBIDDEN');
    expect(classifyHttpError(409, undefined, 'conflict')).toBe('UNPROCESSABLE');
    expect(classifyHttpError(418, undefined, 'teapot')).toBe('BAD_RESPONSE');
  });
});

describe('secrets', () => {
  it('never appear in errors or log lines, even when the server echoes them', async () => {
    const { client, log } = clientFor(fake, {
      retry: { retries: 1, baseDelayMs: 1, jitter: false },
      timeoutMs: 200,
    });
    const errors: unknown[] = [];
    const run = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (e) {
        errors.push(e);
      }
    };
    fake.fault({
      method: 'GET',
      path: '/v2/account',
      kind: 'status',
      status: 403,
      body: { message: `key ${fake.keyId} secret ${fake.secretKey} denied`, echo: { k: fake.secretKey } },
    });
    await run(() => client.getAccount());
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'drop-after' });
    await run(() => client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' }));
    fake.fault({ method: 'GET', kind: 'delay', ms: 500, times: 2 });
    await run(() => client.getClock());
    fake.fault({ method: 'GET', kind: 'status', status: 500, times: 2 });
    await run(() => client.listPositions());
    await run(() => client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'stop' }));
    await run(() => clientFor(fake, { baseUrl: 'http://127.0.0.1:1' }).client.getClock());
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(log.lines.length).toBeGreaterThan(5);
    const dump =
      JSON.stringify(
        errors.map((e) => {
          const err = e as AlpacaError;
          return {
            message: err.message,
            stack: err.stack,
            body: err.body,
            cause: String(err.cause ?? ''),
            all: { ...err },
          };
        }),
      ) + JSON.stringify(log.lines);
    expect(dump).toContain('***'); // the echoed keys were redacted, not dropped silently
    expect(dump).not.toContain(fake.keyId);
    expect(dump).not.toContain(fake.secretKey);
  });
});
