/** Validation and broker-rule rejections of the paper exchange, with Alpaca's statuses, codes and messages. */
import { afterEach, describe, expect, it } from 'vitest';
import { api, minuteBars, msftBars } from '../../test/sim-helpers.js';
import { type PaperExchange, startPaperExchange } from './index.js';

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

const buy = (extra: Record<string, unknown> = {}) => ({
  symbol: 'MSFT',
  qty: '1',
  side: 'buy',
  type: 'market',
  time_in_force: 'day',
  ...extra,
});

describe('POST /v2/orders rejections', () => {
  it('validation: 422 with Alpaca codes; duplicate client_order_id', async () => {
    ex = await startPaperExchange({
      bars: msftBars(3),
      assets: [{ symbol: 'MSFT' }, { symbol: 'NOFR', fractionable: false }],
    });
    const http = api(ex);
    ex.advance();
    const cases: [Record<string, unknown>, number, number, string][] = [
      [buy({ qty: undefined }), 422, 40010001, 'qty or notional is required'],
      [buy({ notional: '100' }), 422, 40010001, 'only one of qty or notional'],
      [buy({ type: 'limit' }), 422, 40010001, 'limit_price is required'],
      [buy({ type: 'limit', limit_price: '60.123' }), 422, 42210000, 'sub-penny increment'],
      [buy({ type: 'stop' }), 422, 40010001, 'stop_price is required'],
      [buy({ symbol: 'ZZZZ' }), 422, 42210000, 'not found'],
      [buy({ side: 'short' }), 422, 40010001, 'invalid side'],
      [buy({ extended_hours: true }), 422, 42210000, 'extended hours'],
      [buy({ qty: '0.5', time_in_force: 'gtc' }), 422, 42210000, 'fractional orders must be DAY'],
      [buy({ symbol: 'NOFR', qty: '0.5' }), 422, 42210000, 'not fractionable'],
      [
        buy({ order_class: 'bracket', take_profit: { limit_price: '50' }, stop_loss: { stop_price: '55' } }),
        422,
        42210000,
        'take_profit.limit_price must be > stop_loss.stop_price',
      ],
      [
        buy({ order_class: 'bracket', take_profit: { limit_price: '70' }, stop_loss: { stop_price: '61' } }),
        422,
        42210000,
        'base_price',
      ],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await http.post('/v2/orders', body);
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code]);
      expect(r.body.message).toContain(message);
    }
    expect((await http.post('/v2/orders', 'not an object')).status).toBe(400);
    await http.order(buy({ client_order_id: 'once' }));
    const dup = await http.post('/v2/orders', buy({ client_order_id: 'once' }));
    expect([dup.status, dup.body]).toEqual([
      422,
      { code: 40010001, message: 'client_order_id must be unique' },
    ]);
  });

  it('malformed OCOs: 422 with Alpaca codes, messages naming the take_profit / stop_loss field', async () => {
    ex = await startPaperExchange({ bars: msftBars(3) });
    const http = api(ex);
    await http.order(buy({ qty: '10' }));
    ex.advance();
    const oco = (extra: Record<string, unknown>) =>
      buy({
        side: 'sell',
        qty: '10',
        type: 'limit',
        time_in_force: 'gtc',
        order_class: 'oco',
        take_profit: { limit_price: '65' },
        stop_loss: { stop_price: '58' },
        ...extra,
      });
    const cases: [Record<string, unknown>, number, string][] = [
      [oco({ take_profit: undefined }), 40010001, 'oco orders require take_profit.limit_price'],
      [oco({ take_profit: { limit_price: '65' }, stop_loss: {} }), 40010001, 'stop_loss.stop_price'],
      [oco({ type: 'market' }), 42210000, 'oco orders must be limit orders'],
      [oco({ type: 'stop', stop_price: '58' }), 42210000, 'oco orders must be limit orders'],
      [oco({ take_profit: { limit_price: '65.123' } }), 42210000, 'invalid take_profit.limit_price 65.123'],
      [oco({ take_profit: { limit_price: '57' } }), 42210000, 'take_profit.limit_price must be >'],
      [
        oco({ side: 'buy', take_profit: { limit_price: '65' } }),
        42210000,
        'take_profit.limit_price must be <',
      ],
    ];
    for (const [body, code, message] of cases) {
      const r = await http.post('/v2/orders', body);
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([422, code]);
      expect(Object.keys(r.body).sort()).toEqual(['code', 'message']);
      expect(r.body.message, JSON.stringify(body)).toContain(message);
    }
    expect(ex.state().orders).toHaveLength(1); // only the entry
  });

  it('buying power, insufficient qty and wash trades: 403', async () => {
    ex = await startPaperExchange({ bars: msftBars(3), initialCash: 10_000, marginMultiplier: 1 });
    const http = api(ex);
    ex.advance(); // last close 60.625: 10000 buys at most 164 shares in a cash account
    const bp = await http.post('/v2/orders', buy({ qty: '200' }));
    expect(bp.status).toBe(403);
    expect(bp.body).toMatchObject({
      code: 40310000,
      message: 'insufficient buying power',
      buying_power: '10000',
    });
    expect(bp.body.cost_basis).toBe('12125'); // 200 × 60.625
    await http.order(buy({ qty: '100' }));
    // the open buy reserves 6062.5 of buying power
    expect((await http.get('/v2/account')).body.buying_power).toBe('3937.5');
    // wash trade: a sell while that buy is open
    const wash = await http.post('/v2/orders', {
      ...buy(),
      side: 'sell',
      qty: '1',
      type: 'limit',
      limit_price: '70',
    });
    expect(wash.status).toBe(403);
    expect(wash.body).toMatchObject({
      code: 40310000,
      message: 'potential wash trade detected. use complex orders',
    });
    ex.advance();
    // own 100; an open sell of 80 holds 80; another sell of 30 exceeds the 20 available
    await http.order({
      ...buy(),
      side: 'sell',
      qty: '80',
      type: 'limit',
      limit_price: '70',
      time_in_force: 'gtc',
    });
    const qty = await http.post('/v2/orders', {
      ...buy(),
      side: 'sell',
      qty: '30',
      type: 'limit',
      limit_price: '71',
    });
    expect(qty.status).toBe(403);
    expect(qty.body.message).toBe('insufficient qty available for order (requested: 30, available: 20)');
    expect(qty.body).toMatchObject({
      available: '20',
      existing_qty: '100',
      held_for_orders: '80',
      symbol: 'MSFT',
    });
  });

  it('shorting: not shortable, hard to borrow, fractional, under $2,000 equity, cash account', async () => {
    const bars = [
      ...msftBars(3),
      ...msftBars(3).map((b) => ({ ...b, symbol: 'HTB' })),
      ...msftBars(3).map((b) => ({ ...b, symbol: 'NOSH' })),
    ];
    ex = await startPaperExchange({
      bars,
      assets: [
        { symbol: 'HTB', shortable: true, borrow_status: 'hard_to_borrow' },
        { symbol: 'NOSH', shortable: false },
      ],
    });
    const http = api(ex);
    ex.advance();
    const short = (symbol: string, qty = '10') =>
      http.post('/v2/orders', { ...buy({ symbol, qty }), side: 'sell' });
    expect((await short('NOSH')).body).toMatchObject({
      code: 40310000,
      message: 'asset NOSH is not shortable',
    });
    expect((await short('HTB')).body.message).toContain('cannot be sold short');
    expect((await short('MSFT', '1.5')).body.message).toBe('fractional orders are not allowed to short');
    const ok = await short('MSFT', '10');
    expect(ok.status).toBe(200);
    await ex.close();

    // equity 1,500 < 2,000
    ex = await startPaperExchange({ bars: msftBars(3), initialCash: 1_500 });
    ex.advance();
    const poor = await api(ex).post('/v2/orders', { ...buy({ qty: '1' }), side: 'sell' });
    expect([poor.status, poor.body.code]).toEqual([403, 40310000]);
    expect(poor.body.message).toContain('account is not allowed to short');
    await ex.close();

    // a cash account (multiplier 1) cannot short at all
    ex = await startPaperExchange({ bars: msftBars(3), marginMultiplier: 1 });
    ex.advance();
    const cash = await api(ex).post('/v2/orders', { ...buy({ qty: '1' }), side: 'sell' });
    expect(cash.body.message).toContain('account is not allowed to short');
    expect((await api(ex).get('/v2/account')).body.shorting_enabled).toBe(false);
  });

  it('legacy-pdt refuses the 4th day trade under $25,000; intraday-margin does not; account shapes differ', async () => {
    // flat $10 minute bars, one session
    const rows = Array.from(
      { length: 12 },
      () => [10, 10, 10, 10, 0] as [number, number, number, number, number],
    );
    const run = async (dayTradeRule: 'legacy-pdt' | 'intraday-margin') => {
      ex = await startPaperExchange({
        bars: minuteBars('AAA', '2026-01-05', rows),
        initialCash: 10_000,
        dayTradeRule,
      });
      const http = api(ex);
      ex.advance();
      const statuses: number[] = [];
      // buy, sell, buy, sell … each order fills on the next minute bar
      for (let i = 0; i < 8; i++) {
        const r = await http.post('/v2/orders', {
          symbol: 'AAA',
          qty: '10',
          side: i % 2 === 0 ? 'buy' : 'sell',
          type: 'market',
          time_in_force: 'day',
        });
        statuses.push(r.status);
        if (r.status !== 200) {
          expect(r.body).toEqual({
            code: 40310100,
            message: 'trade denied due to pattern day trading protection',
          });
          break;
        }
        ex.advance();
      }
      const account = (await http.get('/v2/account')).body;
      const config = (await http.get('/v2/account/configurations')).body;
      await ex.close();
      ex = undefined;
      return { statuses, account, config };
    };
    const legacy = await run('legacy-pdt');
    // B,S = 1 day trade, B,S,B,S = 2, B,S,B,S,B,S = 3; the next buy could make the 4th → refused
    expect(legacy.statuses).toEqual([200, 200, 200, 200, 200, 200, 403]);
    expect(legacy.account.daytrade_count).toBe(3);
    expect(legacy.account.pattern_day_trader).toBe(false);
    expect(legacy.config.pdt_check).toBe('entry');
    const current = await run('intraday-margin');
    expect(current.statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    // since 2026-07-06 the PDT fields are absent from the account and configurations
    for (const f of ['pattern_day_trader', 'daytrade_count', 'daytrading_buying_power']) {
      expect(current.account).not.toHaveProperty(f);
    }
    expect(current.config).not.toHaveProperty('pdt_check');
  });
});

describe('rejections after acceptance', () => {
  it('an order accepted on the last close is rejected at a gap it cannot pay for (trade update `rejected`)', async () => {
    ex = await startPaperExchange({
      initialCash: 10_000,
      marginMultiplier: 1,
      bars: minuteBars('AAA', '2026-01-05', [
        [10, 10, 10, 10, 0],
        [13, 13, 13, 13, 0], // gap: 900 × 13 = 11,700 > 10,000
      ]),
    });
    const http = api(ex);
    ex.advance();
    const o = await http.order({
      symbol: 'AAA',
      qty: '900',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
    });
    ex.advance();
    const after = (await http.get(`/v2/orders/${o.id}`)).body;
    expect([after.status, after.filled_qty]).toEqual(['rejected', '0']);
    expect(after.failed_at).not.toBeNull();
    expect(ex.state().events.map((e) => e.event)).toEqual(['new', 'rejected']);
    expect(ex.state().account.cash).toBe(10_000);
  });
});
