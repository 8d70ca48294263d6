import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { type CheckpointBundle, checkpointChecksum } from '../checkpoint/bundle.js';
import type { StepResult } from '../env.js';
import { CartPole } from '../envs/cartpole.js';
import { Pendulum } from '../envs/pendulum.js';
import { isRlError } from '../errors.js';
import { numThreads, setNumThreads, tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { Sac } from './sac.js';

const tiny = { learningStarts: 40, batchSize: 32, policy: { netArch: [32, 32] } };
const probeObs = Float32Array.from([1, 0, 0.5, 0, 1, -3]);

class NanRewardPendulum extends Pendulum {
  private count = 0;
  override step(action: ArrayLike<number>): StepResult {
    const r = super.step(action);
    return { ...r, reward: ++this.count > 50 ? Number.NaN : r.reward };
  }
}

/** Starts every episode with an infinite angular velocity. */
class InfiniteResetPendulum extends Pendulum {
  override reset(options?: { seed?: number }) {
    const r = super.reset(options);
    r.obs[2] = Number.POSITIVE_INFINITY;
    return r;
  }
}

describe('Sac options', () => {
  it('fills SB3 defaults, names invalid fields, refuses discrete actions', async () => {
    await initBackend('cpu');
    const sac = new Sac({ env: new Pendulum() });
    expect(sac.config).toMatchObject({
      learningRate: 3e-4,
      bufferSize: 1_000_000,
      learningStarts: 100,
      batchSize: 256,
      tau: 0.005,
      gamma: 0.99,
      trainFreq: 1,
      gradientSteps: 1,
      entCoef: 'auto',
      targetEntropy: 'auto',
    });
    sac.dispose();
    for (const [opts, field] of [
      [{ tau: 2 }, 'tau'],
      [{ entCoef: 'sometimes' }, 'entCoef'],
      [{ gradientSteps: 0 }, 'gradientSteps'],
    ] as const) {
      try {
        new Sac({ env: new Pendulum(), ...(opts as object) });
        throw new Error('expected a CONFIG error');
      } catch (e) {
        expect(isRlError(e, 'CONFIG') && e.field === field, String(e)).toBe(true);
      }
    }
    expect(() => new Sac({ env: new CartPole() as never })).toThrow(/Box/);
  });
});

describe.each(['cpu', 'wasm'] as const)('Sac on %s', (backend) => {
  it('trains on Pendulum, learns α, is reproducible, frees every tensor', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const run = async (seed: number) => {
      const sac = new Sac({ env: new Pendulum(), seed, ...tiny });
      const progress = await sac.learn({ totalTimesteps: 60, callbackEvery: 30 });
      const out = {
        train: progress.train,
        det: Array.from(sac.predict(probeObs, { deterministic: true })),
        sto: Array.from(sac.predict(probeObs)),
        replay: sac.replaySize,
      };
      sac.dispose();
      return out;
    };
    const a = await run(4);
    expect(a.replay).toBe(60);
    const t = a.train!;
    expect(t.nUpdates).toBe(20); // steps 41…60 train once each
    for (const k of ['criticLoss', 'actorLoss', 'entCoefLoss', 'logProb'] as const)
      expect(Number.isFinite(t[k]), k).toBe(true);
    expect(t.entCoef).toBeLessThan(1);
    expect(t.entCoef).toBeGreaterThan(0.98); // 20 Adam steps of lr 3e-4 on log α
    for (const x of [...a.det, ...a.sto]) expect(Math.abs(x)).toBeLessThanOrEqual(2);
    expect(await run(4)).toEqual(a);
    expect((await run(5)).det).not.toEqual(a.det);
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
  });

  it('honours trainFreq and gradientSteps (SB3 counting)', async () => {
    await initBackend(backend);
    const sac = new Sac({ env: new Pendulum(), seed: 0, ...tiny, trainFreq: 4, gradientSteps: 2 });
    const p = await sac.learn({ totalTimesteps: 60, callbackEvery: 60 });
    // Trains after the collections ending at steps 44, 48, 52, 56, 60 (> learningStarts 40).
    expect(p.train!.nUpdates).toBe(10);
    sac.dispose();
  });

  it('checkpoints round-trip and reject mismatches; a NaN reward rejects with RlError NAN', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const kernelBytes = wasmKernels().allocatedBytes;
    const sac = new Sac({ env: new Pendulum(), seed: 1, ...tiny, entCoef: 'auto_0.1' });
    await sac.learn({ totalTimesteps: 50 });
    const bundle = JSON.parse(JSON.stringify(sac.save())) as CheckpointBundle;
    expect(Object.keys(bundle.weights).sort()).toEqual(['actor', 'critic', 'criticTarget', 'logEntCoef']);
    const loaded = Sac.load(bundle, { env: new Pendulum() });
    expect(Array.from(loaded.predict(probeObs, { deterministic: true }))).toEqual(
      Array.from(sac.predict(probeObs, { deterministic: true })),
    );
    expect(Array.from(loaded.predict(probeObs))).toEqual(Array.from(sac.predict(probeObs)));
    await loaded.learn({ totalTimesteps: 50, resetNumTimesteps: false });
    expect(loaded.timesteps).toBe(100);
    const bad = { ...bundle, weights: { ...bundle.weights, critic: bundle.weights.actor! } };
    expect(() => Sac.load({ ...bad, checksum: checkpointChecksum(bad) })).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'weights.critic' }),
    );
    expect(() => Sac.load(bundle, { env: new CartPole() as never })).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'spaces.observation' }),
    );
    sac.dispose();
    loaded.dispose();

    const broken = new Sac({ env: new NanRewardPendulum(), seed: 0, ...tiny });
    await expect(broken.learn({ totalTimesteps: 80 })).rejects.toSatisfy(
      (e: unknown) => isRlError(e, 'NAN') && (e as { field?: string }).field === 'reward',
    );
    expect(broken.save().algo).toBe('sac');
    broken.dispose();

    // A non-finite first observation is refused before it reaches the replay buffer.
    const badStart = new Sac({ env: new InfiniteResetPendulum(), seed: 0, ...tiny });
    await expect(badStart.learn({ totalTimesteps: 10 })).rejects.toThrow(
      expect.objectContaining({ code: 'NAN', field: 'obs', message: expect.stringMatching(/at reset/) }),
    );
    expect(badStart.replaySize).toBe(0);
    badStart.dispose();

    // An exploding learning rate: a loss or gradient of the update goes non-finite and is named.
    const exploding = new Sac({ env: new Pendulum(), seed: 0, ...tiny, learningRate: 1e38 });
    await expect(exploding.learn({ totalTimesteps: 80 })).rejects.toSatisfy((e: unknown) => {
      const field = (e as { field?: string }).field ?? '';
      return isRlError(e, 'NAN') && ['criticLoss', 'criticGrad', 'actorLoss', 'actorGrad'].includes(field);
    });
    exploding.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasmKernels().allocatedBytes).toBe(kernelBytes);
  });
});

