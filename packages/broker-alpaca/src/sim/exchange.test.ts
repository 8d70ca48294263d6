/**
 * The checks, with the REAL client (`createAlpacaClient`) against the paper exchange:
 * - a run of bars with market, limit and bracket orders produces the fills and positions a
 *   careful reader computes by hand;
 * - a websocket reconnect loses no trade update (client reconnect + REST reconciliation).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { msftBars, until } from '../../test/sim-helpers.js';
import { createAlpacaClient } from '../client/create-client.js';
import type { TradeUpdate } from '../types.js';
import { type PaperExchange, startPaperExchange } from './index.js';

let ex: PaperExchange | undefined;
afterEach(async () => {
  await ex?.close();
  ex = undefined;
});

const clientFor = (e: PaperExchange) =>
  createAlpacaClient({
    keyId: 'PKTEST',
    secretKey: 'secret-test',
    baseUrl: e.url,
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 50, jitter: false },
    stream: {
      reconnectBaseDelayMs: 10,
      reconnectMaxDelayMs: 50,
      pingIntervalMs: 5_000,
      reconcileMarginMs: 10_000,
    },
  });

describe('real client against the paper exchange', () => {
  it('market, limit and bracket orders over real MSFT bars give the hand-computed fills and positions', async () => {
    // MSFT 2000 daily bars (data file):  open     high     low      close
    // bar0 2000-09-27                    63.4375  63.5625  59.8125  60.625
    // bar1 2000-09-28                    60.8125  61.875   60.625   61.3125
    // bar2 2000-09-29                    61       61.3125  58.625   60.3125
    // bar3 2000-10-02                    60.5     60.8125  58.25    59.125
    // bar4 2000-10-03                    59.5625  59.8125  56.5     56.5625
    ex = await startPaperExchange({ bars: msftBars(6), initialCash: 50_000 });
    const alpaca = clientFor(ex);

    // Before bar0: market buy 200 → bar0 open 63.4375; limit buy 100 @ 60.50 → bar0 low 59.8125 ≤ 60.5,
    // at min(63.4375, 60.5) = 60.5.
    const m = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 200,
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
    });
    const l = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 100,
      side: 'buy',
      type: 'limit',
      limitPrice: 60.5,
      timeInForce: 'gtc',
    });
    expect([m.status, m.filledQty, m.filledAvgPrice]).toEqual(['new', 0, null]);
    ex.advance();
    expect((await alpaca.getOrder(m.id)).filledAvgPrice).toBe(63.4375);
    expect((await alpaca.getOrder(l.id)).filledAvgPrice).toBe(60.5);
    // cash 50000 − 200×63.4375 − 100×60.5 = 50000 − 12687.5 − 6050 = 31262.5
    // 300 shares, avg (12687.5 + 6050) / 300 = 62.458333…, marked at the close 60.625
    let pos = await alpaca.getPosition('MSFT');
    expect(pos.qty).toBe(300);
    expect(pos.avgEntryPrice).toBeCloseTo(18_737.5 / 300, 5);
    expect(pos.marketValue).toBe(300 * 60.625); // 18187.5
    let account = await alpaca.getAccount();
    expect(account.cash).toBe(31_262.5);
    expect(account.equity).toBe(31_262.5 + 18_187.5); // 49450
    expect(account.daytradeCount).toBeNull(); // PDT fields are gone (2026-07-06)

    // After bar0: sell 300 with a limit at 61.75 → bar1 high 61.875 ≥ 61.75 → at max(60.8125, 61.75) = 61.75.
    // cash 31262.5 + 300×61.75 = 31262.5 + 18525 = 49787.5 (round trip −212.5)
    await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 300,
      side: 'sell',
      type: 'limit',
      limitPrice: 61.75,
      timeInForce: 'gtc',
    });
    ex.advance();
    expect(await alpaca.listPositions()).toEqual([]);
    expect((await alpaca.getAccount()).cash).toBe(49_787.5);

    // After bar1: bracket buy 100 with a limit entry at 61.10, take profit 61.30, stop loss 59.
    // bar2: open 61 ≤ 61.10 → entry fills at min(61, 61.1) = 61. The legs go live on the same bar:
    //       stop 59 vs low 58.625 → the stop-loss triggers first (pessimistic rule) at min(61, 59) = 59,
    //       and the take-profit is canceled although the high 61.3125 also reached 61.30.
    // cash 49787.5 − 6100 + 5900 = 49587.5
    const br = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 100,
      side: 'buy',
      type: 'limit',
      limitPrice: 61.1,
      timeInForce: 'gtc',
      orderClass: 'bracket',
      takeProfit: { limitPrice: 61.3 },
      stopLoss: { stopPrice: 59 },
    });
    expect(br.legs?.map((x) => x.status)).toEqual(['held', 'held']);
    ex.advance();
    const done = await alpaca.getOrder(br.id, { nested: true });
    expect([done.status, done.filledAvgPrice]).toEqual(['filled', 61]);
    const byType = Object.fromEntries((done.legs ?? []).map((x) => [x.type, x]));
    expect([byType.stop?.status, byType.stop?.filledAvgPrice]).toEqual(['filled', 59]);
    expect(byType.limit?.status).toBe('canceled');
    expect((await alpaca.getAccount()).cash).toBe(49_587.5);

    // After bar2: a second bracket, market entry, take profit 60.75, stop loss 57.
    // bar3: entry at the open 60.5; high 60.8125 ≥ 60.75 → take-profit at max(60.5, 60.75) = 60.75
    //       (low 58.25 > 57: the stop does not trigger). cash 49587.5 − 6050 + 6075 = 49612.5
    const br2 = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 100,
      side: 'buy',
      type: 'market',
      timeInForce: 'gtc',
      orderClass: 'bracket',
      takeProfit: { limitPrice: 60.75 },
      stopLoss: { stopPrice: 57 },
    });
    ex.advance();
    const legs2 = (await alpaca.getOrder(br2.id, { nested: true })).legs ?? [];
    expect(legs2.map((x) => [x.type, x.status, x.filledAvgPrice])).toEqual([
      ['limit', 'filled', 60.75],
      ['stop', 'canceled', null],
    ]);

    // After bar3: short 50 at market → bar4 open 59.5625; cash + 2978.125 = 52590.625; marked at 56.5625.
    await alpaca.submitOrder({ symbol: 'MSFT', qty: 50, side: 'sell', type: 'market', timeInForce: 'day' });
    ex.advance();
    pos = await alpaca.getPosition('MSFT');
    expect([pos.side, pos.qty, pos.marketValue, pos.unrealizedPl]).toEqual(['short', -50, -2828.125, 150]);
    account = await alpaca.getAccount();
    expect(account.cash).toBe(52_590.625);
    // equity = 52590.625 − 2828.125 = 49762.5 = 50000 − 212.5 − 200 + 25 + 150
    expect(account.equity).toBe(49_762.5);

    // every execution, as the exchange booked it
    expect(ex.state().fills.map((f) => [f.side, f.qty, f.price])).toEqual([
      ['buy', 200, 63.4375],
      ['buy', 100, 60.5],
      ['sell', 300, 61.75],
      ['buy', 100, 61],
      ['sell', 100, 59],
      ['buy', 100, 60.5],
      ['sell', 100, 60.75],
      ['sell', 50, 59.5625],
    ]);
  });

  it('an OCO exit as the issue writes it goes through the real client and fills its take-profit', async () => {
    // bar0 open 63.4375: buy 20. OCO sell 20: take profit 61.50, stop 58 (stop-limit 57.50).
    // bar1 (open 60.8125, high 61.875, low 60.625): high ≥ 61.50 → the take-profit (the OCO order
    // itself) fills at max(60.8125, 61.50) = 61.50; low 60.625 > 58, so the stop leg is canceled.
    ex = await startPaperExchange({ bars: msftBars(4), initialCash: 10_000 });
    const alpaca = clientFor(ex);
    await alpaca.submitOrder({ symbol: 'MSFT', qty: 20, side: 'buy', type: 'market', timeInForce: 'day' });
    ex.advance();
    const oco = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 20,
      side: 'sell',
      type: 'limit',
      timeInForce: 'gtc',
      orderClass: 'oco',
      takeProfit: { limitPrice: 61.5 },
      stopLoss: { stopPrice: 58, limitPrice: 57.5 },
    });
    expect([oco.orderClass, oco.type, oco.side, oco.limitPrice, oco.status]).toEqual([
      'oco',
      'limit',
      'sell',
      61.5,
      'new',
    ]);
    expect(oco.legs?.map((x) => [x.type, x.side, x.stopPrice, x.limitPrice, x.status])).toEqual([
      ['stop_limit', 'sell', 58, 57.5, 'new'],
    ]);
    ex.advance();
    const done = await alpaca.getOrder(oco.id, { nested: true });
    expect([done.status, done.filledQty, done.filledAvgPrice]).toEqual(['filled', 20, 61.5]);
    expect(done.legs?.map((x) => [x.status, x.filledQty])).toEqual([['canceled', 0]]);
    expect(await alpaca.listPositions()).toEqual([]);
    // 10000 − 20 × 63.4375 + 20 × 61.50 = 9961.25
    expect((await alpaca.getAccount()).cash).toBe(9_961.25);
  });

  it('submitOrder survives a dropped connection after the order was accepted (no duplicate)', async () => {
    ex = await startPaperExchange({ bars: msftBars(3) });
    const alpaca = clientFor(ex);
    ex.setFaults([{ kind: 'drop-after-accept', method: 'POST', path: '/v2/orders' }]);
    const order = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 7,
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
      clientOrderId: 'drop-1',
    });
    expect(order.clientOrderId).toBe('drop-1');
    const mine = ex.state().orders.filter((o) => o.client_order_id === 'drop-1');
    expect(mine).toHaveLength(1);
    expect(order.id).toBe(mine[0]!.id);
  });

  it.each(['replay', 'wall'] as const)(
    'a websocket reconnect loses no trade update (%s timestamps)',
    async (timestamps) => {
      // With replay timestamps the sim's clock is in 2000, far behind ours: the client must
      // measure the gap on the server's clock (GET /v2/clock when listening starts).
      ex = await startPaperExchange({ bars: msftBars(10), timestamps });
      const alpaca = clientFor(ex);
      const got: TradeUpdate[] = [];
      const stream = alpaca.streamTradeUpdates((u) => got.push(u));
      await stream.ready;
      await until(() => ex!.state().listeners === 1);

      // A: seen new + fill live. D: a GTC limit seen as new, fills later during the gap.
      const a = await alpaca.submitOrder({
        symbol: 'MSFT',
        qty: 10,
        side: 'buy',
        type: 'market',
        timeInForce: 'day',
      });
      const d = await alpaca.submitOrder({
        symbol: 'MSFT',
        qty: 5,
        side: 'buy',
        type: 'limit',
        limitPrice: 59,
        timeInForce: 'gtc',
      });
      ex.advance(); // A fills at bar0's open; D (59) waits: bar0 low 59.8125
      await until(() => got.some((u) => u.order.id === a.id && u.event === 'fill'));

      // The next event meets a disconnect and is lost: it is B's `new`.
      ex.setFaults([{ kind: 'ws-disconnect' }]);
      const b = await alpaca.submitOrder({
        symbol: 'MSFT',
        qty: 3,
        side: 'buy',
        type: 'market',
        timeInForce: 'day',
      });
      // While the client is away (no listener): B fills, D fills (bar3 low 58.25 ≤ 59), C is submitted and canceled.
      const c = await alpaca.submitOrder({
        symbol: 'MSFT',
        qty: 1,
        side: 'buy',
        type: 'limit',
        limitPrice: 1,
        timeInForce: 'gtc',
      });
      expect(ex.state().listeners).toBe(0);
      ex.advance(3);
      await alpaca.cancelOrder(c.id);

      await until(() => stream.reconnects >= 1, 5_000);
      await until(() => ex!.state().listeners === 1, 5_000);
      await stream.reconciled();
      // and life goes on: E after the reconnect arrives live
      const e = await alpaca.submitOrder({
        symbol: 'MSFT',
        qty: 2,
        side: 'sell',
        type: 'market',
        timeInForce: 'day',
      });
      ex.advance();
      await until(() => got.some((u) => u.order.id === e.id && u.event === 'fill'));
      await stream.close();

      // Every event the exchange emitted reached the app once: fills by (order, cumulative qty), others by (order, event).
      const key = (id: string, event: string, filled: number) =>
        event === 'fill' || event === 'partial_fill' ? `${id} fill@${filled}` : `${id} ${event}`;
      const sent = ex
        .state()
        .events.map((x) => key(x.order.id as string, x.event, Number(x.order.filled_qty)));
      const received = got.map((u) => key(u.order.id, u.event, u.order.filledQty));
      expect([...received].sort()).toEqual([...sent].sort());
      expect(new Set(received).size).toBe(received.length);
      // the gap was really a gap: B, C and D's fill came from reconciliation
      const rebuilt = got.filter((u) => u.reconciled).map((u) => key(u.order.id, u.event, u.order.filledQty));
      expect(rebuilt.sort()).toEqual(
        [`${b.id} new`, `${b.id} fill@3`, `${c.id} new`, `${c.id} canceled`, `${d.id} fill@5`].sort(),
      );
      // and the fill quantities add up to the position: 10 + 5 + 3 − 2 = 16
      expect((await alpaca.getPosition('MSFT')).qty).toBe(16);
    },
  );

  it('a gap before any update was seen is measured on the server clock (replay sim, clock in 2000)', async () => {
    ex = await startPaperExchange({ bars: msftBars(5) });
    const alpaca = clientFor(ex);
    const got: TradeUpdate[] = [];
    const stream = alpaca.streamTradeUpdates((u) => got.push(u));
    await stream.ready;
    await until(() => ex!.state().listeners === 1);
    // The very first event is lost with the connection: no server timestamp was seen yet.
    ex.setFaults([{ kind: 'ws-disconnect' }]);
    const b = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 3,
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
    });
    ex.advance();
    await until(() => stream.reconnects >= 1, 5_000);
    await stream.reconciled();
    await stream.close();
    const rebuilt = got.filter((u) => u.reconciled).map((u) => `${u.order.id} ${u.event}`);
    expect(rebuilt.sort()).toEqual([`${b.id} fill`, `${b.id} new`].sort());
  });

  it('with replay timestamps (the default) fills of orders seen before a gap are recovered too', async () => {
    ex = await startPaperExchange({ bars: msftBars(5) });
    const alpaca = clientFor(ex);
    const got: TradeUpdate[] = [];
    const stream = alpaca.streamTradeUpdates((u) => got.push(u));
    await stream.ready;
    await until(() => ex!.state().listeners === 1);
    const a = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 4,
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
    });
    await until(() => got.some((u) => u.order.id === a.id && u.event === 'new'));
    ex.dropStreams();
    ex.advance(); // A fills at bar0's open while nobody listens
    await until(() => stream.reconnects >= 1 && ex!.state().listeners === 1, 5_000);
    await stream.reconciled();
    await stream.close();
    const fill = got.find((u) => u.order.id === a.id && u.event === 'fill');
    expect(fill?.reconciled).toBe(true);
    expect([fill?.order.filledQty, fill?.order.filledAvgPrice]).toEqual([4, 63.4375]);
  });

  it('a slow POST that times out at the client still ends as exactly one order', async () => {
    ex = await startPaperExchange({ bars: msftBars(3) });
    const alpaca = createAlpacaClient({
      keyId: 'PKTEST',
      secretKey: 'secret-test',
      baseUrl: ex.url,
      timeoutMs: 100,
      retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 50, jitter: false },
    });
    ex.setFaults([{ kind: 'slow', method: 'POST', path: '/v2/orders', delayMs: 300 }]);
    const order = await alpaca.submitOrder({
      symbol: 'MSFT',
      qty: 3,
      side: 'buy',
      type: 'market',
      timeInForce: 'day',
      clientOrderId: 'slow-1',
    });
    await new Promise((r) => setTimeout(r, 400)); // let the slow first attempt land
    const mine = ex.state().orders.filter((o) => o.client_order_id === 'slow-1');
    expect(mine.map((o) => o.id)).toEqual([order.id]);
  });
});
