import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { type CheckpointBundle, checkpointChecksum } from '../checkpoint/bundle.js';
import { decodeFloat32 } from '../checkpoint/encode.js';
import type { Env, StepResult } from '../env.js';
import { isRlError } from '../errors.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { SacPolicy } from '../policies/sac-policy.js';
import { Rng } from '../random.js';
import { type BoxSpace, box } from '../spaces.js';
import { expectClose } from '../testing.js';
import { Sac } from './sac.js';
import type { SacOptions } from './sac-config.js';

const ITEMS = 3;

/**
 * A portfolio bandit: each step every item shows one feature x_i ~ 𝒩(0, 1) (plus one global
 * feature, always 1) and the reward is the weight on the item with the largest x_i. Equal
 * weights on the items earn 1/3 (less with cash); all on the best item earns 1.
 */
class BestItemBandit implements Env {
  readonly observationSpace: BoxSpace = box({ shape: [ITEMS + 1], low: -10, high: 10 });
  readonly actionSpace: BoxSpace = box({ shape: [ITEMS], low: 0, high: 1 });
  private rng = new Rng(0);
  private x = new Float32Array(ITEMS + 1);
  private t = 0;
  reset(options: { seed?: number } = {}) {
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    this.t = 0;
    return { obs: this.draw(), info: {} };
  }
  step(action: ArrayLike<number>): StepResult {
    let best = 0;
    for (let i = 1; i < ITEMS; i++) if (this.x[i]! > this.x[best]!) best = i;
    const reward = action[best]!;
    this.t++;
    return { obs: this.draw(), reward, terminated: false, truncated: this.t >= 16, info: {} };
  }
  private draw(): Float32Array {
    this.x = new Float32Array(ITEMS + 1);
    for (let i = 0; i < ITEMS; i++) this.x[i] = this.rng.normal();
    this.x[ITEMS] = 1;
    return this.x.slice();
  }
}

const options = (over: Partial<SacOptions> = {}): SacOptions => ({
  env: new BestItemBandit(),
  seed: 4,
  learningStarts: 100,
  batchSize: 64,
  gamma: 0,
  learningRate: 3e-3,
  policy: {
    items: { items: ITEMS, itemDim: 1, globalDim: 1 },
    distribution: 'logistic-normal',
    netArch: [32, 32],
  },
  ...over,
});

/** Mean reward of the deterministic policy on fresh draws. */
function score(sac: Sac, seed: number): number {
  const env = new BestItemBandit();
  let obs = env.reset({ seed }).obs;
  let total = 0;
  for (let i = 0; i < 400; i++) {
    const r = env.step(sac.predict(obs, { deterministic: true }));
    total += r.reward;
    obs = r.obs;
  }
  return total / 400;
}

const LAYOUT = { items: ITEMS, itemDim: 1, globalDim: 1 };

