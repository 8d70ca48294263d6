import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAlpaca } from '../../test/fake-alpaca.js';
import { clientFor, startFake } from '../../test/helpers.js';
import { AlpacaError, createAlpacaClient, isAlpacaError } from '../index.js';

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await startFake();
});
afterAll(async () => {
  await fake.close();
});

describe('account, clock, calendar, assets', () => {
  it('parses the current account shape (no PDT fields) with decimal strings as numbers', async () => {
    const { client } = clientFor(fake);
    fake.accountShape = 'current';
    const a = await client.getAccount();
    expect(a.status).toBe('ACTIVE');
    expect(a.equity).toBe(100_000);
    expect(a.buyingPower).toBe(200_000);
    expect(typeof a.cash).toBe('number');
    expect(a.multiplier).toBe(2);
    expect(a.daytradeCount).toBeNull();
    expect(a.patternDayTrader).toBeNull();
    expect(a.raw.cash).toBe('100000'); // wire string kept
    const req = fake.requests.at(-1);
    expect(req?.headers['apca-api-key-id']).toBe(fake.keyId);
    expect(req?.headers['apca-api-secret-key']).toBe(fake.secretKey);
  });

  it('parses the legacy account shape with PDT fields', async () => {
    const { client } = clientFor(fake);
    fake.accountShape = 'legacy';
    const a = await client.getAccount();
    expect(a.daytradeCount).toBe(2);
    expect(a.patternDayTrader).toBe(false);
    fake.accountShape = 'current';
  });

  it('reads the account configuration without pdt_check/dtbp_check', async () => {
    const { client } = clientFor(fake);
    const c = await client.getAccountConfig();
    expect(c.noShorting).toBe(false);
    expect(c.maxMarginMultiplier).toBe(2);
    expect(c.pdtCheck).toBeNull();
  });

  it('reads the clock (New York offsets, 9 fractional digits)', async () => {
    const { client } = clientFor(fake);
    const clock = await client.getClock();
    expect(clock.isOpen).toBe(true);
    expect(clock.timestamp).toBe('2026-11-20T10:31:07.482915263-05:00');
    expect(new Date(clock.timestampMs).toISOString()).toBe('2026-11-20T15:31:07.482Z');
    expect(new Date(clock.nextCloseMs).toISOString()).toBe('2026-11-20T21:00:00.000Z');
  });

  it('reads the calendar with early closes and converts wall times via America/New_York', async () => {
    const { client } = clientFor(fake);
    const days = await client.getCalendar({ start: '2026-11-24', end: new Date('2026-11-30T12:00:00Z') });
    expect(days.map((d) => d.date)).toEqual(['2026-11-24', '2026-11-25', '2026-11-27', '2026-11-30']);
    const early = days.find((d) => d.date === '2026-11-27');
    expect(early?.close).toBe('13:00');
    expect(new Date(early?.closeMs ?? 0).toISOString()).toBe('2026-11-27T18:00:00.000Z'); // EST
    expect(fake.requests.at(-1)?.query.get('end')).toBe('2026-11-30');
  });

  it('converts summer (EDT) calendar days with a −04:00 offset', async () => {
    const { CalendarDaySchema } = await import('../schemas/trading.js');
    const d = CalendarDaySchema.parse({ date: '2026-07-02', open: '09:30', close: '16:00' });
    expect(new Date(d.openMs).toISOString()).toBe('2026-07-02T13:30:00.000Z');
  });

  it('lists assets and reads borrow_status with the easy_to_borrow fallback', async () => {
    const { client } = clientFor(fake);
    const assets = await client.listAssets({ status: 'active' });
    expect(assets.map((a) => a.symbol)).toEqual(['AAPL', 'GME', 'MSFT']);
    expect(fake.requests.at(-1)?.query.get('status')).toBe('active');
    const gme = await client.getAsset('GME');
    expect(gme.shortable).toBe(true);
    expect(gme.borrowStatus).toBe('hard_to_borrow');
    expect(gme.canOpenShort).toBe(false);
    expect(gme.fractionable).toBe(false);
    const msft = await client.getAsset('MSFT');
    expect(msft.borrowStatus).toBe('easy_to_borrow');
    expect(msft.canOpenShort).toBe(true);
    expect(msft.assetClass).toBe('us_equity');
  });

  it('maps an unknown asset to NOT_FOUND with status and Alpaca code', async () => {
    const { client } = clientFor(fake);
    const e = await client.getAsset('NOPE').catch((x) => x);
    expect(isAlpacaError(e, 'NOT_FOUND')).toBe(true);
    expect(e.status).toBe(404);
    expect(e.alpacaCode).toBe(40410000);
  });
});

