/**
 * The one writer of stderr. On a terminal it owns a live status line (the progress
 * bar) under the printed lines: a log or status message first clears the bar, prints
 * its line, then redraws the bar, so the two never share a line. Off a terminal there
 * is no live line and every message is a plain line. Credentials in URLs are masked
 * in everything that passes through.
 */
import { redactUrlSecrets } from './redact-url.js';

/** stderr as the app uses it. */
export interface StderrOutput {
  /** Whether stderr is an interactive terminal (bars and colours allowed). */
  readonly tty: boolean;
  /** Prints `text` (one or more lines) above the live status line. */
  line(text: string): void;
  /** Shows `text` as the live status line (terminal only), or removes it (`undefined`). */
  status(text: string | undefined): void;
  /** Writes raw text (a commander usage message, a prompt) after clearing the live line. */
  raw(text: string): void;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * Creates the stderr writer over `write` (e.g. `process.stderr.write`).
 *
 * @example
 * const err = createStderrOutput({ write: (t) => process.stderr.write(t), tty: process.stderr.isTTY });
 * err.status('train [####    ] 50%'); err.line('12:00:01 info  checkpoint saved'); err.status(undefined);
 */
export function createStderrOutput(options: {
  write: (text: string) => void;
  tty: boolean;
  /** Terminal width; the status line is cut to it, since a wrapped line cannot be cleared with `\r`. */
  columns?: () => number | undefined;
}): StderrOutput {
  const { write, tty } = options;
  let current: string | undefined;
  const fit = (s: string) => {
    // A pseudo-terminal without a size (script, some CI runners) reports 0 columns.
    const cols = options.columns?.() || 80;
    return s.length >= cols ? s.slice(0, Math.max(1, cols - 1)) : s;
  };
  const clear = () => {
    if (current !== undefined) write(CLEAR_LINE);
  };
  const redraw = () => {
    if (current !== undefined) write(current);
  };
  return {
    tty,
    line(text) {
      const body = redactUrlSecrets(text.endsWith('\n') ? text : `${text}\n`);
      if (!tty || current === undefined) {
        write(body);
        return;
      }
      write(CLEAR_LINE + body);
      redraw();
    },
    status(text) {
      if (!tty) return;
      if (text === undefined) {
        clear();
        current = undefined;
        return;
      }
      const next = fit(redactUrlSecrets(text));
      if (next === current) return;
      current = next;
      write(`\r${next}\x1b[K`);
    },
    raw(text) {
      clear();
      write(redactUrlSecrets(text));
      if (text.endsWith('\n')) redraw();
      else current = undefined; // a prompt waits on this line: the bar must not overwrite it
    },
  };
}
