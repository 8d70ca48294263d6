/**
 * Fills against the paper exchange, checked with raw HTTP so the exchange is
 * tested on its own (the client has its own tests against it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, minuteBars, msftBars } from '../../test/sim-helpers.js';
import { type PaperExchange, startPaperExchange } from './index.js';

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

describe('a run of real MSFT daily bars, computed by hand', () => {
  it('market, limit, bracket and short orders give the hand-computed fills, positions and cash', async () => {
    // MSFT 2000, from the data file:      open     high     low      close
    // bar0 2000-09-27                     63.4375  63.5625  59.8125  60.625
    // bar1 2000-09-28                     60.8125  61.875   60.625   61.3125
    // bar2 2000-09-29                     61       61.3125  58.625   60.3125
    // bar3 2000-10-02                     60.5     60.8125  58.25    59.125
    // bar4 2000-10-03                     59.5625  59.8125  56.5     56.5625
    // bar5 2000-10-04                     56.375   56.5625  54.5     55.4375
    ex = await startPaperExchange({ bars: msftBars(8), initialCash: 100_000 });
    const http = api(ex);

    // Before bar0: market buy 100 (fills at bar0's open) and limit buy 50 @ 60 (bar0 low 59.8125 ≤ 60
    // → fills at min(open 63.4375, 60) = 60).
    const m1 = await http.order({
      symbol: 'MSFT',
      qty: '100',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
    });
    const l1 = await http.order({
      symbol: 'MSFT',
      qty: '50',
      side: 'buy',
      type: 'limit',
      limit_price: '60',
      time_in_force: 'gtc',
    });
    expect(m1.status).toBe('new');
    expect(m1.filled_avg_price).toBeNull();
    expect(ex.advance()).toBe(1);
    // cash 100000 − 100×63.4375 − 50×60 = 100000 − 6343.75 − 3000 = 90656.25; 150 shares,
    // avg (6343.75 + 3000) / 150 = 62.291666…
    expect((await http.get(`/v2/orders/${m1.id}`)).body).toMatchObject({
      status: 'filled',
      filled_qty: '100',
      filled_avg_price: '63.4375',
    });
    expect((await http.get(`/v2/orders/${l1.id}`)).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '60',
    });
    let pos = (await http.get('/v2/positions/MSFT')).body;
    expect(pos).toMatchObject({
      qty: '150',
      side: 'long',
      current_price: '60.625',
      avg_entry_price: '62.291667',
    });
    expect(ex.state().account.cash).toBeCloseTo(90_656.25, 9);

    // After bar0: limit sell 150 @ 61.50. bar1 high 61.875 ≥ 61.5 → fills at max(open 60.8125, 61.5) = 61.5.
    // cash 90656.25 + 150×61.5 = 90656.25 + 9225 = 99881.25; flat.
    await http.order({
      symbol: 'MSFT',
      qty: '150',
      side: 'sell',
      type: 'limit',
      limit_price: '61.5',
      time_in_force: 'gtc',
    });
    ex.advance();
    expect((await http.get('/v2/positions')).body).toEqual([]);
    expect((await http.get('/v2/positions/MSFT')).status).toBe(404);
    expect(ex.state().account.cash).toBeCloseTo(99_881.25, 9);

    // After bar1: bracket buy 100 at market, take profit 62, stop loss 58.50 (≤ last close 61.3125 − 0.01).
    // bar2: entry fills at the open 61; legs go live; high 61.3125 < 62 and low 58.625 > 58.5 → neither fills.
    const br = await http.order({
      symbol: 'MSFT',
      qty: '100',
      side: 'buy',
      type: 'market',
      time_in_force: 'gtc',
      order_class: 'bracket',
      take_profit: { limit_price: '62' },
      stop_loss: { stop_price: '58.5' },
    });
    expect(br.legs.map((l: { status: string }) => l.status)).toEqual(['held', 'held']);
    ex.advance();
    // cash 99881.25 − 6100 = 93781.25; equity 93781.25 + 100×60.3125 = 99812.5
    let account = (await http.get('/v2/account')).body;
    expect(account).toMatchObject({ cash: '93781.25', equity: '99812.5', long_market_value: '6031.25' });
    const nested = (await http.get(`/v2/orders/${br.id}?nested=true`)).body;
    expect(nested.status).toBe('filled');
    expect(nested.legs.map((l: { status: string }) => l.status)).toEqual(['new', 'new']);
    // qty_available is 0: the OCO pair holds all 100 shares (once, not twice)
    expect((await http.get('/v2/positions/MSFT')).body.qty_available).toBe('0');

    // bar3: low 58.25 ≤ 58.5 → stop-loss fills at min(open 60.5, 58.5) = 58.5; take-profit canceled.
    // cash 93781.25 + 5850 = 99631.25; flat.
    ex.advance();
    const legs = (await http.get(`/v2/orders/${br.id}?nested=true`)).body.legs;
    const sl = legs.find((l: { type: string }) => l.type === 'stop');
    const tp = legs.find((l: { type: string }) => l.type === 'limit');
    expect(sl).toMatchObject({ status: 'filled', filled_avg_price: '58.5', side: 'sell' });
    expect(tp.status).toBe('canceled');
    expect(ex.state().account.cash).toBeCloseTo(99_631.25, 9);

    // After bar3: sell short 40 at market → bar4 open 59.5625; cash + 2382.5 = 102013.75; position −40.
    await http.order({ symbol: 'MSFT', qty: '40', side: 'sell', type: 'market', time_in_force: 'day' });
    ex.advance();
    pos = (await http.get('/v2/positions/MSFT')).body;
    // market value −40 × 56.5625 = −2262.5; unrealized (59.5625 − 56.5625) × 40 = +120
    expect(pos).toMatchObject({ qty: '-40', side: 'short', market_value: '-2262.5', cost_basis: '-2382.5' });
    expect(pos.unrealized_pl).toBe('120');
    account = (await http.get('/v2/account')).body;
    expect(account).toMatchObject({ cash: '102013.75', short_market_value: '-2262.5', equity: '99751.25' });

    // After bar4: cover with a limit buy 40 @ 55 → bar5 low 54.5 ≤ 55 → at min(open 56.375, 55) = 55.
    // cash 102013.75 − 2200 = 99813.75 = 100000 − 118.75 − 250 + 182.5 (the three round trips).
    await http.order({
      symbol: 'MSFT',
      qty: '40',
      side: 'buy',
      type: 'limit',
      limit_price: '55',
      time_in_force: 'gtc',
    });
    ex.advance();
    account = (await http.get('/v2/account')).body;
    expect(account).toMatchObject({ cash: '99813.75', equity: '99813.75', long_market_value: '0' });
    expect(ex.state().positions).toEqual([]);

    // Every execution, in order
    expect(ex.state().fills.map((f) => [f.side, f.qty, f.price, f.positionQty])).toEqual([
      ['buy', 100, 63.4375, 100],
      ['buy', 50, 60, 150],
      ['sell', 150, 61.5, 0],
      ['buy', 100, 61, 100],
      ['sell', 100, 58.5, 0],
      ['sell', 40, 59.5625, -40],
      ['buy', 40, 55, 0],
    ]);
  });
});

describe('fill rules on hand-made bars', () => {
  it('stop, stop-limit and trailing stops trigger as documented', async () => {
    // one session of minute bars: open, high, low, close, volume (0 = unlimited)
    ex = await startPaperExchange({
      bars: minuteBars('AAA', '2026-01-05', [
        [10, 10, 10, 10, 0], // bar0: reference
        [10.2, 10.6, 10.1, 10.5, 0], // bar1: buy stop 10.5 triggers (high 10.6) at max(10.2, 10.5) = 10.5
        [10.5, 11, 10.4, 11, 0], // bar2: trailing hwm → 11
        [10.9, 10.95, 10.7, 10.8, 0], // bar3: trail stop 11 − 0.25 = 10.75; low 10.7 → fills at min(10.9, 10.75) = 10.75
        [9.5, 9.6, 9.4, 9.5, 0], // bar4: gap down; sell stop-limit stop 9.8 limit 9.7: trigger at open 9.5 < 9.7 → no fill
        [9.6, 9.8, 9.55, 9.7, 0], // bar5: rests as limit 9.7: high 9.8 ≥ 9.7 → fills at max(9.6, 9.7) = 9.7
      ]),
    });
    const http = api(ex);
    ex.advance(); // bar0 current
    const stop = await http.order({
      symbol: 'AAA',
      qty: '10',
      side: 'buy',
      type: 'stop',
      stop_price: '10.5',
      time_in_force: 'day',
    });
    ex.advance(); // bar1
    expect((await http.get(`/v2/orders/${stop.id}`)).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '10.5',
    });
    const trail = await http.order({
      symbol: 'AAA',
      qty: '10',
      side: 'sell',
      type: 'trailing_stop',
      trail_price: '0.25',
      time_in_force: 'day',
    });
    // the high-water mark starts at the last close (10.5) → stop 10.25
    expect(trail).toMatchObject({ hwm: '10.5', stop_price: '10.25' });
    ex.advance(); // bar2: low 10.4 > 10.25, hwm → 11, stop → 10.75
    expect((await http.get(`/v2/orders/${trail.id}`)).body).toMatchObject({
      status: 'new',
      hwm: '11',
      stop_price: '10.75',
    });
    ex.advance(); // bar3
    expect((await http.get(`/v2/orders/${trail.id}`)).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '10.75',
    });
    // now flat: a short via stop-limit
    const sl = await http.order({
      symbol: 'AAA',
      qty: '10',
      side: 'sell',
      type: 'stop_limit',
      stop_price: '9.8',
      limit_price: '9.7',
      time_in_force: 'day',
    });
    ex.advance(); // bar4
    expect((await http.get(`/v2/orders/${sl.id}`)).body.status).toBe('new');
    ex.advance(); // bar5
    expect((await http.get(`/v2/orders/${sl.id}`)).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '9.7',
    });
    expect((await http.get('/v2/positions/AAA')).body.qty).toBe('-10');
  });

  it('partial fills take at most maxVolumeShare of each bar, and the position follows', async () => {
    ex = await startPaperExchange({
      maxVolumeShare: 0.1,
      bars: minuteBars('AAA', '2026-01-05', [
        [10, 10, 10, 10, 1_000],
        [10, 10, 10, 10, 1_000], // 10% of 1000 = 100 shares
        [11, 11, 11, 11, 550], // 55 shares (whole shares)
        [12, 12, 12, 12, 10_000], // the remaining 95
      ]),
    });
    const http = api(ex);
    ex.advance();
    const o = await http.order({
      symbol: 'AAA',
      qty: '250',
      side: 'buy',
      type: 'market',
      time_in_force: 'gtc',
    });
    ex.advance();
    expect((await http.get(`/v2/orders/${o.id}`)).body).toMatchObject({
      status: 'partially_filled',
      filled_qty: '100',
      filled_avg_price: '10',
    });
    ex.advance();
    ex.advance();
    // avg (100×10 + 55×11 + 95×12) / 250 = (1000 + 605 + 1140) / 250 = 10.98
    expect((await http.get(`/v2/orders/${o.id}`)).body).toMatchObject({
      status: 'filled',
      filled_qty: '250',
      filled_avg_price: '10.98',
    });
    const events = ex
      .state()
      .events.filter((e) => e.order.id === o.id)
      .map((e) => [e.event, e.qty, e.position_qty]);
    expect(events).toEqual([
      ['new', undefined, undefined],
      ['partial_fill', '100', '100'],
      ['partial_fill', '55', '155'],
      ['fill', '95', '250'],
    ]);
  });

  it('ioc cancels the rest, fok all-or-nothing, day orders expire at the session end', async () => {
    ex = await startPaperExchange({
      bars: [
        ...minuteBars('AAA', '2026-01-05', [
          [10, 10, 10, 10, 1_000],
          [10, 10, 10, 10, 1_000],
          [10, 10, 10, 10, 1_000],
        ]),
        ...minuteBars('AAA', '2026-01-06', [[10, 10, 10, 10, 1_000]]),
      ],
    });
    const http = api(ex);
    ex.advance();
    const ioc = await http.order({
      symbol: 'AAA',
      qty: '150',
      side: 'buy',
      type: 'market',
      time_in_force: 'ioc',
    });
    const fok = await http.order({
      symbol: 'AAA',
      qty: '150',
      side: 'buy',
      type: 'market',
      time_in_force: 'fok',
    });
    const day = await http.order({
      symbol: 'AAA',
      qty: '5',
      side: 'buy',
      type: 'limit',
      limit_price: '9',
      time_in_force: 'day',
    });
    const gtc = await http.order({
      symbol: 'AAA',
      qty: '5',
      side: 'buy',
      type: 'limit',
      limit_price: '9',
      time_in_force: 'gtc',
    });
    ex.advance();
    // the bar allows 100 shares: ioc takes 100 and cancels 50; fok cannot get 150 and is canceled unfilled
    expect((await http.get(`/v2/orders/${ioc.id}`)).body).toMatchObject({
      status: 'canceled',
      filled_qty: '100',
    });
    expect((await http.get(`/v2/orders/${fok.id}`)).body).toMatchObject({
      status: 'canceled',
      filled_qty: '0',
    });
    ex.advance(); // last bar of 2026-01-05: the day order expires, the gtc stays
    expect((await http.get(`/v2/orders/${day.id}`)).body.status).toBe('expired');
    expect((await http.get(`/v2/orders/${day.id}`)).body.expired_at).toBe('2026-01-05T14:33:00.000Z');
    expect((await http.get(`/v2/orders/${gtc.id}`)).body.status).toBe('new');
    const open = (await http.get('/v2/orders')).body;
    expect(open.map((o: { id: string }) => o.id)).toEqual([gtc.id]);
  });

  it('opg fills at the next open, cls at the next close; trailing percent follows the high', async () => {
    ex = await startPaperExchange({
      bars: minuteBars('AAA', '2026-01-05', [
        [20, 20, 20, 20, 0],
        [21, 22, 20.5, 21.5, 0], // opg → 21, cls → 21.5
        [21.5, 25, 21.5, 24, 0], // trailing 10 %: hwm 21.5 → 25, stop 19.35 → 22.5
        [23, 23, 22, 22, 0], // low 22 ≤ 22.5 → sells at min(23, 22.5) = 22.5
      ]),
    });
    const http = api(ex);
    ex.advance();
    const opg = await http.order({
      symbol: 'AAA',
      qty: '3',
      side: 'buy',
      type: 'market',
      time_in_force: 'opg',
    });
    const cls = await http.order({
      symbol: 'AAA',
      qty: '2',
      side: 'buy',
      type: 'market',
      time_in_force: 'cls',
    });
    ex.advance();
    expect((await http.get(`/v2/orders/${opg.id}`)).body.filled_avg_price).toBe('21');
    expect((await http.get(`/v2/orders/${cls.id}`)).body.filled_avg_price).toBe('21.5');
    const trail = await http.order({
      symbol: 'AAA',
      qty: '5',
      side: 'sell',
      type: 'trailing_stop',
      trail_percent: '10',
      time_in_force: 'gtc',
    });
    expect(trail).toMatchObject({ hwm: '21.5', stop_price: '19.35' });
    ex.advance();
    expect((await http.get(`/v2/orders/${trail.id}`)).body).toMatchObject({ hwm: '25', stop_price: '22.5' });
    ex.advance();
    expect((await http.get(`/v2/orders/${trail.id}`)).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '22.5',
    });
    expect((await http.get('/v2/positions')).body).toEqual([]);
  });

  it('replace gives a new id and links both; cancel, cancel-all and close-position answer as Alpaca', async () => {
    ex = await startPaperExchange({ bars: msftBars(5) });
    const http = api(ex);
    ex.advance();
    const a = await http.order({
      symbol: 'MSFT',
      qty: '10',
      side: 'buy',
      type: 'limit',
      limit_price: '50',
      time_in_force: 'gtc',
      client_order_id: 'a-1',
    });
    const r = await http.patch(`/v2/orders/${a.id}`, { limit_price: '61', client_order_id: 'a-2' });
    expect(r.status).toBe(200);
    expect(r.body.id).not.toBe(a.id);
    expect(r.body).toMatchObject({
      replaces: a.id,
      limit_price: '61',
      client_order_id: 'a-2',
      status: 'new',
    });
    expect((await http.get(`/v2/orders/${a.id}`)).body).toMatchObject({
      status: 'replaced',
      replaced_by: r.body.id,
    });
    ex.advance(); // bar1 low 60.625 ≤ 61 → fills at min(60.8125, 61) = 60.8125
    expect((await http.get('/v2/orders:by_client_order_id?client_order_id=a-2')).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '60.8125',
    });
    // a filled order is not cancelable: 422; unknown id: 404; cancel: 204 with no body
    expect((await http.del(`/v2/orders/${r.body.id}`)).status).toBe(422);
    expect((await http.del('/v2/orders/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const b = await http.order({
      symbol: 'MSFT',
      qty: '1',
      side: 'buy',
      type: 'limit',
      limit_price: '1',
      time_in_force: 'gtc',
    });
    const del = await http.del(`/v2/orders/${b.id}`);
    expect([del.status, del.body]).toEqual([204, undefined]);
    await http.order({
      symbol: 'MSFT',
      qty: '1',
      side: 'buy',
      type: 'limit',
      limit_price: '2',
      time_in_force: 'gtc',
    });
    await http.order({
      symbol: 'MSFT',
      qty: '1',
      side: 'buy',
      type: 'limit',
      limit_price: '3',
      time_in_force: 'gtc',
    });
    const all = await http.del('/v2/orders');
    expect(all.status).toBe(207);
    expect(
      all.body.map((x: { status: number; body: { status: string } }) => [x.status, x.body.status]),
    ).toEqual([
      [200, 'canceled'],
      [200, 'canceled'],
    ]);
    // close the 10 shares: a market order that fills at the next open (bar2 open 61)
    const close = await http.del('/v2/positions/MSFT');
    expect(close.status).toBe(200);
    expect(close.body).toMatchObject({ side: 'sell', qty: '10', type: 'market' });
    ex.advance();
    expect((await http.get('/v2/positions')).body).toEqual([]);
    expect(ex.state().account.cash).toBeCloseTo(100_000 - 608.125 + 610, 9);
  });
});
