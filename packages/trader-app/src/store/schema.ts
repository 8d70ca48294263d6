/**
 * The run store's schema: the migrations that build it, in order, and the runner that
 * applies the pending ones (after backing up a store that already holds data). A new
 * table or column is a new migration at the end; an applied migration never changes.
 */
import { basename, dirname, isAbsolute } from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../app-error.js';
import { backupStore, CHECKPOINT_DIR } from './guard.js';

/**
 * Migrations, applied in order; the index + 1 is the schema version. A function runs
 * inside the migration's transaction.
 */
const MIGRATIONS: Array<string | ((db: Database.Database) => void)> = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    seed INTEGER,
    data_file TEXT,
    data_start INTEGER,
    data_end INTEGER,
    symbols TEXT,
    notes TEXT
  );
  CREATE TABLE configs (
    run_id TEXT NOT NULL REFERENCES runs(id),
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_id, sha256)
  );
  CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    agent TEXT NOT NULL,
    algo TEXT NOT NULL,
    version INTEGER NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    seed INTEGER NOT NULL,
    data_start INTEGER NOT NULL,
    data_end INTEGER NOT NULL,
    config_sha256 TEXT NOT NULL,
    total_timesteps INTEGER NOT NULL,
    parent_id INTEGER REFERENCES checkpoints(id),
    promoted INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (agent, version)
  );
  CREATE TABLE orders (
    client_order_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    broker_order_id TEXT,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL,
    type TEXT NOT NULL,
    limit_price REAL,
    leg TEXT NOT NULL,
    bar_time INTEGER NOT NULL,
    status TEXT NOT NULL,
    filled_qty REAL NOT NULL DEFAULT 0,
    filled_avg_price REAL,
    request TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX orders_status ON orders(run_id, status);
  CREATE TABLE order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL REFERENCES orders(client_order_id),
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    filled_qty REAL NOT NULL,
    detail TEXT
  );
  CREATE TABLE fills (
    execution_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    client_order_id TEXT NOT NULL REFERENCES orders(client_order_id),
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL,
    price REAL NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE TABLE positions (
    run_id TEXT NOT NULL REFERENCES runs(id),
    bar_time INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    qty REAL NOT NULL,
    avg_entry_price REAL,
    market_value REAL,
    PRIMARY KEY (run_id, bar_time, symbol)
  );
  CREATE TABLE equity (
    run_id TEXT NOT NULL REFERENCES runs(id),
    series TEXT NOT NULL,
    t INTEGER NOT NULL,
    value REAL NOT NULL,
    exposure REAL,
    PRIMARY KEY (run_id, series, t)
  );
  CREATE TABLE trades (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    series TEXT NOT NULL,
    t INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    qty REAL NOT NULL,
    price REAL NOT NULL
  );
  CREATE TABLE metrics (
    run_id TEXT NOT NULL REFERENCES runs(id),
    section TEXT NOT NULL,
    agent TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_id, section, agent)
  );
  CREATE TABLE retrain_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    bar_time INTEGER NOT NULL,
    agent TEXT NOT NULL,
    champion_id INTEGER REFERENCES checkpoints(id),
    challenger_id INTEGER REFERENCES checkpoints(id),
    champion_score REAL,
    challenger_score REAL,
    promoted INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE bar_cursor (
    run_id TEXT PRIMARY KEY REFERENCES runs(id),
    bar_time INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE notes (
    run_id TEXT NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  );
  `,
  // v2: checkpoint paths relative to the run directory, so a run dir can be moved or
  // copied. Version 1 stored `<run-dir>/checkpoints/<file>` absolute: the run dir of such
  // a path is the folder above `checkpoints`, whatever it was called then.
  (db) => {
    const rows = db.prepare('SELECT id, path FROM checkpoints').all() as Array<{ id: number; path: string }>;
    const update = db.prepare('UPDATE checkpoints SET path = ? WHERE id = ?');
    for (const r of rows) {
      if (!isAbsolute(r.path) || basename(dirname(r.path)) !== CHECKPOINT_DIR) continue;
      update.run(`${CHECKPOINT_DIR}/${basename(r.path)}`, r.id);
    }
  },
  // v3: sweeps (#14). A sweep's configurations, and its jobs keyed by their content-hashed
  // id, so a job's result is stored once however many times a worker ran it; start_count
  // records how often a job was started (a resumed sweep must not restart finished jobs).
  `
  CREATE TABLE sweep_configs (
    run_id TEXT NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    config_sha256 TEXT NOT NULL,
    axes TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
  );
  CREATE TABLE sweep_jobs (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    config_idx INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    label TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    start_count INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    error_code TEXT,
    error TEXT,
    result TEXT,
    checkpoints TEXT,
    started_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX sweep_jobs_run ON sweep_jobs(run_id, status);
  `,
];

/**
 * The schema version this marlts writes.
 *
 * @example
 * store.schemaVersion() === SCHEMA_VERSION; // after RunStore.open
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The schema version of an open database (0 = empty database).
 *
 * @example
 * readSchemaVersion(db); // 2
 */
export function readSchemaVersion(db: Database.Database): number {
  const has = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .get();
  if (!has) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * True when the database has no tables at all (a new or emptied file).
 *
 * @example
 * isEmptyDatabase(db); // true for a file created a moment ago
 */
export function isEmptyDatabase(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get() === undefined;
}

/**
 * Applies pending migrations, each in its own transaction. A store that already holds
 * a schema is first copied to `<file>.bak-v<current>`; returns that backup's path, if any.
 * Refuses a store written by a newer marlts.
 *
 * @example
 * const { backupPath } = migrateStore(db, { path: '/runs/a/marlts.db', dir: '/runs/a', file: 'marlts.db' });
 */
export function migrateStore(
  db: Database.Database,
  store: { path: string; dir: string; file: string },
): { backupPath: string | undefined } {
  const current = readSchemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new AppError(
      'STORE',
      `run store ${store.path} has schema version ${current}, newer than this marlts (${MIGRATIONS.length}); upgrade marlts`,
    );
  }
  let backupPath: string | undefined;
  if (current > 0 && current < MIGRATIONS.length) {
    backupPath = backupStore(db, store.dir, store.file, current);
  }
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)',
  );
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v]!;
      if (typeof m === 'string') db.exec(m);
      else m(db);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(v + 1, Date.now());
    })();
  }
  return { backupPath };
}
