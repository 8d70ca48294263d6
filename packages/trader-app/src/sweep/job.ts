/**
 * A sweep job: one (config, seed) walk-forward chain over every fold of the data, named by
 * content (the config's and the data's SHA-256, the seed, the agent design), so the run
 * store and a queue can tell a job they already have from a new one. `runSweepJob` runs
 * one in this process; every executor's workers (the local pool, `marlts worker` on a
 * queue) call it, so a job's numbers depend only on (config, data, seed, backend).
 */
import { inferBarsPerYear } from '@marlts/market-env';
import { setNumThreads } from '@marlts/rl-core';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';
import { AGENT_DESIGN_VERSION } from '../engine/agent-design.js';
import { startBackend } from '../engine/backend.js';
import { foldsFor } from '../engine/folds.js';
import { runSeedChain, type SeedChainResult } from '../engine/seed-chain.js';
import { sha256, stableJson } from '../store/hash.js';
import { type Blob, configBlob, readConfigBlob, readDataBlob } from './blobs.js';

/** One job = one (config, seed) walk-forward chain over every fold of the data. JSON-serialisable. */
export interface SweepJobSpec {
  /** sha256 hex of canonical JSON {configHash, dataHash, seed, design: AGENT_DESIGN_VERSION}: identity for the store and the queue (idempotent). */
  id: string;
  /** sha256 hex of the blob holding the job's full resolved AppConfig as canonical JSON (runDir and other machine-local paths removed). */
  configHash: string;
  /** sha256 hex of the blob holding the data (the bytes of a canonical CSV of the frame the sweep uses). */
  dataHash: string;
  seed: number;
  /** e.g. "config 3/8 seed 2/2". */
  label: string;
}

/** Where a runner gets blobs by content hash (local: files; queue: Redis), verified by hash on read. */
export interface BlobSource {
  get(hash: string): Promise<Uint8Array>;
}

/**
 * The job's result: {@link SeedChainResult} (per fold, every agent's out-of-sample series
 * and costs; the learned agents' trades and learning curves; the final pair's checkpoint
 * bundles, always present) and the job's id. JSON-serialisable; `trainSeconds` (wall
 * time) is the only field that differs between two runs of the same job.
 */
export interface SweepJobResult extends SeedChainResult {
  jobId: string;
}

/**
 * The content-hashed id of a job.
 *
 * @example
 * sweepJobId({ configHash, dataHash, seed: 1 }); // 64 hex digits
 */
export function sweepJobId(o: { configHash: string; dataHash: string; seed: number }): string {
  return sha256(
    stableJson({
      configHash: o.configHash,
      dataHash: o.dataHash,
      seed: o.seed,
      design: AGENT_DESIGN_VERSION,
    }),
  );
}

/**
 * A job for `config` and `seed` on the data blob `dataHash`, and the config blob it needs.
 *
 * @example
 * const { spec, blob } = sweepJob({ config, dataHash: data.hash, seed: 1001, label: 'config 1/4 seed 2/2' });
 */
export function sweepJob(o: { config: AppConfig; dataHash: string; seed: number; label: string }): {
  spec: SweepJobSpec;
  blob: Blob;
} {
  const blob = configBlob(o.config);
  const key = { configHash: blob.hash, dataHash: o.dataHash, seed: o.seed };
  return { spec: { id: sweepJobId(key), ...key, label: o.label }, blob };
}

async function verified(
  blobs: BlobSource,
  hash: string,
  what: string,
  job: SweepJobSpec,
): Promise<Uint8Array> {
  const bytes = await blobs.get(hash);
  const actual = sha256(bytes);
  if (actual !== hash) {
    throw new AppError(
      'DATA',
      `job ${job.label} (${job.id.slice(0, 12)}): its ${what} blob ${hash} has SHA-256 ${actual}`,
      {
        hint: 'the blob store holds damaged bytes: delete them so they are fetched again',
      },
    );
  }
  return bytes;
}

/**
 * Runs one job in this process (used by every executor's workers). Throws AppError on bad
 * input; a NaN loss etc. surfaces as an error the executor records as failed.
 *
 * @example
 * const result = await runSweepJob(spec, new MemoryBlobs([configBlob(config), dataBlob(frame)]), { threads: 1 });
 */
export async function runSweepJob(
  spec: SweepJobSpec,
  blobs: BlobSource,
  o: { signal?: AbortSignal; threads?: number } = {},
): Promise<SweepJobResult> {
  const expected = sweepJobId(spec);
  if (expected !== spec.id) {
    throw new AppError('USAGE', `job ${spec.label}: id ${spec.id} does not match its content (${expected})`);
  }
  const config = readConfigBlob(await verified(blobs, spec.configHash, 'config', spec), spec.configHash);
  const frame = readDataBlob(await verified(blobs, spec.dataHash, 'data', spec), spec.dataHash);
  if (o.threads !== undefined) setNumThreads(o.threads);
  await startBackend(config);
  const { result, pair } = await runSeedChain({
    frame,
    barsPerYear: inferBarsPerYear(frame.times),
    config,
    seed: spec.seed,
    label: spec.label,
    folds: foldsFor(frame, config),
    checkpoints: true,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  pair.long?.dispose();
  pair.short?.dispose();
  return { jobId: spec.id, ...result };
}
