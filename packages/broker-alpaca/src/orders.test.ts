/** Local order validation: every rule names its field; bodies use exact decimal strings. */
import { describe, expect, it } from 'vitest';
import type { AlpacaError } from './index.js';
import { buildOrderBody, buildReplaceBody, type OrderInput } from './orders.js';

const id = () => 'cid-1';
const build = (input: Partial<OrderInput>) =>
  buildOrderBody({ symbol: 'AAPL', qty: 1, side: 'buy', ...input } as OrderInput, id);
const fieldOf = (input: Partial<OrderInput>) => {
  try {
    build(input);
  } catch (e) {
    expect((e as AlpacaError).code).toBe('UNPROCESSABLE');
    return (e as AlpacaError).field;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
};

describe('buildOrderBody', () => {
  it('builds every order type and time in force', () => {
    expect(build({})).toEqual({
      symbol: 'AAPL',
      qty: '1',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
      client_order_id: 'cid-1',
    });
    expect(build({ type: 'limit', limitPrice: 0.1234, timeInForce: 'ioc' })).toMatchObject({
      limit_price: '0.1234',
      time_in_force: 'ioc',
    });
    expect(build({ type: 'stop', stopPrice: 180, timeInForce: 'gtc' })).toMatchObject({ stop_price: '180' });
    expect(
      build({ type: 'stop_limit', stopPrice: 180, limitPrice: '179.50', timeInForce: 'fok' }),
    ).toMatchObject({
      stop_price: '180',
      limit_price: '179.50',
      time_in_force: 'fok',
    });
    expect(build({ type: 'trailing_stop', trailPercent: 1.5, side: 'sell' })).toMatchObject({
      trail_percent: '1.5',
    });
    expect(build({ type: 'trailing_stop', trailPrice: 2, side: 'sell', timeInForce: 'gtc' })).toMatchObject({
      trail_price: '2',
    });
    for (const tif of ['opg', 'cls'] as const) expect(build({ timeInForce: tif }).time_in_force).toBe(tif);
    expect(build({ qty: undefined, notional: 250.5 })).toMatchObject({ notional: '250.5' });
    expect(build({ qty: '0.123456789' }).qty).toBe('0.123456789');
    expect(build({ type: 'limit', limitPrice: 10, extendedHours: true }).extended_hours).toBe(true);
    expect(buildOrderBody({ symbol: 'AAPL', qty: 1, side: 'buy' }).client_order_id).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it('builds bracket, OCO and OTO orders', () => {
    expect(
      build({
        type: 'limit',
        limitPrice: 190,
        orderClass: 'bracket',
        takeProfit: { limitPrice: 200 },
        stopLoss: { stopPrice: 180 },
      }),
    ).toMatchObject({
      order_class: 'bracket',
      take_profit: { limit_price: '200' },
      stop_loss: { stop_price: '180' },
    });
    expect(build({ orderClass: 'oto', stopLoss: { stopPrice: 180 } })).toMatchObject({ order_class: 'oto' });
  });

  it('builds an OCO exit exactly as Alpaca documents it: no top-level limit_price', () => {
    const oco = {
      side: 'sell',
      type: 'limit',
      timeInForce: 'gtc',
      orderClass: 'oco',
      takeProfit: { limitPrice: 200 },
      stopLoss: { stopPrice: 180 },
    } as const;
    expect(build(oco)).toEqual({
      symbol: 'AAPL',
      qty: '1',
      side: 'sell',
      type: 'limit',
      time_in_force: 'gtc',
      client_order_id: 'cid-1',
      order_class: 'oco',
      take_profit: { limit_price: '200' },
      stop_loss: { stop_price: '180' },
    });
    // The stop half may be a stop-limit; the type may be left out (an OCO is always a limit).
    const { type: _, ...untyped } = oco;
    expect(build({ ...untyped, stopLoss: { stopPrice: 180, limitPrice: '179.50' } })).toEqual({
      ...build(oco),
      stop_loss: { stop_price: '180', limit_price: '179.50' },
    });
    // Covering a short: buy, take profit below the stop.
    expect(
      build({ ...oco, side: 'buy', takeProfit: { limitPrice: 150 }, stopLoss: { stopPrice: 170 } }),
    ).toMatchObject({ side: 'buy', take_profit: { limit_price: '150' }, stop_loss: { stop_price: '170' } });
  });

  it('refuses what Alpaca does not take on an OCO, naming the field and the fix', () => {
    const oco = {
      side: 'sell',
      orderClass: 'oco',
      takeProfit: { limitPrice: 200 },
      stopLoss: { stopPrice: 180 },
    } as const;
    // A top-level limit price: Alpaca ignores it, so it is refused, even when it equals the take profit.
    for (const limitPrice of [200, 1])
      expect(() => build({ ...oco, type: 'limit', limitPrice })).toThrow(
        'invalid order: limitPrice is not used by oco orders: Alpaca takes the take-profit price from ' +
          'takeProfit.limitPrice (a top-level limit_price is ignored); move the price to takeProfit.limitPrice',
      );
    expect(fieldOf({ ...oco, limitPrice: 200 })).toBe('limitPrice');
    expect(fieldOf({ ...oco, type: 'market' })).toBe('type');
    expect(fieldOf({ ...oco, type: 'stop', stopPrice: 180 })).toBe('type');
    expect(fieldOf({ ...oco, takeProfit: undefined })).toBe('takeProfit');
    expect(fieldOf({ ...oco, stopLoss: undefined })).toBe('stopLoss');
    expect(fieldOf({ ...oco, takeProfit: { limitPrice: 175 } })).toBe('takeProfit.limitPrice');
    expect(fieldOf({ ...oco, takeProfit: { limitPrice: 200.001 } })).toBe('takeProfit.limitPrice');
  });

  it('names the field of every broken rule', () => {
    expect(fieldOf({ type: 'limit' })).toBe('limitPrice');
    expect(fieldOf({ type: 'stop_limit', limitPrice: 10 })).toBe('stopPrice');
    expect(fieldOf({ type: 'stop' })).toBe('stopPrice');
    expect(fieldOf({ type: 'market', limitPrice: 10 })).toBe('limitPrice');
    expect(fieldOf({ type: 'trailing_stop' })).toBe('trailPrice');
    expect(fieldOf({ type: 'trailing_stop', trailPrice: 1, trailPercent: 1 })).toBe('trailPrice');
    expect(fieldOf({ type: 'trailing_stop', trailPercent: 1, timeInForce: 'ioc' })).toBe('timeInForce');
    expect(fieldOf({ qty: undefined })).toBe('qty');
    expect(fieldOf({ notional: 100 })).toBe('notional');
    expect(fieldOf({ qty: 0 })).toBe('qty');
    expect(fieldOf({ qty: -1 })).toBe('qty');
    expect(fieldOf({ qty: Number.NaN })).toBe('qty');
    expect(fieldOf({ qty: '1e3' })).toBe('qty');
    expect(fieldOf({ qty: 1 / 3 })).toBe('qty');
    expect(fieldOf({ qty: 0.5, timeInForce: 'gtc' })).toBe('timeInForce');
    expect(fieldOf({ qty: undefined, notional: 100, type: 'limit', limitPrice: 1 })).toBe('type');
    expect(fieldOf({ type: 'limit', limitPrice: 290.123 })).toBe('limitPrice'); // sub-penny
    expect(fieldOf({ type: 'limit', limitPrice: 0.12345 })).toBe('limitPrice');
    expect(fieldOf({ type: 'limit', limitPrice: 0.1 + 0.2 })).toBe('limitPrice');
    expect(fieldOf({ symbol: ' ' })).toBe('symbol');
    expect(fieldOf({ side: 'short' as never })).toBe('side');
    expect(fieldOf({ type: 'iceberg' as never })).toBe('type');
    expect(fieldOf({ timeInForce: 'gtd' as never })).toBe('timeInForce');
    expect(fieldOf({ extendedHours: true })).toBe('extendedHours');
    expect(fieldOf({ clientOrderId: 'x'.repeat(49) })).toBe('clientOrderId');
    expect(fieldOf({ takeProfit: { limitPrice: 1 } })).toBe('takeProfit');
    expect(fieldOf({ orderClass: 'bracket', takeProfit: { limitPrice: 200 } })).toBe('stopLoss');
    expect(fieldOf({ orderClass: 'bracket', stopLoss: { stopPrice: 180 } })).toBe('takeProfit');
    expect(
      fieldOf({ orderClass: 'bracket', takeProfit: { limitPrice: 170 }, stopLoss: { stopPrice: 180 } }),
    ).toBe('takeProfit.limitPrice');
    expect(
      fieldOf({
        side: 'sell',
        orderClass: 'bracket',
        takeProfit: { limitPrice: 190 },
        stopLoss: { stopPrice: 180 },
      }),
    ).toBe('takeProfit.limitPrice');
    expect(
      fieldOf({
        orderClass: 'bracket',
        timeInForce: 'ioc',
        takeProfit: { limitPrice: 200 },
        stopLoss: { stopPrice: 180 },
      }),
    ).toBe('timeInForce');
    expect(
      fieldOf({
        orderClass: 'oco',
        type: 'market',
        takeProfit: { limitPrice: 200 },
        stopLoss: { stopPrice: 180 },
      }),
    ).toBe('type');
    expect(fieldOf({ orderClass: 'oto' })).toBe('takeProfit');
    expect(fieldOf({ orderClass: 'bracket', takeProfit: {} as never, stopLoss: { stopPrice: 1 } })).toBe(
      'takeProfit.limitPrice',
    );
  });

  it('gives a clear message', () => {
    expect(() => build({ type: 'limit' })).toThrow('invalid order: limitPrice is required for limit orders');
  });
});

describe('buildReplaceBody', () => {
  it('builds a patch with a client order id and rejects an empty one', () => {
    expect(buildReplaceBody({ limitPrice: 191.25, qty: 2 }, id)).toEqual({
      limit_price: '191.25',
      qty: '2',
      client_order_id: 'cid-1',
    });
    expect(buildReplaceBody({ trail: 1.5, timeInForce: 'gtc' }, id)).toEqual({
      trail: '1.5',
      time_in_force: 'gtc',
      client_order_id: 'cid-1',
    });
    expect(() => buildReplaceBody({}, id)).toThrow(/at least one/);
    expect(() => buildReplaceBody({ limitPrice: 1.001 }, id)).toThrow(/sub-penny/);
  });
});
