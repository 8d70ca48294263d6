/**
 * What every command receives: the resolved config, the secrets, a logger, progress
 * output and the streams to print results on. Built once in `main.ts`.
 */
import type { AppConfig, Secrets } from './config.js';
import type { Logger } from './log.js';
import type { ProgressReporter } from './progress.js';

export interface CommandContext {
  config: AppConfig;
  secrets: Secrets;
  log: Logger;
  progress: ProgressReporter;
  /** Results go to stdout (paths, URLs, summaries). */
  out: (text: string) => void;
  /** Human messages go to stderr. */
  err: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM; long loops check it and stop cleanly. */
  signal: AbortSignal;
  /** Whether stdin/stdout are a TTY (for confirmations). */
  isTty: boolean;
  /** Reads one line from the user (only when isTty). */
  ask: (question: string) => Promise<string>;
}
