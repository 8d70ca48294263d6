/**
 * The shape of a command module: each `src/commands/<name>.ts` exports its handler and a
 * `register…` function that declares its commander command and flags beside it. `main.ts`
 * calls the register functions in `--help` order and hands them the wiring below (the
 * flags every command shares and the handler wrapper), so no command module imports it.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** The parsed flags of a command (camel-cased names, as commander gives them). */
export type CommandFlags = Record<string, unknown>;

/**
 * A command's work: returns the exit code (undefined = 0). Expected failures throw
 * `AppError`; `main` prints them and maps them to exit codes.
 *
 * @example
 * const runHello: CommandHandler = async (ctx) => { ctx.out('hello'); return 0; };
 */
export type CommandHandler = (
  ctx: CommandContext,
  flags: CommandFlags,
  args: string[],
) => Promise<number | undefined>;

/**
 * What a command declares about how its handler runs.
 *
 * @example
 * const options: ActionOptions = { writesRun: true };
 */
export interface ActionOptions {
  /** The command writes a run into --run-dir, and so holds the run-dir lock while it runs. */
  writesRun?: boolean;
  /**
   * Rewrites the positional arguments once the config is resolved (file arguments made
   * absolute against the working directory, and checked); may throw a usage error.
   */
  args?: (args: string[], cwd: string) => string[];
}

/**
 * What `main.ts` hands a command module to register its commands with.
 *
 * @example
 * export function registerHelloCommand(program: Command, { globalFlags, action }: CommandWiring): void {
 *   globalFlags(program.command('hello').description('say hello')).action(action(runHello));
 * }
 */
export interface CommandWiring {
  /**
   * Adds the flags every command accepts (config file, run dir, seed, backend, logging,
   * verbose, quiet) after the command's own; `runDir: false` for a command that keeps
   * no run directory.
   */
  globalFlags: (cmd: Command, options?: { runDir?: boolean }) => Command;
  /** The commander action running `handler`: config, logger, progress and context first. */
  action: (handler: CommandHandler, options?: ActionOptions) => (...params: unknown[]) => Promise<void>;
}

/**
 * A command module's register function.
 *
 * @example
 * const commands: RegisterCommand[] = [registerDemoCommand, registerTrainCommand];
 */
export type RegisterCommand = (program: Command, wiring: CommandWiring) => void;
