import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from './app-error.js';
import { acquireRunLock, LOCK_FILE } from './run-lock.js';

const dir = () => mkdtempSync(join(tmpdir(), 'marlts-lock-'));

/** A real node process: alive until killed, or one that already exited. */
async function child(alive: boolean): Promise<{ pid: number; kill: () => Promise<void> }> {
  const p = spawn(process.execPath, ['-e', alive ? 'setInterval(() => {}, 1000)' : ''], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => p.on('exit', () => r()));
  await new Promise<void>((r) => p.on('spawn', () => r()));
  if (!alive) await exited;
  return {
    pid: p.pid!,
    kill: async () => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      await exited;
    },
  };
}

function lockOf(pid: number, host = hostname()) {
  return JSON.stringify({
    pid,
    host,
    startedAt: '2026-01-02T03:04:05.000Z',
    command: 'marlts paper --run-dir r',
    token: `t${pid}`,
  });
}

function refusal(fn: () => unknown): { message: string; hint: string } {
  try {
    fn();
  } catch (e) {
    expect(isAppError(e, 'RUN_LOCKED')).toBe(true);
    return { message: (e as Error).message, hint: (e as { hint: string }).hint };
  }
  throw new Error('expected RUN_LOCKED');
}

describe('run-directory lock', () => {
  it('refuses a second writer while the first holds the lock, naming pid, command and start time', () => {
    const d = dir();
    const first = acquireRunLock(d, { command: 'marlts paper --run-dir d' });
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'marlts paper --run-dir d',
    });
    const r = refusal(() => acquireRunLock(d, { command: 'marlts train --run-dir d' }));
    expect(r.message).toContain(`in use by marlts pid ${process.pid}`);
    expect(r.message).toContain('"marlts paper --run-dir d"');
    expect(r.message).toContain(`started ${first.info.startedAt}`);
    expect(r.hint).toMatch(/kill -INT \d+|another --run-dir/);
    first.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
    const second = acquireRunLock(d, { command: 'marlts train --run-dir d' });
    expect(second.tookOver).toBeUndefined();
    second.release();
  });

  it('refuses while the holder is another live process', async () => {
    const d = dir();
    const holder = await child(true);
    try {
      writeFileSync(join(d, LOCK_FILE), lockOf(holder.pid));
      expect(refusal(() => acquireRunLock(d, { command: 'marlts paper' })).message).toContain(
        `pid ${holder.pid}`,
      );
    } finally {
      await holder.kill();
    }
    // Once it is gone (kill -9 leaves the file behind), the lock is stale and taken over.
    const lock = acquireRunLock(d, { command: 'marlts paper' });
    expect(lock.tookOver?.pid).toBe(holder.pid);
    expect(lock.note).toContain(`left by pid ${holder.pid}`);
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose process has exited', async () => {
    const d = dir();
    const gone = await child(false);
    writeFileSync(join(d, LOCK_FILE), lockOf(gone.pid));
    const lock = acquireRunLock(d, { command: 'marlts train' });
    expect(lock.tookOver?.command).toBe('marlts paper --run-dir r');
    lock.release();
  });

  it('cannot check a process on another host: refuses and says how to clear it', () => {
    const d = dir();
    writeFileSync(join(d, LOCK_FILE), lockOf(1, 'elsewhere.example'));
    const r = refusal(() => acquireRunLock(d, { command: 'marlts paper' }));
    expect(r.message).toContain('on elsewhere.example');
    expect(r.hint).toContain(`delete ${join(d, LOCK_FILE)}`);
  });

  it('release removes only its own lock', () => {
    const d = dir();
    const lock = acquireRunLock(d, { command: 'marlts paper' });
    // Someone deleted the file by hand and another process took the lock since.
    writeFileSync(join(d, LOCK_FILE), lockOf(process.pid));
    lock.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(true);
  });

  it('removes a run directory it created when the command left it empty', () => {
    const d = join(dir(), 'new-run');
    acquireRunLock(d, { command: 'marlts paper' }).release();
    expect(existsSync(d)).toBe(false);
  });
});
