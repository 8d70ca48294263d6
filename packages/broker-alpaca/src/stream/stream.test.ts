/**
 * trade_updates stream: auth → listen → events (binary frames), reconnect with resubscribe,
 * and reconciliation of the updates missed while disconnected, each delivered once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeAlpaca } from '../../test/fake-alpaca.js';
import { clientFor, startFake } from '../../test/helpers.js';
import { type AlpacaError, isAlpacaError, type TradeUpdate } from '../index.js';

let fake: FakeAlpaca;
beforeEach(async () => {
  fake = await startFake();
});
afterEach(async () => {
  await fake.close();
});

async function waitFor(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const realTime = {
  now: Date.now,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  stream: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 200, pingIntervalMs: 5_000 },
};

describe('streamTradeUpdates', () => {
  it('authenticates, listens and delivers typed updates from binary frames', async () => {
    const { client } = clientFor(fake, realTime);
    const updates: TradeUpdate[] = [];
    const states: string[] = [];
    const stream = client.streamTradeUpdates((u) => updates.push(u), {
      onStateChange: (s) => states.push(s),
    });
    await stream.ready;
    expect(stream.state).toBe('listening');
    expect(fake.listenerCount).toBe(1);
    const order = await client.submitOrder({
      symbol: 'AAPL',
      qty: 3,
      side: 'buy',
      type: 'limit',
      limitPrice: 190,
    });
    fake.heartbeat();
    fake.fill(order.id, 1, 189.99);
    await waitFor(() => updates.length === 2, 'two updates');
    expect(updates.map((u) => u.event)).toEqual(['new', 'partial_fill']);
    const fill = updates[1] as TradeUpdate;
    expect(fill.order.id).toBe(order.id);
    expect(fill.price).toBe(189.99);
    expect(fill.qty).toBe(1);
    expect(fill.positionQty).toBe(1);
    expect(fill.order.filledQty).toBe(1);
    expect(fill.order.filledAvgPrice).toBe(189.99);
    expect(fill.executionId).toMatch(/^exec-/);
    expect(fill.reconciled).toBe(false);
    await stream.close();
    expect(stream.state).toBe('closed');
    expect(states).toEqual(['authenticating', 'listening', 'closed']);
  });

  it('works with text frames too', async () => {
    await fake.close();
    fake = await startFake({ binaryFrames: false });
    const { client } = clientFor(fake, realTime);
    const updates: TradeUpdate[] = [];
    const stream = client.streamTradeUpdates((u) => updates.push(u));
    await stream.ready;
    await client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' });
    await waitFor(() => updates.length === 1, 'one update');
    await stream.close();
  });

  it('rejects bad keys with AUTH and does not reconnect', async () => {
    const { client } = clientFor(fake, { ...realTime, secretKey: 'not-the-secret-000000' });
    const errors: AlpacaError[] = [];
    const stream = client.streamTradeUpdates(() => undefined, { onError: (e) => errors.push(e) });
    const e = await stream.ready.catch((x) => x);
    expect(isAlpacaError(e, 'AUTH')).toBe(true);
    expect(e.message).toMatch(/access key verification failed/);
    expect(errors.map((x) => x.code)).toEqual(['AUTH']);
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.reconnects).toBe(0);
    await stream.close();
  });

  it('reconnects, resubscribes and delivers the updates missed while down exactly once', async () => {
    const { client } = clientFor(fake, realTime);
    const updates: TradeUpdate[] = [];
    const stream = client.streamTradeUpdates((u) => updates.push(u));
    await stream.ready;

    const a = await client.submitOrder({
      symbol: 'AAPL',
      qty: 3,
      side: 'buy',
      type: 'limit',
      limitPrice: 190,
    });
    const old = await client.submitOrder({
      symbol: 'MSFT',
      qty: 2,
      side: 'buy',
      type: 'limit',
      limitPrice: 400,
      timeInForce: 'gtc',
    });
    // An old GTC order: submitted long before the gap, so `after` does not find it.
    (fake.orders.get(old.id) as Record<string, unknown>).submitted_at = '2026-01-02T15:00:00.000000001Z';
    fake.fill(a.id, 1, 190);
    await waitFor(() => updates.length === 3, 'new, new, partial_fill');

    fake.dropStreams();
    // While disconnected: these events are lost on the wire.
    fake.fill(a.id, 2, 189); // a becomes filled
    fake.fill(old.id, 2, 399.5); // old becomes filled
    const gap = await client.submitOrder({
      symbol: 'AAPL',
      qty: 1,
      side: 'sell',
      type: 'limit',
      limitPrice: 200,
    });
    fake.cancel(gap.id);

    await waitFor(() => stream.reconnects === 1, 'reconnect');
    expect(fake.listenerCount).toBe(1);
    await stream.reconciled();
    const rebuilt = updates.filter((u) => u.reconciled);
    const summary = rebuilt
      .map((u) => `${u.order.id === a.id ? 'a' : u.order.id === old.id ? 'old' : 'gap'}:${u.event}`)
      .sort();
    expect(summary).toEqual(['a:fill', 'gap:canceled', 'gap:new', 'old:fill'].sort());
    const aFill = rebuilt.find((u) => u.order.id === a.id) as TradeUpdate;
    expect(aFill.qty).toBe(2);
    expect(aFill.price).toBeCloseTo(189, 9);
    expect(aFill.order.status).toBe('filled');
    const oldFill = rebuilt.find((u) => u.order.id === old.id) as TradeUpdate;
    expect(oldFill.qty).toBe(2);
    expect(oldFill.price).toBe(399.5);

    // The same fill arriving on the socket after the snapshot saw it is dropped.
    const count = updates.length;
    fake.emit('fill', fake.orders.get(a.id) as Record<string, unknown>, {
      price: '189',
      qty: '2',
      execution_id: 'late-dup',
    });
    // New live events still flow.
    const next = await client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' });
    await waitFor(() => updates.some((u) => u.order.id === next.id), 'live update after reconnect');
    expect(updates.length).toBe(count + 1);
    const keys = updates.map((u) => `${u.order.id}|${u.event}|${u.order.filledQty}`);
    expect(new Set(keys).size).toBe(keys.length);
    await stream.close();
  });

  it('reconciliation does not repeat updates already seen live', async () => {
    const { client } = clientFor(fake, realTime);
    const updates: TradeUpdate[] = [];
    const stream = client.streamTradeUpdates((u) => updates.push(u));
    await stream.ready;
    const o = await client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' });
    fake.fill(o.id, 1, 190);
    await waitFor(() => updates.length === 2, 'new + fill');
    fake.dropStreams();
    await waitFor(() => stream.reconnects === 1, 'reconnect');
    await stream.reconciled();
    expect(fake.count('GET', '/v2/orders')).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBe(2);
    await stream.close();
  });

  it('keeps reconnecting while the server is away', async () => {
    const { client } = clientFor(fake, realTime);
    const stream = client.streamTradeUpdates(() => undefined);
    await stream.ready;
    fake.dropStreams();
    await waitFor(() => stream.state !== 'listening', 'drop noticed');
    await waitFor(() => stream.reconnects === 1, 'first reconnect');
    fake.dropStreams();
    await waitFor(() => stream.reconnects === 2, 'second reconnect');
    await stream.close();
    expect(stream.state).toBe('closed');
  });
});

describe('reconciliation with a server clock far behind ours', () => {
  it('uses the server timestamps it saw, so orders submitted in the gap are still found', async () => {
    fake.clockOffsetMs = -86_400_000; // e.g. a simulator replaying yesterday
    const { client } = clientFor(fake, realTime);
    const updates: TradeUpdate[] = [];
    const stream = client.streamTradeUpdates((u) => updates.push(u));
    await stream.ready;
    const first = await client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' });
    fake.fill(first.id, 1, 190);
    await waitFor(() => updates.length === 2, 'new + fill');
    fake.dropStreams();
    const gap = await client.submitOrder({ symbol: 'MSFT', qty: 1, side: 'buy' });
    fake.fill(gap.id, 1, 410);
    await waitFor(() => stream.reconnects === 1, 'reconnect');
    await stream.reconciled();
    const after = fake.requests
      .find((r) => r.path === '/v2/orders' && r.query.get('status') === 'all')
      ?.query.get('after');
    expect(Date.parse(after ?? '')).toBeLessThan(Date.now() - 86_000_000);
    expect(updates.filter((u) => u.reconciled).map((u) => `${u.order.symbol}:${u.event}`)).toEqual([
      'MSFT:new',
      'MSFT:fill',
    ]);
    await stream.close();
  });
});
