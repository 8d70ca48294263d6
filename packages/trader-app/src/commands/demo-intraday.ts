/**
 * The demo's intraday stage: the same engine and live loop on real 30-minute bars
 * (USD/CHF, the bundled 2001-Q1 slice), so "hourly retraining" is literal: the pair
 * trains on the intraday history before the session, then the replayed session (the
 * last two days of the slice; `--quick`: 12 bars) trades against the local paper exchange with `retrain.everyMinutes = 60` of bar time
 * (every 2 bars), champion/challenger as always. It records into its own run of the
 * same run store (its cursor, sleeves, equity and orders stay apart from the daily
 * stage's), linked from the demo run so the demo report shows it as the `intraday`
 * section; its checkpoints are named `rl-long-0-intraday` / `rl-short-0-intraday`.
 */

import { basename } from 'node:path';
import { sliceFrame } from '@marlts/market-env';
import { type AppConfig, parseConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { trainPair } from '../engine/agents.js';
import { retrainCadenceBars } from '../engine/cadence.js';
import { savePairCheckpoints } from '../engine/checkpoints.js';
import { BUNDLED_INTRADAY_FILE, bundledDataFile, type LoadedData, loadBars } from '../engine/data.js';
import { replaySession } from '../live/replay.js';
import type { RunStore } from '../store.js';

/** Checkpoint names of the intraday pair (apart from the daily champions). */
export const INTRADAY_AGENTS = { long: 'rl-long-0-intraday', short: 'rl-short-0-intraday' } as const;

/** Bars per replayed session day (48 half-hours, UTC). */
export const INTRADAY_SESSION_BARS = 48;
/** Session days the full demo replays (the last two of the slice: Thu 29 and Fri 30 March 2001). */
export const INTRADAY_SESSION_DAYS = 2;
/** Bars `--quick` replays (the first 6 hours of the session). */
export const INTRADAY_QUICK_BARS = 12;

/**
 * The intraday stage's settings: the demo's config with the retrain cadence in minutes of
 * bar time (no `everyBars`), windows sized in half-hours, one instrument (so one position
 * may use the whole sleeve) and small budgets.
 *
 * @example
 * intradayConfig(demoConfig(ctx.config, false), false).retrain.everyMinutes; // 60
 */
export function intradayConfig(config: AppConfig, quick: boolean): AppConfig {
  const c = structuredClone(config) as unknown as {
    retrain: Record<string, unknown>;
    env: Record<string, unknown>;
    risk: Record<string, unknown>;
    train: { ppo: Record<string, unknown>; sac: Record<string, unknown> };
    data: Record<string, unknown>;
  };
  delete c.retrain.everyBars;
  Object.assign(c.retrain, {
    everyMinutes: 60,
    windowBars: 480, // 10 days of half-hours
    holdoutBars: 24, // the last 12 hours
    ppoSteps: quick ? 256 : 1024,
    sacSteps: quick ? 16 : 128,
  });
  Object.assign(c.env, { episodeBars: 240 });
  Object.assign(c.risk, { maxPositionWeight: 1 });
  Object.assign(c.train.ppo, { totalTimesteps: quick ? 512 : 8192, nSteps: 256 });
  Object.assign(c.train.sac, { totalTimesteps: quick ? 64 : 600, learningStarts: quick ? 32 : 100 });
  c.data = { file: bundledDataFile(BUNDLED_INTRADAY_FILE) };
  return parseConfig(c, 'demo intraday config');
}

/** Loads the bundled intraday slice. */
export function loadIntradayData(): LoadedData {
  return loadBars({ file: bundledDataFile(BUNDLED_INTRADAY_FILE), minBars: 600 });
}

export interface IntradayStageResult {
  runId: string;
  /** Retrain cadence of the stage, in bars and minutes of bar time. */
  everyBars: number;
  everyMinutes: number;
  replayBars: number;
  sessionStart: number;
  sessionEnd: number;
  /** Retraining rounds (each makes one decision per agent). */
  retrains: number;
  decisions: number;
  promotions: number;
  trainSeconds: number;
  paperSeconds: number;
  budget: Record<string, unknown>;
  /** The plain-language note of the report section. */
  note: string;
}

/**
 * Trains the pair on the intraday history before the session, then replays the session
 * (the last two days of the slice) through the live loop against the local paper exchange.
 * `runId` is the stage's own run in `store` (created by the caller).
 */
export async function runIntradayStage(
  ctx: CommandContext,
  o: {
    store: RunStore;
    runId: string;
    config: AppConfig;
    configSha256: string;
    data: LoadedData;
    quick: boolean;
  },
): Promise<IntradayStageResult> {
  const { store, runId, config, configSha256, data, quick } = o;
  const { frame } = data;
  const sessionStart = frame.nBars - INTRADAY_SESSION_DAYS * INTRADAY_SESSION_BARS;
  const replayBars = quick ? INTRADAY_QUICK_BARS : INTRADAY_SESSION_DAYS * INTRADAY_SESSION_BARS;
  const everyBars = retrainCadenceBars(config, frame.times[1]! - frame.times[0]!);
  const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

  // Initial pair on everything before the session.
  let t = Date.now();
  const trainFrame = sliceFrame(frame, 0, sessionStart);
  ctx.info(
    `  train on ${trainFrame.nBars} half-hour bars ${iso(trainFrame.times[0]!)} .. ${iso(trainFrame.times[trainFrame.nBars - 1]!)} UTC ` +
      `(PPO ${config.train.ppo.totalTimesteps} + SAC ${config.train.sac.totalTimesteps} steps)`,
  );
  const pair = await trainPair({
    frame: trainFrame,
    config,
    seed: config.seed,
    ppoSteps: config.train.ppo.totalTimesteps,
    sacSteps: config.train.sac.totalTimesteps,
    progress: ctx.progress,
    label: 'intraday train',
    signal: ctx.signal,
    barsPerYear: data.barsPerYear,
  });
  const rows = await savePairCheckpoints(store, config.runDir, {
    runId,
    pair,
    names: { ...INTRADAY_AGENTS },
    seed: config.seed,
    dataStart: trainFrame.times[0]!,
    dataEnd: trainFrame.times[trainFrame.nBars - 1]!,
    configSha256,
  });
  for (const row of [rows.long, rows.short])
    if (row) ctx.info(`  ${row.agent} (${row.algo.toUpperCase()}) v${row.version} → ${row.path}`);
  pair.long?.dispose();
  pair.short?.dispose();
  const trainSeconds = (Date.now() - t) / 1000;

  // Replay the session through the live loop.
  t = Date.now();
  const r = config.retrain;
  ctx.info(
    `  paper-trade ${replayBars} replayed half-hour bars (${iso(frame.times[sessionStart]!)} .. ${iso(frame.times[sessionStart + replayBars - 1]!)} UTC), ` +
      `retraining every ${r.everyMinutes} minutes of bar time = every ${everyBars} bars`,
  );
  const { retrains } = await replaySession(ctx, {
    store,
    runId,
    config,
    configSha256,
    data,
    sessionStart,
    replayBars,
    timeframe: '30Min',
    label: 'intraday replay',
    checkpointAgents: INTRADAY_AGENTS,
  });
  const decisions = store.listRetrains(runId);
  const promotions = decisions.filter((d) => d.promoted).length;
  const budget = {
    initialTraining: { ppoSteps: config.train.ppo.totalTimesteps, sacSteps: config.train.sac.totalTimesteps },
    paperRetrain: {
      everyMinutes: r.everyMinutes,
      everyBars,
      windowBars: r.windowBars,
      holdoutBars: r.holdoutBars,
      ppoSteps: r.ppoSteps,
      sacSteps: r.sacSteps,
    },
  };
  const sessionEnd = frame.times[sessionStart + replayBars - 1]!;
  const note =
    `Intraday stage: ${data.symbols.join(', ')} 30-minute bars (UTC, ${basename(data.file)}), trained on ${iso(trainFrame.times[0]!)} .. ${iso(trainFrame.times[trainFrame.nBars - 1]!)}, ` +
    `then ${replayBars} replayed bars (${iso(frame.times[sessionStart]!)} .. ${iso(sessionEnd)} UTC) paper-traded against the local paper exchange, ` +
    `retraining every ${r.everyMinutes} minutes of bar time (= every ${everyBars} bars): ${retrains} retrains, ${decisions.length} champion/challenger decisions, ${promotions} promoted. ` +
    `Honest limits: one FX pair; close-only data (orders decided on a bar's close fill at the next bar's close, open = close); ` +
    `tiny training budgets (PPO ${config.train.ppo.totalTimesteps} + SAC ${config.train.sac.totalTimesteps} steps, then ${r.ppoSteps}/${r.sacSteps} per retrain); ` +
    `the exchange treats USDCHF like a fractionable stock priced in CHF per USD, with ${config.env.feeBps} bps fees and no spread. A pipeline check, not an edge.`;
  return {
    runId,
    everyBars,
    everyMinutes: r.everyMinutes,
    replayBars,
    sessionStart: frame.times[sessionStart]!,
    sessionEnd,
    retrains,
    decisions: decisions.length,
    promotions,
    trainSeconds,
    paperSeconds: (Date.now() - t) / 1000,
    budget,
    note,
  };
}
