import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { createProgress, isInteractive } from './progress.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('progress', () => {
  it('prints plain lines when not on a TTY or in CI', () => {
    expect(isInteractive({ isTTY: true } as NodeJS.WriteStream, { CI: '1' })).toBe(false);
    expect(isInteractive({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
    expect(isInteractive({ isTTY: true } as NodeJS.WriteStream, {})).toBe(true);
    const s = sink();
    const task = createProgress({ stream: s.stream, interactive: false, minIntervalMs: 0 }).start(
      'train PPO',
      100,
    );
    task.update(50, 'halfway');
    task.stop();
    const lines = s.text().trim().split('\n');
    expect(lines[0]).toBe('train PPO: 0/100');
    expect(lines[1]).toBe('train PPO: 50/100 (50%) halfway');
    expect(lines[2]).toMatch(/^train PPO: done 100\/100 in \d+\.\ds/);
  });

  it('prints nothing when quiet', () => {
    const s = sink();
    const p = createProgress({ stream: s.stream, quiet: true });
    p.start('x', 1).stop();
    p.line('hello');
    expect(s.text()).toBe('');
  });
});

describe('log', () => {
  it('writes pino JSON lines to --log-file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'marlts-log-')), 'sub', 'marlts.log');
    const log = createLogger({ level: 'info', file });
    log.info({ runId: 'r1' }, 'run started');
    log.debug('hidden');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, app: 'marlts', runId: 'r1', msg: 'run started' });
  });
});
