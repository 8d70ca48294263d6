/**
 * One writer per run directory: `<run-dir>/.lock` names the process that writes the run
 * (`paper`, `train`, `backtest`, `demo`). Two live loops on one run dir would attach to
 * the same run, train and promote the same checkpoint versions, trade the same bars and
 * fight over the SQLite write lock; the second one is refused instead. A lock whose
 * process died (kill -9, power loss) on this host is stale and is taken over.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from './app-error.js';

/** The lock file's name inside a run directory. */
export const LOCK_FILE = '.lock';

/** What a lock file holds. */
export interface RunLockInfo {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** The holder's command line, e.g. `marlts paper --run-dir runs/a`. */
  command: string;
  /** Random per acquisition, so a release never removes a lock it does not own. */
  token: string;
}

const lockInfoSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.string(),
  command: z.string(),
  token: z.string(),
});

/** A held run-directory lock. */
export interface RunLock {
  readonly path: string;
  readonly info: RunLockInfo;
  /** The stale lock this one replaced (its process was gone), if any. */
  readonly tookOver: RunLockInfo | undefined;
  /** A line for the user when a stale lock was taken over. */
  readonly note: string | undefined;
  /** Removes the lock file (if it is still this lock's); idempotent. Also runs on process exit. */
  release(): void;
}

const acquireSchema = z.object({
  /** The command line recorded in the lock (shown to a refused second process). */
  command: z.string().min(1),
});

/** Whether process `pid` exists on this host (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's content; `undefined` when it vanished meanwhile, `null` when unreadable. */
function readLock(path: string): RunLockInfo | undefined | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return null;
  }
  try {
    const parsed = lockInfoSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describe(h: RunLockInfo): string {
  return `pid ${h.pid} on ${h.host} ("${h.command}", started ${h.startedAt})`;
}

/**
 * Creates `path` holding `text`, failing with EEXIST when it exists. A hard link of a
 * fully written temp file makes the content appear atomically (a reader never sees a
 * half-written lock); filesystems without hard links fall back to `wx`.
 */
function createExclusive(path: string, tmp: string, text: string): void {
  try {
    linkSync(tmp, path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw e;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
  }
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes the lock of `runDir` (creating the directory if needed) or throws
 * `AppError('RUN_LOCKED')` naming the process that holds it and how to proceed. A lock
 * left by a process that no longer runs on this host is taken over (see `note`).
 *
 * @example
 * const lock = acquireRunLock('runs/a', { command: 'marlts paper --run-dir runs/a' });
 * try { await trade(); } finally { lock.release(); }
 */
export function acquireRunLock(runDir: string, options: { command: string }): RunLock {
  const { command } = acquireSchema.parse(options);
  const dir = resolve(runDir);
  const path = join(dir, LOCK_FILE);
  const createdDir = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const info: RunLockInfo = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(info)}\n`;
  const tmp = join(dir, `${LOCK_FILE}.${process.pid}.${info.token}`);
  writeFileSync(tmp, text);
  let tookOver: RunLockInfo | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        createExclusive(path, tmp, text);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw e;
      }
      const holder = readLock(path);
      if (holder === undefined) continue; // released meanwhile: try again
      if (holder === null) {
        throw new AppError(
          'RUN_LOCKED',
          `run directory ${dir} is locked by ${path}, which is not a marlts lock`,
          {
            hint: `if no marlts command is running on ${dir}, delete ${path} and retry`,
            field: 'runDir',
          },
        );
      }
      const sameHost = holder.host === info.host;
      if (!sameHost || holder.pid === process.pid || processAlive(holder.pid)) {
        throw new AppError(
          'RUN_LOCKED',
          `run directory ${dir} is in use by marlts ${describe(holder)}: one command writes a run directory at a time`,
          {
            hint: sameHost
              ? `wait for it to finish or stop it (kill -INT ${holder.pid}), or use another --run-dir`
              : `marlts cannot check a process on ${holder.host}; if it no longer runs there, delete ${path}, or use another --run-dir`,
            field: 'runDir',
          },
        );
      }
      // Stale: move it aside under a unique name, then check that what moved is the lock
      // judged stale (a racing process may have replaced it meanwhile).
      const aside = join(dir, `${LOCK_FILE}.stale.${process.pid}.${info.token}`);
      try {
        renameSync(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = readLock(aside);
      if (moved && moved.token !== holder.token) {
        // Not ours to remove: put it back unless yet another lock appeared.
        try {
          linkSync(aside, path);
        } catch {
          // The place is taken again; the next attempt reports its holder.
        }
        unlinkSync(aside);
        continue;
      }
      unlinkSync(aside);
      tookOver = holder;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // The wx fallback never created it, or it is already gone.
    }
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readLock(path)?.token === info.token) {
      try {
        unlinkSync(path);
      } catch {
        // Removed by hand meanwhile.
      }
    }
    if (createdDir) {
      try {
        rmdirSync(dir); // only when the command left it empty (it failed before writing)
      } catch {
        // Not empty: the run's files stay.
      }
    }
  };
  // A second Ctrl-C ends the process with process.exit: the lock goes with it.
  process.on('exit', release);
  return {
    path,
    info,
    tookOver,
    note: tookOver
      ? `note: took over the lock of ${dir} left by ${describe(tookOver)}, which no longer runs`
      : undefined,
    release,
  };
}