describe('Sac with per-item encoders', () => {
  it('learns to weight the best item in 1500 steps, and does not with a broken (lr 1e-9) gradient', async () => {
    await initBackend('wasm');
    const sac = new Sac(options());
    const before = score(sac, 99);
    await sac.learn({ totalTimesteps: 1500 });
    const after = score(sac, 99);
    const broken = new Sac(options({ learningRate: 1e-9 }));
    await broken.learn({ totalTimesteps: 1500 });
    const frozen = score(broken, 99);
    // Equal weights on the items earn 1/3; measured: before 0.19, after 0.71, frozen 0.19.
    expect(before).toBeLessThan(0.4);
    expect(after).toBeGreaterThan(0.55);
    expect(frozen).toBeLessThan(0.4);
    sac.dispose();
    broken.dispose();
  });

  it('is equivariant to the order of the items: permuted item blocks permute the actions, Q is unchanged', async () => {
    await initBackend('wasm');
    const perm = [2, 0, 1];
    const n = 5;
    const rng = new Rng(7);
    const obs = rng.fillNormal(new Float32Array(n * (ITEMS + 1))) as Float32Array;
    const noise = rng.fillNormal(new Float32Array(n * ITEMS)) as Float32Array;
    // Item blocks (and per-item values) permuted: new item j is old item perm[j].
    const permute = (x: Float32Array, stride: number) => {
      const out = x.slice();
      for (let s = 0; s < n; s++)
        for (let j = 0; j < ITEMS; j++) out[s * stride + j] = x[s * stride + perm[j]!]!;
      return out;
    };
    const permObs = permute(obs, ITEMS + 1);
    const expectPermuted = (a: Float32Array, b: Float32Array) => {
      expectClose(b, permute(a, ITEMS), { rtol: 1e-5, atol: 1e-6, label: 'permuted' });
    };

    const policy = new SacPolicy({
      obsDim: ITEMS + 1,
      actDim: ITEMS,
      netArch: { pi: [16], qf: [16] },
      activation: 'relu',
      rng: new Rng(1),
      maxBatch: n,
      distribution: 'logistic-normal',
      items: LAYOUT,
    });
    const a = policy.sampleActions(obs, noise);
    const aP = policy.sampleActions(permObs, permute(noise, ITEMS));
    expectPermuted(a.actions, aP.actions);
    expectPermuted(a.logStd, aP.logStd);
    expectClose(aP.logProb, a.logProb, { rtol: 1e-5, atol: 1e-5, label: 'logProb' });
    const [q1, q2] = policy.qValues('critic', obs, a.actions);
    const [q1P, q2P] = policy.qValues('critic', permObs, aP.actions);
    expectClose(q1P, q1, { rtol: 1e-5, atol: 1e-6, label: 'Q1' });
    expectClose(q2P, q2, { rtol: 1e-5, atol: 1e-6, label: 'Q2' });
    policy.dispose();

    // Through Sac.predict: the env's weights permute too (the cash logit is outside the items).
    const sac = new Sac(options());
    await sac.learn({ totalTimesteps: 200 });
    expectPermuted(sac.predict(obs, { deterministic: true }), sac.predict(permObs, { deterministic: true }));
    sac.dispose();
    // A flat network is not equivariant (the check above can fail).
    const flat = new Sac(options({ policy: { distribution: 'logistic-normal', netArch: [16] } }));
    const w = flat.predict(obs, { deterministic: true });
    const wP = flat.predict(permObs, { deterministic: true });
    const diff = Array.from(permute(w, ITEMS)).reduce((m, x, i) => Math.max(m, Math.abs(x - wP[i]!)), 0);
    expect(diff).toBeGreaterThan(1e-3);
    flat.dispose();
  });

  it('gives the same run for the same seed, round-trips a checkpoint, keeps its size for any number of items, frees its memory', async () => {
    await initBackend('cpu');
    const tensors = tf.memory().numTensors;
    const bytes = wasmKernels().allocatedBytes;
    const tiny = { learningStarts: 50, batchSize: 16 };
    const a = new Sac(options(tiny));
    const b = new Sac(options(tiny));
    await a.learn({ totalTimesteps: 150 });
    await b.learn({ totalTimesteps: 150 });
    const weights = (s: Sac) => s.save().weights;
    expect(weights(b)).toEqual(weights(a));
    const c = new Sac(options({ ...tiny, seed: 5 }));
    await c.learn({ totalTimesteps: 150 });
    expect(weights(c).actor).not.toEqual(weights(a).actor);

    const bundle = JSON.parse(JSON.stringify(a.save({ replayBuffer: true }))) as CheckpointBundle;
    expect((bundle.config.policy as { items?: unknown }).items).toEqual(LAYOUT);
    const copy = Sac.load(bundle);
    const probe = Float32Array.of(0.5, -1, 2, 1);
    expect(Array.from(copy.predict(probe, { deterministic: true }))).toEqual(
      Array.from(a.predict(probe, { deterministic: true })),
    );
    // Same weights, optimisers, RNG and buffer: the same further training from the same env state.
    const continueOn = async (m: Sac) => {
      m.setEnv(new BestItemBandit());
      const p = await m.learn({ totalTimesteps: 40, resetNumTimesteps: false });
      return { train: p.train, det: Array.from(m.predict(probe, { deterministic: true })) };
    };
    expect(await continueOn(copy)).toEqual(await continueOn(a));

    // A layout that no longer fits the observation refuses with the field named.
    const tampered = {
      ...bundle,
      config: {
        ...bundle.config,
        policy: { ...(bundle.config.policy as object), items: { items: 3, itemDim: 2, globalDim: 1 } },
      },
    };
    expect(() => Sac.load({ ...tampered, checksum: checkpointChecksum(tampered) })).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'config.policy.items' }),
    );
    const wider = { ...new BestItemBandit(), observationSpace: box({ shape: [7], low: -1, high: 1 }) } as Env;
    expect(() => Sac.load(bundle, { env: wider })).toThrow(
      expect.objectContaining({ code: 'CHECKPOINT', field: 'spaces.observation' }),
    );
    // A checkpoint without items (flat networks) loads as before.
    const flat = new Sac(options({ ...tiny, policy: { distribution: 'logistic-normal', netArch: [16] } }));
    const flatCopy = Sac.load(JSON.parse(JSON.stringify(flat.save())));
    expect(flatCopy.config.policy.items).toBeUndefined();
    expect(Array.from(flatCopy.predict(probe, { deterministic: true }))).toEqual(
      Array.from(flat.predict(probe, { deterministic: true })),
    );

    // netArch sizes the per-item networks: 10 items need exactly as many parameters as 3.
    const ten = new Sac({
      observationSpace: box({ shape: [10 + 1], low: -1, high: 1 }),
      actionSpace: box({ shape: [10], low: 0, high: 1 }),
      policy: {
        items: { items: 10, itemDim: 1, globalDim: 1 },
        distribution: 'logistic-normal',
        netArch: [32, 32],
      },
    });
    const size = (s: Sac, group: string) => decodeFloat32(s.save().weights[group]!, group).length;
    // Actor rows [x_i, g] → 2 outputs; critic rows [x_i, g, a_i, w_i] → 1, twice.
    expect(size(ten, 'actor')).toBe(2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2);
    expect(size(ten, 'critic')).toBe(2 * (4 * 32 + 32 + 32 * 32 + 32 + 32 + 1));
    for (const group of ['actor', 'critic', 'criticTarget']) expect(size(a, group)).toBe(size(ten, group));
    for (const s of [a, b, c, copy, flat, flatCopy, ten]) s.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmKernels().allocatedBytes).toBe(bytes);
  });

  it('names policy.items when the layout or the action space does not fit', () => {
    const fails = (o: SacOptions, message: RegExp) => {
      try {
        new Sac(o).dispose();
        expect.unreachable();
      } catch (e) {
        expect(isRlError(e, 'CONFIG')).toBe(true);
        expect((e as { field?: string }).field).toBe('policy.items');
        expect((e as Error).message).toMatch(message);
      }
    };
    const policy = { items: LAYOUT, distribution: 'logistic-normal' as const };
    fails(
      {
        observationSpace: box({ shape: [5], low: -1, high: 1 }),
        actionSpace: box({ shape: [3], low: 0, high: 1 }),
        policy,
      },
      /3 items × 1 \+ 1 global = 4 values, but the observation has 5/,
    );
    fails(
      {
        observationSpace: box({ shape: [4], low: -1, high: 1 }),
        actionSpace: box({ shape: [2], low: 0, high: 1 }),
        policy,
      },
      /must be a Box of 3 values/,
    );
  });
});
