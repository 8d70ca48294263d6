/**
 * `marlts demo`: the whole pipeline offline on the bundled Dow-10 daily closes.
 * 1. train the PPO long and SAC short agents on 1991–1999 (beside the heuristic agents);
 * 2. walk-forward backtest on unseen windows (train 2 years → test the next quarter);
 * 3. paper-trade a replayed session (2000) against the local paper exchange, with
 *    retraining every 21 bars (daily bars: "hourly" in bar time would mean every bar,
 *    so the daily stage retrains monthly);
 * 4. the intraday stage (demo-intraday.ts): the same engine and live loop on real
 *    USD/CHF 30-minute bars, two replayed session days with hourly retraining
 *    (60 minutes of bar time = every 2 bars);
 * 5. write the report and print where it is.
 */

import { sliceFrame } from '@marlts/market-env';
import type { Command } from 'commander';
import { AppError, isAppError } from '../app-error.js';
import { type AppConfig, deepMerge, parseConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { LONG_ID, SHORT_ID, trainPair } from '../engine/agents.js';
import { startBackend } from '../engine/backend.js';
import { savePairCheckpoints } from '../engine/checkpoints.js';
import { loadBars } from '../engine/data.js';
import { runWalkForward } from '../engine/walk-forward.js';
import { replaySession } from '../live/replay.js';
import { recordRunProcess } from '../run-liveness.js';
import { RunStore } from '../store.js';
import { storeWalkForward } from './backtest.js';
import type { CommandWiring } from './command.js';
import {
  type IntradayStageResult,
  intradayConfig,
  loadIntradayData,
  runIntradayStage,
} from './demo-intraday.js';
import { writeReport } from './report.js';
import { costsNote, openRun } from './run-setup.js';

const TRAIN_END = '1999-12-31';

/** The demo's settings on top of the user's config. */
export function demoConfig(config: AppConfig, quick: boolean): AppConfig {
  const base: Record<string, unknown> = {
    orders: { timeInForce: 'gtc' },
    retrain: { everyBars: 21, windowBars: 252, holdoutBars: 21 },
    backtest: { trainBars: 504, maxFolds: 9, ppoSteps: 2048, sacSteps: 200 },
    // The default's 4,500 first-fold SAC steps would double the demo's wall time; it shows the
    // pipeline on small budgets (its report says so), not the benchmark's agents.
    train: { sac: { totalTimesteps: 1500 } },
  };
  const q: Record<string, unknown> = quick
    ? {
        train: {
          ppo: { totalTimesteps: 1024, nSteps: 256 },
          sac: { totalTimesteps: 200, learningStarts: 50 },
        },
        backtest: { seeds: 1, maxFolds: 2, ppoSteps: 256, sacSteps: 64 },
        retrain: { ppoSteps: 256, sacSteps: 64 },
      }
    : {};
  return parseConfig(
    deepMerge(deepMerge(config as unknown as Record<string, unknown>, base), q),
    'demo config',
  );
}

/**
 * Registers `marlts demo`.
 *
 * @example
 * registerDemoCommand(program, wiring);
 */
export function registerDemoCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    program
      .command('demo')
      .description(
        'offline end to end on the bundled data: train both agents on Dow-10 daily closes, walk-forward backtest, ' +
          'paper-trade a replayed 2000 session (retraining every 21 bars), then an intraday stage on USD/CHF ' +
          '30-minute bars (paper replay retraining every 60 minutes of bar time = 2 bars), write the report',
      )
      .option('--quick', 'an even smaller budget (for smoke tests; weaker agents)'),
  ).action(action(runDemo, { writesRun: true }));
}

