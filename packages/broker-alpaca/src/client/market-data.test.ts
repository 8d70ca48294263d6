/** Bars across pages and symbols, latest quotes and trades. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAlpaca } from '../../test/fake-alpaca.js';
import { clientFor, startFake } from '../../test/helpers.js';
import { isAlpacaError } from '../index.js';

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await startFake();
  // 7 AAPL and 5 MSFT one-minute bars; MSFT skips a minute (no zero-filled bars).
  const mk = (i: number, base: number) => ({
    t: new Date(Date.UTC(2026, 10, 20, 14, 30 + i)).toISOString().replace('.000Z', 'Z'),
    o: base + i,
    h: base + i + 0.5,
    l: base + i - 0.5,
    c: base + i + 0.25,
    v: 1000 + i,
    n: 10 + i,
    vw: base + i + 0.1,
  });
  fake.bars.set(
    'AAPL',
    [0, 1, 2, 3, 4, 5, 6].map((i) => mk(i, 190)),
  );
  fake.bars.set(
    'MSFT',
    [0, 1, 3, 4, 5].map((i) => mk(i, 410)),
  );
});
afterAll(async () => {
  await fake.close();
});

describe('getBars', () => {
  it('merges every page of a multi-symbol request (limit counts across symbols)', async () => {
    const { client } = clientFor(fake);
    const bars = await client.getBars({
      symbols: ['MSFT', 'AAPL'],
      timeframe: '1Min',
      start: '2026-11-20T14:30:00Z',
      end: new Date('2026-11-20T15:00:00Z'),
      limit: 5,
    });
    const pages = fake.requests.filter((r) => r.path === '/v2/stocks/bars');
    expect(pages).toHaveLength(3); // 12 bars / 5
    expect(pages[0]?.query.get('symbols')).toBe('MSFT,AAPL');
    expect(pages[0]?.query.get('feed')).toBe('iex');
    expect(pages[0]?.query.get('end')).toBe('2026-11-20T15:00:00.000Z');
    expect(pages[0]?.query.has('page_token')).toBe(false);
    expect(pages[1]?.query.get('page_token')).toBeTruthy();
    expect(pages[1]?.query.get('timeframe')).toBe('1Min'); // other params repeated unchanged
    expect(bars).toHaveLength(12);
    expect(bars.filter((b) => b.symbol === 'AAPL').map((b) => b.open)).toEqual([
      190, 191, 192, 193, 194, 195, 196,
    ]);
    const msft = bars.filter((b) => b.symbol === 'MSFT');
    expect(msft.map((b) => new Date(b.time).getUTCMinutes())).toEqual([30, 31, 33, 34, 35]);
    expect(msft[0]).toEqual({
      symbol: 'MSFT',
      time: Date.UTC(2026, 10, 20, 14, 30),
      open: 410,
      high: 410.5,
      low: 409.5,
      close: 410.25,
      volume: 1000,
      tradeCount: 10,
      vwap: 410.1,
    });
  });

  it('returns [] for an empty range', async () => {
    const { client } = clientFor(fake);
    expect(
      await client.getBars({ symbols: ['AAPL'], timeframe: '1Day', start: '2020-01-01', end: '2020-01-02' }),
    ).toEqual([]);
  });

  it('stops on a repeated page token instead of looping', async () => {
    const { client } = clientFor(fake);
    const page = { bars: { AAPL: [] }, next_page_token: 'same' };
    fake.fault({ method: 'GET', path: '/v2/stocks/bars', kind: 'status', status: 200, body: page, times: 2 });
    const e = await client
      .getBars({ symbols: ['AAPL'], timeframe: '1Min', start: '2026-11-20', end: '2026-11-21' })
      .catch((x) => x);
    expect(isAlpacaError(e, 'BAD_RESPONSE')).toBe(true);
    expect(e.message).toMatch(/repeated/);
  });

  it('accepts bars: null and validates timeframe and symbols locally', async () => {
    const { client } = clientFor(fake);
    fake.fault({
      method: 'GET',
      path: '/v2/stocks/bars',
      kind: 'status',
      status: 200,
      body: { bars: null, next_page_token: null },
    });
    expect(
      await client.getBars({ symbols: ['AAPL'], timeframe: '1Hour', start: '2026-11-20', end: '2026-11-21' }),
    ).toEqual([]);
    const bad = await client
      .getBars({ symbols: ['AAPL'], timeframe: '90Min', start: '2026-11-20', end: '2026-11-21' })
      .catch((x) => x);
    expect(bad.field).toBe('timeframe');
    const none = await client
      .getBars({ symbols: [], timeframe: '1Min', start: '2026-11-20', end: '2026-11-21' })
      .catch((x) => x);
    expect(none.field).toBe('symbols');
  });

  it('maps the recent-SIP 403 to FORBIDDEN', async () => {
    const { client } = clientFor(fake);
    const e = await client
      .getBars({ symbols: ['AAPL'], timeframe: '1Min', start: '2026-11-20', end: 'recent', feed: 'sip' })
      .catch((x) => x);
    expect(isAlpacaError(e, 'FORBIDDEN')).toBe(true);
    expect(e.message).toMatch(/recent SIP/);
  });
});

describe('latest quotes and trades', () => {
  it('returns a map by symbol; a symbol without data is absent', async () => {
    const { client } = clientFor(fake);
    const quotes = await client.getLatestQuotes(['AAPL', 'ZZZZ']);
    expect(Object.keys(quotes)).toEqual(['AAPL']);
    expect(quotes.AAPL).toMatchObject({
      symbol: 'AAPL',
      askPrice: 190.01,
      bidPrice: 189.99,
      bidSize: 0,
      conditions: ['R'],
    });
    expect(quotes.AAPL?.time).toBe(Date.parse('2026-11-20T15:31:07.482Z'));
    const trades = await client.getLatestTrades(['MSFT']);
    expect(trades.MSFT).toMatchObject({ price: 410, size: 100, exchange: 'V', id: 52983525029461 });
    expect(fake.requests.at(-1)?.query.get('feed')).toBe('iex');
  });
});
