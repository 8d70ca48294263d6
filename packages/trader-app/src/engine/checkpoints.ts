/**
 * Versioned checkpoints on disk (`<run-dir>/checkpoints/<agent>-v<N>.json`, written
 * atomically by rl-core, never over an existing file) and in the run store (path
 * relative to the run dir, SHA-256, data range, config hash, seed, parent). Loading
 * checks the file's hash against the store.
 */
import { randomBytes } from 'node:crypto';
import { constants, copyFileSync, linkSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CheckpointBundle, loadCheckpointFile, saveCheckpointFile } from '@marlts/rl-core';
import { AppError } from '../app-error.js';
import { CHECKPOINT_DIR } from '../store/guard.js';
import { type CheckpointRow, type RunStore, sha256 } from '../store.js';
import { type AgentPair, type Learner, loadLearner } from './agents.js';

/**
 * Writes `bundle` to `path` only if no file is there: rl-core writes a temp file
 * atomically, then a hard link (or an exclusive copy where links are unsupported) puts
 * it in place, which fails instead of replacing a file. Existing checkpoints belong to
 * versions a run store recorded; overwriting one would break that store's hashes.
 *
 * @example
 * await writeCheckpointExclusive('runs/a/checkpoints/rl-long-0-v3.json', ppo.save(), store);
 */
export async function writeCheckpointExclusive(
  path: string,
  bundle: CheckpointBundle,
  store: RunStore,
): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await saveCheckpointFile(tmp, bundle);
  try {
    try {
      linkSync(tmp, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw e;
      copyFileSync(tmp, path, constants.COPYFILE_EXCL);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw new AppError(
      'STORE',
      `checkpoint file ${path} already exists, but the run store ${store.path} does not record it: refusing to overwrite it`,
      {
        hint: 'the store was emptied, replaced or restored from an older copy: put back the store that recorded this file, or use a new --run-dir',
        field: 'runDir',
        cause: e,
      },
    );
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
  }
}

/** Saves a model as the next version of `agent` and records it. */
export async function saveCheckpoint(
  store: RunStore,
  runDir: string,
  c: {
    runId: string;
    agent: string;
    algo: 'ppo' | 'sac';
    model: Learner;
    seed: number;
    dataStart: number;
    dataEnd: number;
    configSha256: string;
    parentId: number | null;
    promoted: boolean;
  },
): Promise<CheckpointRow> {
  const existing = store.listCheckpoints(c.agent);
  const version = (existing.at(-1)?.version ?? 0) + 1;
  const dir = join(resolve(runDir), CHECKPOINT_DIR);
  const path = join(dir, `${c.agent}-v${version}.json`);
  mkdirSync(dir, { recursive: true });
  await writeCheckpointExclusive(path, c.model.save(), store);
  const hash = sha256(readFileSync(path));
  return store.addCheckpoint({
    runId: c.runId,
    agent: c.agent,
    algo: c.algo,
    path,
    sha256: hash,
    seed: c.seed,
    dataStart: c.dataStart,
    dataEnd: c.dataEnd,
    configSha256: c.configSha256,
    totalTimesteps: c.model.timesteps,
    parentId: c.parentId,
    promoted: c.promoted,
  });
}

/**
 * Saves a trained pair (PPO long, SAC short) as promoted champions, skipping a missing
 * model. By default they have no parent (the first checkpoints of their agent names); with
 * `linkToChampions` each names its agent's current champion as parent (`train`, `backtest`).
 * @example
 * const rows = await savePairCheckpoints(store, config.runDir, { runId, pair, names: { long: 'rl-long-0', short: 'rl-short-0' }, seed: 1, dataStart, dataEnd, configSha256 });
 */
export async function savePairCheckpoints(
  store: RunStore,
  runDir: string,
  c: {
    runId: string;
    pair: AgentPair;
    names: { long: string; short: string };
    seed: number;
    dataStart: number;
    dataEnd: number;
    configSha256: string;
    linkToChampions?: boolean;
  },
): Promise<{ long: CheckpointRow | undefined; short: CheckpointRow | undefined }> {
  const save = (agent: string, algo: 'ppo' | 'sac', model: Learner | null) =>
    model
      ? saveCheckpoint(store, runDir, {
          runId: c.runId,
          agent,
          algo,
          model,
          seed: c.seed,
          dataStart: c.dataStart,
          dataEnd: c.dataEnd,
          configSha256: c.configSha256,
          parentId: c.linkToChampions ? (store.championCheckpoint(agent)?.id ?? null) : null,
          promoted: true,
        })
      : undefined;
  return {
    long: await save(c.names.long, 'ppo', c.pair.long),
    short: await save(c.names.short, 'sac', c.pair.short),
  };
}

/** Loads a recorded checkpoint after checking its hash. */
export async function loadCheckpoint(row: CheckpointRow): Promise<Learner> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(row.path);
  } catch (cause) {
    throw new AppError('STORE', `checkpoint file ${row.path} (${row.agent} v${row.version}) is missing`, {
      cause,
    });
  }
  if (sha256(bytes) !== row.sha256) {
    throw new AppError(
      'STORE',
      `checkpoint file ${row.path} does not match its SHA-256 in the run store (modified?)`,
    );
  }
  return loadLearner(row.algo === 'sac' ? 'sac' : 'ppo', await loadCheckpointFile(row.path), row.path);
}
