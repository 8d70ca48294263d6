import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlpacaClient } from '@marlts/broker-alpaca';
import { startPaperExchange } from '@marlts/broker-alpaca/sim';
import { initBackend } from '@marlts/rl-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../app-error.js';
import { type AppConfig, parseConfig } from '../config.js';
import { SAC_CHECK_EVERY } from '../engine/agents.js';
import { loadBars } from '../engine/data.js';
import { silentLogger } from '../log.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { RunStore } from '../store.js';
import { LiveLoop } from './loop.js';

const data = loadBars({ symbols: ['AA', 'KO', 'MSFT'], start: '1998-06-01', end: '1999-03-31' });
const quiet = createProgress({ quiet: true });

function configFor(overrides: Record<string, unknown> = {}): AppConfig {
  return parseConfig({
    runDir: mkdtempSync(join(tmpdir(), 'marlts-loop-safety-')),
    env: { windowBars: 5 },
    retrain: { everyBars: 1000, windowBars: 60, holdoutBars: 10, ppoSteps: 64, sacSteps: 16 },
    orders: { timeInForce: 'gtc' },
    risk: { maxPositionWeight: 0.1 },
    ...overrides,
  });
}

function loopOn(
  url: string,
  store: RunStore,
  runId: string,
  config: AppConfig,
  extra: { signal?: AbortSignal; progress?: ProgressReporter; sacSteps?: number } = {},
): LiveLoop {
  return new LiveLoop({
    broker: createAlpacaClient({ keyId: 'k', secretKey: 's', baseUrl: url }),
    store,
    runId,
    config,
    configSha256: 'x',
    symbols: data.symbols,
    timeframe: '1Day',
    log: silentLogger(),
    progress: extra.progress ?? quiet,
    signal: extra.signal ?? new AbortController().signal,
    initialPpoSteps: 64,
    initialSacSteps: extra.sacSteps ?? 16,
  });
}

const exchange = (port = 0) =>
  startPaperExchange({ bars: data.bars, initialCash: 100_000, rateLimitPerMinute: 0, port });

type Exchange = Awaited<ReturnType<typeof exchange>>;

