/**
 * Progress reporting: cli-progress bars on a terminal, plain periodic lines when
 * stderr is not a TTY or `CI` is set, so CI logs stay readable. Writes to stderr.
 */
import cliProgress from 'cli-progress';

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
export function isInteractive(stream: NodeJS.WriteStream = process.stderr, env = process.env): boolean {
  return Boolean(stream.isTTY) && !env.CI;
}

/**
 * A progress reporter for `stream` (stderr by default). `quiet` prints nothing.
 *
 * @example
 * const task = createProgress().start('train PPO', 4096);
 * task.update(2048, 'reward 0.1'); task.stop();
 */
export function createProgress(
  options: {
    stream?: NodeJS.WriteStream;
    quiet?: boolean;
    interactive?: boolean;
    minIntervalMs?: number;
  } = {},
): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) {
    return { start: () => ({ update() {}, stop() {} }), line() {} };
  }
  const interactive = options.interactive ?? isInteractive(stream);
  const minIntervalMs = options.minIntervalMs ?? 5000;
  return {
    line(text) {
      stream.write(`${text}\n`);
    },
    start(label, total) {
      if (interactive) {
        const bar = new cliProgress.SingleBar(
          {
            format: `${label.padEnd(28)} [{bar}] {percentage}% {value}/{total} {info}`,
            stream,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { info: '' });
        return {
          update(value, info = '') {
            bar.update(Math.min(value, total), { info });
          },
          stop(info = '') {
            bar.update(total, { info });
            bar.stop();
          },
        };
      }
      // Plain lines: the start, then at most one line per interval, then the end.
      const started = Date.now();
      let last = started;
      stream.write(`${label}: 0/${total}\n`);
      return {
        update(value, info = '') {
          const now = Date.now();
          if (now - last < minIntervalMs) return;
          last = now;
          const pct = total > 0 ? Math.round((100 * value) / total) : 100;
          stream.write(`${label}: ${value}/${total} (${pct}%) ${info}\n`);
        },
        stop(info = '') {
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          stream.write(`${label}: done ${total}/${total} in ${secs}s ${info}\n`);
        },
      };
    },
  };
}