export async function runDemo(ctx: CommandContext, opts: Record<string, unknown>): Promise<number> {
  const quick = Boolean(opts.quick);
  const config = demoConfig(ctx.config, quick);
  const t0 = Date.now();
  const data = loadBars({ ...config.data, minBars: 600, onWarning: (w) => ctx.err(`warning: ${w}`) });
  const backend = await startBackend(config);
  // The intraday stage records into its own run of the same store, created first so the
  // demo run stays the store's latest run (`marlts report` without an id shows it).
  const iConfig = intradayConfig(config, quick);
  const iData = loadIntradayData();
  const pre = RunStore.open(config.runDir);
  const intradayRunId = pre.createRun({
    kind: 'paper',
    seed: iConfig.seed,
    dataFile: iData.file,
    dataStart: iData.frame.times[0]!,
    dataEnd: iData.frame.times[iData.frame.nBars - 1]!,
    symbols: iData.symbols,
  });
  recordRunProcess(pre, intradayRunId);
  const iConfigSha256 = pre.saveConfig(intradayRunId, iConfig);
  pre.close();
  await new Promise((r) => setTimeout(r, 2)); // distinct created_at
  const { store, runId, configSha256 } = openRun(config, 'demo', data);
  const { frame } = data;
  const trainEndTime = Date.parse(`${TRAIN_END}T23:59:59Z`);
  let trainEnd = 0;
  while (trainEnd + 1 < frame.nBars && frame.times[trainEnd + 1]! <= trainEndTime) trainEnd++;
  const replayBars = Math.min(quick ? 42 : 126, frame.nBars - 1 - trainEnd);
  const step = (n: number, text: string) => ctx.info(`\n[${n}/5] ${text}`);
  let intraday: IntradayStageResult | undefined;
  let dailyRetrains = 0;
  const timings: Record<string, number> = {};
  try {
    ctx.info(
      `marlts demo${quick ? ' --quick' : ''}: ${data.symbols.join(', ')}, daily closes ${iso(frame.times[0]!)} .. ${iso(frame.times[frame.nBars - 1]!)}, backend ${backend}, run dir ${config.runDir}`,
    );
    // 1. Train on everything up to the end of 1999.
    step(
      1,
      `train PPO long + SAC short on ${iso(frame.times[0]!)} .. ${iso(frame.times[trainEnd]!)} beside ${config.env.heuristics.join(', ')}`,
    );
    let t = Date.now();
    const trainFrame = sliceFrame(frame, 0, trainEnd + 1);
    const pair = await trainPair({
      frame: trainFrame,
      config,
      seed: config.seed,
      ppoSteps: config.train.ppo.totalTimesteps,
      sacSteps: config.train.sac.totalTimesteps,
      progress: ctx.progress,
      label: 'train',
      signal: ctx.signal,
      barsPerYear: data.barsPerYear,
    });
    const rows = await savePairCheckpoints(store, config.runDir, {
      runId,
      pair,
      names: { long: LONG_ID, short: SHORT_ID },
      seed: config.seed,
      dataStart: trainFrame.times[0]!,
      dataEnd: trainFrame.times[trainFrame.nBars - 1]!,
      configSha256,
    });
    for (const row of [rows.long, rows.short])
      if (row) ctx.info(`  ${row.agent} (${row.algo.toUpperCase()}) v${row.version} → ${row.path}`);
    pair.long?.dispose();
    pair.short?.dispose();
    timings.trainSeconds = (Date.now() - t) / 1000;

    // 2. Walk-forward on unseen windows (its agents train only on bars before each test window).
    step(
      2,
      `walk-forward backtest: train ${config.backtest.trainBars} bars → test the next ${config.retrain.everyBars} unseen bars (the retrain cadence), ` +
        `${config.backtest.maxFolds} folds, ${config.backtest.seeds} seed(s)`,
    );
    t = Date.now();
    const wf = await runWalkForward({
      frame: trainFrame,
      barsPerYear: data.barsPerYear,
      config,
      progress: ctx.progress,
      signal: ctx.signal,
    });
    storeWalkForward(store, runId, wf);
    wf.finalPair.long?.dispose();
    wf.finalPair.short?.dispose();
    timings.backtestSeconds = (Date.now() - t) / 1000;

    // 3. Paper-trade 2000 against the local paper exchange, retraining every 21 bars.
    step(
      3,
      `paper-trade ${replayBars} replayed bars (${iso(frame.times[trainEnd + 1]!)} .. ${iso(frame.times[trainEnd + replayBars]!)}) ` +
        `against the local paper exchange, retraining every ${config.retrain.everyBars} bars (daily bars: about monthly)`,
    );
    t = Date.now();
    ({ retrains: dailyRetrains } = await replaySession(ctx, {
      store,
      runId,
      config,
      configSha256,
      data,
      sessionStart: trainEnd + 1,
      replayBars,
      timeframe: '1Day',
      label: 'paper replay',
    }));
    timings.paperSeconds = (Date.now() - t) / 1000;
    const dailyDecisions = store.listRetrains(runId);
    const dailyLine =
      `daily stage: retrained every ${config.retrain.everyBars} bars: ${dailyRetrains} retrains, ` +
      `${dailyDecisions.length} decisions, ${dailyDecisions.filter((d) => d.promoted).length} promoted`;
    ctx.info(`  ${dailyLine}`);

    // 4. The intraday stage: real 30-minute bars, hourly retraining in bar time.
    step(
      4,
      `intraday stage: ${iData.symbols.join(', ')} 30-minute closes (UTC) ${iso(iData.frame.times[0]!)} .. ${iso(iData.frame.times[iData.frame.nBars - 1]!)}, ` +
        `train, then paper-trade the replayed session retraining every ${iConfig.retrain.everyMinutes} minutes of bar time`,
    );
    t = Date.now();
    store.setNote(runId, 'linkedSections', [{ runId: intradayRunId, section: 'intraday' }]);
    intraday = await runIntradayStage(ctx, {
      store,
      runId: intradayRunId,
      config: iConfig,
      configSha256: iConfigSha256,
      data: iData,
      quick,
    });
    store.setNote(runId, 'linkedSections', [
      { runId: intradayRunId, section: 'intraday', note: intraday.note },
    ]);
    store.setNote(intradayRunId, 'budget', { quick, backend, ...intraday.budget });
    store.setNote(intradayRunId, 'warnings', [intraday.note]);
    store.updateRun(intradayRunId, { status: ctx.signal.aborted ? 'interrupted' : 'done' });
    const intradayLine =
      `intraday stage: retrained every ${intraday.everyMinutes} minutes of bar time (= every ${intraday.everyBars} bars): ` +
      `${intraday.retrains} retrains, ${intraday.decisions} decisions, ${intraday.promotions} promoted`;
    ctx.info(`  ${intradayLine}`);
    timings.intradaySeconds = (Date.now() - t) / 1000;

    // 5. Report.
    step(5, 'report');
    timings.totalSeconds = (Date.now() - t0) / 1000;
    store.setNote(runId, 'budget', {
      quick,
      backend,
      initialTraining: {
        ppoSteps: config.train.ppo.totalTimesteps,
        sacSteps: config.train.sac.totalTimesteps,
      },
      walkForward: wf.budget,
      paperRetrain: {
        everyBars: config.retrain.everyBars,
        ppoSteps: config.retrain.ppoSteps,
        sacSteps: config.retrain.sacSteps,
        retrains: dailyRetrains,
      },
      intraday: { runId: intradayRunId, ...intraday.budget, retrains: intraday.retrains },
      seconds: timings,
    });
    store.setNote(
      runId,
      'costs',
      `${costsNote(config)} Paper fills: the local exchange charges the same fee, and has no market impact (as Alpaca paper).`,
    );
    store.setNote(runId, 'warnings', [
      `Small training budgets (PPO ${config.train.ppo.totalTimesteps} + SAC ${config.train.sac.totalTimesteps} steps, then ${config.backtest.ppoSteps}/${config.backtest.sacSteps} per fold and ${config.retrain.ppoSteps}/${config.retrain.sacSteps} per retrain) give weak agents: this demo shows the pipeline end to end, not an edge. Compare the agents with the baselines below.`,
      `Retraining cadence per stage. Daily stage (Dow-10 daily closes, 2000 replay): every ${config.retrain.everyBars} bars (about a month; on daily bars "hourly" would mean every bar), ${dailyRetrains} retrains, ${dailyDecisions.length} decisions, ${dailyDecisions.filter((d) => d.promoted).length} promoted. ` +
        `Intraday stage (USD/CHF 30-minute bars, see the intraday section): every ${intraday.everyMinutes} minutes of bar time = every ${intraday.everyBars} bars, ${intraday.retrains} retrains, ${intraday.decisions} decisions, ${intraday.promotions} promoted.`,
      "The daily data is closes only: decisions on the close of day t fill at the next day's close (open = close).",
      'Survivorship bias: the ten symbols are Dow members of ~2000, backfilled to 1991.',
    ]);
    store.updateRun(runId, { status: ctx.signal.aborted ? 'interrupted' : 'done' });
    const { path, summary } = writeReport(store, runId, undefined, config.runDir);
    ctx.out(summary);
    ctx.out(dailyLine);
    ctx.out(intradayLine);
    ctx.out(
      `demo finished in ${timings.totalSeconds.toFixed(0)} s (train ${timings.trainSeconds?.toFixed(0)} s, backtest ${timings.backtestSeconds?.toFixed(0)} s, ` +
        `daily paper ${timings.paperSeconds?.toFixed(0)} s, intraday ${timings.intradaySeconds?.toFixed(0)} s)`,
    );
    ctx.out(`report: ${path}`);
    return 0;
  } catch (e) {
    const status = ctx.signal.aborted ? 'interrupted' : 'failed';
    store.updateRun(runId, { status });
    if (!intraday) store.updateRun(intradayRunId, { status });
    if (ctx.signal.aborted && !isAppError(e, 'INTERRUPTED')) {
      throw new AppError('INTERRUPTED', `demo interrupted: run ${runId} is marked interrupted`, {
        hint: 'run the demo again for the complete report',
      });
    }
    throw e;
  } finally {
    store.close();
  }
}

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}
