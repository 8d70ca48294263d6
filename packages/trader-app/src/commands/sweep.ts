/**
 * `marlts sweep --grid FILE.json`: configurations × seeds, each job one walk-forward chain
 * over every fold, on the local pool (`--workers`) or a BullMQ queue (`--queue`). Honest
 * selection: configurations are ranked on the validation folds only; the winner is then
 * evaluated once on the later test folds, and reported with the number of configurations
 * tried and its deflated Sharpe ratio. `--resume RUN_ID` continues a sweep that stopped
 * (Ctrl-C, a crash, kill -9) in the same run directory without re-running finished jobs.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError, isAppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { startBackend } from '../engine/backend.js';
import { type LoadedData, loadBars } from '../engine/data.js';
import { foldsFor } from '../engine/folds.js';
import { redactUrlSecrets } from '../redact-url.js';
import { recordRunProcess } from '../run-liveness.js';
import { RunStore, sha256 } from '../store.js';
import { planSweep, runSweepPass, storedResults } from '../sweep/coordinator.js';
import { createExecutor } from '../sweep/executors.js';
import { loadGrid } from '../sweep/grid.js';
import { storeSweepOutcome, sweepSummary } from '../sweep/outcome.js';
import { selectConfig } from '../sweep/select.js';
import type { CommandWiring } from './command.js';
import { dataFlags, intFlag } from './flags.js';
import { writeReport } from './report.js';
import { costsNote, openRun } from './run-setup.js';

/** The grid file, documented in `marlts sweep --help`. */
export const GRID_HELP = `
Grid file (JSON):
  {
    "base": { "train": { "ppo": { "totalTimesteps": 8192 } } },
    "axes": {
      "train.ppo.learningRate": [0.0003, 0.001],
      "env.windowBars": [30, 60]
    },
    "seeds": 2,
    "validationFolds": 3,
    "testFolds": 1
  }

  base             a partial config (the config file's schema) over --config; optional
  axes             dotted config paths, each with the values to try; the configurations are
                   their cartesian product (here 2 × 2 = 4). Axes may change env.*, train.*,
                   risk.*, backtest.ppoSteps, backtest.sacSteps and backend; fold layout and
                   data are fixed for every configuration (set them in base or --config)
  seeds            seeds per configuration (default: backtest.seeds); a job is one
                   (configuration, seed) walk-forward chain over all folds
  validationFolds  the earlier folds: configurations are ranked here (default 2)
  testFolds        the later folds: only the chosen configuration is evaluated here (default 1)

Selection: the long agent's annualised Sharpe on the validation folds, averaged over seeds;
the winner's test metrics, PSR and deflated Sharpe ratio (Bailey & López de Prado 2014, over
the number of configurations tried) are reported. Results, configs and the winner's
checkpoints go to the run store; \`marlts report\` shows the sweep.

Resume: a stopped sweep (Ctrl-C, crash, kill -9) continues with
  marlts sweep --grid FILE.json --run-dir DIR --resume RUN_ID
which skips every job whose result is stored (same grid, data and flags required).

Example:
  marlts sweep --grid grid.json --data bars.csv --workers 4
`;

/**
 * Registers `marlts sweep`.
 *
 * @example
 * registerSweepCommand(program, wiring);
 */
export function registerSweepCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  let cwd = process.cwd();
  globalFlags(
    dataFlags(
      program
        .command('sweep')
        .description(
          'configurations × seeds of walk-forward backtests on all cores (or a BullMQ queue); ranks on validation folds, tests the winner once on later folds',
        )
        .requiredOption(
          '--grid <file>',
          'the grid file (JSON): base config, axes, seeds, fold split (see below)',
        )
        .option(
          '--workers <n>',
          'local worker processes, each with ⌊cores / workers⌋ rl-core threads (default: the core count)',
          intFlag('--workers', { min: 1, max: 512 }),
        )
        .option(
          '--queue <url>',
          'run the jobs on a BullMQ queue in this Redis (redis://HOST:PORT) for `marlts worker`s',
        )
        .option('--resume <runId>', 'continue this sweep run (in --run-dir): finished jobs are not run again')
        .option('--json', 'also print one JSON summary as the last stdout line (for scripts)'),
      false,
    ),
  )
    .addHelpText('after', GRID_HELP)
    .action(
      action((ctx, flags) => runSweepCommand(ctx, flags, cwd), {
        writesRun: true,
        args: (a, dir) => {
          cwd = dir;
          return a;
        },
      }),
    );
}

/** Opens the run of a new sweep, or reopens `--resume`'s after checking it is this sweep. */
function openSweepRun(
  config: AppConfig,
  data: LoadedData,
  identity: { grid: string; data: string },
  resumeId: string | undefined,
): { store: RunStore; runId: string } {
  if (resumeId === undefined) {
    const { store, runId } = openRun(config, 'sweep', data);
    store.setNote(runId, 'sweepIdentity', identity);
    return { store, runId };
  }
  const store = RunStore.open(config.runDir);
  try {
    const run = store.getRun(resumeId);
    if (run?.kind !== 'sweep') {
      throw new AppError('NOT_FOUND', `--resume ${resumeId}: no sweep run with that id in ${store.path}`, {
        field: '--resume',
        hint: 'pass the run id the sweep printed, with the same --run-dir',
      });
    }
    const stored = store.getNotes(resumeId).sweepIdentity as { grid?: string; data?: string } | undefined;
    if (stored?.grid !== identity.grid || stored?.data !== identity.data) {
      const what = stored?.grid !== identity.grid ? 'grid (file, base, axes, seeds or folds)' : 'data';
      throw new AppError('CONFIG', `--resume ${resumeId}: this sweep's ${what} differs from the run's`, {
        field: '--resume',
        hint: 'resume with the same grid file, --config, --data and flags, or start a new sweep without --resume',
      });
    }
    store.updateRun(resumeId, { status: 'running' });
    recordRunProcess(store, resumeId);
    return { store, runId: resumeId };
  } catch (e) {
    store.close();
    throw e;
  }
}

