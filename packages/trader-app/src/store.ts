/**
 * The run store: one SQLite file per run directory (`<run-dir>/marlts.db`, WAL,
 * synchronous=FULL). Every logical event (an order intent, a broker acknowledgement,
 * a fill, a position snapshot, a retrain decision) is one transaction, so a crash
 * loses nothing that was acknowledged. Order intents are written BEFORE an order is
 * sent, which lets a restart resolve "sent but never acknowledged" by client id.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isTerminalOrderStatus } from '@marlts/broker-alpaca';
import Database from 'better-sqlite3';
import { AppError } from './app-error.js';
import { backupStore, CHECKPOINT_DIR, checkIntegrity, refuseOrphanCheckpoints } from './store-guard.js';

/** The file name of the store inside a run directory. */
export const STORE_FILE = 'marlts.db';

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
];

/** The schema version this marlts writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * True when an order row never changes again: a terminal Alpaca status, or `not_submitted`
 * (an intent that was never sent).
 */
export function isFinishedOrderStatus(status: string): boolean {
  return status === 'not_submitted' || isTerminalOrderStatus(status);
}

export type RunKind = 'demo' | 'train' | 'backtest' | 'paper' | 'import';
/**
 * `stopped`: a paper run ended by the operator (its normal end); `interrupted`: a run
 * with a fixed amount of work (train, backtest, demo) cut short by Ctrl-C / SIGTERM.
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'stopped' | 'interrupted';

export interface RunRow {
  id: string;
  kind: RunKind;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  seed: number | null;
  dataFile: string | null;
  dataStart: number | null;
  dataEnd: number | null;
  symbols: string[];
  notes: Record<string, unknown>;
}

export interface CheckpointRow {
  id: number;
  runId: string;
  agent: string;
  algo: string;
  version: number;
  /** Absolute path of the file (stored relative to the run directory, resolved on read). */
  path: string;
  sha256: string;
  seed: number;
  dataStart: number;
  dataEnd: number;
  configSha256: string;
  totalTimesteps: number;
  parentId: number | null;
  promoted: boolean;
  createdAt: number;
}

export interface OrderRow {
  clientOrderId: string;
  runId: string;
  brokerOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: string;
  limitPrice: number | null;
  leg: string;
  barTime: number;
  status: string;
  filledQty: number;
  filledAvgPrice: number | null;
  request: Record<string, unknown>;
}

export interface FillRow {
  executionId: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  at: number;
}

export interface PositionRow {
  symbol: string;
  qty: number;
  avgEntryPrice: number | null;
  marketValue: number | null;
}

export interface EquityPoint {
  t: number;
  value: number;
  exposure?: number | null;
}

export interface TradeRow {
  series: string;
  t: number;
  symbol: string;
  qty: number;
  price: number;
}

export interface RetrainDecision {
  barTime: number;
  agent: string;
  championId: number | null;
  challengerId: number | null;
  championScore: number | null;
  challengerScore: number | null;
  promoted: boolean;
  reason: string;
}

/** SHA-256 of a string or buffer, hex. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Stable JSON (sorted keys) so equal configs hash equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** A short, sortable run id: `YYYYMMDDTHHMMSS-xxxx`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

type Row = Record<string, unknown>;

/**
 * The SQLite run store of one run directory.
 *
 * @example
 * const store = RunStore.open('runs/demo');
 * const runId = store.createRun({ kind: 'paper', seed: 1 });
 * store.close();
 */
export class RunStore {
  readonly db: Database.Database;
  readonly path: string;
  /** The run directory; checkpoint paths are stored relative to it. */
  readonly dir: string;
  /** The backup written before this open migrated an older store, if any. */
  backupPath: string | undefined;

