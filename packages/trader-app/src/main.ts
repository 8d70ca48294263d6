/**
 * The `marlts` command line: commander definitions, option → config overrides, the
 * output contract, and the mapping of failures to exit codes (0 ok, 1 failure, 2 usage,
 * 130 interrupted). `main` returns the exit code instead of exiting so tests can call
 * it in-process.
 *
 * Output contract: stdout carries results only (summaries, paths, URLs). stderr carries
 * narration, progress and log lines, in human form: a live bar with log lines printed
 * above it on a terminal, plain lines without escape codes otherwise. JSON log lines only
 * with `--log-format json` (stderr) or `--log-file FILE`. `-q`: warnings, errors and the
 * result only. Credentials in URLs are masked on both streams.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { AppError, isAppError } from './app-error.js';
import { assertNotDirectory } from './cli-paths.js';
import {
  type AppConfig,
  configSchema,
  describeConfig,
  loadConfig,
  loadDotEnv,
  type Overrides,
  readSecrets,
} from './config.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { createLogger, type LogLevel, quieterLevel } from './log.js';
import { createProgress, isInteractive } from './progress.js';
import { redactUrlSecrets } from './redact-url.js';
import { acquireRunLock } from './run-lock.js';
import { createStderrOutput } from './stderr-output.js';
import { VERSION } from './version.js';

/** Commands that write a run into --run-dir, and so hold its lock while they run. */
const RUN_WRITERS: ReadonlySet<string> = new Set(['paper', 'train', 'backtest', 'demo']);

/** Defaults shown in `--help` come from the config schema, so they never drift. */
const D: AppConfig = configSchema.parse({});

export interface MainIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Whether stdin and stdout are a terminal (confirmation prompts). */
  isTty?: boolean;
  /**
   * Whether stderr is an interactive terminal (live bar, colours). Default: stderr is a
   * TTY and `CI` is unset, when `stderr` is the process's; false for a custom `stderr`.
   */
  stderrTty?: boolean;
  /** Terminal width for the live bar (default: stderr's columns). */
  columns?: () => number | undefined;
  /** Cancels long commands (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

type Opts = Record<string, unknown>;

/** Bounds of a numeric flag that no config schema checks (sim and loop flags). */
interface Range {
  min?: number;
  max?: number;
  /** Refuse `min` itself (e.g. cash > 0). */
  exclusiveMin?: boolean;
}

function checkRange(name: string, v: string, n: number, r: Range): number {
  const low = r.min !== undefined && (r.exclusiveMin ? n <= r.min : n < r.min);
  if (low || (r.max !== undefined && n > r.max)) {
    const want =
      r.max !== undefined
        ? `between ${r.min} and ${r.max}`
        : r.exclusiveMin
          ? `greater than ${r.min}`
          : `${r.min} or more`;
    throw new AppError('USAGE', `${name} must be ${want}, got "${v}"`, { field: name });
  }
  return n;
}
function int(name: string, range: Range = {}) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n))
      throw new AppError('USAGE', `${name} must be an integer, got "${v}"`, { field: name });
    return checkRange(name, v, n, range);
  };
}
function num(name: string, range: Range = {}) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new AppError('USAGE', `${name} must be a number, got "${v}"`, { field: name });
    return checkRange(name, v, n, range);
  };
}
function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Options every command accepts. */
function common(cmd: Command, opts: { runDir?: boolean } = { runDir: true }): Command {
  cmd.option('-c, --config <file>', 'JSON config file (default: ./marlts.config.json when present)');
  if (opts.runDir !== false)
    cmd.option('--run-dir <dir>', `run directory holding marlts.db (default: ${D.runDir})`);
  return cmd
    .option('--seed <n>', `master seed (default: ${D.seed})`, int('--seed'))
    .addOption(
      new Option('--backend <name>', `tfjs backend (default: ${D.backend})`).choices([
        'wasm',
        'cpu',
        'tensorflow',
      ]),
    )
    .option(
      '--log-file <file>',
      'also append JSON log lines to this file (stderr then shows only warnings and errors)',
    )
    .addOption(
      new Option('--log-format <format>', `log lines on stderr (default: ${D.log.format})`).choices([
        'human',
        'json',
      ]),
    )
    .addOption(
      new Option('--log-level <level>', `log level (default: ${D.log.level})`).choices([
        'trace',
        'debug',
        'info',
        'warn',
        'error',
        'silent',
      ]),
    )
    .option('-v, --verbose', 'print the resolved config (secrets redacted) before running')
    .option('-q, --quiet', 'print only warnings, errors and the result (no progress, no narration)');
}

