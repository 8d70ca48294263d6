import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { decodeFloat32 } from '../checkpoint/encode.js';
import type { Env, StepResult } from '../env.js';
import { Pendulum } from '../envs/pendulum.js';
import { isRlError } from '../errors.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { Rng } from '../random.js';
import { type BoxSpace, box } from '../spaces.js';
import { Ppo } from './ppo.js';
import { Sac } from './sac.js';

const ITEMS = 4;

/**
 * A portfolio bandit: each step every item shows one feature x_i ~ 𝒩(0, 1) (plus one global
 * feature, always 1) and pays x_i per unit of weight. The best weights put everything on the
 * largest x_i; equal weights earn about 0. A per-item scorer can learn this from one rule.
 */
class ItemBandit implements Env {
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
    let reward = 0;
    let sum = 0;
    for (let i = 0; i < ITEMS; i++) {
      reward += action[i]! * this.x[i]!;
      sum += action[i]!;
    }
    if (sum > 1 + 1e-5 || Math.min(...Array.from(action)) < 0)
      throw new Error(`not simplex weights: ${action}`);
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

const portfolio = {
  items: { items: ITEMS, itemDim: 1, globalDim: 1 },
  distribution: 'logistic-normal' as const,
  netArch: [16],
  logStdInit: -1,
};

/** Mean reward of the deterministic policy on fresh draws. */
function score(ppo: Ppo, seed: number): number {
  const env = new ItemBandit();
  let obs = env.reset({ seed }).obs;
  let total = 0;
  for (let i = 0; i < 400; i++) {
    const r = env.step(ppo.predict(obs, { deterministic: true }));
    total += r.reward;
    obs = r.obs;
  }
  return total / 400;
}

describe('Ppo with an item encoder and a logistic-normal head', () => {
  it('learns a per-item rule from 12k steps, and always hands the env simplex weights', async () => {
    await initBackend('wasm');
    const ppo = new Ppo({
      env: new ItemBandit(),
      seed: 3,
      nSteps: 256,
      batchSize: 64,
      nEpochs: 4,
      gamma: 0,
      learningRate: 1e-3,
      policy: portfolio,
    });
    const before = score(ppo, 99);
    await ppo.learn({ totalTimesteps: 12_288 });
    const after = score(ppo, 99);
    // E[max of 4 normals] ≈ 1.03; untrained ≈ 0.
    expect(Math.abs(before)).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(0.6);
    ppo.dispose();
  });

  it('keeps its size whatever the number of items, round-trips a checkpoint, and frees its memory', async () => {
    await initBackend('cpu');
    const tensors = tf.memory().numTensors;
    const bytes = wasmKernels().allocatedBytes;
    const ppo = new Ppo({
      env: new ItemBandit(),
      seed: 1,
      nSteps: 64,
      batchSize: 32,
      nEpochs: 1,
      policy: portfolio,
    });
    await ppo.learn({ totalTimesteps: 128 });
    const bundle = JSON.parse(JSON.stringify(ppo.save()));
    const copy = Ppo.load(bundle);
    const obs = Float32Array.of(0.5, -1, 2, 0, 1);
    expect(Array.from(copy.predict(obs, { deterministic: true }))).toEqual(
      Array.from(ppo.predict(obs, { deterministic: true })),
    );
    // Two 16-unit networks over 2 inputs and one shared logStd: (2·16+16+16+1)·2 + 1.
    const ten = new Ppo({
      observationSpace: box({ shape: [10 + 1], low: -1, high: 1 }),
      actionSpace: box({ shape: [10], low: 0, high: 1 }),
      policy: { ...portfolio, items: { items: 10, itemDim: 1, globalDim: 1 } },
    });
    const size = (p: Ppo) => decodeFloat32(p.save().weights.policy!, 'weights.policy').length;
    expect(size(ten)).toBe((2 * 16 + 16 + 16 + 1) * 2 + 1);
    expect(size(ppo)).toBe(size(ten));
    for (const p of [ppo, copy, ten]) p.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmKernels().allocatedBytes).toBe(bytes);
  });

  it('names the field when the layout or the action space does not fit', () => {
    const obsSpace = box({ shape: [9], low: -1, high: 1 });
    const fails = (o: ConstructorParameters<typeof Ppo>[0], field: string) => {
      try {
        new Ppo(o).dispose();
        expect.unreachable();
      } catch (e) {
        expect(isRlError(e, 'CONFIG')).toBe(true);
        expect((e as { field?: string }).field).toBe(field);
      }
    };
    fails(
      { observationSpace: obsSpace, actionSpace: box({ shape: [4], low: 0, high: 1 }), policy: portfolio },
      'policy.items',
    );
    fails(
      {
        observationSpace: box({ shape: [5], low: -1, high: 1 }),
        actionSpace: box({ shape: [4], low: -1, high: 0 }),
        policy: portfolio,
      },
      'policy.distribution',
    );
    // SAC takes the same layout checks, with the same field.
    try {
      new Sac({ env: new Pendulum(), policy: portfolio }).dispose();
      expect.unreachable();
    } catch (e) {
      expect(isRlError(e, 'CONFIG')).toBe(true);
      expect((e as { field?: string }).field).toBe('policy.items');
    }
  });

  it('SAC with the logistic-normal: squashed actions × logitBound are logits, the env gets weights', async () => {
    await initBackend('wasm');
    const sac = new Sac({
      env: new ItemBandit(), // throws on anything but simplex weights
      seed: 2,
      learningStarts: 64,
      batchSize: 32,
      policy: { distribution: 'logistic-normal', logitBound: 4, netArch: [32, 32] },
    });
    await sac.learn({ totalTimesteps: 160 });
    const w = sac.predict(Float32Array.of(3, -1, 0, 0.5, 1), { deterministic: true });
    expect(w.length).toBe(ITEMS);
    expect(Math.min(...w)).toBeGreaterThan(0);
    expect(w.reduce((a, x) => a + x, 0)).toBeLessThan(1);
    // logitBound 4: no weight can exceed e^4 / (e^4 + 4·e^−4) of the total.
    expect(Math.max(...w)).toBeLessThan(Math.exp(4) / (Math.exp(4) + 4 * Math.exp(-4)));
    sac.dispose();
    expect(
      () =>
        new Sac({
          observationSpace: box({ shape: [5], low: -1, high: 1 }),
          actionSpace: box({ shape: [4], low: -1, high: 0 }),
          policy: { distribution: 'logistic-normal' },
        }),
    ).toThrow(/map the weights onto your actions/);
  });

  it('a cash logit c shifts every logit by −c against the rest, in PPO and SAC; refused without the logistic-normal', async () => {
    await initBackend('wasm');
    const c = 2;
    const obs = Float32Array.of(0.7, -1.2, 0.3, 2, 1);
    // Logits relative to the rest slot: log(w_i / w_rest).
    const relLogits = (w: ArrayLike<number>) => {
      const rest = 1 - Array.from(w).reduce((a, x) => a + x, 0);
      return Array.from(w, (x) => Math.log(x / rest));
    };
    const models = (cashLogit: number) => [
      new Ppo({ env: new ItemBandit(), seed: 4, policy: { ...portfolio, cashLogit } }),
      new Sac({
        env: new ItemBandit(),
        seed: 4,
        learningStarts: 32,
        batchSize: 16,
        policy: { ...portfolio, cashLogit },
      }),
    ];
    const plain = models(0);
    const biased = models(c);
    for (let m = 0; m < 2; m++) {
      const a = relLogits(plain[m]!.predict(obs, { deterministic: true }));
      const b = relLogits(biased[m]!.predict(obs, { deterministic: true }));
      for (let i = 0; i < ITEMS; i++) expect(b[i]!).toBeCloseTo(a[i]! - c, 4);
    }
    // SAC trains with it: the critic rows' weights carry the same bias, and the env still gets simplex weights.
    await (biased[1] as Sac).learn({ totalTimesteps: 96 });
    for (const model of [...plain, ...biased]) model.dispose();
    try {
      new Ppo({ env: new Pendulum(), policy: { cashLogit: 1 } }).dispose();
      expect.unreachable();
    } catch (e) {
      expect(isRlError(e, 'CONFIG')).toBe(true);
      expect((e as { field?: string }).field).toBe('policy.cashLogit');
      expect((e as Error).message).toMatch(/logistic-normal/);
    }
  });
});
