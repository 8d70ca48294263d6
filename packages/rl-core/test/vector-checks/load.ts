/**
 * Finds and parses the reference-vector files of a folder. Files are recognised by filename
 * stem and, for new names, by the shape of their first case; files rl-core does not
 * understand (e.g. market-env's `market_step.json`) are reported as skipped, never silently
 * ignored.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RlError } from '../../src/errors.js';
import type { VectorCase, VectorFile, VectorKind } from './types.js';

const KINDS: readonly VectorKind[] = [
  'gae',
  'ppo_loss',
  'gaussian',
  'categorical',
  'sac_targets',
  'pendulum_traj',
  'cartpole_traj',
];

/**
 * The kind of a vector file from its filename stem, else from the fields of its first case.
 *
 * @example
 * detectVectorKind('gae_more.json', [{ name: 'x', gae_lambda: 0.95, n_envs: 1 }]); // 'gae'
 */
export function detectVectorKind(fileName: string, cases: readonly VectorCase[]): VectorKind | undefined {
  const stem = basename(fileName, '.json');
  if ((KINDS as readonly string[]).includes(stem)) return stem as VectorKind;
  const c = cases[0];
  if (c === undefined) return undefined;
  if ('gae_lambda' in c && 'n_envs' in c) return 'gae';
  if ('clip_range' in c && 'old_log_prob' in c) return 'ppo_loss';
  if (c.kind === 'diag' || c.kind === 'squashed') return 'gaussian';
  if ('logits' in c) return 'categorical';
  if ('log_ent_coef' in c && 'next_q1' in c) return 'sac_targets';
  if (Array.isArray(c.steps) && Array.isArray(c.initial_state)) {
    if (c.initial_state.length === 2) return 'pendulum_traj';
    if (c.initial_state.length === 4) return 'cartpole_traj';
  }
  return undefined;
}

/** What {@link loadVectorFiles} found. */
export interface LoadedVectors {
  files: VectorFile[];
  /** Files present but not understood, with the reason. */
  skipped: { path: string; reason: string }[];
}

/**
 * Reads every `*.json` of `dir` (sorted by name) and classifies it. Throws `RlError('VECTORS')`
 * when the folder is missing, holds no JSON file, or a file is not valid JSON.
 *
 * @example
 * const { files, skipped } = loadVectorFiles('packages/rl-core/test/vectors');
 */
export function loadVectorFiles(dir: string): LoadedVectors {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (cause) {
    throw new RlError('VECTORS', `reference-vector folder ${dir} cannot be read: ${String(cause)}`, {
      field: 'dir',
      cause,
    });
  }
  if (names.length === 0) {
    throw new RlError('VECTORS', `reference-vector folder ${dir} holds no *.json file`, { field: 'dir' });
  }
  const files: VectorFile[] = [];
  const skipped: LoadedVectors['skipped'] = [];
  for (const name of names) {
    const path = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new RlError('VECTORS', `${path} is not valid JSON: ${String(cause)}`, { field: name, cause });
    }
    const cases = (json as { cases?: unknown })?.cases;
    if (!Array.isArray(cases) || cases.length === 0) {
      skipped.push({ path, reason: 'no non-empty "cases" array' });
      continue;
    }
    cases.forEach((c, i) => {
      if (c === null || typeof c !== 'object' || typeof (c as { name?: unknown }).name !== 'string') {
        throw new RlError('VECTORS', `${path}: case ${i} is not an object with a string "name"`, {
          field: name,
        });
      }
    });
    const kind = detectVectorKind(name, cases as VectorCase[]);
    if (kind === undefined) {
      skipped.push({
        path,
        reason: 'not an rl-core vector kind (recognised by neither filename nor case fields)',
      });
      continue;
    }
    files.push({ path, kind, json: json as VectorFile['json'] });
  }
  return { files, skipped };
}