/** An exchange 100 bars in and a new paper run in `config.runDir`; both closed after `body`. */
async function withPaperRun(
  config: AppConfig,
  body: (run: { ex: Exchange; store: RunStore; runId: string }) => Promise<void>,
): Promise<void> {
  const ex = await exchange();
  ex.advance(100);
  const store = RunStore.open(config.runDir);
  const runId = store.createRun({ kind: 'paper', symbols: data.symbols });
  try {
    await body({ ex, store, runId });
  } finally {
    store.close();
    await ex.close();
  }
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('LiveLoop across restarts and broker resets', () => {
  it('retrains on the bar-time cadence even when the loop restarts before every bar', async () => {
    const config = configFor({
      retrain: { everyBars: 3, windowBars: 60, holdoutBars: 10, ppoSteps: 64, sacSteps: 16 },
    });
    await withPaperRun(config, async ({ ex, store, runId }) => {
      // Seven bars, each handled by a freshly started loop (a restart per bar).
      for (let i = 0; i < 7; i++) {
        const loop = loopOn(ex.url, store, runId, config);
        await loop.start();
        expect((await loop.tick()).processed).toBe(true);
        await loop.finish();
        ex.advance(1);
      }
      const times = store
        .equitySeries(runId)
        .get('paper/account')!
        .map((p) => p.t);
      expect(times).toHaveLength(7);
      // Due on the 3rd bar (3 bars since the first), then 3 bars after that retrain.
      const rounds = [...new Set(store.listRetrains(runId).map((d) => d.barTime))];
      expect(rounds).toEqual([times[2], times[5]]);
    });
  });

  it('refuses checkpoints trained without asset identity once env.assetIdentity is on, naming the sizes', async () => {
    const before = configFor({ env: { windowBars: 5, assetIdentity: false } });
    await withPaperRun(before, async ({ ex, store, runId }) => {
      const first = loopOn(ex.url, store, runId, before);
      await first.start();
      await first.finish();
      // The same run resumed with today's default: 3 assets × (2 horizons + weight + 3 one-hots) + cash.
      const now = configFor({ runDir: before.runDir });
      const e = await loopOn(ex.url, store, runId, now)
        .start()
        .catch((x: unknown) => x);
      expect(isAppError(e, 'CONFIG')).toBe(true);
      expect((e as Error).message).toContain('the checkpoints expect observations of size 10');
      expect((e as Error).message).toContain('and asset identity give 19');
      expect((e as { hint: string }).hint).toContain('env.assetIdentity');
    });
  });

  it('stops with a clear error when the broker no longer knows the orders the run holds open', async () => {
    const config = configFor();
    let ex = await exchange();
    const port = Number(new URL(ex.url).port);
    ex.advance(100);
    const store = RunStore.open(config.runDir);
    const runId = store.createRun({ kind: 'paper', symbols: data.symbols });
    try {
      const loop = loopOn(ex.url, store, runId, config);
      await loop.start();
      await loop.tick();
      // Sent, acknowledged, not filled yet (the exchange fills at the next bar).
      const open = store.openOrders(runId);
      expect(open.length).toBeGreaterThan(0);
      expect(open.every((o) => o.brokerOrderId !== null)).toBe(true);
      // The exchange restarts empty on the same address while the loop runs.
      await ex.close();
      ex = await exchange(port);
      ex.advance(101);
      const e = await loop.tick().catch((x: unknown) => x);
      expect(isAppError(e, 'BROKER_DIVERGED')).toBe(true);
      expect((e as Error).message).toContain(
        `the broker no longer knows ${open.length === 1 ? 'an order' : `${open.length} orders`}`,
      );
      expect((e as Error).message).toContain(open[0]!.clientOrderId);
      expect((e as { hint: string }).hint).toContain('--new-run');
      // The store still holds them as they were: nothing was marked or re-sent.
      expect(store.openOrders(runId).map((o) => o.status)).toEqual(open.map((o) => o.status));
      expect(ex.state().orders).toEqual([]);
      await loop.finish().catch(() => undefined);
    } finally {
      store.close();
      await ex.close();
    }
  });

  it('refuses to resume a run whose orders the broker forgot, even when they had all filled', async () => {
    // No bracket legs: every order fills, so nothing is open for reconcile to miss.
    const config = configFor({ risk: { maxPositionWeight: 0.1, useBrackets: false } });
    const ex1 = await exchange();
    ex1.advance(100);
    const store = RunStore.open(config.runDir);
    const runId = store.createRun({ kind: 'paper', symbols: data.symbols });
    try {
      const loop = loopOn(ex1.url, store, runId, config);
      await loop.start();
      await loop.tick();
      ex1.advance(1);
      await loop.finish();
      expect(store.listOrders(runId).length).toBeGreaterThan(0);
      expect(store.openOrders(runId)).toEqual([]);
      await ex1.close();
      // A new process resumes the run against an exchange that started over.
      const ex2 = await exchange();
      ex2.advance(102);
      try {
        const resumed = loopOn(ex2.url, store, runId, config);
        const e = await resumed.start().catch((x: unknown) => x);
        expect(isAppError(e, 'BROKER_DIVERGED')).toBe(true);
        expect(ex2.state().orders).toEqual([]);
        await resumed.finish();
      } finally {
        await ex2.close();
      }
    } finally {
      store.close();
    }
  });

  it('Ctrl-C during the initial training stops within a few SAC steps and saves no checkpoint', async () => {
    const config = configFor();
    const controller = new AbortController();
    let sacStepsSeen = 0;
    // Ctrl-C arrives as soon as SAC reports progress for the first time.
    const progress: ProgressReporter = {
      line() {},
      start(label) {
        return {
          update(value) {
            if (!label.includes('SAC')) return;
            sacStepsSeen = Math.max(sacStepsSeen, value);
            controller.abort();
          },
          stop() {},
        };
      },
    };
    await withPaperRun(config, async ({ ex, store, runId }) => {
      const loop = loopOn(ex.url, store, runId, config, {
        signal: controller.signal,
        progress,
        sacSteps: 5000,
      });
      const e = await loop.start().catch((x: unknown) => x);
      expect(isAppError(e, 'INTERRUPTED')).toBe(true);
      expect(sacStepsSeen).toBeGreaterThan(0);
      expect(sacStepsSeen).toBeLessThanOrEqual(SAC_CHECK_EVERY);
      expect(store.listCheckpoints()).toEqual([]);
      await loop.finish();
    });
  });
});
