/**
 * Progress reporting on stderr: a live bar on a terminal (drawn as the status line of
 * `StderrOutput`, so log lines print above it instead of through it), plain periodic
 * lines without escape codes when stderr is not a TTY or `CI` is set. `-q` prints none.
 */
import { createStderrOutput, type StderrOutput } from './stderr-output.js';

/** One unit of work with a known total. */
export interface ProgressTask {
  /** Sets the absolute progress; `info` is shown beside the bar. */
  update(value: number, info?: string): void;
  /** Marks the task done. */
  stop(info?: string): void;
}

export interface ProgressReporter {
  start(label: string, total: number): ProgressTask;
  /** A one-off status line. */
  line(text: string): void;
}

/** Whether bars should be drawn (a TTY on stderr and not CI). */
export function isInteractive(stream: { isTTY?: boolean } = process.stderr, env = process.env): boolean {
  return Boolean(stream.isTTY) && !env.CI;
}

const BAR_WIDTH = 24;

/**
 * The bar line of a task: `label [██████░░░░░░] 50% 2048/4096 info`.
 *
 * @example
 * renderBar('train PPO', 1, 4, 'reward 0.1'); // 'train PPO                    [██████░░░…] 25% 1/4 reward 0.1'
 */
export function renderBar(label: string, value: number, total: number, info = ''): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, value / total)) : 1;
  const full = Math.round(frac * BAR_WIDTH);
  const bar = '█'.repeat(full) + '░'.repeat(BAR_WIDTH - full);
  return `${label.padEnd(28)} [${bar}] ${Math.round(frac * 100)}% ${Math.min(value, total)}/${total}${info ? ` ${info}` : ''}`;
}

/**
 * A progress reporter on `output` (stderr by default). `quiet` prints nothing.
 *
 * @example
 * const task = createProgress().start('train PPO', 4096);
 * task.update(2048, 'reward 0.1'); task.stop();
 */
export function createProgress(
  options: {
    output?: StderrOutput;
    quiet?: boolean;
    /** Draw a live bar (default: when `output` is an interactive terminal). */
    interactive?: boolean;
    /** Plain mode: at most one progress line per this many ms (default 5 s). */
    minIntervalMs?: number;
    /** Bar mode: at most one redraw per this many ms (default 100; the last state is always drawn). */
    redrawMs?: number;
  } = {},
): ProgressReporter {
  const output =
    options.output ??
    createStderrOutput({
      write: (t) => void process.stderr.write(t),
      tty: isInteractive(process.stderr),
      columns: () => process.stderr.columns,
    });
  if (options.quiet) {
    return { start: () => ({ update() {}, stop() {} }), line() {} };
  }
  const interactive = options.interactive ?? output.tty;
  const minIntervalMs = options.minIntervalMs ?? 5000;
  const redrawMs = options.redrawMs ?? 100;
  // Tasks nest (a retrain inside the paper replay): the newest live bar is shown, and
  // when it finishes the one it interrupted comes back.
  const live: Array<{ bar: string }> = [];
  const showTop = () => output.status(live.at(-1)?.bar);
  return {
    line(text) {
      output.line(text);
    },
    start(label, total) {
      const started = Date.now();
      const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
      if (interactive) {
        let lastDraw = 0;
        const entry = { bar: renderBar(label, 0, total) };
        live.push(entry);
        showTop();
        return {
          update(value, info = '') {
            const now = Date.now();
            if (now - lastDraw < redrawMs) return;
            lastDraw = now;
            entry.bar = renderBar(label, value, total, info);
            if (live.at(-1) === entry) showTop();
          },
          stop(info = '') {
            const i = live.indexOf(entry);
            if (i < 0) return;
            live.splice(i, 1);
            // The finished bar stays as a line of the scrollback, above the live line.
            output.status(undefined);
            output.line(`${renderBar(label, total, total, info)} ${elapsed()}`);
            showTop();
          },
        };
      }
      // Plain lines: the start, then at most one line per interval, then the end.
      let last = started;
      output.line(`${label}: 0/${total}`);
      return {
        update(value, info = '') {
          const now = Date.now();
          if (now - last < minIntervalMs) return;
          last = now;
          const pct = total > 0 ? Math.round((100 * value) / total) : 100;
          output.line(`${label}: ${value}/${total} (${pct}%)${info ? ` ${info}` : ''}`);
        },
        stop(info = '') {
          output.line(`${label}: done ${total}/${total} in ${elapsed()}${info ? ` ${info}` : ''}`);
        },
      };
    },
  };
}
