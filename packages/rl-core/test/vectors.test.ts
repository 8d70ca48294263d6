/**
 * Runs every case of every reference-vector file (SB3 v2.4.1 / Gymnasium v0.29.1 outputs) in
 * `$MARLTS_VECTORS_DIR`, default `test/vectors` (committed, see its README.md for provenance and
 * tolerances). New cases, new files of a known kind and new folders are picked up with no code
 * change; any number of cases ≥ 1 passes, a missing or empty folder fails.
 * Array-level maths is checked once in float64; tensor-level functions on the cpu and wasm
 * backends in float32, with a no-leak assertion; check envs step by step.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/index.js';
import { arrayChecks } from './vector-checks/array-checks.js';
import { compareChecks, formatMismatches } from './vector-checks/compare.js';
import { envChecks, envFreeRunChecks } from './vector-checks/env-checks.js';
import { type LoadedVectors, loadVectorFiles } from './vector-checks/load.js';
import { hasTensorChecks, tensorChecks } from './vector-checks/tensor-checks.js';
import type { VectorCheck } from './vector-checks/types.js';

const dir = process.env.MARLTS_VECTORS_DIR || resolve(dirname(fileURLToPath(import.meta.url)), 'vectors');

let loaded: LoadedVectors = { files: [], skipped: [] };
let loadError: unknown;
try {
  loaded = loadVectorFiles(dir);
} catch (e) {
  loadError = e;
}
const fileLabel = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const allCases = loaded.files.flatMap((f) =>
  f.json.cases.map((c) => ({
    file: fileLabel(f.path),
    kind: f.kind,
    c,
    id: `${fileLabel(f.path)} › ${c.name}`,
  })),
);

function expectAllPass(checks: VectorCheck[]): void {
  expect(checks.length, 'a case produced no checks').toBeGreaterThan(0);
  const bad = compareChecks(checks);
  if (bad.length > 0) expect.fail(`${bad.length} mismatches:\n${formatMismatches(bad)}`);
}

describe(`reference vectors in ${dir}`, () => {
  it('finds at least one rl-core vector file with cases', () => {
    expect(loadError).toBeUndefined();
    expect(loaded.files.length).toBeGreaterThan(0);
    expect(allCases.length).toBeGreaterThan(0);
    for (const s of loaded.skipped) console.info(`vectors: skipped ${s.path}: ${s.reason}`);
  });
});

const mathCases = allCases.filter((x) => x.kind !== 'pendulum_traj' && x.kind !== 'cartpole_traj');
const envCases = allCases.filter((x) => x.kind === 'pendulum_traj' || x.kind === 'cartpole_traj');
const tensorCases = allCases.filter((x) => hasTensorChecks(x.kind));

describe.runIf(mathCases.length > 0)('array-level maths (float64)', () => {
  it.each(mathCases)('$id', ({ kind, c, file }) => expectAllPass(arrayChecks(kind, c, file)));
});

describe.runIf(envCases.length > 0)('check environments, every step', () => {
  it.each(envCases)('$id', ({ kind, c, file }) => {
    expectAllPass(envChecks(kind, c, file));
    // Free-running from the initial state: only ulp-level sin/cos drift (measured 1.7e-11) is allowed.
    expectAllPass(envFreeRunChecks(kind, c, file, 1e-9));
  });
});

describe.runIf(tensorCases.length > 0).each(['cpu', 'wasm'] as const)(
  'tensor-level functions on %s (float32)',
  (backend) => {
    beforeAll(async () => {
      expect(await initBackend({ backend })).toBe(backend);
    });
    it.each(tensorCases)('$id', ({ kind, c, file }) => {
      const before = tf.memory().numTensors;
      const checks = tensorChecks(kind, c, file);
      expect(tf.memory().numTensors, 'tensor leak').toBe(before);
      expectAllPass(checks);
    });
  },
);
