/**
 * The building blocks of the commands' flags: parsers that turn a flag's text into a
 * checked number or list (a bad value is a usage error naming the flag), the flags of
 * every command that reads a bars CSV, and the config defaults `--help` shows.
 */
import type { Command } from 'commander';
import { AppError } from '../app-error.js';
import { type AppConfig, configSchema } from '../config.js';

/**
 * The config defaults. Flag descriptions quote them so `--help` never drifts from the schema.
 *
 * @example
 * cmd.option('--seeds <n>', `seeds (default: ${DEFAULTS.backtest.seeds})`, intFlag('--seeds'));
 */
export const DEFAULTS: AppConfig = configSchema.parse({});

/**
 * Bounds of a numeric flag that no config schema checks (sim and loop flags).
 *
 * @example
 * const port: FlagRange = { min: 0, max: 65_535 };
 */
export interface FlagRange {
  min?: number;
  max?: number;
  /** Refuse `min` itself (e.g. cash > 0). */
  exclusiveMin?: boolean;
}

function checkRange(name: string, v: string, n: number, r: FlagRange): number {
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

/**
 * Parser of an integer flag (within `range`).
 *
 * @example
 * cmd.option('--port <n>', 'port', intFlag('--port', { min: 0, max: 65_535 }), 0);
 */
export function intFlag(name: string, range: FlagRange = {}): (v: string) => number {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n))
      throw new AppError('USAGE', `${name} must be an integer, got "${v}"`, { field: name });
    return checkRange(name, v, n, range);
  };
}

/**
 * Parser of a finite number flag (within `range`).
 *
 * @example
 * cmd.option('--speed <barsPerSecond>', 'bars per second', numFlag('--speed', { min: 0 }), 0);
 */
export function numFlag(name: string, range: FlagRange = {}): (v: string) => number {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new AppError('USAGE', `${name} must be a number, got "${v}"`, { field: name });
    return checkRange(name, v, n, range);
  };
}

/**
 * Parser of a comma-separated list flag (blanks dropped).
 *
 * @example
 * listFlag('AAPL, MSFT,'); // ['AAPL', 'MSFT']
 */
export function listFlag(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Adds the flags of the commands that read a bars CSV (`--data` required or defaulting to
 * the bundled data, `--symbols`, `--start`, `--end`).
 *
 * @example
 * dataFlags(program.command('train'), false);
 */
export function dataFlags(cmd: Command, required: boolean): Command {
  const desc = 'bars CSV in the shared long format (symbol,date|timestamp,open,high,low,close,volume)';
  if (required) cmd.requiredOption('--data <file>', desc);
  else cmd.option('--data <file>', `${desc} (default: the bundled Dow-10 daily closes)`);
  return cmd
    .option('--symbols <list>', 'comma-separated symbols (default: all in the file)', listFlag)
    .option('--start <date>', 'first bar to use (ISO date/time, inclusive)')
    .option('--end <date>', 'last bar to use (ISO date/time, inclusive)');
}
