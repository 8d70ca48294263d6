/**
 * `marlts paper`: the live loop against Alpaca paper (keys from the environment) or
 * any Alpaca-compatible URL such as the one `marlts sim` prints. Resumes the newest
 * paper run in `--run-dir` (same run id ⇒ same client order ids ⇒ nothing sent twice),
 * stops cleanly on Ctrl-C/SIGTERM, after `--max-bars`, or when no bar arrived for
 * `--until-idle` seconds.
 */
import { isAlpacaError } from '@marlts/broker-alpaca';
import { inferBarsPerYear } from '@marlts/market-env';
import { type Command, Option } from 'commander';
import { AppError, isAppError } from '../app-error.js';
import type { CommandContext } from '../context.js';
import { startBackend } from '../engine/backend.js';
import { abortableSleep } from '../live/abortable-sleep.js';
import { connectBroker } from '../live/connect.js';
import { LiveLoop } from '../live/loop.js';
import { storePaperMetrics } from '../live/paper-metrics.js';
import { recordRunProcess } from '../run-liveness.js';
import { RunStore } from '../store.js';
import type { CommandWiring } from './command.js';
import { DEFAULTS, dataFlags, intFlag, numFlag } from './flags.js';

/**
 * How far back to ask a real broker for bars: enough calendar time for `bars` bars of
 * `timeframe` (intraday bars only exist in ~6.5 of 24 hours on 5 of 7 days).
 */
export function historyStart(timeframe: string, bars: number, now = Date.now()): string {
  const m = /^(\d+)(Min|Hour|Day|Week|Month)$/.exec(timeframe);
  const n = Number(m?.[1] ?? 1);
  const unit = {
    Min: 60_000,
    Hour: 3_600_000,
    Day: 86_400_000,
    Week: 7 * 86_400_000,
    Month: 31 * 86_400_000,
  }[(m?.[2] ?? 'Day') as 'Min'];
  const intraday = m?.[2] === 'Min' || m?.[2] === 'Hour';
  const span = bars * n * unit * (intraday ? (24 / 6.5) * (7 / 5) : 7 / 5) + 5 * 86_400_000;
  return new Date(now - span).toISOString();
}

/**
 * Registers `marlts paper`.
 *
 * @example
 * registerPaperCommand(program, wiring);
 */
export function registerPaperCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    dataFlags(
      program
        .command('paper')
        .description(
          'the live loop against Alpaca paper (keys from env) or any Alpaca-compatible URL such as `marlts sim`',
        )
        .option('--alpaca-url <url>', 'trading API base URL (default: https://paper-api.alpaca.markets)')
        .option('--alpaca-data-url <url>', 'market-data base URL (default: the trading URL for a local sim)')
        .option('--live', 'trade the LIVE account (also needs ALPACA_ENV=live and a confirmation on a TTY)')
        .addOption(
          new Option('--order-type <type>', `order type (default: ${DEFAULTS.orders.type})`).choices([
            'market',
            'limit',
          ]),
        )
        .option(
          '--retrain-minutes <n>',
          `retrain cadence in minutes of bar time (default: ${DEFAULTS.retrain.everyMinutes})`,
          intFlag('--retrain-minutes'),
        )
        .option(
          '--retrain-bars <n>',
          'retrain cadence in bars (overrides minutes; daily data)',
          intFlag('--retrain-bars'),
        )
        .option(
          '--max-bars <n>',
          'stop after this many new bars (default: no limit)',
          intFlag('--max-bars', { min: 1 }),
        )
        .option(
          '--until-idle <seconds>',
          'stop when no new bar arrived for this long (default: never; use with a replay)',
          numFlag('--until-idle', { min: 0, exclusiveMin: true }),
        )
        .option('--timeframe <tf>', `bar timeframe to request (default: ${DEFAULTS.broker.timeframe})`)
        .option(
          '--ppo-steps <n>',
          `PPO timesteps when no checkpoint exists yet (default: ${DEFAULTS.train.ppo.totalTimesteps})`,
          intFlag('--ppo-steps'),
        )
        .option(
          '--sac-steps <n>',
          `SAC timesteps when no checkpoint exists yet (default: ${DEFAULTS.train.sac.totalTimesteps})`,
          intFlag('--sac-steps'),
        )
        .option('--new-run', 'start a new paper run instead of resuming the newest one in --run-dir'),
      false,
    ),
  ).action(action(runPaper, { writesRun: true }));
}

