/** Documented response shapes parse (Alpaca's order, account, position, asset and trade-update objects). */
import { describe, expect, it } from 'vitest';
import { decimal, nullableDecimal, parseTimestamp, toDecimalString } from './primitives.js';
import { AccountSchema, AssetSchema, OrderSchema, PositionSchema, TradeUpdateSchema } from './trading.js';

const wireOrder = (over: Record<string, unknown> = {}) => ({
  id: '61e69015-8549-4bfd-b9c3-01e75843f47d',
  client_order_id: 'eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4',
  created_at: '2026-11-18T14:35:02.118843921Z',
  updated_at: '2026-11-18T14:35:02.118843921Z',
  submitted_at: '2026-11-18T14:35:02.118843921Z',
  filled_at: null,
  expired_at: null,
  canceled_at: null,
  failed_at: null,
  replaced_at: null,
  replaced_by: null,
  replaces: null,
  asset_id: '904837e3-3b76-47ec-b432-046db621571b',
  symbol: 'AAPL',
  asset_class: 'us_equity',
  notional: null,
  qty: '10',
  filled_qty: '0',
  filled_avg_price: null,
  order_class: '',
  order_type: 'market',
  type: 'market',
  side: 'buy',
  time_in_force: 'day',
  limit_price: null,
  stop_price: null,
  status: 'accepted',
  extended_hours: false,
  legs: null,
  trail_percent: null,
  trail_price: null,
  hwm: null,
  subtag: null,
  source: null,
  ...over,
});

describe('decimals', () => {
  it('accepts numeric strings and numbers, rejects junk', () => {
    expect(decimal.parse('9264.8')).toBe(9264.8);
    expect(decimal.parse('-8612.5')).toBe(-8612.5);
    expect(decimal.parse(1)).toBe(1);
    expect(decimal.safeParse('abc').success).toBe(false);
    expect(decimal.safeParse('').success).toBe(false);
    expect(nullableDecimal.parse(null)).toBeNull();
    expect(nullableDecimal.parse(undefined)).toBeNull();
    expect(nullableDecimal.parse('0')).toBe(0);
  });

  it('formats wire decimals without exponents', () => {
    expect(toDecimalString(1e-7)).toBe('0.0000001');
    expect(toDecimalString(1.5)).toBe('1.5');
    expect(toDecimalString(100)).toBe('100');
    expect(toDecimalString('0.123456789')).toBe('0.123456789');
    expect(toDecimalString(-0)).toBe('0');
  });

  it('parses RFC 3339 with 0–9 fractional digits and offsets', () => {
    expect(parseTimestamp('2026-11-18T14:35:02.118843921Z')).toBe(Date.UTC(2026, 10, 18, 14, 35, 2, 118));
    expect(parseTimestamp('2026-11-20T10:31:07.4-05:00')).toBe(Date.UTC(2026, 10, 20, 15, 31, 7, 400));
    expect(parseTimestamp('2026-11-20T10:31:07-0500')).toBe(Date.UTC(2026, 10, 20, 15, 31, 7));
    expect(parseTimestamp('2026-11-20')).toBe(Date.UTC(2026, 10, 20));
    expect(Number.isNaN(parseTimestamp('yesterday'))).toBe(true);
  });
});

