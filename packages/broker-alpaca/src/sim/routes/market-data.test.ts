/** Market data, clock, calendar, assets and auto-advance of the paper exchange. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { api, MSFT_CSV, msftBars, until } from '../../../test/sim-helpers.js';
import { type Bar, type PaperExchange, parseBarsCsv, startPaperExchange } from '../index.js';

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

describe('CSV bars', () => {
  it('stamps daily rows at UTC midnight, like every MARLTS package, and keeps OHLCV', () => {
    const bars = parseBarsCsv(readFileSync(MSFT_CSV, 'utf8'));
    expect(bars).toHaveLength(249);
    expect(bars[0]).toEqual({
      symbol: 'MSFT',
      time: Date.UTC(2000, 8, 27),
      open: 63.4375,
      high: 63.5625,
      low: 59.8125,
      close: 60.625,
      volume: 53077800,
    });
    expect(new Date(bars[60]!.time).toISOString().slice(11)).toBe('00:00:00.000Z'); // winter too
    // close-only rows fall back to the close and volume 0
    const closeOnly = parseBarsCsv('symbol,date,open,high,low,close,volume\nX,2026-01-05,,,,12.5,\n');
    expect(closeOnly[0]).toMatchObject({ open: 12.5, high: 12.5, low: 12.5, close: 12.5, volume: 0 });
  });
});

describe('market data', () => {
  it('serves only bars up to the current step, paginating across symbols with an opaque token', async () => {
    const msft = msftBars(10);
    const other = msft.map((b) => ({ ...b, symbol: 'AAPL', close: b.close / 2 }));
    ex = await startPaperExchange({ bars: [...msft, ...other] });
    const http = api(ex);
    const q = '/v2/stocks/bars?symbols=MSFT,AAPL&timeframe=1Day&feed=iex';
    expect((await http.get(q)).body).toEqual({ bars: {}, next_page_token: null }); // nothing has traded yet
    ex.advance(4); // bars 0..3 are known; 4..9 are the future
    const seen: Record<string, number[]> = {};
    let token: string | null = null;
    let pages = 0;
    do {
      const r: { bars: Record<string, { c: number }[]>; next_page_token: string | null } = (
        await http.get(`${q}&limit=3${token ? `&page_token=${token}` : ''}`)
      ).body;
      for (const [s, list] of Object.entries(r.bars)) {
        (seen[s] ??= []).push(...list.map((b) => b.c));
      }
      token = r.next_page_token;
      pages++;
    } while (token !== null);
    // 8 bars, 3 per page → 3 pages; symbols in order, then time
    expect(pages).toBe(3);
    expect(seen.MSFT).toEqual(msft.slice(0, 4).map((b) => b.close));
    expect(seen.AAPL).toEqual(other.slice(0, 4).map((b) => b.close));
    const single = (await http.get('/v2/stocks/MSFT/bars?timeframe=1Day&start=2000-09-28&end=2000-09-29'))
      .body;
    expect(single.symbol).toBe('MSFT');
    expect(single.bars.map((b: { t: string; o: number }) => [b.t, b.o])).toEqual([
      ['2000-09-28T00:00:00Z', 60.8125],
      ['2000-09-29T00:00:00Z', 61],
    ]);
    expect((await http.get('/v2/stocks/ZZZ/bars?timeframe=1Day')).body.bars).toBeNull();
    expect((await http.get('/v2/stocks/bars?symbols=MSFT')).status).toBe(422); // timeframe is required
    const quotes = (await http.get('/v2/stocks/quotes/latest?symbols=MSFT,ZZZ')).body.quotes;
    expect(Object.keys(quotes)).toEqual(['MSFT']);
    expect(quotes.MSFT.ap).toBe(msft[3]!.close);
    const trades = (await http.get('/v2/stocks/trades/latest?symbols=MSFT')).body.trades;
    expect(trades.MSFT.p).toBe(msft[3]!.close);
  });

  it('no look-ahead: changing bars after t changes nothing the exchange shows or fills up to t', async () => {
    const run = async (future: (b: Bar) => Bar) => {
      const bars = msftBars(8).map((b, i) => (i >= 4 ? future(b) : b));
      const e = await startPaperExchange({ bars });
      const http = api(e);
      await http.order({ symbol: 'MSFT', qty: '10', side: 'buy', type: 'market', time_in_force: 'gtc' });
      e.advance(2);
      await http.order({
        symbol: 'MSFT',
        qty: '10',
        side: 'sell',
        type: 'limit',
        limit_price: '61',
        time_in_force: 'gtc',
      });
      e.advance(2); // bars 0..3 replayed
      const seen = {
        fills: e.state().fills.map((f) => [f.side, f.qty, f.price, f.time]),
        account: (await http.get('/v2/account')).body.equity,
        bars: (await http.get('/v2/stocks/bars?symbols=MSFT&timeframe=1Day')).body,
        quote: (await http.get('/v2/stocks/quotes/latest?symbols=MSFT')).body.quotes.MSFT.ap,
        clock: (await http.get('/v2/clock')).body.timestamp,
      };
      await e.close();
      return seen;
    };
    const real = await run((b) => b);
    const crash = await run((b) => ({
      ...b,
      open: b.open / 2,
      high: b.high / 2,
      low: b.low / 2,
      close: b.close / 2,
    }));
    expect(crash).toEqual(real);
    expect(real.fills).toHaveLength(2); // the limit sell filled on bar2 (high 61.3125 ≥ 61)
  });

  it('clock, calendar and assets follow the replay', async () => {
    ex = await startPaperExchange({
      bars: msftBars(10),
      assets: [{ symbol: 'MSFT', shortable: true, easy_to_borrow: false }],
    });
    const http = api(ex);
    // before the first bar: one minute before the open of 2000-09-27
    expect((await http.get('/v2/clock')).body).toEqual({
      timestamp: '2000-09-27T09:29:00-04:00',
      is_open: false,
      next_open: '2000-09-27T09:30:00-04:00',
      next_close: '2000-09-27T16:00:00-04:00',
    });
    ex.advance(3); // Friday 2000-09-29 closes; next session Monday
    expect((await http.get('/v2/clock')).body).toMatchObject({
      timestamp: '2000-09-29T16:00:00-04:00',
      is_open: false,
      next_open: '2000-10-02T09:30:00-04:00',
    });
    const cal = (await http.get('/v2/calendar?start=2000-09-28&end=2000-10-03')).body;
    expect(cal.map((d: { date: string }) => d.date)).toEqual([
      '2000-09-28',
      '2000-09-29',
      '2000-10-02',
      '2000-10-03',
    ]);
    expect(cal[1]).toEqual({
      date: '2000-09-29',
      open: '09:30',
      close: '16:00',
      session_open: '0400',
      session_close: '2000',
      settlement_date: '2000-10-02',
    });
    const asset = (await http.get('/v2/assets/MSFT')).body;
    expect(asset).toMatchObject({
      symbol: 'MSFT',
      class: 'us_equity',
      shortable: true,
      borrow_status: 'hard_to_borrow',
    });
    expect((await http.get('/v2/assets/NOPE')).status).toBe(404);
    expect((await http.get('/v2/assets')).body).toHaveLength(1);
  });

  it('auto-advances at `speed` bars per second until the feed ends', async () => {
    ex = await startPaperExchange({ bars: msftBars(4), speed: 200 });
    const steps: number[] = [];
    ex.onStep((t) => steps.push(t));
    await until(() => ex!.state().done, 5_000);
    expect(steps).toEqual(msftBars(4).map((b) => b.time));
    expect(ex.advance()).toBe(0);
  });

  it('rejects bad options with a CONFIG error naming the field', async () => {
    await expect(startPaperExchange({ maxVolumeShare: 2 })).rejects.toMatchObject({
      name: 'AlpacaError',
      code: 'CONFIG',
      field: 'maxVolumeShare',
    });
  });
});