export async function runSweepCommand(
  ctx: CommandContext,
  flags: Record<string, unknown>,
  cwd: string,
): Promise<number> {
  const { config } = ctx;
  const grid = loadGrid(resolve(cwd, String(flags.grid)), config);
  const first = grid.configs[0]!.config;
  const data = loadBars({
    ...first.data,
    minBars: first.backtest.trainBars + 3,
    onWarning: (w) => ctx.err(`warning: ${w}`),
  });
  const folds = foldsFor(data.frame, first);
  const want = grid.validationFolds + grid.testFolds;
  if (folds.length < want) {
    throw new AppError(
      'DATA',
      `grid ${grid.file}: ${want} folds (${grid.validationFolds} validation + ${grid.testFolds} test) do not fit: ${data.frame.nBars} bars give ${folds.length}`,
      { hint: 'use more data, fewer folds, or a smaller backtest.trainBars / testBars in base' },
    );
  }
  await startBackend(config);
  const plan = planSweep(grid, data.frame);
  const resumeId = typeof flags.resume === 'string' ? flags.resume : undefined;
  const { store, runId } = openSweepRun(
    config,
    data,
    { grid: sha256(grid.canonical), data: plan.data.hash },
    resumeId,
  );
  const workers = Number(flags.workers ?? availableParallelism());
  const queue = typeof flags.queue === 'string' ? flags.queue : undefined;
  try {
    ctx.info(
      `sweep ${runId}: ${count(grid.configs.length, 'configuration')} × ${count(grid.seeds.length, 'seed')} = ${count(plan.jobs.length, 'job')}, ` +
        `each a walk-forward over ${want} folds (${grid.validationFolds} validation, then ${grid.testFolds} test), ` +
        // The URL may carry a Redis password: print it masked.
        (queue ? `on the queue at ${redactUrlSecrets(queue)}` : `on ${count(workers, 'local worker')}`),
    );
    const executor = await createExecutor({ workers, ...(queue ? { queue } : {}) });
    let pass: Awaited<ReturnType<typeof runSweepPass>>;
    try {
      pass = await runSweepPass({
        store,
        runId,
        plan,
        executor,
        progress: ctx.progress,
        signal: ctx.signal,
        onJobFailed: (label, e) => ctx.err(`warning: job ${label} failed (${e.code}): ${e.message}`),
      });
    } finally {
      await executor.close();
    }
    if (ctx.signal.aborted) throw interrupted(runId);
    if (pass.skipped > 0) ctx.info(`resumed: ${pass.skipped} job(s) already stored were not run again`);
    const selection = selectConfig({
      results: storedResults(store, runId, plan),
      validationFolds: grid.validationFolds,
      testFolds: grid.testFolds,
      barsPerYear: data.barsPerYear,
      nAssets: data.frame.nAssets,
      significanceSeed: config.seed,
    });
    const sweepFolds = folds.slice(-want).map((f, i) => ({ ...f, index: i }));
    const summary = sweepSummary({ store, runId, plan, selection, frame: data.frame, folds: sweepFolds });
    if (!selection) {
      store.setNote(runId, 'sweep', summary);
      store.updateRun(runId, { status: 'failed' });
      throw new AppError(
        'INTERNAL',
        `sweep ${runId}: every configuration had a failed job; nothing to select`,
        {
          hint: `see the failures with: marlts report ${runId} --run-dir ${config.runDir}`,
        },
      );
    }
    const configSha256 = store.saveConfig(runId, grid.configs[selection.winner]!.config);
    await storeSweepOutcome({
      store,
      runId,
      runDir: config.runDir,
      plan,
      selection,
      summary,
      frame: data.frame,
      folds: sweepFolds,
      configSha256,
    });
    store.setNote(runId, 'costs', costsNote(first));
    store.updateRun(runId, { status: 'done' });
    const { path, summary: text } = writeReport(store, runId, undefined, config.runDir);
    ctx.out(text);
    ctx.out(`report: ${path}`);
    if (flags.json) ctx.out(JSON.stringify({ command: 'sweep', runId, report: path, ...summary }));
    return 0;
  } catch (e) {
    if (ctx.signal.aborted) {
      store.updateRun(runId, { status: 'interrupted' });
      throw isAppError(e, 'INTERRUPTED') ? e : interrupted(runId);
    }
    if (store.getRun(runId)?.status === 'running') store.updateRun(runId, { status: 'failed' });
    throw e;
  } finally {
    store.close();
  }
}

/** The error a Ctrl-C / SIGTERM during a sweep ends in (exit 130); finished jobs stay stored. */
function interrupted(runId: string): AppError {
  return new AppError('INTERRUPTED', `sweep interrupted: run ${runId} keeps the jobs that finished`, {
    hint: `continue it with the same command and --resume ${runId}`,
  });
}

/** `n thing` or `n things`. */
function count(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}
