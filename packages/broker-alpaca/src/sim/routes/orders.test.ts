/** Order classes, notional orders and the GET /v2/orders query of the paper exchange (raw HTTP). */
import { afterEach, describe, expect, it } from 'vitest';
import { api, minuteBars, msftBars } from '../../../test/sim-helpers.js';
import { type PaperExchange, startPaperExchange } from '../index.js';

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

describe('order classes', () => {
  it('OCO exits a position: the stop leg fills and cancels the limit', async () => {
    ex = await startPaperExchange({ bars: msftBars(6) });
    const http = api(ex);
    await http.order({ symbol: 'MSFT', qty: '20', side: 'buy', type: 'market', time_in_force: 'day' });
    ex.advance(); // 20 @ 63.4375
    const oco = await http.order({
      symbol: 'MSFT',
      qty: '20',
      side: 'sell',
      type: 'limit',
      time_in_force: 'gtc',
      order_class: 'oco',
      take_profit: { limit_price: '65' },
      stop_loss: { stop_price: '58.5' },
    });
    expect(oco).toMatchObject({ order_class: 'oco', type: 'limit', limit_price: '65', status: 'new' });
    expect(oco.legs[0]).toMatchObject({ type: 'stop', stop_price: '58.5', status: 'new', side: 'sell' });
    ex.advance(2); // bar1 low 60.625, bar2 low 58.625: nothing; bar3 low 58.25 → stop at min(60.5, 58.5)
    expect((await http.get(`/v2/orders/${oco.id}?nested=true`)).body.legs[0].status).toBe('new');
    ex.advance();
    const after = (await http.get(`/v2/orders/${oco.id}?nested=true`)).body;
    expect([after.status, after.legs[0].status, after.legs[0].filled_avg_price]).toEqual([
      'canceled',
      'filled',
      '58.5',
    ]);
    expect((await http.get('/v2/positions')).body).toEqual([]);
  });

  it('OCO: prices its take-profit from take_profit.limit_price and ignores a top-level limit_price, like Alpaca', async () => {
    // alpaca-py used to force a top-level limit_price on OCOs; people sent limit_price=1 and Alpaca
    // ignored it. A sell limit at 1 would fill at bar1's open 60.8125; the take-profit at 61.50
    // fills at max(60.8125, 61.50) = 61.50 (bar1 high 61.875).
    ex = await startPaperExchange({ bars: msftBars(4) });
    const http = api(ex);
    await http.order({ symbol: 'MSFT', qty: '20', side: 'buy', type: 'market', time_in_force: 'day' });
    ex.advance();
    const oco = await http.order({
      symbol: 'MSFT',
      qty: '20',
      side: 'sell',
      type: 'limit',
      limit_price: '1',
      time_in_force: 'gtc',
      order_class: 'oco',
      take_profit: { limit_price: '61.5' },
      stop_loss: { stop_price: '58' },
    });
    expect([oco.limit_price, oco.legs[0].stop_price]).toEqual(['61.5', '58']);
    ex.advance();
    const after = (await http.get(`/v2/orders/${oco.id}?nested=true`)).body;
    expect([after.status, after.filled_avg_price, after.legs[0].status]).toEqual([
      'filled',
      '61.5',
      'canceled',
    ]);
  });

  it('OTO: one exit leg, held until the entry fills; canceling the entry cancels the held leg', async () => {
    ex = await startPaperExchange({ bars: msftBars(4) });
    const http = api(ex);
    ex.advance();
    const oto = await http.order({
      symbol: 'MSFT',
      qty: '10',
      side: 'buy',
      type: 'limit',
      limit_price: '50',
      time_in_force: 'gtc',
      order_class: 'oto',
      stop_loss: { stop_price: '45' },
    });
    expect(oto.legs.map((l: { type: string; status: string }) => [l.type, l.status])).toEqual([
      ['stop', 'held'],
    ]);
    expect((await http.del(`/v2/orders/${oto.id}`)).status).toBe(204);
    const leg = (await http.get(`/v2/orders/${oto.legs[0].id}`)).body;
    expect(leg.status).toBe('canceled');
  });

  it('notional orders buy fractional shares at the next open', async () => {
    ex = await startPaperExchange({
      bars: minuteBars('AAA', '2026-01-05', [
        [8, 8, 8, 8, 0],
        [8, 8, 8, 8, 0],
      ]),
    });
    const http = api(ex);
    const o = await http.order({
      symbol: 'AAA',
      notional: '100',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
    });
    expect([o.qty, o.notional]).toEqual([null, '100']);
    ex.advance();
    // $100 / $8 = 12.5 shares
    expect((await http.get(`/v2/orders/${o.id}`)).body).toMatchObject({
      status: 'filled',
      filled_qty: '12.5',
    });
    expect((await http.get('/v2/positions/AAA')).body.qty).toBe('12.5');
  });

  it('close all positions answers 207 per symbol', async () => {
    const bars = [...msftBars(3), ...msftBars(3).map((b) => ({ ...b, symbol: 'ZZ' }))];
    ex = await startPaperExchange({ bars });
    const http = api(ex);
    await http.order({ symbol: 'MSFT', qty: '3', side: 'buy', type: 'market', time_in_force: 'day' });
    await http.order({ symbol: 'ZZ', qty: '4', side: 'sell', type: 'market', time_in_force: 'day' });
    ex.advance();
    await http.order({
      symbol: 'MSFT',
      qty: '1',
      side: 'buy',
      type: 'limit',
      limit_price: '1',
      time_in_force: 'gtc',
    });
    const r = await http.del('/v2/positions?cancel_orders=true');
    expect(r.status).toBe(207);
    expect(
      r.body.map((x: { symbol: string; status: number; body: { side: string; qty: string } }) => [
        x.symbol,
        x.status,
        x.body.side,
        x.body.qty,
      ]),
    ).toEqual([
      ['MSFT', 200, 'sell', '3'],
      ['ZZ', 200, 'buy', '4'],
    ]);
    ex.advance();
    expect((await http.get('/v2/positions')).body).toEqual([]);
  });
});

