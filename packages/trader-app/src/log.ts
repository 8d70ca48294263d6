/**
 * One pino logger for the app. Libraries never log; the app logs for them.
 * - stderr: human lines (`log-format.ts`) by default, JSON lines with `--log-format json`;
 *   both go through the stderr writer, so they never land on the progress bar.
 * - `--log-file FILE`: JSON lines appended to the file, at `--log-level`.
 * Credentials in URLs are masked before anything is written.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pino } from 'pino';
import { AppError } from './app-error.js';
import { formatLogChunk } from './log-format.js';
import { redactUrlSecrets } from './redact-url.js';

export type Logger = pino.Logger;

/** Levels by rank, as pino names them. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

/** The higher (quieter) of two levels. */
export function quieterLevel(a: LogLevel, b: LogLevel): LogLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

export interface LoggerOptions {
  /** Level of the file (and of stderr unless `stderrLevel` says otherwise). Default `info`. */
  level?: LogLevel;
  /** Append JSON lines to this file. */
  file?: string | undefined;
  /** Where stderr lines go (one call per line); default `process.stderr`. */
  stderr?: (line: string) => void;
  /** Level of the stderr lines (default `level`). */
  stderrLevel?: LogLevel;
  /** `human` (default) or `json` lines on stderr. */
  stderrFormat?: 'human' | 'json';
  /** Colour the human lines (terminals only). */
  color?: boolean;
}

/**
 * Creates the app logger.
 *
 * @example
 * const log = createLogger({ level: 'info', stderr: (l) => process.stderr.write(`${l}\n`) });
 * log.info({ runId }, 'run started'); // 14:03:07 info  run started  runId=…
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const stderrLevel = options.stderrLevel ?? level;
  const toStderr = options.stderr ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const human = (options.stderrFormat ?? 'human') === 'human';
  const color = options.color ?? false;
  const streams: Array<{ level: Exclude<LogLevel, 'silent'>; stream: pino.DestinationStream }> = [];
  if (stderrLevel !== 'silent') {
    streams.push({
      level: stderrLevel,
      stream: {
        write(chunk: string) {
          if (human) for (const line of formatLogChunk(chunk, { color })) toStderr(line);
          else for (const line of chunk.split('\n')) if (line !== '') toStderr(line);
        },
      },
    });
  }
  if (options.file !== undefined && level !== 'silent') {
    const path = resolve(options.file);
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      throw new AppError(
        'USAGE',
        `--log-file ${path} is a directory; pass a file name, e.g. ${path}/marlts.log`,
        {
          field: 'log.file',
        },
      );
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
      streams.push({ level, stream: pino.destination({ dest: path, sync: true, append: true }) });
    } catch (cause) {
      throw new AppError('CONFIG', `cannot write the log file ${path}: ${(cause as Error).message}`, {
        field: 'log.file',
        cause,
      });
    }
  }
  if (streams.length === 0) return silentLogger();
  const min = streams.reduce<LogLevel>((m, s) => (RANK[s.level] < RANK[m] ? s.level : m), 'silent');
  return pino(
    { level: min, base: { app: 'marlts' }, hooks: { streamWrite: redactUrlSecrets } },
    pino.multistream(streams),
  );
}

/** A logger that drops everything (tests, library-like use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
