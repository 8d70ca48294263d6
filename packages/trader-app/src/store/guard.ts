/**
 * What keeps a run store from silently losing a run: an integrity check when it opens
 * (a damaged or foreign file is refused with the recovery steps instead of failing later
 * in the middle of a session), an automatic backup before every migration, and a refusal
 * to start an empty store in a run directory that already holds checkpoints (the store
 * that knew them is gone; a new one would reuse their file names).
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../app-error.js';

/** The folder of checkpoint files inside a run directory. */
export const CHECKPOINT_DIR = 'checkpoints';

/**
 * The automatic backups of `<dir>/<file>` (`<file>.bak-v<N>…`), newest first.
 *
 * @example
 * listStoreBackups('runs/a', 'marlts.db'); // ['/…/runs/a/marlts.db.bak-v1']
 */
export function listStoreBackups(dir: string, file: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${file}.bak-v`))
    .map((n) => join(dir, n))
    .map((p) => ({ p, t: statSync(p).mtimeMs }))
    .sort((a, b) => b.t - a.t || (a.p < b.p ? 1 : -1))
    .map((x) => x.p);
}

/**
 * What to do about an unusable store at `path`: move it (and its WAL files, which belong
 * to it) aside, then restore the newest backup or start over in another run directory.
 *
 * @example
 * recoveryHint('/runs/a', 'marlts.db');
 */
export function recoveryHint(dir: string, file: string): string {
  const path = join(dir, file);
  const backup = listStoreBackups(dir, file)[0];
  const aside = `move ${file} and any ${file}-wal/${file}-shm out of ${dir} (mkdir ${dir}/broken && mv ${path}* ${dir}/broken/)`;
  return backup
    ? `${aside}, then restore the automatic backup taken before the last migration (cp ${dir}/broken/${backup.slice(dir.length + 1)} ${path}; it lacks what was recorded after it), or use a new --run-dir`
    : `${aside} and use a new --run-dir (there is no automatic backup; \`sqlite3 ${dir}/broken/${file} .recover\` may salvage rows)`;
}

/**
 * Runs `PRAGMA quick_check` (and so reads the header): a file that is not SQLite, is
 * truncated, or has damaged pages becomes `AppError('STORE_CORRUPT')` with the recovery
 * steps.
 *
 * @example
 * checkIntegrity(db, '/runs/a', 'marlts.db');
 */
export function checkIntegrity(db: Database.Database, dir: string, file: string): void {
  const path = join(dir, file);
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as Array<{ quick_check: string }>)
      .map((r) =>
        r.quick_check
          .replace(/\*\*\* in database \w+ \*\*\*/, '')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter((m) => m !== 'ok');
  } catch (cause) {
    const code = String((cause as { code?: unknown }).code ?? '');
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new AppError('STORE', `the run store ${path} stayed locked by another process`, {
        hint: 'another marlts command is writing this run directory; wait for it or use another --run-dir',
        cause,
      });
    }
    throw new AppError(
      'STORE_CORRUPT',
      `${path} is not a usable marlts run store (${(cause as Error).message})`,
      { hint: recoveryHint(dir, file), field: 'runDir', cause },
    );
  }
  if (problems.length > 0) {
    throw new AppError(
      'STORE_CORRUPT',
      `the run store ${path} is damaged (quick_check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; … ${problems.length} problems` : ''})`,
      { hint: recoveryHint(dir, file), field: 'runDir' },
    );
  }
}

/**
 * Copies the open store to `<file>.bak-v<version>` (a consistent snapshot through
 * `VACUUM INTO`, synced to disk) before a migration changes it; an existing backup of the
 * same version is kept and the new one gets a numbered suffix. Returns the backup's path.
 *
 * @example
 * backupStore(db, '/runs/a', 'marlts.db', 1); // '/runs/a/marlts.db.bak-v1'
 */
export function backupStore(db: Database.Database, dir: string, file: string, version: number): string {
  const base = join(dir, `${file}.bak-v${version}`);
  let dest = base;
  for (let n = 2; existsSync(dest); n++) dest = `${base}.${n}`;
  db.prepare('VACUUM INTO ?').run(dest);
  const fd = openSync(dest, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return dest;
}

/** Checkpoint files in `<dir>/checkpoints` (names relative to `dir`). */
export function checkpointFiles(dir: string): string[] {
  try {
    return readdirSync(join(dir, CHECKPOINT_DIR), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => `${CHECKPOINT_DIR}/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Refuses to start an empty run store in a run directory that holds checkpoint files:
 * the store that recorded them is missing or was emptied, and a new one would count
 * versions from 1 again over the same file names.
 *
 * @example
 * refuseOrphanCheckpoints('/runs/a', 'marlts.db', 'empty');
 */
export function refuseOrphanCheckpoints(dir: string, file: string, state: 'missing' | 'empty'): void {
  const files = checkpointFiles(dir);
  if (files.length === 0) return;
  const path = join(dir, file);
  const backup = listStoreBackups(dir, file)[0];
  throw new AppError(
    'STORE',
    `the run store ${path} is ${state}, but ${dir} holds ${files.length} checkpoint file(s) it recorded (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''}): refusing to start a new run over them`,
    {
      hint: backup
        ? `restore the store (cp ${backup} ${path}) or put back your copy of marlts.db, or use a new --run-dir`
        : `put back your copy of ${path}, or use a new --run-dir (marlts never overwrites checkpoint files)`,
      field: 'runDir',
    },
  );
}
