import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRlError } from '../../src/errors.js';
import { arrayChecks } from './array-checks.js';
import { compareChecks } from './compare.js';
import { detectVectorKind, loadVectorFiles } from './load.js';

const root = mkdtempSync(join(tmpdir(), 'rl-core-vectors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const gaeCase = {
  name: 'tiny',
  n_steps: 1,
  n_envs: 1,
  gamma: 0.5,
  gae_lambda: 0.9,
  rewards: [[1]],
  values: [[0.5]],
  episode_starts: [[1]],
  last_values: [2],
  dones: [0],
  advantages: [[1.5]],
  returns: [[2]],
};

describe('loadVectorFiles', () => {
  it('recognises a new file by its case fields and reports files it does not understand', () => {
    const dir = join(root, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'my_extra_gae.json'), JSON.stringify({ cases: [gaeCase] }));
    writeFileSync(join(dir, 'market_step.json'), JSON.stringify({ cases: [{ name: 'm', inputs: {} }] }));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { files, skipped } = loadVectorFiles(dir);
    expect(files.map((f) => f.kind)).toEqual(['gae']);
    expect(skipped.map((s) => s.path)).toEqual([join(dir, 'market_step.json')]);
    const checks = arrayChecks('gae', files[0]!.json.cases[0]!, 'my_extra_gae.json');
    expect(compareChecks(checks)).toEqual([]);
  });

  it('a wrong expected value is reported as a mismatch', () => {
    const checks = arrayChecks('gae', { ...gaeCase, advantages: [[1.6]] }, 'x.json');
    expect(compareChecks(checks).map((m) => m.label)).toEqual(['x.json/tiny/advantages']);
  });

  it('fails on a missing folder, an empty folder and invalid JSON', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const bad = join(root, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'gae.json'), '{ nope');
    for (const dir of [join(root, 'missing'), empty, bad]) {
      expect(() => loadVectorFiles(dir)).toSatisfy((f: () => void) => {
        try {
          f();
          return false;
        } catch (e) {
          return isRlError(e, 'VECTORS');
        }
      });
    }
  });

  it('detects trajectory kinds by state size', () => {
    expect(detectVectorKind('a.json', [{ name: 'x', steps: [], initial_state: [0, 0] }])).toBe(
      'pendulum_traj',
    );
    expect(detectVectorKind('b.json', [{ name: 'x', steps: [], initial_state: [0, 0, 0, 0] }])).toBe(
      'cartpole_traj',
    );
    expect(detectVectorKind('c.json', [{ name: 'x' }])).toBeUndefined();
  });
});
