/**
 * `marlts train`: trains the PPO long agent and/or the SAC short agent on a bars CSV
 * and saves versioned checkpoints with the data range, config hash and seed.
 */
import { type Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { LONG_ID, SHORT_ID, type TrainPoint, trainPair } from '../engine/agents.js';
import { startBackend } from '../engine/backend.js';
import { savePairCheckpoints } from '../engine/checkpoints.js';
import { loadBars } from '../engine/data.js';
import type { CommandWiring } from './command.js';
import { DEFAULTS, dataFlags, intFlag } from './flags.js';
import { openRun } from './run-setup.js';

/**
 * Registers `marlts train`.
 *
 * @example
 * registerTrainCommand(program, wiring);
 */
export function registerTrainCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    dataFlags(
      program
        .command('train')
        .description('train the PPO long agent and/or the SAC short agent; saves versioned checkpoints')
        .addOption(
          new Option('--agents <which>', `which agents (default: ${DEFAULTS.train.agents})`).choices([
            'both',
            'long',
            'short',
          ]),
        )
        .option(
          '--ppo-steps <n>',
          `PPO timesteps (default: ${DEFAULTS.train.ppo.totalTimesteps})`,
          intFlag('--ppo-steps'),
        )
        .option(
          '--sac-steps <n>',
          `SAC timesteps (default: ${DEFAULTS.train.sac.totalTimesteps})`,
          intFlag('--sac-steps'),
        ),
      false,
    ),
  ).action(action(runTrain, { writesRun: true }));
}

export async function runTrain(ctx: CommandContext): Promise<number> {
  const { config } = ctx;
  const data = loadBars({
    ...config.data,
    minBars: config.env.windowBars + 20,
    onWarning: (w) => ctx.err(`warning: ${w}`),
  });
  await startBackend(config);
  const { store, runId, configSha256 } = openRun(config, 'train', data);
  if (store.backupPath)
    ctx.err(`upgraded the run store ${store.path}; the copy from before is ${store.backupPath}`);
  try {
    const which = config.train.agents;
    const t0 = Date.now();
    const training: Array<TrainPoint & { fold: number }> = [];
    const pair = await trainPair({
      frame: data.frame,
      config,
      seed: config.seed,
      ppoSteps: config.train.ppo.totalTimesteps,
      sacSteps: config.train.sac.totalTimesteps,
      which,
      progress: ctx.progress,
      signal: ctx.signal,
      barsPerYear: data.barsPerYear,
      onTrainPoint: (p) => training.push({ ...p, fold: 0 }),
    });
    const seconds = (Date.now() - t0) / 1000;
    store.setNote(runId, 'training', training);
    const range = { dataStart: data.frame.times[0]!, dataEnd: data.frame.times[data.frame.nBars - 1]! };
    const rows = await savePairCheckpoints(store, config.runDir, {
      runId,
      pair,
      names: { long: LONG_ID, short: SHORT_ID },
      seed: config.seed,
      ...range,
      configSha256,
      linkToChampions: true,
    });
    for (const row of [rows.long, rows.short]) {
      if (!row) continue;
      ctx.out(
        `${row.agent} (${row.algo}) v${row.version}: ${row.path} sha256 ${row.sha256.slice(0, 12)}… ${row.totalTimesteps} steps`,
      );
    }
    pair.long?.dispose();
    pair.short?.dispose();
    store.setNote(runId, 'budget', {
      ppoSteps: which === 'short' ? 0 : config.train.ppo.totalTimesteps,
      sacSteps: which === 'long' ? 0 : config.train.sac.totalTimesteps,
      seconds: Math.round(seconds),
    });
    store.updateRun(runId, { status: ctx.signal.aborted ? 'interrupted' : 'done' });
    ctx.out(
      `run ${runId} in ${store.path} (${seconds.toFixed(1)} s)${ctx.signal.aborted ? ': interrupted, the checkpoints hold the partly trained agents' : ''}`,
    );
    return ctx.signal.aborted ? 130 : 0;
  } catch (e) {
    store.updateRun(runId, { status: ctx.signal.aborted ? 'interrupted' : 'failed' });
    throw e;
  } finally {
    store.close();
  }
}
