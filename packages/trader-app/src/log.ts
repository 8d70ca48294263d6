/**
 * One pino logger for the app: JSON lines on stderr (stdout stays for results), or
 * appended to a file with `--log-file`. Libraries never log; the app logs for them.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Creates the app logger.
 *
 * @example
 * const log = createLogger({ level: 'info' });
 * log.info({ runId }, 'run started');
 */
export function createLogger(options: { level?: string; file?: string | undefined } = {}): Logger {
  const level = options.level ?? 'info';
  if (options.file !== undefined) {
    const path = resolve(options.file);
    mkdirSync(dirname(path), { recursive: true });
    return pino(
      { level, base: { app: 'marlts' } },
      pino.destination({ dest: path, sync: true, append: true }),
    );
  }
  return pino({ level, base: { app: 'marlts' } }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything (tests, library-like use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
