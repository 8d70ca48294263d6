/**
 * `marlts backtest`: the walk-forward backtest of both agents beside buy-and-hold,
 * equal-weight and every heuristic agent, over several seeds, costs included; results
 * go to the run store and a report.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { AppError, isAppError } from '../app-error.js';
import type { CommandContext } from '../context.js';
import { LONG_ID, SHORT_ID } from '../engine/agents.js';
import { startBackend } from '../engine/backend.js';
import { barSpacingMs, retrainCadenceBars } from '../engine/cadence.js';
import { savePairCheckpoints } from '../engine/checkpoints.js';
import { loadBars } from '../engine/data.js';
import { storeSeedAggregate } from '../engine/store-aggregate.js';
import { runWalkForward, type WalkForwardResult } from '../engine/walk-forward.js';
import type { RunStore } from '../store.js';
import { createLocalPool } from '../sweep/local-pool.js';
import { executorSeedRunner } from '../sweep/seed-runner.js';
import type { CommandWiring } from './command.js';
import { DEFAULTS, dataFlags, intFlag } from './flags.js';
import { writeReport } from './report.js';
import { costsNote, openRun } from './run-setup.js';

/** Writes a walk-forward result into the run store (section `backtest`). */
export function storeWalkForward(store: RunStore, runId: string, wf: WalkForwardResult): void {
  store.transaction(() => {
    storeSeedAggregate(store, runId, 'backtest', wf);
    store.appendTrades(
      runId,
      wf.trades.map((t) => ({
        series: `backtest/${t.agentId}`,
        t: t.t,
        symbol: t.symbol,
        qty: t.qty,
        price: t.price,
      })),
    );
    store.setNote(runId, 'folds', wf.folds);
    store.setNote(runId, 'training', wf.training);
  });
}

/**
 * Registers `marlts backtest`.
 *
 * @example
 * registerBacktestCommand(program, wiring);
 */
export function registerBacktestCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    dataFlags(
      program
        .command('backtest')
        .description(
          'walk-forward backtest: rolling train window → the next unseen test window, agents beside baselines',
        )
        .option('--seeds <n>', `seeds (default: ${DEFAULTS.backtest.seeds})`, intFlag('--seeds'))
        .option(
          '--train-bars <n>',
          `training window in bars (default: ${DEFAULTS.backtest.trainBars})`,
          intFlag('--train-bars'),
        )
        .option(
          '--test-bars <n>',
          'test window in bars (default: the live retrain cadence: 21 on daily bars, 60 minutes of intraday bars)',
          intFlag('--test-bars'),
        )
        .option(
          '--folds <n>',
          `keep the last N folds, 0 = all (default: ${DEFAULTS.backtest.maxFolds})`,
          intFlag('--folds'),
        )
        .option(
          '--ppo-steps <n>',
          `initial PPO timesteps (default: ${DEFAULTS.train.ppo.totalTimesteps})`,
          intFlag('--ppo-steps'),
        )
        .option(
          '--sac-steps <n>',
          `initial SAC timesteps (default: ${DEFAULTS.train.sac.totalTimesteps})`,
          intFlag('--sac-steps'),
        )
        .option(
          '--retrain-ppo-steps <n>',
          `PPO timesteps per fold (default: ${DEFAULTS.backtest.ppoSteps})`,
          intFlag('--retrain-ppo-steps'),
        )
        .option(
          '--retrain-sac-steps <n>',
          `SAC timesteps per fold (default: ${DEFAULTS.backtest.sacSteps})`,
          intFlag('--retrain-sac-steps'),
        )
        .option(
          '--workers <n>',
          'processes running seeds side by side on this machine, each with ⌊cores / workers⌋ rl-core threads; 1 = all seeds in this process (default: the core count); same numbers either way',
          intFlag('--workers', { min: 1 }),
        )
        .option('--json', 'also print one JSON summary as the last stdout line (for scripts)'),
      false,
    ),
  ).action(action(runBacktest, { writesRun: true }));
}

/** What a series is: a learned agent, a baseline, or a heuristic agent. */
function seriesKind(name: string): 'learned' | 'baseline' | 'heuristic' {
  return name.startsWith('rl-') ? 'learned' : name.startsWith('heuristic:') ? 'heuristic' : 'baseline';
}

/**
 * The `--json` summary: one object with the run, the data range, folds and seeds, the budget,
 * and per agent (learned, baselines, heuristics) its metrics, costs and, for the learned ones,
 * the significance of its edge over equal-weight.
 */
export function backtestSummary(o: {
  runId: string;
  reportPath: string;
  data: { file: string | undefined; symbols: string[]; times: ArrayLike<number>; barsPerYear: number };
  wf: WalkForwardResult;
}): Record<string, unknown> {
  const { wf } = o;
  const iso = (t: number) => new Date(t).toISOString();
  const agents: Record<string, unknown> = {};
  for (const [name, m] of wf.metrics) {
    const sig = wf.significance.get(name);
    agents[name] = {
      kind: seriesKind(name),
      ...m,
      ...(sig && seriesKind(name) === 'learned' ? { significance: sig } : {}),
    };
  }
  return {
    command: 'backtest',
    runId: o.runId,
    report: o.reportPath,
    data: {
      file: o.data.file ?? null,
      symbols: o.data.symbols,
      start: iso(o.data.times[0]!),
      end: iso(o.data.times[o.data.times.length - 1]!),
      bars: o.data.times.length,
      barsPerYear: o.data.barsPerYear,
    },
    folds: wf.folds.map((f) => ({
      trainStart: iso(o.data.times[f.trainStart]!),
      testStart: iso(o.data.times[f.testStart]!),
      testEnd: iso(o.data.times[f.testEnd]!),
    })),
    seeds: wf.seeds,
    budget: wf.budget,
    agents,
  };
}