describe('GET /v2/orders', () => {
  it('filters by status, symbols, side, after/until, and honours direction, limit and nested', async () => {
    const bars = [...msftBars(3), ...msftBars(3).map((b) => ({ ...b, symbol: 'ZZ' }))];
    ex = await startPaperExchange({ bars });
    const http = api(ex);
    ex.advance();
    const ids: string[] = [];
    for (const [symbol, price] of [
      ['MSFT', '10'],
      ['ZZ', '11'],
      ['MSFT', '12'],
    ] as const) {
      ids.push(
        (
          await http.order({
            symbol,
            qty: '1',
            side: 'buy',
            type: 'limit',
            limit_price: price,
            time_in_force: 'gtc',
          })
        ).id,
      );
    }
    await http.del(`/v2/orders/${ids[1]}`);
    const br = await http.order({
      symbol: 'MSFT',
      qty: '1',
      side: 'buy',
      type: 'limit',
      limit_price: '13',
      time_in_force: 'gtc',
      order_class: 'bracket',
      take_profit: { limit_price: '70' },
      stop_loss: { stop_price: '12' },
    });
    const list = async (q: string) =>
      (await http.get(`/v2/orders${q}`)).body.map((o: { id: string }) => o.id);
    // default: open, newest first; legs listed on their own when not nested
    const open = await list('');
    expect(open).toHaveLength(5);
    expect(open.slice(2)).toEqual([br.id, ids[2], ids[0]]);
    expect(await list('?nested=true')).toEqual([br.id, ids[2], ids[0]]);
    expect(await list('?status=closed')).toEqual([ids[1]]);
    expect(await list('?status=all&direction=asc&limit=2')).toEqual([ids[0], ids[1]]);
    expect(await list('?status=all&symbols=ZZ')).toEqual([ids[1]]);
    expect(await list('?status=all&side=sell&nested=true')).toEqual([]);
    const second = (await http.get(`/v2/orders/${ids[1]}`)).body;
    const first = (await http.get(`/v2/orders/${ids[0]}`)).body;
    expect(
      await list(`?status=all&nested=true&after=${first.submitted_at}&until=${br.submitted_at}`),
    ).toEqual([ids[2], ids[1]]);
    expect(await list(`?status=all&nested=true&direction=asc&after=${second.submitted_at}`)).toEqual([
      ids[2],
      br.id,
    ]);
    expect((await http.get('/v2/orders?limit=501')).status).toBe(422);
  });
});
