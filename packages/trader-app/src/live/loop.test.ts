import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlpacaClient } from '@marlts/broker-alpaca';
import { startPaperExchange } from '@marlts/broker-alpaca/sim';
import { initBackend } from '@marlts/rl-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { loadBars } from '../engine/data.js';
import { silentLogger } from '../log.js';
import { createProgress } from '../progress.js';
import { RunStore } from '../store.js';
import { clientOrderId } from './client-id.js';
import { LiveLoop } from './loop.js';

const data = loadBars({ symbols: ['AA', 'KO', 'MSFT'], start: '1998-06-01', end: '1999-03-31' });
const config = parseConfig({
  runDir: mkdtempSync(join(tmpdir(), 'marlts-loop-')),
  // Untrained design-2 heads hold every asset about equally, long and short, and the account
  // nets the two sleeves per symbol: a larger short sleeve, fully invested at the short head's
  // neutral output (no cash bias), keeps short positions to check.
  env: { windowBars: 5, longSleeve: 0.2, shortSleeve: 0.8 },
  train: { sac: { neutralGross: 0.9 } },
  retrain: { everyBars: 1000 },
  orders: { timeInForce: 'gtc' },
  risk: { maxPositionWeight: 0.1 },
});

describe('LiveLoop against the paper exchange', () => {
  let exchange: Awaited<ReturnType<typeof startPaperExchange>>;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    // KO cannot be shorted at this exchange.
    exchange = await startPaperExchange({
      bars: data.bars,
      initialCash: 100_000,
      assets: [{ symbol: 'KO', shortable: false }],
    });
    exchange.advance(120);
  });
  afterAll(async () => {
    await exchange?.close();
  });

  it('trades, survives a crash between intent and send, and never sends a client id twice', async () => {
    const store = RunStore.open(config.runDir);
    const runId = store.createRun({ kind: 'paper', symbols: data.symbols });
    const broker = createAlpacaClient({ keyId: 'k', secretKey: 's', baseUrl: exchange.url });
    const make = () =>
      new LiveLoop({
        broker,
        store,
        runId,
        config,
        configSha256: 'x',
        symbols: data.symbols,
        timeframe: '1Day',
        log: silentLogger(),
        progress: createProgress({ quiet: true }),
        signal: new AbortController().signal,
        initialPpoSteps: 128,
        initialSacSteps: 32,
      });
    const loop = make();
    await loop.start();
    expect(store.championCheckpoint('rl-long-0')).toBeDefined();
    for (let i = 0; i < 4; i++) {
      await loop.tick();
      exchange.advance(1);
    }
    // A crash after writing an intent but before sending: the restart marks it not submitted.
    const ghost = clientOrderId(runId, 1, 'AA', 'a');
    store.recordOrderIntent({
      clientOrderId: ghost,
      runId,
      symbol: 'AA',
      side: 'buy',
      qty: 1,
      type: 'market',
      limitPrice: null,
      leg: 'a',
      barTime: 1,
      request: {},
    });
    // A crash after sending but before the acknowledgement was stored: the restart finds it by client id.
    const sent = clientOrderId(runId, 2, 'KO', 'a');
    store.recordOrderIntent({
      clientOrderId: sent,
      runId,
      symbol: 'KO',
      side: 'buy',
      qty: 3,
      type: 'market',
      limitPrice: null,
      leg: 'a',
      barTime: 2,
      request: {},
    });
    await broker.submitOrder({
      symbol: 'KO',
      qty: 3,
      side: 'buy',
      type: 'market',
      timeInForce: 'gtc',
      clientOrderId: sent,
    });
    exchange.advance(1);
    // "Restart": a new loop on the same store and run re-processes the same bar first.
    const cursor = store.getCursor(runId)!;
    store.setCursor(runId, cursor - 1);
    const again = make();
    await again.start();
    expect(store.getOrder(ghost)?.status).toBe('not_submitted');
    expect(store.getOrder(sent)?.status).toBe('filled');
    for (let i = 0; i < 3; i++) {
      await again.tick();
      exchange.advance(1);
    }
    await again.finish();
    const state = exchange.state();
    const ids = state.orders.map((o) => o.client_order_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const events = store.db
      .prepare(
        "SELECT client_order_id, COUNT(*) AS n FROM order_events WHERE status = 'intent' GROUP BY client_order_id HAVING n > 1",
      )
      .all();
    expect(events).toEqual([]);
    const atExchange = new Map(state.positions.map((p) => [p.symbol, p.qty]));
    const snap = new Map(store.latestPositions(runId).positions.map((p) => [p.symbol, p.qty]));
    expect(snap).toEqual(atExchange);
    expect(store.positionsFromFills(runId)).toEqual(atExchange);
    expect(store.listOrders(runId).length).toBeGreaterThan(2);
    // Risk rules on the live path: no short in the unshortable symbol, weights capped
    // (10 % of equity when sent; a few bars of price drift allowed).
    for (const p of state.positions) {
      if (p.symbol === 'KO') expect(p.qty).toBeGreaterThanOrEqual(0);
      expect(Math.abs(p.marketValue)).toBeLessThan(0.1 * state.account.equity * 1.25);
    }
    expect(state.positions.some((p) => p.qty < 0)).toBe(true);
    store.close();
  });

  it('retrains on the bar-time cadence: challengers warm-start, train before the holdout, and are promoted only if better', async () => {
    const cfg = parseConfig({
      runDir: mkdtempSync(join(tmpdir(), 'marlts-retrain-')),
      env: { windowBars: 5 },
      retrain: { everyBars: 2, windowBars: 60, holdoutBars: 10, ppoSteps: 64, sacSteps: 16 },
    });
    const ex = await startPaperExchange({ bars: data.bars, initialCash: 100_000, rateLimitPerMinute: 0 });
    ex.advance(100);
    const store = RunStore.open(cfg.runDir);
    const runId = store.createRun({ kind: 'paper', symbols: data.symbols });
    const loop = new LiveLoop({
      broker: createAlpacaClient({ keyId: 'k', secretKey: 's', baseUrl: ex.url }),
      store,
      runId,
      config: cfg,
      configSha256: 'x',
      symbols: data.symbols,
      timeframe: '1Day',
      log: silentLogger(),
      progress: createProgress({ quiet: true }),
      signal: new AbortController().signal,
      initialPpoSteps: 64,
      initialSacSteps: 16,
    });
    await loop.start();
    expect(loop.retrainEveryBars()).toBe(2);
    for (let i = 0; i < 5; i++) {
      await loop.tick();
      ex.advance(1);
    }
    await loop.finish();
    await ex.close();
    const decisions = store.listRetrains(runId);
    expect(loop.retrains).toBe(2);
    // Whichever SAC model was kept holds all the experience: 16 initial + 2 × 16 retrain steps.
    expect((loop as unknown as { pair: { short: { replaySize: number } } }).pair.short.replaySize).toBe(48);
    expect(decisions).toHaveLength(4);
    for (const d of decisions) {
      const challenger = store.listCheckpoints(d.agent).find((c) => c.id === d.challengerId)!;
      expect(challenger.parentId).toBe(d.championId);
      expect(d.promoted).toBe(d.challengerScore! > d.championScore!);
      // Trained only on bars before the held-out window that judged it.
      const bars = store.listCheckpoints(d.agent).find((c) => c.id === d.championId)!;
      expect(challenger.dataEnd).toBeLessThan(d.barTime);
      expect(challenger.totalTimesteps).toBe(bars.totalTimesteps + (d.agent === 'rl-long-0' ? 64 : 16));
    }
    // Each retrain's learning curve is in the run's notes (the report draws them per retrain).
    const curve = store.getNotes(runId).training as Array<{ agent: string; fold: number }>;
    expect(new Set(curve.filter((p) => p.agent === 'rl-long-0').map((p) => p.fold)).size).toBe(2);
    store.close();
  });
});