/** Flags shared by the commands that read a bars CSV. */
function dataOptions(cmd: Command, required: boolean): Command {
  const desc = 'bars CSV in the shared long format (symbol,date|timestamp,open,high,low,close,volume)';
  if (required) cmd.requiredOption('--data <file>', desc);
  else cmd.option('--data <file>', `${desc} (default: the bundled Dow-10 daily closes)`);
  return cmd
    .option('--symbols <list>', 'comma-separated symbols (default: all in the file)', list)
    .option('--start <date>', 'first bar to use (ISO date/time, inclusive)')
    .option('--end <date>', 'last bar to use (ISO date/time, inclusive)');
}

/** Maps the flags that exist on a command to config overrides. */
function overridesFrom(o: Opts): Overrides {
  return {
    runDir: o.runDir,
    seed: o.seed,
    backend: o.backend,
    data: { file: o.data, symbols: o.symbols, start: o.start, end: o.end, cacheDir: o.cacheDir },
    log: { file: o.logFile, level: o.logLevel, format: o.logFormat },
    train: {
      agents: o.agents,
      ppo: { totalTimesteps: o.ppoSteps },
      sac: { totalTimesteps: o.sacSteps },
    },
    backtest: {
      seeds: o.seeds,
      trainBars: o.trainBars,
      testBars: o.testBars,
      maxFolds: o.folds,
      ppoSteps: o.retrainPpoSteps,
      sacSteps: o.retrainSacSteps,
    },
    retrain: { everyMinutes: o.retrainMinutes, everyBars: o.retrainBars },
    orders: { type: o.orderType },
    broker: { url: o.alpacaUrl, dataUrl: o.alpacaDataUrl, timeframe: o.timeframe },
    eodhd: { baseUrl: o.eodhdUrl },
  };
}

