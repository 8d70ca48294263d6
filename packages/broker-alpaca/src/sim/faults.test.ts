/** Auth, rate limits, injected faults and the trade_updates websocket of the paper exchange. */
import { afterEach, describe, expect, it } from 'vitest';
import { api, msftBars, openStream, until } from '../../test/sim-helpers.js';
import { type PaperExchange, startPaperExchange } from './index.js';

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

const order = (id: string) => ({
  symbol: 'MSFT',
  qty: '10',
  side: 'buy',
  type: 'market',
  time_in_force: 'day',
  client_order_id: id,
});

describe('HTTP', () => {
  it('requires both auth headers and sends rate-limit headers; 429 past the per-minute limit', async () => {
    ex = await startPaperExchange({ bars: msftBars(3), rateLimitPerMinute: 5 });
    const noAuth = await fetch(`${ex.url}/v2/account`, { headers: { 'APCA-API-KEY-ID': 'k' } });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ message: 'unauthorized' });
    const http = api(ex);
    const first = await http.get('/v2/account');
    expect(first.headers.get('x-ratelimit-limit')).toBe('5');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const statuses: number[] = [first.status];
    for (let i = 0; i < 5; i++) statuses.push((await http.get('/v2/clock')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]); // the 401 counted too
  });

  it('injected 429 and 500 execute nothing; drop-after-accept stores the order and hangs up', async () => {
    ex = await startPaperExchange({ bars: msftBars(3) });
    const http = api(ex);
    ex.setFaults([
      { kind: '429', method: 'POST', path: '/v2/orders', retryAfterSeconds: 3 },
      { kind: '500', method: 'POST', path: '/v2/orders' },
    ]);
    const r429 = await http.post('/v2/orders', order('c-1'));
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('3');
    expect(r429.headers.get('x-ratelimit-remaining')).toBe('0');
    const r500 = await http.post('/v2/orders', order('c-1'));
    expect(r500.status).toBe(500);
    expect((await http.get('/v2/orders:by_client_order_id?client_order_id=c-1')).status).toBe(404);
    // faults are used up: the same client_order_id now goes through
    expect((await http.post('/v2/orders', order('c-1'))).status).toBe(200);

    ex.setFaults([{ kind: 'drop-after-accept', method: 'POST', path: '/v2/orders' }]);
    await expect(http.post('/v2/orders', order('c-2'))).rejects.toThrow();
    // the order exists: a careful client finds it by client_order_id instead of posting twice
    const found = await http.get('/v2/orders:by_client_order_id?client_order_id=c-2');
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ client_order_id: 'c-2', status: 'new', qty: '10' });
    const retry = await http.post('/v2/orders', order('c-2'));
    expect(retry.body.message).toBe('client_order_id must be unique');
  });

  it('reset drops before handling; slow waits before answering', async () => {
    ex = await startPaperExchange({ bars: msftBars(3) });
    const http = api(ex);
    ex.setFaults([{ kind: 'reset', path: '/v2/orders' }]);
    await expect(http.post('/v2/orders', order('r-1'))).rejects.toThrow();
    expect((await http.get('/v2/orders:by_client_order_id?client_order_id=r-1')).status).toBe(404);
    ex.setFaults([{ kind: 'slow', path: '/v2/clock', delayMs: 150 }]);
    const t0 = performance.now();
    expect((await http.get('/v2/clock')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe('trade_updates websocket', () => {
  it('authenticates (both formats), listens, and sends binary frames with execution details', async () => {
    ex = await startPaperExchange({ bars: msftBars(3) });
    const stream = await openStream(ex);
    expect(stream.messages[0]).toEqual({
      stream: 'authorization',
      data: { status: 'authorized', action: 'authenticate' },
    });
    expect(stream.messages[1]).toEqual({ stream: 'listening', data: { streams: ['trade_updates'] } });
    const o = await api(ex).order(order('w-1'));
    ex.advance();
    const fill = await stream.waitFor((m) => m.data?.event === 'fill');
    expect(fill.data).toMatchObject({
      event: 'fill',
      price: '63.4375',
      qty: '10',
      position_qty: '10',
      order: { id: o.id, status: 'filled', filled_qty: '10', filled_avg_price: '63.4375' },
    });
    expect(fill.data.execution_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(stream.updates().map((u: { event: string }) => u.event)).toEqual(['new', 'fill']);
    expect(stream.binary.every(Boolean)).toBe(true);
    stream.close();

    // legacy authenticate format; listen before auth is refused; bad keys are refused
    const WebSocket = (await import('ws')).default;
    const raw = new WebSocket(ex.streamUrl);
    const got: unknown[] = [];
    raw.on('message', (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => raw.once('open', r));
    raw.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
    raw.send(JSON.stringify({ action: 'authenticate', data: { key_id: '', secret_key: 'x' } }));
    raw.send(JSON.stringify({ action: 'authenticate', data: { key_id: 'k', secret_key: 'x' } }));
    await until(() => got.length === 3);
    expect(got).toEqual([
      { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } },
      {
        stream: 'authorization',
        data: { status: 'unauthorized', action: 'authenticate', message: 'access key verification failed' },
      },
      { stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } },
    ]);
    raw.close();
  });

  it('a ws-disconnect fault loses the event it hits; the server keeps no replay; REST still has the truth', async () => {
    ex = await startPaperExchange({ bars: msftBars(4) });
    const http = api(ex);
    const stream = await openStream(ex);
    await http.order(order('d-1'));
    await stream.waitFor((m) => m.data?.event === 'new');
    // let nothing through: the fill of d-1 is the event that meets the disconnect
    ex.setFaults([{ kind: 'ws-disconnect' }]);
    ex.advance();
    await until(() => stream.closed);
    expect(stream.updates().map((u: { event: string }) => u.event)).toEqual(['new']);
    expect(ex.state().events.map((e) => e.event)).toEqual(['new', 'fill']);
    // a new connection sees only what happens after it connected
    const again = await openStream(ex);
    await http.order({ ...order('d-2'), qty: '5' });
    ex.advance();
    await again.waitFor((m) => m.data?.event === 'fill');
    expect(
      again
        .updates()
        .map((u: { order: { client_order_id: string }; event: string }) => [
          u.event,
          u.order.client_order_id,
        ]),
    ).toEqual([
      ['new', 'd-2'],
      ['fill', 'd-2'],
    ]);
    // the lost fill is visible by REST, so reconciliation can recover it
    const all = (await http.get('/v2/orders?status=all&direction=asc')).body;
    expect(
      all.map((o: { client_order_id: string; status: string }) => [o.client_order_id, o.status]),
    ).toEqual([
      ['d-1', 'filled'],
      ['d-2', 'filled'],
    ]);
    // afterEvents lets some through first
    ex.setFaults([{ kind: 'ws-disconnect', afterEvents: 1 }]);
    await http.order({ ...order('d-3'), qty: '1' }); // 'new' passes
    ex.advance(); // 'fill' is lost
    await until(() => again.closed);
    expect(again.updates().map((u: { event: string }) => u.event)).toEqual(['new', 'fill', 'new']);
    expect(ex.state().listeners).toBe(0);
  });
});
