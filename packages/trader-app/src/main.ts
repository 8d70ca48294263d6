/**
 * The `marlts` command line, as a table of contents: the commands (each registered with
 * its flags beside its handler in `src/commands/`), the flags every command shares, the
 * wrapper that turns flags into a config and a context and holds the run-dir lock for
 * commands that write a run, and the mapping of failures to exit codes (0 ok, 1 failure,
 * 2 usage, 130 interrupted). `main` returns the exit code instead of exiting so tests can
 * call it in-process.
 *
 * Output contract: stdout carries results only (summaries, paths, URLs). stderr carries
 * narration, progress and log lines, in human form: a live bar with log lines printed
 * above it on a terminal, plain lines without escape codes otherwise. JSON log lines only
 * with `--log-format json` (stderr) or `--log-file FILE`. `-q`: warnings, errors and the
 * result only. Credentials in URLs are masked on both streams.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { isAppError } from './app-error.js';
import { assertNotDirectory } from './cli-paths.js';
import { registerBacktestCommand } from './commands/backtest.js';
import type { CommandFlags, CommandWiring, RegisterCommand } from './commands/command.js';
import { registerDataCommands } from './commands/data.js';
import { registerDemoCommand } from './commands/demo.js';
import { overridesFromFlags } from './commands/flag-overrides.js';
import { DEFAULTS, intFlag } from './commands/flags.js';
import { registerLearnabilityCommand } from './commands/learnability.js';
import { registerPaperCommand } from './commands/paper.js';
import { registerReportCommand } from './commands/report.js';
import { registerSimCommand } from './commands/sim.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerTrainCommand } from './commands/train.js';
import { registerWorkerCommand } from './commands/worker.js';
import { describeConfig, loadConfig, loadDotEnv, readSecrets } from './config.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { createLogger, type LogLevel, quieterLevel } from './log.js';
import { createProgress, isInteractive } from './progress.js';
import { redactUrlSecrets } from './redact-url.js';
import { acquireRunLock } from './run-lock.js';
import { createStderrOutput } from './stderr-output.js';
import { VERSION } from './version.js';

/**
 * The commands, in `--help` order. Each module in `src/commands/` registers its command
 * and flags beside its handler; a new command is a `register…Command` function there
 * (see `commands/command.ts`) and one line here.
 */
const COMMANDS: readonly RegisterCommand[] = [
  registerDemoCommand,
  registerDataCommands,
  registerTrainCommand,
  registerBacktestCommand,
  registerSweepCommand,
  registerLearnabilityCommand,
  registerSimCommand,
  registerPaperCommand,
  registerReportCommand,
  registerWorkerCommand,
];

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

/** The flags every command accepts, after its own. */
function globalFlags(cmd: Command, opts: { runDir?: boolean } = { runDir: true }): Command {
  cmd.option('-c, --config <file>', 'JSON config file (default: ./marlts.config.json when present)');
  if (opts.runDir !== false)
    cmd.option('--run-dir <dir>', `run directory holding marlts.db (default: ${DEFAULTS.runDir})`);
  return cmd
    .option('--seed <n>', `master seed (default: ${DEFAULTS.seed})`, intFlag('--seed'))
    .addOption(
      new Option('--backend <name>', `tfjs backend (default: ${DEFAULTS.backend})`).choices([
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
      new Option('--log-format <format>', `log lines on stderr (default: ${DEFAULTS.log.format})`).choices([
        'human',
        'json',
      ]),
    )
    .addOption(
      new Option('--log-level <level>', `log level (default: ${DEFAULTS.log.level})`).choices([
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

  /** Wraps a command handler: config, logger, progress and context, then the run-dir lock for writers. */
  const action: CommandWiring['action'] =
    (handler, options = {}) =>
    async (...params: unknown[]) => {
      const cmd = params.at(-1) as Command;
      const opts = cmd.opts() as CommandFlags;
      const args = params.slice(0, -2).filter((p): p is string => typeof p === 'string');
      loadDotEnv(cwd, env);
      const secrets = readSecrets(env);
      const { config } = loadConfig({
        configPath: opts.config as string | undefined,
        overrides: overridesFromFlags(opts),
        cwd,
      });
      // Relative paths are relative to the working directory.
      config.runDir = resolve(cwd, config.runDir);
      if (config.data.file !== undefined) config.data.file = resolve(cwd, config.data.file);
      if (config.data.cacheDir !== undefined) config.data.cacheDir = resolve(cwd, config.data.cacheDir);
      if (config.log.file !== undefined) config.log.file = resolve(cwd, config.log.file);
      // A directory where a file belongs fails here, naming the flag, not as EISDIR later.
      if (config.data.file !== undefined)
        assertNotDirectory(config.data.file, opts.data !== undefined ? '--data' : 'data.file', '.csv');
      const fileArgs = options.args ? options.args(args, cwd) : args;
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
      // One writer per run directory (see run-lock.ts); readers such as `report` need none.
      const lock = options.writesRun
        ? acquireRunLock(config.runDir, { command: ['marlts', ...argv].join(' ') })
        : undefined;
      if (lock?.note) ctx.err(lock.note);
      try {
        exitCode = (await handler(ctx, opts, fileArgs)) ?? 0;
      } finally {
        lock?.release();
      }
    };

  for (const register of COMMANDS) register(program, { globalFlags, action });

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