export async function runBacktest(ctx: CommandContext, flags: Record<string, unknown> = {}): Promise<number> {
  const { config } = ctx;
  const data = loadBars({
    ...config.data,
    minBars: config.backtest.trainBars + 3,
    onWarning: (w) => ctx.err(`warning: ${w}`),
  });
  await startBackend(config);
  const { store, runId, configSha256 } = openRun(config, 'backtest', data);
  const testBars = config.backtest.testBars ?? retrainCadenceBars(config, barSpacingMs(data.frame.times));
  try {
    ctx.info(
      `walk-forward on ${data.symbols.length} symbols, ${data.frame.nBars} bars (${Math.round(data.barsPerYear)} bars/year): ` +
        `train ${config.backtest.trainBars} bars → test ${testBars} unseen bars${config.backtest.testBars === undefined ? ' (the live retrain cadence)' : ''}, ` +
        `last ${config.backtest.maxFolds || 'all'} folds, ${config.backtest.seeds} seed(s)`,
    );
    // Seeds run side by side on the local pool; one worker (or one seed) runs here.
    const workers = Math.min(Number(flags.workers ?? availableParallelism()), config.backtest.seeds);
    const pool = workers > 1 ? createLocalPool({ workers }) : undefined;
    let wf: WalkForwardResult;
    try {
      wf = await runWalkForward({
        frame: data.frame,
        barsPerYear: data.barsPerYear,
        config,
        progress: ctx.progress,
        signal: ctx.signal,
        ...(pool
          ? {
              runChains: executorSeedRunner({
                frame: data.frame,
                config,
                executor: pool,
                progress: ctx.progress,
                signal: ctx.signal,
              }),
            }
          : {}),
      });
    } finally {
      await pool?.close();
    }
    // Ctrl-C during the last fold cuts its training short: those agents are not the result.
    if (ctx.signal.aborted) throw interrupted(runId);
    storeWalkForward(store, runId, wf);
    store.setNote(runId, 'budget', wf.budget);
    store.setNote(runId, 'costs', costsNote(config));
    store.setNote(runId, 'warnings', budgetWarnings(wf));
    const range = {
      dataStart: data.frame.times[0]!,
      dataEnd: data.frame.times[wf.folds.at(-1)!.trainEnd - 1]!,
    };
    await savePairCheckpoints(store, config.runDir, {
      runId,
      pair: wf.finalPair,
      names: { long: LONG_ID, short: SHORT_ID },
      seed: config.seed,
      ...range,
      configSha256,
      linkToChampions: true,
    });
    wf.finalPair.long?.dispose();
    wf.finalPair.short?.dispose();
    store.updateRun(runId, { status: 'done' });
    const { path, summary } = writeReport(store, runId, undefined, config.runDir);
    ctx.out(summary);
    ctx.out(`report: ${path}`);
    if (flags.json) {
      const json = backtestSummary({
        runId,
        reportPath: path,
        data: {
          file: config.data.file,
          symbols: data.symbols,
          times: data.frame.times,
          barsPerYear: data.barsPerYear,
        },
        wf,
      });
      ctx.out(JSON.stringify(json));
    }
    return 0;
  } catch (e) {
    if (ctx.signal.aborted) {
      store.updateRun(runId, { status: 'interrupted' });
      throw isAppError(e, 'INTERRUPTED') ? e : interrupted(runId);
    }
    store.updateRun(runId, { status: 'failed' });
    throw e;
  } finally {
    store.close();
  }
}

/** The error a Ctrl-C / SIGTERM during a backtest ends in (exit 130). */
function interrupted(runId: string): AppError {
  return new AppError(
    'INTERRUPTED',
    `backtest interrupted: run ${runId} is marked interrupted, with no results`,
    {
      hint: 'run the backtest again to get a complete result',
    },
  );
}

/** The honesty notes every backtest report carries. */
export function budgetWarnings(wf: WalkForwardResult): string[] {
  const w = [
    `Training budget: ${wf.budget.initialPpo} PPO + ${wf.budget.initialSac} SAC steps before the first fold, then ` +
      `${wf.budget.foldPpo} PPO + ${wf.budget.foldSac} SAC warm-start steps per fold (${wf.budget.trainSeconds} s of training in total). ` +
      'Whether an agent has an edge is the verdict under each table (a bootstrap interval of its Sharpe against equal-weight), not its return alone.',
    `Out-of-sample only: ${wf.folds.length} fold(s), each testing on bars its agents never trained on; ${wf.seeds.length} seed(s), metrics are seed means.`,
  ];
  return w;
}