describe('positions', () => {
  it('returns shorts with negative qty, market value and cost basis', async () => {
    const { client } = clientFor(fake);
    fake.positions.set('AAPL', { qty: 10, avg: 180 });
    fake.positions.set('MSFT', { qty: -5, avg: 400 });
    const positions = await client.listPositions();
    const aapl = positions.find((p) => p.symbol === 'AAPL');
    const msft = positions.find((p) => p.symbol === 'MSFT');
    expect(aapl?.qty).toBe(10);
    expect(aapl?.side).toBe('long');
    expect(msft?.side).toBe('short');
    expect(msft?.qty).toBe(-5);
    expect(msft?.marketValue).toBe(-2050);
    expect(msft?.costBasis).toBe(-2000);
    expect((await client.getPosition('MSFT')).qty).toBe(-5);
  });

  it('closes one position (an order) and then all (207 multi-status)', async () => {
    const { client } = clientFor(fake);
    const order = await client.closePosition('MSFT');
    expect(order.side).toBe('buy');
    expect(order.qty).toBe(5);
    fake.fill(order.id, 5, 410);
    expect((await client.listPositions()).map((p) => p.symbol)).toEqual(['AAPL']);
    const results = await client.closeAllPositions();
    expect(results).toHaveLength(1);
    expect(results[0]?.symbol).toBe('AAPL');
    expect(results[0]?.status).toBe(200);
    expect(results[0]?.order?.side).toBe('sell');
    expect(results[0]?.error).toBeNull();
    expect(fake.requests.at(-1)?.query.get('cancel_orders')).toBe('true');
    const missing = await client.closePosition('GME').catch((e) => e);
    expect(isAlpacaError(missing, 'NOT_FOUND')).toBe(true);
    fake.positions.clear();
  });
});