describe('Sac replay buffer in checkpoints', () => {
  it('round-trips on request, so a warm start continues exactly; a bad buffer names its field', async () => {
    await initBackend('cpu');
    const sac = new Sac({ env: new Pendulum(), seed: 2, ...tiny });
    await sac.learn({ totalTimesteps: 60 });
    expect(sac.save().replayBuffer).toBeUndefined();
    const bundle = JSON.parse(JSON.stringify(sac.save({ replayBuffer: true }))) as CheckpointBundle;
    expect(bundle.replayBuffer).toMatchObject({ size: 60, pos: 60 });
    const loaded = Sac.load(bundle);
    expect(loaded.replaySize).toBe(60);
    expect(Sac.load(JSON.parse(JSON.stringify(sac.save()))).replaySize).toBe(0);
    // Same weights, optimisers, RNG and buffer: the same further training from the same env state.
    const continueOn = async (m: Sac) => {
      m.setEnv(new Pendulum());
      const p = await m.learn({ totalTimesteps: 20, resetNumTimesteps: false });
      return { train: p.train, det: Array.from(m.predict(probeObs, { deterministic: true })) };
    };
    expect(await continueOn(loaded)).toEqual(await continueOn(sac));

    // In memory: one model's experience handed to another.
    const fresh = new Sac({ env: new Pendulum(), seed: 9, ...tiny });
    fresh.setReplayBuffer(sac.getReplayBuffer());
    expect(fresh.replaySize).toBe(sac.replaySize);
    const wrongShape = new Sac({ env: new Pendulum(), seed: 9, ...tiny, bufferSize: 100 });
    expect(() => wrongShape.setReplayBuffer(sac.getReplayBuffer())).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'replayBuffer.capacity' }),
    );
    fresh.dispose();
    wrongShape.dispose();

    const rb = bundle.replayBuffer!;
    for (const [change, field] of [
      [{ pos: 61 }, 'replayBuffer.pos'],
      [{ capacity: 7 }, 'replayBuffer.capacity'],
      [{ rewards: { ...rb.rewards, shape: [59] } }, 'replayBuffer.rewards'],
    ] as const) {
      const bad = { ...bundle, replayBuffer: { ...rb, ...change } } as CheckpointBundle;
      expect(() => Sac.load({ ...bad, checksum: checkpointChecksum(bad) })).toThrow(
        expect.objectContaining({ code: 'CHECKPOINT', field }),
      );
    }
    sac.dispose();
    loaded.dispose();
  });
});

describe('Sac on worker threads', () => {
  it('gives the same run on 1 and 2 threads; setNumThreads validates its argument', async () => {
    await initBackend('cpu');
    // 64 × 256 × 256 products are large enough to be split across the worker.
    const run = async (threads: number) => {
      expect(setNumThreads(threads)).toBe(threads);
      const sac = new Sac({
        env: new Pendulum(),
        seed: 7,
        learningStarts: 20,
        batchSize: 64,
        policy: { netArch: [256, 256] },
      });
      const p = await sac.learn({ totalTimesteps: 28 });
      const out = {
        train: p.train,
        det: Array.from(sac.predict(probeObs, { deterministic: true })),
        bundle: sac.save().weights,
      };
      sac.dispose();
      return out;
    };
    const one = await run(1);
    expect(await run(2)).toEqual(one);
    expect(numThreads()).toBe(2);
    expect(() => setNumThreads(0)).toThrow(expect.objectContaining({ code: 'CONFIG', field: 'threads' }));
    expect(setNumThreads(1)).toBe(1);
  });
});
