/**
 * A sweep's records: its configurations (index, the config's hash, the axis values that
 * made it, the resolved config) and its jobs, keyed by the job's content-hashed id. A job
 * is `pending` → `running` → `done` or `failed`; its result is written only while it is
 * not done, so however many workers report it, it is stored once. `start_count` counts
 * the starts, so a resumed sweep can show it did not restart finished jobs.
 */
import type Database from 'better-sqlite3';
import { stableJson } from './hash.js';

/** A job's state in the store. */
export type SweepJobStatus = 'pending' | 'running' | 'done' | 'failed';

/** One configuration of a sweep. */
export interface SweepConfigRow {
  idx: number;
  configSha256: string;
  /** The axis values of this configuration, by dotted config path. */
  axes: Record<string, unknown>;
  config: unknown;
}

/** One job of a sweep (its result parsed on demand: see {@link SweepRecords.jobResult}). */
export interface SweepJobRow {
  id: string;
  configIdx: number;
  seed: number;
  label: string;
  spec: unknown;
  status: SweepJobStatus;
  startCount: number;
  worker: string | null;
  errorCode: string | null;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
}

/**
 * The sweep tables of one store (`RunStore.sweeps`).
 *
 * @example
 * store.sweeps.addJobs(runId, [{ id, configIdx: 0, seed: 1, label: 'config 1/2 seed 1/1', spec }]);
 */
export class SweepRecords {
  private readonly db: Database.Database;

  constructor(o: { db: Database.Database }) {
    this.db = o.db;
  }

  /** Records the configurations (again on resume: existing rows are kept). */
  addConfigs(runId: string, configs: readonly SweepConfigRow[]): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO sweep_configs (run_id, idx, config_sha256, axes, json) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const c of configs) {
        insert.run(runId, c.idx, c.configSha256, stableJson(c.axes), stableJson(c.config));
      }
    })();
  }

  listConfigs(runId: string): SweepConfigRow[] {
    const rows = this.db
      .prepare('SELECT idx, config_sha256, axes, json FROM sweep_configs WHERE run_id = ? ORDER BY idx')
      .all(runId) as Array<{ idx: number; config_sha256: string; axes: string; json: string }>;
    return rows.map((r) => ({
      idx: r.idx,
      configSha256: r.config_sha256,
      axes: JSON.parse(r.axes) as Record<string, unknown>,
      config: JSON.parse(r.json),
    }));
  }

  /** Records jobs as pending; a job id already stored (this run's, on resume) is left as it is. */
  addJobs(
    runId: string,
    jobs: ReadonlyArray<{ id: string; configIdx: number; seed: number; label: string; spec: unknown }>,
  ): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO sweep_jobs (id, run_id, config_idx, seed, label, spec, status)
       VALUES (?, ?, ?, ?, ?, ?, 'pending')`,
    );
    this.db.transaction(() => {
      for (const j of jobs) insert.run(j.id, runId, j.configIdx, j.seed, j.label, JSON.stringify(j.spec));
    })();
  }

  /** A worker started the job (counted; a finished job stays finished). */
  jobStarted(jobId: string, worker: string, at = Date.now()): void {
    this.db
      .prepare(
        `UPDATE sweep_jobs SET start_count = start_count + 1, worker = ?, started_at = ?,
           status = CASE WHEN status = 'done' THEN status ELSE 'running' END WHERE id = ?`,
      )
      .run(worker, at, jobId);
  }

  /**
   * Stores the job's result unless one is stored already; returns whether this call stored it.
   * `checkpoints` (the final pair's bundles) are kept apart from the series.
   */
  jobDone(jobId: string, result: unknown, checkpoints: unknown, at = Date.now()): boolean {
    const r = this.db
      .prepare(
        `UPDATE sweep_jobs SET status = 'done', result = ?, checkpoints = ?, error_code = NULL, error = NULL,
           finished_at = ? WHERE id = ? AND status != 'done'`,
      )
      .run(JSON.stringify(result), checkpoints == null ? null : JSON.stringify(checkpoints), at, jobId);
    return r.changes === 1;
  }

  /** Records a failure (not over a stored result). */
  jobFailed(jobId: string, error: { code: string; message: string }, at = Date.now()): void {
    this.db
      .prepare(
        `UPDATE sweep_jobs SET status = 'failed', error_code = ?, error = ?, finished_at = ?
         WHERE id = ? AND status != 'done'`,
      )
      .run(error.code, error.message, at, jobId);
  }

  /** Jobs that were running when their coordinator stopped become pending again. */
  resetRunning(runId: string): number {
    return this.db
      .prepare("UPDATE sweep_jobs SET status = 'pending' WHERE run_id = ? AND status = 'running'")
      .run(runId).changes;
  }

  listJobs(runId: string): SweepJobRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, config_idx, seed, label, spec, status, start_count, worker, error_code, error,
           started_at, finished_at FROM sweep_jobs WHERE run_id = ? ORDER BY config_idx, seed`,
      )
      .all(runId) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as string,
      configIdx: r.config_idx as number,
      seed: r.seed as number,
      label: r.label as string,
      spec: JSON.parse(r.spec as string),
      status: r.status as SweepJobStatus,
      startCount: r.start_count as number,
      worker: (r.worker as string | null) ?? null,
      errorCode: (r.error_code as string | null) ?? null,
      error: (r.error as string | null) ?? null,
      startedAt: (r.started_at as number | null) ?? null,
      finishedAt: (r.finished_at as number | null) ?? null,
    }));
  }

  /** Drops the `sweep-*` report sections (series and metrics) a previous pass stored. */
  clearOutcome(runId: string): void {
    this.db.prepare("DELETE FROM equity WHERE run_id = ? AND series LIKE 'sweep-%'").run(runId);
    this.db.prepare("DELETE FROM metrics WHERE run_id = ? AND section LIKE 'sweep-%'").run(runId);
  }

  /** A done job's stored result (and its checkpoints when asked), or undefined. */
  jobResult(
    jobId: string,
    o: { checkpoints?: boolean } = {},
  ): { result: unknown; checkpoints: unknown } | undefined {
    const row = this.db
      .prepare(
        `SELECT result${o.checkpoints ? ', checkpoints' : ''} FROM sweep_jobs WHERE id = ? AND status = 'done'`,
      )
      .get(jobId) as { result: string; checkpoints?: string | null } | undefined;
    if (!row) return undefined;
    return {
      result: JSON.parse(row.result),
      checkpoints: row.checkpoints ? JSON.parse(row.checkpoints) : null,
    };
  }
}
