/**
 * The runs of a store and what belongs to each as a whole: its row (kind, status, data
 * range), its resolved config (stored once per hash), free-form notes, and for a paper
 * run the bar cursor (the newest bar it has handled).
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../app-error.js';
import { sha256, stableJson } from './hash.js';

export type RunKind = 'demo' | 'train' | 'backtest' | 'paper' | 'import' | 'sweep';
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

/**
 * A run to create (status `running`; the id defaults to a new `newRunId()`).
 *
 * @example
 * const run: NewRun = { kind: 'backtest', seed: 1, symbols: ['AA', 'KO'] };
 */
export interface NewRun {
  kind: RunKind;
  seed?: number;
  dataFile?: string;
  dataStart?: number;
  dataEnd?: number;
  symbols?: string[];
  id?: string;
}

/**
 * The fields of a run that change after it was created.
 *
 * @example
 * const patch: RunPatch = { status: 'done' };
 */
export type RunPatch = Partial<
  Pick<RunRow, 'status' | 'dataFile' | 'dataStart' | 'dataEnd' | 'symbols' | 'seed'>
>;

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
 * The runs, configs, notes and bar cursors of one store (`RunStore` delegates to it).
 *
 * @example
 * const runs = new RunRecords({ db, path: '/runs/a/marlts.db' });
 * const id = runs.createRun({ kind: 'paper', seed: 1 });
 */
export class RunRecords {
  private readonly db: Database.Database;
  /** The store file, for error messages. */
  private readonly path: string;

  constructor(options: { db: Database.Database; path: string }) {
    this.db = options.db;
    this.path = options.path;
  }

  createRun(run: NewRun): string {
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

  updateRun(id: string, patch: RunPatch): void {
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

  // ---- the bar cursor (the newest bar a paper run has handled)

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
}