describe('orders', () => {
  it('submits a limit order with string decimals and a generated client_order_id', async () => {
    const { client } = clientFor(fake);
    const order = await client.submitOrder({
      symbol: 'aapl',
      qty: 2,
      side: 'buy',
      type: 'limit',
      limitPrice: 189.5,
      timeInForce: 'gtc',
    });
    const body = fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      symbol: 'AAPL',
      qty: '2',
      side: 'buy',
      type: 'limit',
      limit_price: '189.5',
      time_in_force: 'gtc',
    });
    expect(typeof body.client_order_id).toBe('string');
    expect(order.clientOrderId).toBe(body.client_order_id);
    expect(order.qty).toBe(2);
    expect(order.limitPrice).toBe(189.5);
    expect(order.filledQty).toBe(0);
    expect(order.filledAvgPrice).toBeNull();
    expect(order.orderClass).toBe('simple'); // wire ""
    expect(order.legs).toBeNull();
  });

  it('gets by id and by client id, lists with filters, replaces and cancels', async () => {
    const { client } = clientFor(fake);
    const placed = await client.submitOrder({
      symbol: 'MSFT',
      qty: '1.5',
      side: 'buy',
      type: 'market',
      clientOrderId: 'my-msft-1',
    });
    expect((fake.requests.at(-1)?.body as { qty: string } | undefined)?.qty).toBe('1.5');
    expect((await client.getOrder(placed.id)).clientOrderId).toBe('my-msft-1');
    expect((await client.getOrderByClientId('my-msft-1')).id).toBe(placed.id);
    expect(fake.requests.at(-1)?.path).toBe('/v2/orders:by_client_order_id');

    const open = await client.listOrders({ status: 'open', symbols: ['MSFT'], direction: 'asc', limit: 100 });
    expect(open.map((o) => o.id)).toContain(placed.id);
    const q = fake.requests.at(-1)?.query;
    expect(q?.get('symbols')).toBe('MSFT');
    expect(q?.get('nested')).toBe('true');

    const limit = await client.submitOrder({
      symbol: 'AAPL',
      qty: 1,
      side: 'buy',
      type: 'limit',
      limitPrice: 100,
    });
    const replaced = await client.replaceOrder(limit.id, { limitPrice: 101, clientOrderId: 'repl-1' });
    expect(replaced.id).not.toBe(limit.id);
    expect(replaced.replaces).toBe(limit.id);
    expect(replaced.limitPrice).toBe(101);
    expect(replaced.clientOrderId).toBe('repl-1');
    expect((await client.getOrder(limit.id)).status).toBe('replaced');

    await client.cancelOrder(replaced.id);
    expect((await client.getOrder(replaced.id)).status).toBe('canceled');
    // Cancelling again is idempotent (the order is already canceled).
    await client.cancelOrder(replaced.id);

    const filled = await client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' });
    fake.fill(filled.id, 1, 190.12);
    const e = await client.cancelOrder(filled.id).catch((x) => x);
    expect(isAlpacaError(e, 'UNPROCESSABLE')).toBe(true);
    expect(e.status).toBe(422);
    const got = await client.getOrder(filled.id);
    expect(got.filledAvgPrice).toBe(190.12);
    expect(got.filledQty).toBe(1);

    const results = await client.cancelAllOrders();
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === 200 && r.id !== null)).toBe(true);
    expect(await client.listOrders()).toEqual([]);
  });

  it('returns the typed legs of a bracket order', async () => {
    const { client } = clientFor(fake);
    const order = await client.submitOrder({
      symbol: 'AAPL',
      qty: 3,
      side: 'buy',
      type: 'limit',
      limitPrice: 190,
      timeInForce: 'gtc',
      orderClass: 'bracket',
      takeProfit: { limitPrice: 200 },
      stopLoss: { stopPrice: 180, limitPrice: 179.5 },
    });
    const body = fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(body.order_class).toBe('bracket');
    expect(body.take_profit).toEqual({ limit_price: '200' });
    expect(body.stop_loss).toEqual({ stop_price: '180', limit_price: '179.5' });
    expect(order.orderClass).toBe('bracket');
    expect(order.legs).toHaveLength(2);
    const [tp, sl] = order.legs ?? [];
    expect(tp?.type).toBe('limit');
    expect(tp?.side).toBe('sell');
    expect(tp?.limitPrice).toBe(200);
    expect(tp?.status).toBe('held');
    expect(sl?.type).toBe('stop_limit');
    expect(sl?.stopPrice).toBe(180);
    expect(sl?.limitPrice).toBe(179.5);
    expect(sl?.legs).toBeNull();
    const again = await client.getOrder(order.id);
    expect(again.legs?.map((l) => l.id)).toEqual(order.legs?.map((l) => l.id));
  });

  it('sends an OCO exit as Alpaca documents it: the limit price only in take_profit', async () => {
    const { client } = clientFor(fake);
    const order = await client.submitOrder({
      symbol: 'AAPL',
      qty: 3,
      side: 'sell',
      type: 'limit',
      timeInForce: 'gtc',
      orderClass: 'oco',
      takeProfit: { limitPrice: 200 },
      stopLoss: { stopPrice: 180, limitPrice: 179.5 },
      clientOrderId: 'oco-exit-1',
    });
    expect(fake.requests.at(-1)?.body).toEqual({
      symbol: 'AAPL',
      qty: '3',
      side: 'sell',
      type: 'limit',
      time_in_force: 'gtc',
      client_order_id: 'oco-exit-1',
      order_class: 'oco',
      take_profit: { limit_price: '200' },
      stop_loss: { stop_price: '180', limit_price: '179.5' },
    });
    expect([order.orderClass, order.type, order.side, order.limitPrice]).toEqual([
      'oco',
      'limit',
      'sell',
      200,
    ]);
    expect(order.legs?.map((l) => [l.type, l.side, l.stopPrice, l.limitPrice])).toEqual([
      ['stop_limit', 'sell', 180, 179.5],
    ]);
  });

  it('refuses a top-level limitPrice on an OCO locally, pointing at takeProfit.limitPrice', async () => {
    const { client } = clientFor(fake);
    const before = fake.requests.length;
    const e = await client
      .submitOrder({
        symbol: 'AAPL',
        qty: 3,
        side: 'sell',
        type: 'limit',
        limitPrice: 200,
        timeInForce: 'gtc',
        orderClass: 'oco',
        takeProfit: { limitPrice: 200 },
        stopLoss: { stopPrice: 180 },
      })
      .catch((x) => x);
    expect(isAlpacaError(e, 'UNPROCESSABLE')).toBe(true);
    expect(e.field).toBe('limitPrice');
    expect(e.message).toMatch(/limitPrice is not used by oco orders.*takeProfit\.limitPrice/);
    expect(fake.requests.length).toBe(before);
  });

  it('rejects invalid input locally, naming the field, without sending anything', async () => {
    const { client } = clientFor(fake);
    const before = fake.requests.length;
    const e = await client
      .submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit' })
      .catch((x) => x);
    expect(e).toBeInstanceOf(AlpacaError);
    expect(e.code).toBe('UNPROCESSABLE');
    expect(e.field).toBe('limitPrice');
    expect(e.message).toMatch(/limitPrice is required for limit orders/);
    expect(e.status).toBeUndefined();
    expect(typeof e.clientOrderId).toBe('string');
    expect(fake.requests.length).toBe(before);
  });
});

