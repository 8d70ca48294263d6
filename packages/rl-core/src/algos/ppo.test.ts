import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { type CheckpointBundle, checkpointChecksum } from '../checkpoint/bundle.js';
import { loadCheckpointFile, saveCheckpointFile } from '../checkpoint/files.js';
import type { StepResult } from '../env.js';
import { CartPole } from '../envs/cartpole.js';
import { Pendulum } from '../envs/pendulum.js';
import { isRlError } from '../errors.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { expectClose } from '../testing.js';
import { DummyVecEnv } from '../vec-env.js';
import { Ppo } from './ppo.js';
import { linearSchedule } from './schedule.js';

const tiny = { nSteps: 32, batchSize: 16, nEpochs: 2 } as const;
const probeObs = Float32Array.from([0.01, -0.02, 0.03, 0.1, -0.05, 0.2, -0.01, 0.3]);

/** CartPole whose reward becomes NaN after `after` steps (a broken reward function). */
class NanRewardCartPole extends CartPole {
  private count = 0;
  constructor(private readonly after: number) {
    super();
  }
  override step(action: number): StepResult {
    const r = super.step(action);
    return { ...r, reward: ++this.count > this.after ? Number.NaN : r.reward };
  }
}

const reseal = (b: CheckpointBundle): CheckpointBundle => ({ ...b, checksum: checkpointChecksum(b) });
const rejectsWith = (fn: () => unknown, code: 'CHECKPOINT' | 'NAN' | 'CONFIG', field: string) => {
  try {
    fn();
  } catch (e) {
    expect(isRlError(e, code), String(e)).toBe(true);
    expect((e as { field?: string }).field).toBe(field);
    return;
  }
  throw new Error(`expected RlError ${code} on ${field}`);
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('Ppo options', () => {
  it('fills SB3 defaults and names the invalid field', async () => {
    await initBackend('cpu');
    const ppo = new Ppo({
      observationSpace: new CartPole().observationSpace,
      actionSpace: new CartPole().actionSpace,
    });
    expect(ppo.config).toMatchObject({
      nSteps: 2048,
      batchSize: 64,
      nEpochs: 10,
      gamma: 0.99,
      gaeLambda: 0.95,
    });
    expect(ppo.config).toMatchObject({
      clipRange: 0.2,
      entCoef: 0,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      learningRate: 3e-4,
    });
    ppo.dispose();
    rejectsWith(() => new Ppo({ env: new CartPole(), nSteps: 0 }), 'CONFIG', 'nSteps');
    rejectsWith(() => new Ppo({ env: new CartPole(), gamma: 2 }), 'CONFIG', 'gamma');
    rejectsWith(() => new Ppo({ env: new CartPole(), bogus: 1 } as never), 'CONFIG', 'options');
    rejectsWith(() => new Ppo({}), 'CONFIG', 'env');
  });
});

describe.each(['cpu', 'wasm'] as const)('Ppo on %s', (backend) => {
  it('trains on CartPole, reports diagnostics, frees every tensor', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const ppo = new Ppo({ env: new CartPole(), seed: 1, ...tiny });
    const seen: number[] = [];
    const result = await ppo.learn({ totalTimesteps: 64, callback: (p) => void seen.push(p.timesteps) });
    expect(seen).toEqual([32, 64]);
    const running = ppo.learn({ totalTimesteps: 32, resetNumTimesteps: false });
    await expect(ppo.learn({ totalTimesteps: 32 })).rejects.toSatisfy((e: unknown) => isRlError(e, 'STATE'));
    expect(() => ppo.setEnv(new CartPole())).toThrow(/not while learn/);
    await running;
    expect(ppo.timesteps).toBe(96);
    const s = result.train!;
    for (const k of [
      'policyLoss',
      'valueLoss',
      'entropyLoss',
      'approxKl',
      'clipFraction',
      'explainedVariance',
    ] as const) {
      expect(Number.isFinite(s[k]), k).toBe(true);
    }
    expect(s.entropy).toBeGreaterThan(0.5); // near log 2 for a fresh 2-action policy
    expect(s.epochs).toBe(2);
    expect(s.nUpdates).toBe(4);
    expect(result.stepsPerSecond).toBeGreaterThan(0);
    const a = ppo.predict(probeObs, { deterministic: true });
    expect(a).toBeInstanceOf(Int32Array);
    expect(a.length).toBe(2);
    ppo.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
    expect(() => ppo.predict(probeObs)).toThrow(/disposed/);
  });

  it('is reproducible: same seed, same losses and actions; another seed differs', async () => {
    await initBackend(backend);
    const run = async (seed: number) => {
      const ppo = new Ppo({ env: new CartPole(), seed, ...tiny });
      const r = await ppo.learn({ totalTimesteps: 64 });
      const out = {
        train: r.train,
        det: ppo.predict(probeObs, { deterministic: true }),
        sto: ppo.predict(probeObs),
      };
      const w = ppo.save().weights.policy!.data;
      ppo.dispose();
      return { ...out, w };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b.train).toEqual(a.train);
    expect(Array.from(b.det)).toEqual(Array.from(a.det));
    expect(Array.from(b.sto)).toEqual(Array.from(a.sto));
    expect(b.w).toBe(a.w);
    expect(c.w).not.toBe(a.w);
  });

  it('handles Box actions with normalisation; checkpoints round-trip through JSON and keep training', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const venv = new DummyVecEnv([() => new Pendulum(), () => new Pendulum()]);
    const ppo = new Ppo({
      env: venv,
      seed: 2,
      ...tiny,
      normalizeObs: true,
      normalizeReward: true,
      gamma: 0.9,
    });
    await ppo.learn({ totalTimesteps: 64 });
    const obs = Float32Array.from([1, 0, 0.5, -0.5, 0.8, 2]);
    const act = ppo.predict(obs, { deterministic: true }) as Float32Array;
    expect(act).toBeInstanceOf(Float32Array);
    expect(act.length).toBe(2);
    for (const x of ppo.predict(obs)) expect(Math.abs(x)).toBeLessThanOrEqual(2);

    const bundle = JSON.parse(JSON.stringify(ppo.save())) as CheckpointBundle;
    expect(bundle).toMatchObject({ format: 'marlts-rl-checkpoint', version: 1, algo: 'ppo', timesteps: 64 });
    const loaded = Ppo.load(bundle, { env: new DummyVecEnv([() => new Pendulum(), () => new Pendulum()]) });
    expect(Array.from(loaded.predict(obs, { deterministic: true }))).toEqual(Array.from(act));
    expect(loaded.config).toEqual(ppo.config);
    // Same RNG state: the next stochastic actions agree too.
    expect(Array.from(loaded.predict(obs))).toEqual(Array.from(ppo.predict(obs)));
    const r = await loaded.learn({ totalTimesteps: 64, resetNumTimesteps: false });
    expect(loaded.timesteps).toBe(128);
    expect(r.train!.nUpdates).toBe(4); // 2 epochs per 64-step rollout (2 envs × 32)
    const dir = await mkdtemp(join(tmpdir(), 'rl-core-ckpt-'));
    dirs.push(dir);
    const file = join(dir, 'ppo.json');
    await saveCheckpointFile(file, loaded.save());
    const again = Ppo.load(await loadCheckpointFile(file));
    expect(Array.from(again.predict(obs, { deterministic: true }))).toEqual(
      Array.from(loaded.predict(obs, { deterministic: true })),
    );
    expect(await readdir(dir)).toEqual(['ppo.json']);
    for (const m of [ppo, loaded, again]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
  });

  it('rejects corrupted or mismatched checkpoints with RlError CHECKPOINT naming the field', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const ppo = new Ppo({ env: new CartPole(), seed: 0, ...tiny });
    const good = ppo.save();
    ppo.dispose();
    const w = good.weights.policy!;
    const flipped = { ...w, data: `${w.data[0] === 'A' ? 'B' : 'A'}${w.data.slice(1)}` };
    rejectsWith(() => Ppo.load({ ...good, weights: { policy: flipped } }), 'CHECKPOINT', 'checksum');
    const short = { ...w, shape: [4], data: 'AACAPwAAAEAAAEBAAACAQA==' };
    rejectsWith(
      () => Ppo.load(reseal({ ...good, weights: { policy: short } })),
      'CHECKPOINT',
      'weights.policy',
    );
    rejectsWith(() => Ppo.load(reseal({ ...good, weights: {} })), 'CHECKPOINT', 'weights.policy');
    rejectsWith(() => Ppo.load(reseal({ ...good, version: 99 })), 'CHECKPOINT', 'version');
    rejectsWith(() => Ppo.load(reseal({ ...good, algo: 'sac' })), 'CHECKPOINT', 'algo');
    rejectsWith(
      () => Ppo.load(reseal({ ...good, config: { ...good.config, nSteps: -1 } })),
      'CHECKPOINT',
      'config.nSteps',
    );
    const { rng: _rng, ...noRng } = good;
    rejectsWith(() => Ppo.load(noRng), 'CHECKPOINT', 'rng');
    rejectsWith(() => Ppo.load(good, { env: new Pendulum() }), 'CHECKPOINT', 'spaces.observation');
    rejectsWith(() => Ppo.load('not a bundle'), 'CHECKPOINT', 'bundle');
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
  });

  it('NaN guard: a NaN reward or an exploding learning rate rejects with RlError NAN and keeps finite weights', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const broken = new Ppo({ env: new NanRewardCartPole(40), seed: 0, ...tiny });
    await expect(broken.learn({ totalTimesteps: 96 })).rejects.toSatisfy(
      (e: unknown) => isRlError(e, 'NAN') && (e as { field?: string }).field === 'reward',
    );
    expect(broken.timesteps).toBe(41);
    broken.dispose();

    const exploding = new Ppo({
      env: new CartPole(),
      seed: 0,
      ...tiny,
      learningRate: 1e30,
      maxGradNorm: 1e30,
    });
    const initial = exploding.predict(probeObs, { deterministic: true });
    const initialWeights = exploding.save().weights.policy!.data;
    await expect(exploding.learn({ totalTimesteps: 64 })).rejects.toSatisfy((e: unknown) =>
      isRlError(e, 'NAN'),
    );
    // The failed update phase was rolled back: still finite, still saveable, still the same policy.
    const bundle = exploding.save();
    expect(bundle.weights.policy!.data).toBe(initialWeights);
    expect(Array.from(exploding.predict(probeObs, { deterministic: true }))).toEqual(Array.from(initial));
    exploding.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
  });
});