function pruneUndefined(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = pruneUndefined(x);
    if (p === undefined) continue;
    if (typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * @example
 * const code = await main(['backtest', '--data', 'bars.csv', '--seeds', '1']);
 */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const rawStdout = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const stdout = (t: string) => rawStdout(redactUrlSecrets(t));
  const errOut = createStderrOutput({
    write: io.stderr ?? ((t: string) => void process.stderr.write(t)),
    tty: io.stderrTty ?? (io.stderr === undefined && isInteractive(process.stderr, env)),
    columns: io.columns ?? (() => process.stderr.columns),
  });
  const stderr = (t: string) => errOut.raw(t);
  const cwd = io.cwd ?? process.cwd();
  const signal = io.signal ?? new AbortController().signal;
  let exitCode = 0;

  const program = new Command('marlts')
    .description(
      'Multi-agent deep-RL trading: train a PPO long agent and a SAC short agent, backtest them ' +
        'walk-forward, paper-trade them on Alpaca (or the local paper exchange), and report honestly. ' +
        'Start with `marlts demo` (offline, bundled data).',
    )
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: stdout, writeErr: stderr })
    .showSuggestionAfterError(true);

  /** Wraps a command handler: config, logger, progress, context, then the lazy module. */
  const action =
    (load: () => Promise<(ctx: CommandContext, opts: Opts, args: string[]) => Promise<number | undefined>>) =>
    async (...params: unknown[]) => {
      const cmd = params.at(-1) as Command;
      const opts = cmd.opts() as Opts;
      const args = params.slice(0, -2).filter((p): p is string => typeof p === 'string');
      loadDotEnv(cwd, env);
      const secrets = readSecrets(env);
      const { config } = loadConfig({
        configPath: opts.config as string | undefined,
        overrides: pruneUndefined(overridesFrom(opts)) as Overrides,
        cwd,
      });
      // Relative paths are relative to the working directory.
      config.runDir = resolve(cwd, config.runDir);
      if (config.data.file !== undefined) config.data.file = resolve(cwd, config.data.file);
      if (config.data.cacheDir !== undefined) config.data.cacheDir = resolve(cwd, config.data.cacheDir);
      if (config.log.file !== undefined) config.log.file = resolve(cwd, config.log.file);
      const fileArgs = args.map((a) =>
        cmd.name() === 'import' || (cmd.name() === 'report' && existsSync(resolve(cwd, a)))
          ? resolve(cwd, a)
          : a,
      );
      // A directory where a file belongs fails here, naming the flag, not as EISDIR later.
      if (config.data.file !== undefined)
        assertNotDirectory(config.data.file, opts.data !== undefined ? '--data' : 'data.file', '.csv');
      if (cmd.name() === 'import' && fileArgs[0] !== undefined)
        assertNotDirectory(fileArgs[0], 'data import', '.csv');
      if (typeof opts.out === 'string') opts.out = resolve(cwd, opts.out);
      if (typeof opts.out === 'string') assertNotDirectory(opts.out, '--out');
      const quiet = Boolean(opts.quiet);
      const level = config.log.level as LogLevel;
      const log = createLogger({
        level,
        file: config.log.file,
        stderr: (line) => errOut.line(line),
        // With a log file the details go there; stderr keeps what needs a person's attention.
        stderrLevel: quiet || config.log.file !== undefined ? quieterLevel(level, 'warn') : level,
        stderrFormat: config.log.format,
        color: errOut.tty && !env.NO_COLOR,
      });
      if (opts.verbose) errOut.line(describeConfig(config, secrets));
      const isTty = io.isTty ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const ctx: CommandContext = {
        config,
        secrets,
        log,
        progress: createProgress({ output: errOut, quiet }),
        out: (t) => stdout(t.endsWith('\n') ? t : `${t}\n`),
        err: (t) => errOut.line(t),
        info: quiet ? () => {} : (t) => errOut.line(t),
        signal,
        isTty,
        ask: async (q) => {
          errOut.status(undefined); // the question must not be drawn over by a bar
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(q);
          } finally {
            rl.close();
          }
        },
      };
      const run = await load();
      // One writer per run directory (see run-lock.ts); readers such as `report` need none.
      const lock = RUN_WRITERS.has(cmd.name())
        ? acquireRunLock(config.runDir, { command: ['marlts', ...argv].join(' ') })
        : undefined;
      if (lock?.note) ctx.err(lock.note);
      try {
        exitCode = (await run(ctx, opts, fileArgs)) ?? 0;
      } finally {
        lock?.release();
      }
    };

  common(
    program
      .command('demo')
      .description(
        'offline end to end on the bundled data: train both agents on Dow-10 daily closes, walk-forward backtest, ' +
          'paper-trade a replayed 2000 session (retraining every 21 bars), then an intraday stage on USD/CHF ' +
          '30-minute bars (paper replay retraining every 60 minutes of bar time = 2 bars), write the report',
      )
      .option('--quick', 'an even smaller budget (for smoke tests; weaker agents)'),
  ).action(action(async () => (await import('./commands/demo.js')).runDemo));

  const data = program.command('data').description('market data: fetch into the cache, or import a CSV');
  common(
    data
      .command('fetch')
      .description(
        'fetch bars from EODHD (EODHD_API_TOKEN) or Alpaca (ALPACA_KEY_ID/ALPACA_SECRET_KEY) into the cache',
      )
      .addOption(new Option('--source <name>', 'data source').choices(['eodhd', 'alpaca']).default('eodhd'))
      .requiredOption('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT', list)
      .addOption(new Option('--interval <i>', 'bar interval').choices(['1m', '5m', '1h', '1d']).default('1h'))
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
      .option('--to <date>', 'last day (YYYY-MM-DD, default: today)')
      .option('--cache-dir <dir>', 'cache directory (default: <run-dir>/cache)')
      .option('--out <file>', 'also write the bars as a CSV in the shared long format')
      .option('--eodhd-url <url>', 'EODHD base URL (default: https://eodhd.com/api)')
      .option(
        '--alpaca-data-url <url>',
        'Alpaca market-data base URL (default: https://data.alpaca.markets)',
      ),
  ).action(action(async () => (await import('./commands/data.js')).runDataFetch));
  common(
    data
      .command('import')
      .description('validate a bars CSV and copy it into <run-dir>/data')
      .argument('<file>', 'CSV in the shared long format'),
  ).action(action(async () => (await import('./commands/data.js')).runDataImport));

  common(
    dataOptions(
      program
        .command('train')
        .description('train the PPO long agent and/or the SAC short agent; saves versioned checkpoints')
        .addOption(
          new Option('--agents <which>', `which agents (default: ${D.train.agents})`).choices([
            'both',
            'long',
            'short',
          ]),
        )
        .option(
          '--ppo-steps <n>',
          `PPO timesteps (default: ${D.train.ppo.totalTimesteps})`,
          int('--ppo-steps'),
        )
        .option(
          '--sac-steps <n>',
          `SAC timesteps (default: ${D.train.sac.totalTimesteps})`,
          int('--sac-steps'),
        ),
      false,
    ),
  ).action(action(async () => (await import('./commands/train.js')).runTrain));

  common(
    dataOptions(
      program
        .command('backtest')
        .description(
          'walk-forward backtest: rolling train window → the next unseen test window, agents beside baselines',
        )
        .option('--seeds <n>', `seeds (default: ${D.backtest.seeds})`, int('--seeds'))
        .option(
          '--train-bars <n>',
          `training window in bars (default: ${D.backtest.trainBars})`,
          int('--train-bars'),
        )
        .option(
          '--test-bars <n>',
          'test window in bars (default: the live retrain cadence: 21 on daily bars, 60 minutes of intraday bars)',
          int('--test-bars'),
        )
        .option(
          '--folds <n>',
          `keep the last N folds, 0 = all (default: ${D.backtest.maxFolds})`,
          int('--folds'),
        )
        .option(
          '--ppo-steps <n>',
          `initial PPO timesteps (default: ${D.train.ppo.totalTimesteps})`,
          int('--ppo-steps'),
        )
        .option(
          '--sac-steps <n>',
          `initial SAC timesteps (default: ${D.train.sac.totalTimesteps})`,
          int('--sac-steps'),
        )
        .option(
          '--retrain-ppo-steps <n>',
          `PPO timesteps per fold (default: ${D.backtest.ppoSteps})`,
          int('--retrain-ppo-steps'),
        )
        .option(
          '--retrain-sac-steps <n>',
          `SAC timesteps per fold (default: ${D.backtest.sacSteps})`,
          int('--retrain-sac-steps'),
        ),
      false,
    ),
  ).action(action(async () => (await import('./commands/backtest.js')).runBacktest));

  common(
    dataOptions(
      program
        .command('sim')
        .description(
          'run the local Alpaca-compatible paper exchange, replaying --data as a live session; ' +
            'prints its base URL on the first stdout line',
        )
        .option('--port <n>', 'port, 0 = any free port', int('--port', { min: 0, max: 65_535 }), 0)
        .option('--host <host>', 'interface to listen on', '127.0.0.1')
        .option(
          '--speed <barsPerSecond>',
          'advance automatically at this many bars per second (0 = only when asked)',
          num('--speed', { min: 0 }),
          0,
        )
        .option(
          '--warmup-bars <n>',
          'bars already visible as history when the session starts',
          int('--warmup-bars', { min: 0 }),
          60,
        )
        .option('--cash <usd>', 'starting cash', num('--cash', { min: 0, exclusiveMin: true }), 100_000)
        .option(
          '--rate-limit <perMinute>',
          'answer 429 above this many requests per minute, as Alpaca does at 200 (0 = off)',
          int('--rate-limit', { min: 0 }),
          0,
        )
        .option(
          '--grace-seconds <n>',
          'keep serving this long after the replay ended (with --speed)',
          num('--grace-seconds', { min: 0 }),
          30,
        ),
      false,
    ),
    { runDir: false },
  ).action(action(async () => (await import('./commands/sim.js')).runSim));

  common(
    dataOptions(
      program
        .command('paper')
        .description(
          'the live loop against Alpaca paper (keys from env) or any Alpaca-compatible URL such as `marlts sim`',
        )
        .option('--alpaca-url <url>', 'trading API base URL (default: https://paper-api.alpaca.markets)')
        .option('--alpaca-data-url <url>', 'market-data base URL (default: the trading URL for a local sim)')
        .option('--live', 'trade the LIVE account (also needs ALPACA_ENV=live and a confirmation on a TTY)')
        .addOption(
          new Option('--order-type <type>', `order type (default: ${D.orders.type})`).choices([
            'market',
            'limit',
          ]),
        )
        .option(
          '--retrain-minutes <n>',
          `retrain cadence in minutes of bar time (default: ${D.retrain.everyMinutes})`,
          int('--retrain-minutes'),
        )
        .option(
          '--retrain-bars <n>',
          'retrain cadence in bars (overrides minutes; daily data)',
          int('--retrain-bars'),
        )
        .option(
          '--max-bars <n>',
          'stop after this many new bars (default: no limit)',
          int('--max-bars', { min: 1 }),
        )
        .option(
          '--until-idle <seconds>',
          'stop when no new bar arrived for this long (default: never; use with a replay)',
          num('--until-idle', { min: 0, exclusiveMin: true }),
        )
        .option('--timeframe <tf>', `bar timeframe to request (default: ${D.broker.timeframe})`)
        .option(
          '--ppo-steps <n>',
          `PPO timesteps when no checkpoint exists yet (default: ${D.train.ppo.totalTimesteps})`,
          int('--ppo-steps'),
        )
        .option(
          '--sac-steps <n>',
          `SAC timesteps when no checkpoint exists yet (default: ${D.train.sac.totalTimesteps})`,
          int('--sac-steps'),
        )
        .option('--new-run', 'start a new paper run instead of resuming the newest one in --run-dir'),
      false,
    ),
  ).action(action(async () => (await import('./commands/paper.js')).runPaper));

  common(
    program
      .command('report')
      .description('write the self-contained HTML report of a run and print a terminal summary')
      .argument('[run]', 'run id (in --run-dir) or a run directory (default: the newest run in --run-dir)')
      .option('--out <file>', 'HTML file (default: <run-dir>/report-<run>.html)'),
  ).action(action(async () => (await import('./commands/report.js')).runReport));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything else commander reports is a usage error (already printed).
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isAppError(e)) {
      errOut.line(`marlts: ${e.message}`);
      if (e.hint) errOut.line(`hint: ${e.hint}`);
      // 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
      return e.code === 'INTERRUPTED' ? 130 : e.exitCode;
    }
    const d = describeError(e);
    errOut.line(d.unexpected ? `marlts: unexpected error: ${d.message}` : `marlts: ${d.message}`);
    if (d.hint) errOut.line(`hint: ${d.hint}`);
    return 1;
  }
}
