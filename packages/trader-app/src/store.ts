/**
 * The run store: one SQLite file per run directory (`<run-dir>/marlts.db`, WAL,
 * synchronous=FULL). Every logical event (an order intent, a broker acknowledgement,
 * a fill, a position snapshot, a retrain decision) is one transaction, so a crash
 * loses nothing that was acknowledged. Order intents are written BEFORE an order is
 * sent, which lets a restart resolve "sent but never acknowledged" by client id.
 *
 * `RunStore` opens the file (integrity check, backup, migrations) and composes the
 * parts in `store/`, where each table group lives:
 *
 * - `store/schema.ts`: the migrations and the schema version; `store/guard.ts`: the
 *   integrity check, the backups and the refusal to start over orphaned checkpoints;
 * - `store/runs.ts`: runs, their configs, notes and bar cursor;
 * - `store/checkpoints.ts`: checkpoints, champions and retrain decisions;
 * - `store/orders.ts`: the order ledger (intents, order events, fills);
 * - `store/series.ts`: positions, equity series, trades and metrics;
 * - `store/sweeps.ts`: a sweep's configurations and jobs (`RunStore.sweeps`).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from './app-error.js';
import {
  CheckpointRecords,
  type CheckpointRow,
  type NewCheckpoint,
  type RetrainDecision,
} from './store/checkpoints.js';
import { checkIntegrity, refuseOrphanCheckpoints } from './store/guard.js';
import {
  type FillRow,
  type OrderEvent,
  type OrderIntent,
  OrderLedger,
  type OrderRow,
  type OrderUpdate,
} from './store/orders.js';
import { type NewRun, type RunKind, type RunPatch, RunRecords, type RunRow } from './store/runs.js';
import { isEmptyDatabase, migrateStore, readSchemaVersion, SCHEMA_VERSION } from './store/schema.js';
import { type EquityPoint, type PositionRow, SeriesRecords, type TradeRow } from './store/series.js';
import { SweepRecords } from './store/sweeps.js';

export type { CheckpointRow, NewCheckpoint, RetrainDecision } from './store/checkpoints.js';
export { sha256, stableJson } from './store/hash.js';
export type { FillRow, OrderEvent, OrderIntent, OrderRow, OrderUpdate } from './store/orders.js';
export { isFinishedOrderStatus } from './store/orders.js';
export type { NewRun, RunKind, RunPatch, RunRow, RunStatus } from './store/runs.js';
export { newRunId } from './store/runs.js';
export { SCHEMA_VERSION } from './store/schema.js';
export type { EquityPoint, PositionRow, TradeRow } from './store/series.js';
export type { SweepConfigRow, SweepJobRow, SweepJobStatus } from './store/sweeps.js';

/** The file name of the store inside a run directory. */
export const STORE_FILE = 'marlts.db';

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
  private readonly runs: RunRecords;
  private readonly checkpoints: CheckpointRecords;
  private readonly ledger: OrderLedger;
  private readonly series: SeriesRecords;
  /** A sweep's configurations and jobs (`store/sweeps.ts`). */
  readonly sweeps: SweepRecords;

  private constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
    this.dir = dirname(path);
    this.runs = new RunRecords({ db, path });
    this.checkpoints = new CheckpointRecords({ db, dir: this.dir });
    this.ledger = new OrderLedger({ db });
    this.series = new SeriesRecords({ db });
    this.sweeps = new SweepRecords({ db });
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
      if (!readonly && existed && isEmptyDatabase(db)) {
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

  /** A stored path made absolute against the run directory's current place. */
  resolvePath(stored: string): string {
    return this.checkpoints.resolvePath(stored);
  }

  /** The schema version (0 = empty database). */
  schemaVersion(): number {
    return readSchemaVersion(this.db);
  }

  /**
   * Applies pending migrations, each in its own transaction. A store that already holds
   * a schema is first copied to `marlts.db.bak-v<current>` (see `backupPath`).
   */
  migrate(): number {
    const { backupPath } = migrateStore(this.db, { path: this.path, dir: this.dir, file: STORE_FILE });
    if (backupPath !== undefined) this.backupPath = backupPath;
    return SCHEMA_VERSION;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- runs, configs, notes, the bar cursor (store/runs.ts) ---------------------

  createRun(run: NewRun): string {
    return this.runs.createRun(run);
  }

  updateRun(id: string, patch: RunPatch): void {
    this.runs.updateRun(id, patch);
  }

  getRun(id: string): RunRow | undefined {
    return this.runs.getRun(id);
  }

  listRuns(kind?: RunKind): RunRow[] {
    return this.runs.listRuns(kind);
  }

  /** The newest run (optionally of one kind). */
  latestRun(kind?: RunKind): RunRow | undefined {
    return this.runs.latestRun(kind);
  }

  /** Stores the resolved config of a run; returns its hash. */
  saveConfig(runId: string, config: unknown): string {
    return this.runs.saveConfig(runId, config);
  }

  /** The newest config stored for a run. */
  getConfig(runId: string): { sha256: string; config: unknown } | undefined {
    return this.runs.getConfig(runId);
  }

  /** Free-form JSON notes about a run (budgets used, warnings, report path). */
  setNote(runId: string, key: string, value: unknown): void {
    this.runs.setNote(runId, key, value);
  }

  getNotes(runId: string): Record<string, unknown> {
    return this.runs.getNotes(runId);
  }

  getCursor(runId: string): number | undefined {
    return this.runs.getCursor(runId);
  }

  setCursor(runId: string, barTime: number): void {
    this.runs.setCursor(runId, barTime);
  }

  // ---- checkpoints and retrain decisions (store/checkpoints.ts) -----------------

  /** Records a checkpoint file; versions count up per agent. */
  addCheckpoint(checkpoint: NewCheckpoint): CheckpointRow {
    return this.checkpoints.addCheckpoint(checkpoint);
  }

  /** Marks a checkpoint as the champion of its agent (promoted). */
  promoteCheckpoint(id: number): void {
    this.checkpoints.promoteCheckpoint(id);
  }

  /** The newest promoted checkpoint of an agent (the champion). */
  championCheckpoint(agent: string): CheckpointRow | undefined {
    return this.checkpoints.championCheckpoint(agent);
  }

  listCheckpoints(agent?: string): CheckpointRow[] {
    return this.checkpoints.listCheckpoints(agent);
  }

  /** Records a champion/challenger decision; a promoted challenger becomes the champion. */
  recordRetrain(runId: string, decision: RetrainDecision): void {
    this.checkpoints.recordRetrain(runId, decision);
  }

  listRetrains(runId: string): RetrainDecision[] {
    return this.checkpoints.listRetrains(runId);
  }

  /** The bar time of the run's newest retrain decision (undefined before the first). */
  lastRetrainBar(runId: string): number | undefined {
    return this.checkpoints.lastRetrainBar(runId);
  }

  // ---- the order ledger: orders, events, fills (store/orders.ts) ----------------

  /**
   * Writes an order intent before it is sent. Returns false (and writes nothing) when
   * the client id is already known: the caller must not send it again.
   */
  recordOrderIntent(intent: OrderIntent): boolean {
    return this.ledger.recordOrderIntent(intent);
  }

  /**
   * Applies what the broker says about an order (status, cumulative filled quantity,
   * average price) in one transaction: an order event per change, a fill per increase of
   * the filled quantity (idempotent). Returns the fill recorded, if any.
   */
  applyOrderUpdate(clientOrderId: string, update: OrderUpdate): FillRow | undefined {
    return this.ledger.applyOrderUpdate(clientOrderId, update);
  }

  getOrder(clientOrderId: string): OrderRow | undefined {
    return this.ledger.getOrder(clientOrderId);
  }

  listOrders(runId: string): OrderRow[] {
    return this.ledger.listOrders(runId);
  }

  /** Orders whose state can still change (including intents never acknowledged). */
  openOrders(runId: string): OrderRow[] {
    return this.ledger.openOrders(runId);
  }

  orderEvents(clientOrderId: string): OrderEvent[] {
    return this.ledger.orderEvents(clientOrderId);
  }

  listFills(runId: string): FillRow[] {
    return this.ledger.listFills(runId);
  }

  /** Net shares per symbol implied by the recorded fills. */
  positionsFromFills(runId: string): Map<string, number> {
    return this.ledger.positionsFromFills(runId);
  }

  // ---- positions, equity, trades, metrics (store/series.ts) ---------------------

  /** Replaces the position snapshot at `barTime` (one transaction). */
  snapshotPositions(runId: string, barTime: number, positions: PositionRow[]): void {
    this.series.snapshotPositions(runId, barTime, positions);
  }

  /** The newest position snapshot (empty when flat or never snapshotted). */
  latestPositions(runId: string): { barTime: number | null; positions: PositionRow[] } {
    return this.series.latestPositions(runId);
  }

  appendEquity(runId: string, series: string, points: EquityPoint[]): void {
    this.series.appendEquity(runId, series, points);
  }

  equitySeries(runId: string): Map<string, EquityPoint[]> {
    return this.series.equitySeries(runId);
  }

  /** The first point of an equity series (for a paper run: the first bar it processed). */
  firstEquityTime(runId: string, series: string): number | undefined {
    return this.series.firstEquityTime(runId, series);
  }

  appendTrades(runId: string, trades: TradeRow[]): void {
    this.series.appendTrades(runId, trades);
  }

  listTrades(runId: string): TradeRow[] {
    return this.series.listTrades(runId);
  }

  saveMetrics(runId: string, section: string, agent: string, metrics: Record<string, unknown>): void {
    this.series.saveMetrics(runId, section, agent, metrics);
  }

  listMetrics(runId: string): Array<{ section: string; agent: string; metrics: Record<string, unknown> }> {
    return this.series.listMetrics(runId);
  }
}
