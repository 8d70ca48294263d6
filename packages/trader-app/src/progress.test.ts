import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { formatLogRecord } from './log-format.js';
import { createProgress, isInteractive, renderBar } from './progress.js';
import { createStderrOutput } from './stderr-output.js';

function sink(tty: boolean, columns = 200) {
  const chunks: string[] = [];
  const output = createStderrOutput({ write: (t) => void chunks.push(t), tty, columns: () => columns });
  return { output, text: () => chunks.join(''), chunks };
}

/** What a terminal shows after `raw`: `\r` returns to the line start, `\x1b[2K` / `\x1b[K` erase. */
function screen(raw: string): string[] {
  const lines: string[] = [''];
  let col = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\x1b') {
      const m = /^\[(\d*)K/.exec(raw.slice(i + 1));
      if (!m) throw new Error(`unexpected escape at ${i}`);
      const cur = lines.at(-1)!;
      lines[lines.length - 1] = m[1] === '2' ? '' : cur.slice(0, col);
      if (m[1] === '2') col = 0;
      i += m[0].length;
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      lines.push('');
      col = 0;
    } else {
      const cur = lines.at(-1)!;
      lines[lines.length - 1] = cur.slice(0, col) + ch + cur.slice(col + 1);
      col++;
    }
  }
  return lines;
}

describe('progress', () => {
  it('prints plain lines without escape codes when not on a TTY or in CI', () => {
    expect(isInteractive({ isTTY: true }, { CI: '1' })).toBe(false);
    expect(isInteractive({ isTTY: false }, {})).toBe(false);
    expect(isInteractive({ isTTY: true }, {})).toBe(true);
    const s = sink(false);
    const task = createProgress({ output: s.output, minIntervalMs: 0 }).start('train PPO', 100);
    task.update(50, 'halfway');
    task.stop();
    const lines = s.text().trim().split('\n');
    expect(lines[0]).toBe('train PPO: 0/100');
    expect(lines[1]).toBe('train PPO: 50/100 (50%) halfway');
    expect(lines[2]).toMatch(/^train PPO: done 100\/100 in \d+\.\ds$/);
    expect(s.text()).not.toContain('\x1b');
    expect(s.text()).not.toContain('\r');
  });

  it('prints nothing when quiet', () => {
    const s = sink(true);
    const p = createProgress({ output: s.output, quiet: true });
    p.start('x', 1).stop();
    p.line('hello');
    expect(s.text()).toBe('');
  });

  it('on a terminal, prints log lines above the bar, never on it', () => {
    const s = sink(true);
    const log = createLogger({ level: 'info', stderr: (l) => s.output.line(l) });
    const task = createProgress({ output: s.output, redrawMs: 0 }).start('paper replay', 42);
    task.update(2, '0 retrains');
    log.info({ agent: 'rl-long-0', promoted: true }, 'retrain decision');
    task.update(3, '1 retrains');
    log.warn('order rejected');
    task.stop('1 retrains');
    const shown = screen(s.text());
    // Every line is either a whole log line or a whole bar: nothing shares a line.
    expect(shown.at(-1)).toBe('');
    const body = shown.slice(0, -1);
    expect(body).toHaveLength(3);
    expect(body[0]).toMatch(/^\d\d:\d\d:\d\d info {2}retrain decision {2}agent=rl-long-0 promoted=true$/);
    expect(body[1]).toMatch(/^\d\d:\d\d:\d\d warn {2}order rejected$/);
    expect(body[2]).toMatch(/^paper replay +\[█{24}\] 100% 42\/42 1 retrains \d+\.\ds$/);
    expect(s.text()).not.toContain('{"level"');
    // While the bar was live, each log line was printed as: clear the bar, the line, the bar again.
    const logAt = s.chunks.findIndex((c) => c.includes('retrain decision'));
    expect(s.chunks[logAt]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(s.chunks[logAt + 1]).toBe(renderBar('paper replay', 2, 42, '0 retrains'));
  });

  it('brings back the outer bar when a nested task finishes', () => {
    const s = sink(true);
    const p = createProgress({ output: s.output, redrawMs: 0 });
    const outer = p.start('paper replay', 42);
    outer.update(21, '0 retrains');
    p.start('retrain PPO long', 256).stop();
    const shown = screen(s.text());
    expect(shown[0]).toMatch(/^retrain PPO long +\[█+\] 100% 256\/256 \d+\.\ds$/);
    expect(shown[1]).toBe(renderBar('paper replay', 21, 42, '0 retrains'));
    outer.stop();
  });

  it('cuts the live bar to the terminal width so it never wraps', () => {
    const s = sink(true, 40);
    createProgress({ output: s.output }).start('a very long label for a narrow terminal', 10);
    expect(screen(s.text())[0]!.length).toBeLessThan(40);
  });
});

describe('log', () => {
  it('appends pino JSON lines to --log-file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'marlts-log-')), 'sub', 'marlts.log');
    const log = createLogger({ level: 'info', file, stderrLevel: 'silent' });
    log.info({ runId: 'r1' }, 'run started');
    log.debug('hidden');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, app: 'marlts', runId: 'r1', msg: 'run started' });
  });

  it('writes human lines on stderr by default, JSON with stderrFormat json, and honours stderrLevel', () => {
    const human: string[] = [];
    const json: string[] = [];
    const quiet: string[] = [];
    for (const [lines, o] of [
      [human, {}],
      [json, { stderrFormat: 'json' as const }],
      [quiet, { stderrLevel: 'warn' as const }],
    ] as const) {
      const log = createLogger({ level: 'info', stderr: (l) => void lines.push(l), ...o });
      log.info({ notes: ['XOM stop-loss at -5.5%'], score: -0.0005679977287689209 }, 'risk rules applied');
      log.warn({ url: 'http://me:hunter2@127.0.0.1:9/v2' }, 'broker slow');
    }
    expect(human).toHaveLength(2);
    expect(human[0]).toMatch(
      / info {2}risk rules applied {2}notes="XOM stop-loss at -5.5%" score=-0.000568$/,
    );
    expect(human[1]).toContain('url=http://me:***@127.0.0.1:9/v2');
    expect(human.join('\n')).not.toContain('{');
    expect(JSON.parse(json[0]!)).toMatchObject({ level: 30, msg: 'risk rules applied' });
    expect(json[1]).not.toContain('hunter2');
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toContain('broker slow');
  });

  it('formats a record with a coloured level only when asked', () => {
    const r = { level: 50, time: 0, msg: 'boom', err: { message: 'socket hang up', stack: '…' } };
    expect(formatLogRecord(r)).toMatch(/^\d\d:\d\d:\d\d error boom {2}err="socket hang up"$/);
    expect(formatLogRecord(r, { color: true })).toContain('\x1b[31m');
  });
});
