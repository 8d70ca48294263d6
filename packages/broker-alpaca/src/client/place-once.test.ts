/**
 * Order submission under faults: the outcome must always be exactly one order (or a
 * clear error with the client order id), never a duplicate.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAlpaca } from '../../test/fake-alpaca.js';
import { clientFor, startFake } from '../../test/helpers.js';
import { isAlpacaError } from '../index.js';

let fake: FakeAlpaca;
beforeEach(async () => {
  fake = await startFake();
});
afterEach(async () => {
  await fake.close();
});

const buy = { symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit', limitPrice: 190 } as const;
const postBodies = () =>
  fake.requests
    .filter((r) => r.method === 'POST' && r.path === '/v2/orders')
    .map((r) => r.body as { client_order_id: string });

describe('submitOrder is idempotent', () => {
  it('connection dropped after the order was accepted → looks it up, exactly one order', async () => {
    const { client, log } = clientFor(fake);
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'drop-after' });
    const order = await client.submitOrder(buy);
    expect(fake.orders.size).toBe(1);
    expect(order.id).toBe([...fake.orders.keys()][0]);
    expect(postBodies()).toHaveLength(1);
    expect(fake.count('GET', '/v2/orders:by_client_order_id')).toBe(1);
    expect(log.lines.some((l) => l.msg?.includes('uncertain'))).toBe(true);
  });

  it('timeout after acceptance → looks it up, exactly one order', async () => {
    const { client } = clientFor(fake, { timeoutMs: 800 });
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'delay', ms: 2000 });
    const order = await client.submitOrder(buy);
    expect(fake.orders.size).toBe(1);
    expect(order.clientOrderId).toBe(postBodies()[0]?.client_order_id);
    expect(postBodies()).toHaveLength(1);
  });

  it('5xx before processing → not found by client id → resent with the same id, one order', async () => {
    const { client } = clientFor(fake);
    fake.fault({
      method: 'POST',
      path: '/v2/orders',
      kind: 'status',
      status: 503,
      body: { message: 'upstream unavailable' },
    });
    const order = await client.submitOrder({ ...buy, clientOrderId: 'fixed-id-1' });
    const bodies = postBodies();
    expect(bodies.map((b) => b.client_order_id)).toEqual(['fixed-id-1', 'fixed-id-1']);
    expect(fake.count('GET', '/v2/orders:by_client_order_id')).toBe(1);
    expect(fake.orders.size).toBe(1);
    expect(order.clientOrderId).toBe('fixed-id-1');
  });

  it('malformed JSON in a 200 → looked up, one order', async () => {
    const { client } = clientFor(fake);
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'malformed' });
    const order = await client.submitOrder(buy);
    expect(fake.orders.size).toBe(1);
    expect(order.id).toBe([...fake.orders.keys()][0]);
    expect(postBodies()).toHaveLength(1);
  });

  it('429 → waits for X-Ratelimit-Reset and resends the same client order id (not executed)', async () => {
    const { client, clock } = clientFor(fake);
    const reset = Math.floor(clock.now() / 1000) + 3;
    fake.fault({
      method: 'POST',
      path: '/v2/orders',
      kind: 'status',
      status: 429,
      body: { code: 42910000, message: 'rate limit exceeded' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    const order = await client.submitOrder(buy);
    const bodies = postBodies();
    expect(bodies).toHaveLength(2);
    expect(bodies[0]?.client_order_id).toBe(bodies[1]?.client_order_id);
    expect(fake.count('GET', '/v2/orders:by_client_order_id')).toBe(0);
    expect(fake.orders.size).toBe(1);
    expect(order.status).toBe('new');
    const waited = clock.slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThanOrEqual(3000);
  });

  it('422 "client_order_id must be unique" → returns the existing order', async () => {
    const { client } = clientFor(fake);
    const first = await client.submitOrder({ ...buy, clientOrderId: 'dup-1' });
    const again = await client.submitOrder({ ...buy, clientOrderId: 'dup-1' });
    expect(again.id).toBe(first.id);
    expect(fake.orders.size).toBe(1);
  });

  it('a client order id reused for a different order is an error, not a silent success', async () => {
    const { client } = clientFor(fake);
    await client.submitOrder({ ...buy, clientOrderId: 'dup-2' });
    const e = await client.submitOrder({ ...buy, symbol: 'MSFT', clientOrderId: 'dup-2' }).catch((x) => x);
    expect(isAlpacaError(e, 'UNPROCESSABLE')).toBe(true);
    expect(e.field).toBe('clientOrderId');
    expect(fake.orders.size).toBe(1);
  });

  it('uncertain, then a business rejection on the resend → looks up once more before failing', async () => {
    const { client } = clientFor(fake);
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'status', status: 500 });
    fake.fault({
      method: 'POST',
      path: '/v2/orders',
      kind: 'status',
      status: 403,
      body: { code: 40310000, message: 'insufficient buying power', buying_power: '10', cost_basis: '190' },
    });
    const e = await client.submitOrder(buy).catch((x) => x);
    expect(isAlpacaError(e, 'INSUFFICIENT_BUYING_POWER')).toBe(true);
    expect(e.alpacaCode).toBe(40310000);
    expect(typeof e.clientOrderId).toBe('string');
    expect(fake.count('GET', '/v2/orders:by_client_order_id')).toBe(2);
    expect(fake.orders.size).toBe(0);
  });

  it('gives up after the retries with NETWORK and the client order id; nothing placed', async () => {
    const { client } = clientFor(fake, { retry: { retries: 2, baseDelayMs: 10, jitter: false } });
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'drop-before', times: 10 });
    const e = await client.submitOrder({ ...buy, clientOrderId: 'never' }).catch((x) => x);
    expect(isAlpacaError(e, 'NETWORK')).toBe(true);
    expect(e.clientOrderId).toBe('never');
    expect(e.message).toMatch(/not placed after 3 attempts/);
    expect(postBodies()).toHaveLength(3);
    expect(fake.orders.size).toBe(0);
  });

  it('when the look-up fails too, it stops (no blind resend) and says the outcome is unknown', async () => {
    const { client } = clientFor(fake, { retry: { retries: 2, baseDelayMs: 10, jitter: false } });
    fake.fault({ method: 'POST', path: '/v2/orders', kind: 'drop-after' });
    fake.fault({
      method: 'GET',
      path: '/v2/orders:by_client_order_id',
      kind: 'status',
      status: 503,
      times: 3,
    });
    const e = await client.submitOrder(buy).catch((x) => x);
    expect(isAlpacaError(e, 'NETWORK')).toBe(true);
    expect(e.message).toMatch(/outcome unknown/);
    expect(typeof e.clientOrderId).toBe('string');
    expect(postBodies()).toHaveLength(1);
    expect(fake.orders.size).toBe(1);
    // The caller can reconcile with the id from the error.
    expect((await client.getOrderByClientId(e.clientOrderId)).id).toBe([...fake.orders.keys()][0]);
  });

  it('replaceOrder resolves a dropped connection by the replacement client order id', async () => {
    const { client } = clientFor(fake);
    const o = await client.submitOrder(buy);
    fake.fault({ method: 'PATCH', kind: 'drop-after' });
    const r = await client.replaceOrder(o.id, { limitPrice: 191 });
    expect(r.replaces).toBe(o.id);
    expect(fake.count('PATCH', /^\/v2\/orders\//)).toBe(1);
    expect(fake.orders.size).toBe(2);
  });
});

describe('GET and DELETE retries', () => {
  it('retries 5xx with exponential backoff', async () => {
    const { client, clock } = clientFor(fake);
    fake.fault({ method: 'GET', path: '/v2/account', kind: 'status', status: 503, times: 2 });
    const a = await client.getAccount();
    expect(a.equity).toBe(100_000);
    expect(fake.count('GET', '/v2/account')).toBe(3);
    expect(clock.slept).toEqual([100, 200]);
  });

  it('retries 429 honouring X-Ratelimit-Reset, else Retry-After', async () => {
    const { client, clock } = clientFor(fake);
    const reset = Math.floor(clock.now() / 1000) + 5;
    fake.fault({
      method: 'GET',
      path: '/v2/clock',
      kind: 'status',
      status: 429,
      headers: { 'x-ratelimit-reset': String(reset) },
    });
    fake.fault({
      method: 'GET',
      path: '/v2/clock',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '7' },
    });
    await client.getClock();
    expect(fake.count('GET', '/v2/clock')).toBe(3);
    expect(clock.slept[0]).toBeGreaterThan(4000);
    expect(clock.slept[0]).toBeLessThanOrEqual(5000);
    expect(clock.slept.at(-1)).toBe(7000);
  });

  it('retries a dropped connection and a timeout on GET', async () => {
    const { client } = clientFor(fake, { timeoutMs: 800 });
    fake.fault({ method: 'GET', path: '/v2/positions', kind: 'drop-before' });
    fake.fault({ method: 'GET', path: '/v2/positions', kind: 'delay', ms: 2000 });
    expect(await client.listPositions()).toEqual([]);
    expect(fake.count('GET', '/v2/positions')).toBe(3);
  });

  it('retries DELETE on 5xx', async () => {
    const { client } = clientFor(fake);
    const o = await client.submitOrder(buy);
    fake.fault({ method: 'DELETE', kind: 'status', status: 502 });
    await client.cancelOrder(o.id);
    expect(fake.orders.get(o.id)?.status).toBe('canceled');
    expect(fake.count('DELETE', `/v2/orders/${o.id}`)).toBe(2);
  });

  it('a DELETE retried after the first attempt went through is still a success', async () => {
    const { client } = clientFor(fake);
    const o = await client.submitOrder(buy);
    fake.fault({ method: 'DELETE', kind: 'drop-after' });
    await client.cancelOrder(o.id);
    expect(fake.orders.get(o.id)?.status).toBe('canceled');
  });

  it('does not retry 4xx', async () => {
    const { client } = clientFor(fake);
    fake.fault({
      method: 'GET',
      path: '/v2/account',
      kind: 'status',
      status: 403,
      body: { code: 40310000, message: 'account restricted' },
    });
    const e = await client.getAccount().catch((x) => x);
    expect(isAlpacaError(e, 'FORBIDDEN')).toBe(true);
    expect(fake.count('GET', '/v2/account')).toBe(1);
  });
});