describe.each(['cpu', 'wasm'] as const)('Ppo schedules, target KL and setEnv on %s', (backend) => {
  it('decays a linear learning rate, stops epochs early on target KL, swaps envs of the same spaces', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const ppo = new Ppo({
      env: new CartPole(),
      seed: 0,
      ...tiny,
      learningRate: linearSchedule(1e-3),
      targetKl: 1e-6,
    });
    const lrs: number[] = [];
    const epochs: number[] = [];
    await ppo.learn({
      totalTimesteps: 96,
      callback: (p) => {
        lrs.push(p.train!.learningRate);
        epochs.push(p.train!.epochs);
      },
    });
    // progressRemaining after each 32-step rollout: 2/3, 1/3, 0.
    expectClose(lrs, [1e-3 * (2 / 3), 1e-3 * (1 / 3), 0], { atol: 1e-12 });
    // The second minibatch already exceeds 1.5·targetKl; at lr 0 the policy never moves.
    expect(epochs).toEqual([0, 0, 2]);
    const restored = Ppo.load(JSON.parse(JSON.stringify(ppo.save())));
    expect(restored.config.learningRate).toBeTypeOf('function');
    expect((restored.config.learningRate as (p: number) => number)(0.5)).toBeCloseTo(5e-4, 12);
    restored.dispose();
    expect(() => ppo.setEnv(new Pendulum())).toThrow(
      expect.objectContaining({ code: 'CONFIG', field: 'observationSpace' }),
    );
    ppo.setEnv(new DummyVecEnv([() => new CartPole(), () => new CartPole()]));
    await ppo.learn({ totalTimesteps: 64, resetNumTimesteps: false });
    expect(ppo.timesteps).toBe(96 + 64);
    ppo.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
  });
});

describe('Ppo learning sanity (wasm, seeded)', () => {
  it('improves CartPole episode length within a small budget', async () => {
    await initBackend('wasm');
    const ppo = new Ppo({
      env: new CartPole(),
      seed: 0,
      nSteps: 256,
      batchSize: 64,
      nEpochs: 4,
      learningRate: 1e-3,
    });
    const lengths: number[] = [];
    await ppo.learn({ totalTimesteps: 4096, callback: (p) => void lengths.push(p.episodeLengthMean) });
    ppo.dispose();
    // A random policy balances ~22 steps; PPO should at least double that within 16 rollouts.
    expect(lengths[0]).toBeLessThan(35);
    expect(lengths.at(-1)).toBeGreaterThan(2 * lengths[0]!);
  });
});