describe('configuration and live guard', () => {
  it('defaults to paper and derives data and stream URLs from a local baseUrl', () => {
    const paper = createAlpacaClient({ keyId: 'k', secretKey: 's' });
    expect(paper.config.env).toBe('paper');
    expect(paper.config.baseUrl).toBe('https://paper-api.alpaca.markets');
    expect(paper.config.dataBaseUrl).toBe('https://data.alpaca.markets');
    expect(paper.config.streamUrl).toBe('wss://paper-api.alpaca.markets/stream');
    const local = createAlpacaClient({ keyId: 'k', secretKey: 's', baseUrl: 'http://127.0.0.1:4321/' });
    expect(local.config).toMatchObject({
      baseUrl: 'http://127.0.0.1:4321',
      dataBaseUrl: 'http://127.0.0.1:4321',
      streamUrl: 'ws://127.0.0.1:4321/stream',
    });
    const live = createAlpacaClient({ keyId: 'k', secretKey: 's', env: 'live' });
    expect(live.config.baseUrl).toBe('https://api.alpaca.markets');
    expect(live.config.streamUrl).toBe('wss://api.alpaca.markets/stream');
    expect(JSON.stringify(live.config)).not.toMatch(/"s"|secret/i);
  });

  it('refuses the live host unless env is live', () => {
    for (const opts of [
      { baseUrl: 'https://api.alpaca.markets' },
      { baseUrl: 'https://api.alpaca.markets/v2' },
      { streamUrl: 'wss://api.alpaca.markets/stream' },
    ]) {
      const e = (() => {
        try {
          createAlpacaClient({ keyId: 'k', secretKey: 's', ...opts });
        } catch (x) {
          return x;
        }
      })() as AlpacaError;
      expect(isAlpacaError(e, 'CONFIG')).toBe(true);
      expect(e.message).toMatch(/LIVE trading host.*env: 'live'/);
    }
    expect(() =>
      createAlpacaClient({
        keyId: 'k',
        secretKey: 's',
        env: 'live',
        baseUrl: 'https://paper-api.alpaca.markets',
      }),
    ).toThrow(/paper host/);
  });

  it('validates options and names the field', () => {
    const bad = (o: unknown) => {
      try {
        createAlpacaClient(o as never);
      } catch (e) {
        return e as AlpacaError;
      }
      throw new Error('expected a CONFIG error');
    };
    expect(bad({ secretKey: 's' }).field).toBe('keyId');
    expect(bad({ keyId: 'k', secretKey: 's', env: 'prod' }).field).toBe('env');
    expect(bad({ keyId: 'k', secretKey: 's', timeoutMs: -1 }).field).toBe('timeoutMs');
    expect(bad({ keyId: 'k', secretKey: 's', baseUrl: 'ftp://x' }).field).toBe('baseUrl');
    expect(bad({ keyId: 'k', secretKey: 's', rateLimit: { requestsPerMinute: 0 } }).field).toBe(
      'rateLimit.requestsPerMinute',
    );
  });
});

describe('injected fetch', () => {
  it('sends every request through the given fetch', async () => {
    const seen: string[] = [];
    const { client } = clientFor(fake, {
      fetch: (url: string, init?: RequestInit) => {
        seen.push(`${init?.method} ${new URL(url).pathname}`);
        return fetch(url, init);
      },
    });
    await client.getClock();
    await client.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy' });
    expect(seen).toEqual(['GET /v2/clock', 'POST /v2/orders']);
  });
});

describe('multi-status answers', () => {
  it('maps per-item failures of cancel-all to errors and keeps successes without a body', async () => {
    const { client } = clientFor(fake);
    fake.fault({
      method: 'DELETE',
      path: '/v2/orders',
      kind: 'status',
      status: 207,
      body: [
        { id: 'a1', status: 200 },
        { id: 'b2', status: 422, body: { code: 42210000, message: 'order is not cancelable' } },
      ],
    });
    const [ok, failed] = await client.cancelAllOrders();
    expect(ok).toEqual({ id: 'a1', symbol: null, status: 200, order: null, error: null });
    expect(failed?.error?.code).toBe('UNPROCESSABLE');
    expect(failed?.error?.alpacaCode).toBe(42210000);
    expect(failed?.error?.message).toMatch(/not cancelable/);
  });
});