describe('OrderSchema', () => {
  it('parses the documented sample: "" class is simple, null fill price stays null', () => {
    const o = OrderSchema.parse(wireOrder());
    expect(o.orderClass).toBe('simple');
    expect(o.qty).toBe(10);
    expect(o.notional).toBeNull();
    expect(o.filledQty).toBe(0);
    expect(o.filledAvgPrice).toBeNull();
    expect(o.createdAt).toBe('2026-11-18T14:35:02.118843921Z'); // nanoseconds kept
    expect(o.raw.qty).toBe('10');
    expect(o.raw.source).toBeNull();
  });

  it('treats a 0 fill price with nothing filled as no price', () => {
    expect(OrderSchema.parse(wireOrder({ filled_avg_price: '0' })).filledAvgPrice).toBeNull();
  });

  it('keeps fills of a canceled partially filled order', () => {
    const o = OrderSchema.parse(
      wireOrder({ status: 'canceled', filled_qty: '4', filled_avg_price: '412.468' }),
    );
    expect(o.status).toBe('canceled');
    expect(o.filledQty).toBe(4);
    expect(o.filledAvgPrice).toBe(412.468);
  });

  it('accepts unknown statuses and fields, numbers where strings are documented, notional orders', () => {
    const o = OrderSchema.parse(
      wireOrder({
        status: 'pending_review',
        qty: null,
        notional: '250',
        brand_new_field: { x: 1 },
        filled_qty: 0,
      }),
    );
    expect(o.status).toBe('pending_review');
    expect(o.qty).toBeNull();
    expect(o.notional).toBe(250);
    expect(o.raw.brand_new_field).toEqual({ x: 1 });
  });

  it('types nested legs and reports the path of a bad leg', () => {
    const leg = wireOrder({ id: 'leg-1', type: 'limit', side: 'sell', limit_price: '200', status: 'held' });
    const o = OrderSchema.parse(wireOrder({ order_class: 'bracket', legs: [leg] }));
    expect(o.legs?.[0]?.limitPrice).toBe(200);
    expect(o.legs?.[0]?.status).toBe('held');
    const bad = OrderSchema.safeParse(wireOrder({ legs: [{ ...leg, qty: 'ten' }] }));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['legs', 0, 'qty']);
  });
});

describe('account, position, asset', () => {
  it('account without optional fields parses; PDT fields are null', () => {
    const a = AccountSchema.parse({ id: 'x', status: 'ACTIVE', cash: '1', equity: '2', buying_power: '3' });
    expect(a).toMatchObject({
      cash: 1,
      equity: 2,
      buyingPower: 3,
      tradingBlocked: false,
      daytradeCount: null,
      multiplier: null,
    });
  });

  it('a short position from the real payload has negative quantities', () => {
    const p = PositionSchema.parse({
      asset_id: 'a',
      symbol: 'TSLA',
      exchange: 'NASDAQ',
      asset_class: 'us_equity',
      qty: '-25',
      avg_entry_price: '344.5',
      side: 'short',
      market_value: '-8612.5',
      cost_basis: '-8612.5',
      unrealized_pl: '0',
      unrealized_plpc: '0',
      current_price: '344.5',
      lastday_price: '340',
      change_today: '0.0132',
    });
    expect(p.qty).toBe(-25);
    expect(p.marketValue).toBe(-8612.5);
    expect(p.changeToday).toBe(0.0132);
    // A server that sends an unsigned short is normalised to negative.
    expect(PositionSchema.parse({ symbol: 'X', qty: '3', avg_entry_price: '1', side: 'short' }).qty).toBe(-3);
  });

  it('an asset without borrow fields is not shortable now', () => {
    const a = AssetSchema.parse({ id: 'i', symbol: 'ABC', shortable: true });
    expect(a.borrowStatus).toBe('unknown');
    expect(a.canOpenShort).toBe(false);
  });
});

describe('TradeUpdateSchema', () => {
  it('parses a fill with mixed time zones and string numbers', () => {
    const u = TradeUpdateSchema.parse({
      event: 'fill',
      execution_id: 'e1',
      order: wireOrder({
        status: 'filled',
        filled_qty: '10',
        filled_avg_price: '190.01',
        filled_at: '2026-11-18T09:35:03.2-05:00',
      }),
      position_qty: '-10',
      price: '190.01',
      qty: '10',
      timestamp: '2026-11-18T14:35:03.200000000Z',
    });
    expect(u).toMatchObject({
      event: 'fill',
      price: 190.01,
      qty: 10,
      positionQty: -10,
      executionId: 'e1',
      reconciled: false,
    });
    expect(u.order.filledAvgPrice).toBe(190.01);
  });

  it('accepts new event names (accepted, restated)', () => {
    expect(TradeUpdateSchema.parse({ event: 'accepted', order: wireOrder() }).event).toBe('accepted');
    expect(TradeUpdateSchema.parse({ event: 'restated', order: wireOrder() }).price).toBeNull();
  });
});
