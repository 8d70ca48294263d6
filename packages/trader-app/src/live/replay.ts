/**
 * A replayed paper session: an in-process local paper exchange is fed the bars the live
 * loop needs (its history, then the session), advanced past the history, then one bar at a
 * time with one loop tick per bar; one more bar lets the last orders fill. Both of the
 * demo's paper stages (daily and intraday) trade this way.
 */
import { createAlpacaClient } from '@marlts/broker-alpaca';
import { startPaperExchange } from '@marlts/broker-alpaca/sim';
import type { AppConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import type { LoadedData } from '../engine/data.js';
import type { RunStore } from '../store.js';
import { LiveLoop } from './loop.js';
import { storePaperMetrics } from './paper-metrics.js';

export interface ReplaySessionOptions {
  store: RunStore;
  runId: string;
  config: AppConfig;
  configSha256: string;
  data: LoadedData;
  /** Index in `data.frame` of the session's first bar. */
  sessionStart: number;
  /** Bars of the session to replay. */
  replayBars: number;
  /** Alpaca timeframe the loop requests (`1Day`, `30Min`, …). */
  timeframe: string;
  /** Progress-bar label. */
  label: string;
  /** Checkpoint names of the pair (default `rl-long-0` / `rl-short-0`). */
  checkpointAgents?: { long: string; short: string };
}

/**
 * Replays `replayBars` bars from `sessionStart` through the live loop against the local
 * paper exchange, then stores the paper metrics; returns the number of retraining rounds.
 * @example
 * const { retrains } = await replaySession(ctx, { store, runId, config, configSha256, data, sessionStart, replayBars: 126, timeframe: '1Day', label: 'paper replay' });
 */
export async function replaySession(
  ctx: CommandContext,
  options: ReplaySessionOptions,
): Promise<{ retrains: number }> {
  const { store, runId, config, data, sessionStart, replayBars } = options;
  const r = config.retrain;
  const histBars = Math.min(sessionStart, r.windowBars + r.holdoutBars + config.env.windowBars + 5);
  const replayTimes = new Set(
    Array.from(data.frame.times.subarray(sessionStart - histBars, sessionStart + replayBars)),
  );
  const exchange = await startPaperExchange({
    bars: data.bars.filter((b) => replayTimes.has(b.time)),
    initialCash: config.env.cashUsd,
    feeBps: config.env.feeBps,
    dayTradeRule: config.risk.dayTradeRule,
    // The replay compresses time: Alpaca's 200 requests/minute would stall it.
    rateLimitPerMinute: 0,
  });
  try {
    exchange.advance(histBars);
    const broker = createAlpacaClient({
      keyId: 'demo',
      secretKey: 'demo',
      baseUrl: exchange.url,
      rateLimit: { requestsPerMinute: 1_000_000, dataRequestsPerMinute: 1_000_000 },
    });
    const loop = new LiveLoop({
      broker,
      store,
      runId,
      config,
      configSha256: options.configSha256,
      symbols: data.symbols,
      timeframe: options.timeframe,
      log: ctx.log,
      progress: ctx.progress,
      signal: ctx.signal,
      initialPpoSteps: config.train.ppo.totalTimesteps,
      initialSacSteps: config.train.sac.totalTimesteps,
      ...(options.checkpointAgents ? { checkpointAgents: { ...options.checkpointAgents } } : {}),
    });
    await loop.start();
    const task = ctx.progress.start(options.label, replayBars);
    for (let i = 0; i < replayBars && !ctx.signal.aborted; i++) {
      if (exchange.advance(1) === 0) break;
      await loop.tick();
      task.update(i + 1, `${loop.retrains} retrains`);
    }
    task.stop(`${loop.retrains} retrains`);
    exchange.advance(1); // let the last orders fill
    await loop.finish();
    storePaperMetrics(store, runId, data.barsPerYear, config.env.feeBps);
    return { retrains: loop.retrains };
  } finally {
    await exchange.close();
  }
}
