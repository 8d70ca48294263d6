/**
 * Turns one pino JSON record into the line a person reads on stderr:
 * `14:03:07 info  retrain decision  agent=rl-long-0 promoted=true champScore=-0.000568`.
 * The JSON stays the format of `--log-file` and `--log-format json`.
 */
import { createColors } from 'picocolors';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields pino adds to every record; the line shows them in its own way or not at all. */
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app', 'v']);

function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    // Scores such as -0.0005679977287689209 are read, not diffed: 4 significant digits do.
    return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(4)));
  }
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) {
    return JSON.stringify(v.join('; '));
  }
  if (v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
    return JSON.stringify((v as { message: string }).message); // a serialised Error: its message
  }
  return JSON.stringify(v);
}

/**
 * The human line of a pino record (without a newline). `color` adds ANSI colours to the
 * level (terminals only).
 *
 * @example
 * formatLogRecord({ level: 40, time: Date.UTC(2024, 0, 2, 14, 3, 7), msg: 'order rejected', symbol: 'AAPL' });
 * // '14:03:07 warn  order rejected  symbol=AAPL' (in local time)
 */
export function formatLogRecord(record: Record<string, unknown>, options: { color?: boolean } = {}): string {
  const c = createColors(options.color ?? false);
  const level = LEVELS[record.level as number] ?? String(record.level ?? 'info');
  const paint =
    level === 'warn'
      ? c.yellow
      : level === 'error' || level === 'fatal'
        ? c.red
        : level === 'info'
          ? c.cyan
          : c.dim;
  const time = typeof record.time === 'number' ? new Date(record.time) : new Date();
  const hhmmss = [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  const fields = Object.entries(record)
    .filter(([k, v]) => !OMIT.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return `${c.dim(hhmmss)} ${paint(level.padEnd(5))} ${msg}${fields ? `  ${c.dim(fields)}` : ''}`;
}

/**
 * Formats a chunk pino wrote (one or more JSON lines); a line that is not JSON passes
 * through unchanged.
 *
 * @example
 * formatLogChunk('{"level":30,"time":0,"msg":"hi"}\n'); // ['01:00:00 info  hi'] (in local time)
 */
export function formatLogChunk(chunk: string, options: { color?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const line of chunk.split('\n')) {
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      out.push(line);
      continue;
    }
    out.push(
      record !== null && typeof record === 'object' && !Array.isArray(record)
        ? formatLogRecord(record as Record<string, unknown>, options)
        : line,
    );
  }
  return out;
}
