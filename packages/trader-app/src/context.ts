/**
 * What every command receives: the resolved config, the secrets, a logger, progress
 * output and the streams to print results on. Built once in `main.ts`. The output
 * contract: `out` = results (stdout); `err`, `info`, logs and progress = stderr.
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
  /** Human messages that matter even with `-q` (warnings, notices) go to stderr. */
  err: (text: string) => void;
  /** Narration of what the command is doing (stderr; `-q` hides it). */
  info: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM; long loops check it and stop cleanly. */
  signal: AbortSignal;
  /** Whether stdin/stdout are a TTY (for confirmations). */
  isTty: boolean;
  /** Reads one line from the user (only when isTty). */
  ask: (question: string) => Promise<string>;
}
