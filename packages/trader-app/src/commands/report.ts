/**
 * `marlts report [RUN] [--out FILE.html]`: renders a run from its run store as a
 * self-contained HTML file and prints a terminal summary and the file's path. A run
 * that says `running` is checked against its writer process: a killed run is reported
 * as stale, not as in progress.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../app-error.js';
import type { CommandContext } from '../context.js';
import { redactUrlSecrets } from '../redact-url.js';
import { collectReportData } from '../report/data.js';
import { renderHtmlReport } from '../report/html.js';
import { renderTerminalSummary } from '../report/terminal.js';
import { runLiveness } from '../run-liveness.js';
import { RunStore, STORE_FILE } from '../store.js';
import type { CommandWiring } from './command.js';

/** Finds the store and run meant by a `RUN` argument (a run id, or a run directory). */
export function resolveRun(
  runArg: string | undefined,
  runDir: string,
): { dir: string; runId: string | undefined } {
  if (runArg !== undefined && existsSync(join(resolve(runArg), STORE_FILE))) {
    return { dir: resolve(runArg), runId: undefined };
  }
  if (!existsSync(join(resolve(runDir), STORE_FILE))) {
    throw new AppError(
      'NOT_FOUND',
      runArg === undefined
        ? `no run store at ${join(resolve(runDir), STORE_FILE)}`
        : `"${runArg}" is neither a run directory nor a run id in ${join(resolve(runDir), STORE_FILE)}`,
      { hint: 'pass the run directory (the one holding marlts.db) or --run-dir DIR with a run id' },
    );
  }
  return { dir: resolve(runDir), runId: runArg };
}

/**
 * Writes the report of a run; returns the HTML path. Used by `report` and `demo`.
 */
export function writeReport(
  store: RunStore,
  runId: string,
  out: string | undefined,
  dir: string,
): { path: string; summary: string; html: string } {
  const data = collectReportData(store, runId);
  data.liveness = runLiveness({ ...data.run, notes: data.notes });
  // The config and a paper run's data source may hold a broker URL with credentials.
  const html = redactUrlSecrets(renderHtmlReport(data));
  const path = resolve(out ?? join(dir, `report-${runId}.html`));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return { path, summary: renderTerminalSummary(data, process.stdout.columns ?? 100), html };
}

/**
 * Registers `marlts report` (a reader: it takes no run-dir lock).
 *
 * @example
 * registerReportCommand(program, wiring);
 */
export function registerReportCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    program
      .command('report')
      .description('write the self-contained HTML report of a run and print a terminal summary')
      .argument('[run]', 'run id (in --run-dir) or a run directory (default: the newest run in --run-dir)')
      .option('--out <file>', 'HTML file (default: <run-dir>/report-<run>.html)'),
  ).action(
    action(runReport, {
      // RUN is a run directory when one exists there (relative to the working directory), else a run id.
      args: (args, cwd) => args.map((a) => (existsSync(resolve(cwd, a)) ? resolve(cwd, a) : a)),
    }),
  );
}

export async function runReport(
  ctx: CommandContext,
  opts: Record<string, unknown>,
  args: string[],
): Promise<number> {
  const { dir, runId } = resolveRun(args[0], ctx.config.runDir);
  const store = RunStore.open(dir);
  try {
    const run = runId !== undefined ? store.getRun(runId) : store.latestRun();
    if (!run) {
      throw new AppError(
        'NOT_FOUND',
        runId ? `run ${runId} not found in ${store.path}` : `no runs in ${store.path}`,
        {
          hint: `runs there: ${
            store
              .listRuns()
              .map((r) => r.id)
              .join(', ') || '(none)'
          }`,
        },
      );
    }
    const { path, summary } = writeReport(store, run.id, opts.out as string | undefined, dir);
    ctx.out(summary);
    ctx.out(`report: ${path}`);
    const { stale, note } = runLiveness({ ...run, notes: store.getNotes(run.id) });
    if (stale) ctx.err(`marlts: run ${run.id} says "running" but is ${note}`);
    ctx.log.info({ runId: run.id, path }, 'report written');
    return 0;
  } finally {
    store.close();
  }
}
