import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRlError } from '../errors.js';
import {
  CHECKPOINT_FORMAT,
  type CheckpointBundle,
  RL_CORE_VERSION,
  sealCheckpoint,
  validateCheckpoint,
} from './bundle.js';
import { decodeFloat32, encodeFloat32 } from './encode.js';
import { loadCheckpointFile, saveCheckpointFile } from './files.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function bundle(): CheckpointBundle {
  return sealCheckpoint({
    format: CHECKPOINT_FORMAT,
    version: 1,
    algo: 'ppo',
    rlCoreVersion: RL_CORE_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    config: { nSteps: 8 },
    spaces: {
      observation: { kind: 'box', shape: [1], low: ['-Infinity'], high: ['Infinity'] },
      action: { kind: 'discrete', n: 2 },
    },
    weights: { policy: encodeFloat32(Float32Array.from([1, -2.5, 3e-8])) },
    optimizers: {},
    normalizers: {},
    rng: [1, 2, 3, 4],
    timesteps: 0,
    state: {},
  });
}

describe('checkpoint encoding', () => {
  it('round-trips float32 arrays exactly through base64, for every length mod 3', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000]) {
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10 ** (i % 7));
      const enc = encodeFloat32(x);
      expect(Buffer.from(enc.data, 'base64').equals(Buffer.from(x.buffer))).toBe(true);
      expect(Array.from(decodeFloat32(enc, 'w'))).toEqual(Array.from(x));
    }
    expect(() => decodeFloat32({ dtype: 'float32', shape: [2], data: 'AACAPw==' }, 'weights.x')).toThrow(
      /shape/,
    );
  });

  it('records the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(RL_CORE_VERSION).toBe(pkg.version);
  });

  it('the checksum ignores key order and catches any change', () => {
    const b = bundle();
    const reordered = Object.fromEntries(Object.entries(b).reverse());
    expect(validateCheckpoint(reordered)).toBeTruthy();
    expect(() => validateCheckpoint({ ...b, timesteps: 1 })).toThrow(
      expect.objectContaining({ field: 'checksum' }),
    );
  });
});

describe('checkpoint files', () => {
  it('saves atomically, refuses invalid bundles without touching the old file, verifies on load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rl-core-file-'));
    dirs.push(dir);
    const file = join(dir, 'model.json');
    const good = bundle();
    await saveCheckpointFile(file, good);
    expect(await loadCheckpointFile(file)).toEqual(good);

    const corrupt = { ...good, weights: { policy: { ...good.weights.policy!, data: 'AAAA' } } };
    await expect(saveCheckpointFile(file, corrupt)).rejects.toSatisfy((e: unknown) =>
      isRlError(e, 'CHECKPOINT'),
    );
    expect(await readdir(dir)).toEqual(['model.json']);
    expect(await loadCheckpointFile(file)).toEqual(good);

    await writeFile(join(dir, 'torn.json'), JSON.stringify(good).slice(0, 100));
    await expect(loadCheckpointFile(join(dir, 'torn.json'))).rejects.toSatisfy(
      (e: unknown) => isRlError(e, 'CHECKPOINT') && (e as { field?: string }).field === 'file',
    );
    const text = await readFile(file, 'utf8');
    await writeFile(join(dir, 'edited.json'), text.replace('"timesteps":0', '"timesteps":5'));
    await expect(loadCheckpointFile(join(dir, 'edited.json'))).rejects.toSatisfy(
      (e: unknown) => isRlError(e, 'CHECKPOINT') && (e as { field?: string }).field === 'checksum',
    );
  });
});