  private constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
    this.dir = dirname(path);
  }

  /**
   * Opens (creating if needed) `<runDir>/marlts.db`, checks its integrity, backs it up
   * and migrates it when it is older than this marlts. Refuses (typed `AppError`) a
   * damaged or foreign file (`STORE_CORRUPT`) and an empty or missing store in a run
   * directory that holds checkpoint files (`STORE`).
   */
  static open(runDir: string, options: { readonly?: boolean } = {}): RunStore {
    const dir = resolve(runDir);
    const path = join(dir, STORE_FILE);
    const readonly = options.readonly ?? false;
    const existed = existsSync(path);
    if (!readonly && !existed) refuseOrphanCheckpoints(dir, STORE_FILE, 'missing');
    let db: Database.Database;
    try {
      if (!readonly) mkdirSync(dir, { recursive: true });
      db = new Database(path, { readonly, fileMustExist: readonly });
    } catch (cause) {
      throw new AppError('STORE', `cannot open the run store ${path}: ${(cause as Error).message}`, {
        cause,
      });
    }
    const store = new RunStore(db, path);
    try {
      // Readers (`marlts report`) wait for a writer's short transactions instead of failing.
      db.pragma('busy_timeout = 5000');
      checkIntegrity(db, dir, STORE_FILE);
      if (!readonly && existed && store.isEmpty()) {
        refuseOrphanCheckpoints(dir, STORE_FILE, statSync(path).size === 0 ? 'empty' : 'missing');
      }
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
      }
      db.pragma('foreign_keys = ON');
      if (!readonly) store.migrate();
    } catch (e) {
      db.close();
      throw e;
    }
    return store;
  }

  /** True when the database has no tables at all (a new or emptied file). */
  private isEmpty(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get() === undefined;
  }

  /** A path as stored: relative to the run directory when it lies inside it. */
  private storedPath(path: string): string {
    if (!isAbsolute(path)) return path;
    const rel = relative(this.dir, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
  }

  /** A stored path made absolute against the run directory's current place. */
  resolvePath(stored: string): string {
    return isAbsolute(stored) ? stored : join(this.dir, stored);
  }

  /** The schema version (0 = empty database). */
  schemaVersion(): number {
    const has = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
      .get();
    if (!has) return 0;
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    return row.v ?? 0;
  }

  /**
   * Applies pending migrations, each in its own transaction. A store that already holds
   * a schema is first copied to `marlts.db.bak-v<current>` (see `backupPath`).
   */
  migrate(): number {
    const current = this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new AppError(
        'STORE',
        `run store ${this.path} has schema version ${current}, newer than this marlts (${MIGRATIONS.length}); upgrade marlts`,
      );
    }
    if (current > 0 && current < MIGRATIONS.length) {
      this.backupPath = backupStore(this.db, this.dir, STORE_FILE, current);
    }
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)',
    );
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        const m = MIGRATIONS[v]!;
        if (typeof m === 'string') this.db.exec(m);
        else m(this.db);
        this.db
          .prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)')
          .run(v + 1, Date.now());
      })();
    }
    return MIGRATIONS.length;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- runs and configs -------------------------------------------------------

  createRun(run: {
    kind: RunKind;
    seed?: number;
    dataFile?: string;
    dataStart?: number;
    dataEnd?: number;
    symbols?: string[];
    id?: string;
  }): string {
    const id = run.id ?? newRunId();
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO runs (id, kind, status, created_at, updated_at, seed, data_file, data_start, data_end, symbols, notes)
         VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, '{}')`,
      )
      .run(
        id,
        run.kind,
        now,
        now,
        run.seed ?? null,
        run.dataFile ?? null,
        run.dataStart ?? null,
        run.dataEnd ?? null,
        JSON.stringify(run.symbols ?? []),
      );
    return id;
  }

  updateRun(
    id: string,
    patch: Partial<Pick<RunRow, 'status' | 'dataFile' | 'dataStart' | 'dataEnd' | 'symbols' | 'seed'>>,
  ): void {
    const run = this.getRun(id);
    if (!run) throw new AppError('NOT_FOUND', `run ${id} not found in ${this.path}`);
    const next = { ...run, ...patch };
    this.db
      .prepare(
        `UPDATE runs SET status = ?, updated_at = ?, seed = ?, data_file = ?, data_start = ?, data_end = ?, symbols = ? WHERE id = ?`,
      )
      .run(
        next.status,
        Date.now(),
        next.seed,
        next.dataFile,
        next.dataStart,
        next.dataEnd,
        JSON.stringify(next.symbols),
        id,
      );
  }

  private toRun(r: Row | undefined): RunRow | undefined {
    if (!r) return undefined;
    return {
      id: r.id as string,
      kind: r.kind as RunKind,
      status: r.status as RunStatus,
      createdAt: r.created_at as number,
      updatedAt: r.updated_at as number,
      seed: r.seed as number | null,
      dataFile: r.data_file as string | null,
      dataStart: r.data_start as number | null,
      dataEnd: r.data_end as number | null,
      symbols: JSON.parse((r.symbols as string) ?? '[]'),
      notes: JSON.parse((r.notes as string) ?? '{}'),
    };
  }

  getRun(id: string): RunRow | undefined {
    return this.toRun(this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined);
  }

  listRuns(kind?: RunKind): RunRow[] {
    const rows = (
      kind
        ? this.db.prepare('SELECT * FROM runs WHERE kind = ? ORDER BY created_at, id').all(kind)
        : this.db.prepare('SELECT * FROM runs ORDER BY created_at, id').all()
    ) as Row[];
    return rows.map((r) => this.toRun(r)!);
  }

  /** The newest run (optionally of one kind). */
  latestRun(kind?: RunKind): RunRow | undefined {
    return this.listRuns(kind).at(-1);
  }

  /** Stores the resolved config of a run; returns its hash. */
  saveConfig(runId: string, config: unknown): string {
    const json = stableJson(config);
    const hash = sha256(json);
    this.db
      .prepare('INSERT OR IGNORE INTO configs (run_id, sha256, created_at, json) VALUES (?, ?, ?, ?)')
      .run(runId, hash, Date.now(), json);
    return hash;
  }

  /** The newest config stored for a run. */
  getConfig(runId: string): { sha256: string; config: unknown } | undefined {
    const r = this.db
      .prepare('SELECT sha256, json FROM configs WHERE run_id = ? ORDER BY created_at DESC LIMIT 1')
      .get(runId) as Row | undefined;
    return r ? { sha256: r.sha256 as string, config: JSON.parse(r.json as string) } : undefined;
  }

  /** Free-form JSON notes about a run (budgets used, warnings, report path). */
  setNote(runId: string, key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO notes (run_id, key, json) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET json = excluded.json',
      )
      .run(runId, key, JSON.stringify(value));
  }

  getNotes(runId: string): Record<string, unknown> {
    const rows = this.db.prepare('SELECT key, json FROM notes WHERE run_id = ?').all(runId) as Row[];
    return Object.fromEntries(rows.map((r) => [r.key as string, JSON.parse(r.json as string)]));
  }

  // ---- checkpoints ------------------------------------------------------------

  /** Records a checkpoint file; versions count up per agent. */
  addCheckpoint(
    c: Omit<CheckpointRow, 'id' | 'version' | 'createdAt' | 'promoted'> & { promoted?: boolean },
  ): CheckpointRow {
    return this.db.transaction(() => {
      const v = this.db.prepare('SELECT MAX(version) AS v FROM checkpoints WHERE agent = ?').get(c.agent) as {
        v: number | null;
      };
      const version = (v.v ?? 0) + 1;
      const createdAt = Date.now();
      const info = this.db
        .prepare(
          `INSERT INTO checkpoints (run_id, agent, algo, version, path, sha256, seed, data_start, data_end, config_sha256,
             total_timesteps, parent_id, promoted, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.runId,
          c.agent,
          c.algo,
          version,
          this.storedPath(c.path),
          c.sha256,
          c.seed,
          c.dataStart,
          c.dataEnd,
          c.configSha256,
          c.totalTimesteps,
          c.parentId,
          c.promoted ? 1 : 0,
          createdAt,
        );
      return {
        ...c,
        path: this.resolvePath(this.storedPath(c.path)),
        id: Number(info.lastInsertRowid),
        version,
        createdAt,
        promoted: c.promoted ?? false,
      };
    })();
  }

  private toCheckpoint(r: Row | undefined): CheckpointRow | undefined {
    if (!r) return undefined;
    return {
      id: r.id as number,
      runId: r.run_id as string,
      agent: r.agent as string,
      algo: r.algo as string,
      version: r.version as number,
      path: this.resolvePath(r.path as string),
      sha256: r.sha256 as string,
      seed: r.seed as number,
      dataStart: r.data_start as number,
      dataEnd: r.data_end as number,
      configSha256: r.config_sha256 as string,
      totalTimesteps: r.total_timesteps as number,
      parentId: r.parent_id as number | null,
      promoted: r.promoted === 1,
      createdAt: r.created_at as number,
    };
  }

  /** Marks a checkpoint as the champion of its agent (promoted). */
  promoteCheckpoint(id: number): void {
    this.db.prepare('UPDATE checkpoints SET promoted = 1 WHERE id = ?').run(id);
  }

  /** The newest promoted checkpoint of an agent (the champion). */
  championCheckpoint(agent: string): CheckpointRow | undefined {
    return this.toCheckpoint(
      this.db
        .prepare('SELECT * FROM checkpoints WHERE agent = ? AND promoted = 1 ORDER BY version DESC LIMIT 1')
        .get(agent) as Row | undefined,
    );
  }

  listCheckpoints(agent?: string): CheckpointRow[] {
    const rows = (
      agent
        ? this.db.prepare('SELECT * FROM checkpoints WHERE agent = ? ORDER BY version').all(agent)
        : this.db.prepare('SELECT * FROM checkpoints ORDER BY agent, version').all()
    ) as Row[];
    return rows.map((r) => this.toCheckpoint(r)!);
  }

  // ---- orders, events and fills -----------------------------------------------

  /**
   * Writes an order intent before it is sent. Returns false (and writes nothing) when
   * the client id is already known: the caller must not send it again.
   */
  recordOrderIntent(o: Omit<OrderRow, 'status' | 'filledQty' | 'filledAvgPrice' | 'brokerOrderId'>): boolean {
    return this.db.transaction(() => {
      const now = Date.now();
      const info = this.db
        .prepare(
          `INSERT OR IGNORE INTO orders (client_order_id, run_id, symbol, side, qty, type, limit_price, leg, bar_time,
             status, filled_qty, request, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent', 0, ?, ?, ?)`,
        )
        .run(
          o.clientOrderId,
          o.runId,
          o.symbol,
          o.side,
          o.qty,
          o.type,
          o.limitPrice,
          o.leg,
          o.barTime,
          JSON.stringify(o.request),
          now,
          now,
        );
      if (info.changes === 0) return false;
      this.db
        .prepare(
          'INSERT INTO order_events (client_order_id, at, status, filled_qty, detail) VALUES (?, ?, ?, 0, NULL)',
        )
        .run(o.clientOrderId, now, 'intent');
      return true;
    })();
  }

  /**
   * Applies what the broker says about an order: status, filled quantity, average
   * price. A change of status or filled quantity appends an order event; an increase
   * of the filled quantity records a fill whose execution id is derived from the broker
   * order id and the cumulative filled quantity (so replays are idempotent). All in one
   * transaction. Returns the fill recorded, if any.
   */
  applyOrderUpdate(
    clientOrderId: string,
    u: {
      status: string;
      brokerOrderId?: string | null;
      filledQty: number;
      filledAvgPrice?: number | null;
      at?: number;
      detail?: string;
      executionId?: string;
    },
  ): FillRow | undefined {
    return this.db.transaction(() => {
      const prev = this.getOrder(clientOrderId);
      if (!prev) throw new AppError('STORE', `order ${clientOrderId} is not in the run store`);
      const at = u.at ?? Date.now();
      const filledQty = Math.max(prev.filledQty, u.filledQty);
      let fill: FillRow | undefined;
      if (filledQty > prev.filledQty + 1e-9) {
        const dq = filledQty - prev.filledQty;
        // Price of this increment from the change of the cumulative average.
        const newAvg = u.filledAvgPrice ?? prev.filledAvgPrice ?? 0;
        const prevNotional = prev.filledQty * (prev.filledAvgPrice ?? 0);
        const price = dq > 0 ? (filledQty * newAvg - prevNotional) / dq : newAvg;
        fill = {
          executionId:
            u.executionId ?? `${u.brokerOrderId ?? prev.brokerOrderId ?? clientOrderId}:${filledQty}`,
          clientOrderId,
          symbol: prev.symbol,
          side: prev.side,
          qty: dq,
          price,
          at,
        };
        this.db
          .prepare(
            `INSERT OR IGNORE INTO fills (execution_id, run_id, client_order_id, symbol, side, qty, price, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(fill.executionId, prev.runId, clientOrderId, fill.symbol, fill.side, fill.qty, fill.price, at);
      }
      const changed = prev.status !== u.status || filledQty !== prev.filledQty;
      this.db
        .prepare(
          `UPDATE orders SET status = ?, broker_order_id = COALESCE(?, broker_order_id), filled_qty = ?,
             filled_avg_price = COALESCE(?, filled_avg_price), updated_at = ? WHERE client_order_id = ?`,
        )
        .run(u.status, u.brokerOrderId ?? null, filledQty, u.filledAvgPrice ?? null, at, clientOrderId);
      if (changed) {
        this.db
          .prepare(
            'INSERT INTO order_events (client_order_id, at, status, filled_qty, detail) VALUES (?, ?, ?, ?, ?)',
          )
          .run(clientOrderId, at, u.status, filledQty, u.detail ?? null);
      }
      return fill;
    })();
  }

  private toOrder(r: Row | undefined): OrderRow | undefined {
    if (!r) return undefined;
    return {
      clientOrderId: r.client_order_id as string,
      runId: r.run_id as string,
      brokerOrderId: r.broker_order_id as string | null,
      symbol: r.symbol as string,
      side: r.side as 'buy' | 'sell',
      qty: r.qty as number,
      type: r.type as string,
      limitPrice: r.limit_price as number | null,
      leg: r.leg as string,
      barTime: r.bar_time as number,
      status: r.status as string,
      filledQty: r.filled_qty as number,
      filledAvgPrice: r.filled_avg_price as number | null,
      request: JSON.parse(r.request as string),
    };
  }

  getOrder(clientOrderId: string): OrderRow | undefined {
    return this.toOrder(
      this.db.prepare('SELECT * FROM orders WHERE client_order_id = ?').get(clientOrderId) as Row,
    );
  }

  listOrders(runId: string): OrderRow[] {
    return (
      this.db.prepare('SELECT * FROM orders WHERE run_id = ? ORDER BY created_at, rowid').all(runId) as Row[]
    ).map((r) => this.toOrder(r)!);
  }

  /** Orders whose state can still change (including intents never acknowledged). */
  openOrders(runId: string): OrderRow[] {
    return this.listOrders(runId).filter((o) => !isFinishedOrderStatus(o.status));
  }

  orderEvents(
    clientOrderId: string,
  ): Array<{ at: number; status: string; filledQty: number; detail: string | null }> {
    return (
      this.db
        .prepare(
          'SELECT at, status, filled_qty, detail FROM order_events WHERE client_order_id = ? ORDER BY id',
        )
        .all(clientOrderId) as Row[]
    ).map((r) => ({
      at: r.at as number,
      status: r.status as string,
      filledQty: r.filled_qty as number,
      detail: r.detail as string | null,
    }));
  }

  listFills(runId: string): FillRow[] {
    return (
      this.db.prepare('SELECT * FROM fills WHERE run_id = ? ORDER BY at, rowid').all(runId) as Row[]
    ).map((r) => ({
      executionId: r.execution_id as string,
      clientOrderId: r.client_order_id as string,
      symbol: r.symbol as string,
      side: r.side as 'buy' | 'sell',
      qty: r.qty as number,
      price: r.price as number,
      at: r.at as number,
    }));
  }

  /** Net shares per symbol implied by the recorded fills. */
  positionsFromFills(runId: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const f of this.listFills(runId)) {
      out.set(f.symbol, (out.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
    }
    for (const [k, v] of out) if (Math.abs(v) < 1e-9) out.delete(k);
    return out;
  }

  // ---- positions, equity, trades, metrics --------------------------------------

  /** Replaces the position snapshot at `barTime` (one transaction). */
  snapshotPositions(runId: string, barTime: number, positions: PositionRow[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM positions WHERE run_id = ? AND bar_time = ?').run(runId, barTime);
      const ins = this.db.prepare(
        'INSERT INTO positions (run_id, bar_time, symbol, qty, avg_entry_price, market_value) VALUES (?, ?, ?, ?, ?, ?)',
      );
      // An empty book is stored as a marker row so "flat" differs from "never snapshotted".
      if (positions.length === 0) ins.run(runId, barTime, '', 0, null, null);
      for (const p of positions) ins.run(runId, barTime, p.symbol, p.qty, p.avgEntryPrice, p.marketValue);
    })();
  }

  /** The newest position snapshot (empty when flat or never snapshotted). */
  latestPositions(runId: string): { barTime: number | null; positions: PositionRow[] } {
    const last = this.db.prepare('SELECT MAX(bar_time) AS t FROM positions WHERE run_id = ?').get(runId) as {
      t: number | null;
    };
    if (last.t === null) return { barTime: null, positions: [] };
    const rows = this.db
      .prepare("SELECT * FROM positions WHERE run_id = ? AND bar_time = ? AND symbol != '' ORDER BY symbol")
      .all(runId, last.t) as Row[];
    return {
      barTime: last.t,
      positions: rows.map((r) => ({
        symbol: r.symbol as string,
        qty: r.qty as number,
        avgEntryPrice: r.avg_entry_price as number | null,
        marketValue: r.market_value as number | null,
      })),
    };
  }

  appendEquity(runId: string, series: string, points: EquityPoint[]): void {
    const ins = this.db.prepare(
      'INSERT INTO equity (run_id, series, t, value, exposure) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, exposure = excluded.exposure',
    );
    this.db.transaction(() => {
      for (const p of points) ins.run(runId, series, p.t, p.value, p.exposure ?? null);
    })();
  }

  equitySeries(runId: string): Map<string, EquityPoint[]> {
    const rows = this.db
      .prepare('SELECT series, t, value, exposure FROM equity WHERE run_id = ? ORDER BY series, t')
      .all(runId) as Row[];
    const out = new Map<string, EquityPoint[]>();
    for (const r of rows) {
      const s = r.series as string;
      if (!out.has(s)) out.set(s, []);
      out.get(s)!.push({ t: r.t as number, value: r.value as number, exposure: r.exposure as number | null });
    }
    return out;
  }

  appendTrades(runId: string, trades: TradeRow[]): void {
    const ins = this.db.prepare(
      'INSERT INTO trades (run_id, series, t, symbol, qty, price) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const t of trades) ins.run(runId, t.series, t.t, t.symbol, t.qty, t.price);
    })();
  }

  listTrades(runId: string): TradeRow[] {
    return (this.db.prepare('SELECT * FROM trades WHERE run_id = ? ORDER BY t, id').all(runId) as Row[]).map(
      (r) => ({
        series: r.series as string,
        t: r.t as number,
        symbol: r.symbol as string,
        qty: r.qty as number,
        price: r.price as number,
      }),
    );
  }

  saveMetrics(runId: string, section: string, agent: string, metrics: Record<string, unknown>): void {
    this.db
      .prepare(
        'INSERT INTO metrics (run_id, section, agent, json) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET json = excluded.json',
      )
      .run(runId, section, agent, JSON.stringify(metrics));
  }

  listMetrics(runId: string): Array<{ section: string; agent: string; metrics: Record<string, unknown> }> {
    return (
      this.db
        .prepare('SELECT section, agent, json FROM metrics WHERE run_id = ? ORDER BY section, rowid')
        .all(runId) as Row[]
    ).map((r) => ({
      section: r.section as string,
      agent: r.agent as string,
      metrics: JSON.parse(r.json as string),
    }));
  }

  // ---- retrain decisions and the bar cursor ------------------------------------

  recordRetrain(runId: string, d: RetrainDecision): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO retrain_decisions (run_id, bar_time, agent, champion_id, challenger_id, champion_score,
             challenger_score, promoted, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          runId,
          d.barTime,
          d.agent,
          d.championId,
          d.challengerId,
          d.championScore,
          d.challengerScore,
          d.promoted ? 1 : 0,
          d.reason,
          Date.now(),
        );
      if (d.promoted && d.challengerId !== null) this.promoteCheckpoint(d.challengerId);
    })();
  }

  listRetrains(runId: string): RetrainDecision[] {
    return (
      this.db.prepare('SELECT * FROM retrain_decisions WHERE run_id = ? ORDER BY id').all(runId) as Row[]
    ).map((r) => ({
      barTime: r.bar_time as number,
      agent: r.agent as string,
      championId: r.champion_id as number | null,
      challengerId: r.challenger_id as number | null,
      championScore: r.champion_score as number | null,
      challengerScore: r.challenger_score as number | null,
      promoted: r.promoted === 1,
      reason: r.reason as string,
    }));
  }

  /** The bar time of the run's newest retrain decision (undefined before the first). */
  lastRetrainBar(runId: string): number | undefined {
    const r = this.db
      .prepare('SELECT MAX(bar_time) AS t FROM retrain_decisions WHERE run_id = ?')
      .get(runId) as {
      t: number | null;
    };
    return r.t ?? undefined;
  }

  /** The first point of an equity series (for a paper run: the first bar it processed). */
  firstEquityTime(runId: string, series: string): number | undefined {
    const r = this.db
      .prepare('SELECT MIN(t) AS t FROM equity WHERE run_id = ? AND series = ?')
      .get(runId, series) as {
      t: number | null;
    };
    return r.t ?? undefined;
  }

  getCursor(runId: string): number | undefined {
    const r = this.db.prepare('SELECT bar_time FROM bar_cursor WHERE run_id = ?').get(runId) as
      | Row
      | undefined;
    return r ? (r.bar_time as number) : undefined;
  }

  setCursor(runId: string, barTime: number): void {
    this.db
      .prepare(
        'INSERT INTO bar_cursor (run_id, bar_time, updated_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET bar_time = excluded.bar_time, updated_at = excluded.updated_at',
      )
      .run(runId, barTime, Date.now());
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