export async function runPaper(ctx: CommandContext, opts: Record<string, unknown>): Promise<number> {
  const { config } = ctx;
  const { broker, url, local, env } = await connectBroker(ctx, { live: Boolean(opts.live) });
  let symbols = config.data.symbols;
  if (!symbols) {
    if (!local)
      throw new AppError('USAGE', 'pass --symbols (or data.symbols in the config) to trade on Alpaca');
    symbols = (await broker.listAssets({ status: 'active' })).map((a) => a.symbol).sort();
  }
  await startBackend(config);
  const store = RunStore.open(config.runDir);
  if (store.backupPath)
    ctx.err(`upgraded the run store ${store.path}; the copy from before is ${store.backupPath}`);
  const previous = opts.newRun ? undefined : store.latestRun('paper');
  let runId: string;
  if (previous) {
    if (previous.symbols.join(',') !== symbols.join(',')) {
      store.close();
      throw new AppError(
        'CONFIG',
        `the paper run ${previous.id} in ${store.path} trades ${previous.symbols.join(',')}, not ${symbols.join(',')}`,
        { hint: 'use the same --symbols, --new-run, or another --run-dir' },
      );
    }
    runId = previous.id;
    store.updateRun(runId, { status: 'running' });
    ctx.err(
      `resuming paper run ${runId} from ${store.path} (last bar ${new Date(store.getCursor(runId) ?? 0).toISOString()})`,
    );
  } else {
    runId = store.createRun({ kind: 'paper', seed: config.seed, symbols, dataFile: url });
    ctx.err(
      `paper run ${runId} on ${url} (${env}${local ? ', local paper exchange' : ''}), ${symbols.length} symbols`,
    );
  }
  recordRunProcess(store, runId);
  const configSha256 = store.saveConfig(runId, config);
  const loop = new LiveLoop({
    broker,
    store,
    runId,
    config,
    configSha256,
    symbols,
    timeframe: config.broker.timeframe,
    log: ctx.log,
    progress: ctx.progress,
    signal: ctx.signal,
    ...(local
      ? {}
      : {
          historyStart: historyStart(
            config.broker.timeframe,
            config.retrain.windowBars + config.retrain.holdoutBars + config.env.windowBars + 10,
          ),
        }),
    initialPpoSteps: config.train.ppo.totalTimesteps,
    initialSacSteps: config.train.sac.totalTimesteps,
  });
  const maxBars = opts.maxBars === undefined ? Number.POSITIVE_INFINITY : Number(opts.maxBars);
  const idleMs = opts.untilIdle === undefined ? Number.POSITIVE_INFINITY : Number(opts.untilIdle) * 1000;
  let failures = 0;
  let status: 'done' | 'stopped' | 'failed' | 'interrupted' = 'done';
  try {
    await loop.start();
    ctx.err(
      `retraining every ${loop.retrainEveryBars()} bars of bar time; polling every ${config.broker.pollSeconds}s`,
    );
    let lastNew = Date.now();
    while (!ctx.signal.aborted && loop.barsProcessed < maxBars) {
      try {
        const r = await loop.tick();
        failures = 0;
        if (r.processed) {
          lastNew = Date.now();
          ctx.progress.line(
            `bar ${new Date(r.barTime!).toISOString().replace('T00:00:00.000Z', '')}: ${r.orders} order(s) sent (${loop.barsProcessed} bars, ${loop.retrains} retrains)`,
          );
          continue;
        }
      } catch (e) {
        if (!isAlpacaError(e, 'NETWORK') && !isAlpacaError(e, 'RATE_LIMITED')) throw e;
        failures++;
        ctx.log.warn({ err: e.message, failures }, 'broker request failed; retrying');
        if (failures >= 5) {
          throw new AppError('BROKER_UNREACHABLE', `lost the broker at ${url}: ${e.message}`, { cause: e });
        }
      }
      if (Date.now() - lastNew >= idleMs) {
        ctx.err(`no new bar for ${Number(opts.untilIdle)}s: the session is over`);
        break;
      }
      await abortableSleep(config.broker.pollSeconds * 1000, ctx.signal);
    }
    if (ctx.signal.aborted) status = 'stopped';
  } catch (e) {
    status = isAppError(e, 'INTERRUPTED') ? 'interrupted' : 'failed';
    throw e;
  } finally {
    try {
      await loop.finish();
    } catch (e) {
      // A broker that forgot the run was already reported as the reason to stop.
      if (!isAppError(e, 'BROKER_DIVERGED')) ctx.log.warn({ err: String(e) }, 'final reconcile failed');
    }
    const times = loop.history.times();
    if (times.length > 2) storePaperMetrics(store, runId, inferBarsPerYear(Float64Array.from(times)), 0);
    store.updateRun(runId, { status });
    const fills = store.listFills(runId).length;
    const orders = store.listOrders(runId).length;
    store.close();
    ctx.err(
      `paper run ${runId} ${status}: ${loop.barsProcessed} bars this session, ${orders} orders, ${fills} fills in total`,
    );
  }
  ctx.out(`run ${runId}`);
  ctx.out(`report: marlts report ${runId} --run-dir ${config.runDir}`);
  return 0;
}
