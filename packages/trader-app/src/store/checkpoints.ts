/**
 * The checkpoints a store knows and the retrain decisions between them: versions count
 * up per agent, the newest promoted version is the agent's champion, and every
 * champion/challenger decision is kept with its scores and reason. Checkpoint paths are
 * stored relative to the run directory, so a run directory can be moved or copied.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import type Database from 'better-sqlite3';

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

/**
 * A checkpoint file to record (the store assigns its id, version and time).
 *
 * @example
 * const c: NewCheckpoint = { runId, agent: 'rl-long-0', algo: 'ppo', path, sha256, seed: 1, dataStart, dataEnd,
 *   configSha256, totalTimesteps: 4096, parentId: null };
 */
export type NewCheckpoint = Omit<CheckpointRow, 'id' | 'version' | 'createdAt' | 'promoted'> & {
  promoted?: boolean;
};

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

type Row = Record<string, unknown>;

/**
 * The checkpoints and retrain decisions of one store (`RunStore` delegates to it).
 *
 * @example
 * const checkpoints = new CheckpointRecords({ db, dir: '/runs/a' });
 * checkpoints.championCheckpoint('rl-long-0');
 */
export class CheckpointRecords {
  private readonly db: Database.Database;
  /** The run directory; checkpoint paths are stored relative to it. */
  private readonly dir: string;

  constructor(options: { db: Database.Database; dir: string }) {
    this.db = options.db;
    this.dir = options.dir;
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

  /** Records a checkpoint file; versions count up per agent. */
  addCheckpoint(checkpoint: NewCheckpoint): CheckpointRow {
    return this.db.transaction(() => {
      const v = this.db
        .prepare('SELECT MAX(version) AS v FROM checkpoints WHERE agent = ?')
        .get(checkpoint.agent) as {
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
          checkpoint.runId,
          checkpoint.agent,
          checkpoint.algo,
          version,
          this.storedPath(checkpoint.path),
          checkpoint.sha256,
          checkpoint.seed,
          checkpoint.dataStart,
          checkpoint.dataEnd,
          checkpoint.configSha256,
          checkpoint.totalTimesteps,
          checkpoint.parentId,
          checkpoint.promoted ? 1 : 0,
          createdAt,
        );
      return {
        ...checkpoint,
        path: this.resolvePath(this.storedPath(checkpoint.path)),
        id: Number(info.lastInsertRowid),
        version,
        createdAt,
        promoted: checkpoint.promoted ?? false,
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

  // ---- retrain decisions (which challenger replaced which champion, and why)

  recordRetrain(runId: string, decision: RetrainDecision): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO retrain_decisions (run_id, bar_time, agent, champion_id, challenger_id, champion_score,
             challenger_score, promoted, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          runId,
          decision.barTime,
          decision.agent,
          decision.championId,
          decision.challengerId,
          decision.championScore,
          decision.challengerScore,
          decision.promoted ? 1 : 0,
          decision.reason,
          Date.now(),
        );
      if (decision.promoted && decision.challengerId !== null) this.promoteCheckpoint(decision.challengerId);
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
}
