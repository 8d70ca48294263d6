import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend } from '../backend.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { SacPolicy } from '../policies/sac-policy.js';
import { Rng } from '../random.js';
import { sacActorLossT, sacCriticLossT, sacCriticTargetT } from '../testing/sac-loss-t.js';
import { sacActorT, sacQValuesT } from '../testing/sac-policy-t.js';
import { expectClose } from '../testing.js';
import { SacUpdate } from './sac-update.js';

const maxAbs = (x: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
};

describe.each(BACKENDS)('SacUpdate against tfjs autodiff of SB3’s losses on %s', (backend) => {
  it('critic and actor gradients, losses and log-probs agree', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const k = wasmKernels();
    const allocated = k.allocatedBytes;
    const rng = new Rng(21);
    const [o, d, B] = [3, 2, 12];
    // Uneven widths exercise leftover rows and columns in every kernel.
    const policy = new SacPolicy({
      obsDim: o,
      actDim: d,
      netArch: { pi: [16, 24], qf: [20, 12] },
      activation: 'relu',
      rng: rng.fork(),
      maxBatch: B,
    });
    // Push the second action's log-std above LOG_STD_MAX: the clamp must stop its gradient.
    const actor0 = policy.get('actor');
    actor0[actor0.length - 1] = 5;
    policy.set('actor', actor0);
    const target0 = policy.get('critic').map((x) => x + 0.01 * rng.normal());
    policy.set('criticTarget', target0);
    const critic0 = policy.get('critic');
    const normal = (n: number) => rng.fillNormal(new Float32Array(n)) as Float32Array;
    const batch = {
      obs: normal(B * o),
      actions: normal(B * d).map((x) => Math.tanh(x)),
      rewards: normal(B),
      nextObs: normal(B * o),
      dones: Float32Array.from({ length: B }, (_, i) => (i % 5 === 0 ? 1 : 0)),
    };
    const noiseNext = normal(B * d);
    const noisePi = normal(B * d);
    const alpha = 0.3;
    const gamma = 0.95;
    const update = new SacUpdate(policy, B, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const r = update.step(batch, { alpha, gamma, learningRate: 1e-3, noiseNext, noisePi });
    expect(r.failed).toBeNull();
    const got = update.gradients();
    const critic1 = policy.get('critic');

    const ref = tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [B, o]);
      const acts = tf.tensor2d(batch.actions, [B, d]);
      const nextObs = tf.tensor2d(batch.nextObs, [B, o]);
      const next = sacActorT(policy.actorSpec, tf.tensor1d(actor0), nextObs, tf.tensor2d(noiseNext, [B, d]));
      const [nq1, nq2] = sacQValuesT(policy.qSpec, tf.tensor1d(target0), nextObs, next.actions);
      const y = sacCriticTargetT({
        rewards: tf.tensor1d(batch.rewards),
        dones: tf.tensor1d(batch.dones),
        nextQ1: nq1,
        nextQ2: nq2,
        nextLogProb: next.logProb,
        alpha,
        gamma,
      });
      const criticLoss = (c: tf.Tensor) => {
        const [q1, q2] = sacQValuesT(policy.qSpec, c as tf.Tensor1D, obs, acts);
        return sacCriticLossT({ q1, q2, target: y });
      };
      const c0 = tf.tensor1d(critic0);
      const updated = tf.tensor1d(critic1);
      const actorLoss = (a: tf.Tensor) => {
        const pi = sacActorT(policy.actorSpec, a as tf.Tensor1D, obs, tf.tensor2d(noisePi, [B, d]));
        const [q1Pi, q2Pi] = sacQValuesT(policy.qSpec, updated, obs, pi.actions);
        return sacActorLossT({ q1Pi, q2Pi, logProb: pi.logProb, alpha });
      };
      const a0 = tf.tensor1d(actor0);
      const logProb = sacActorT(policy.actorSpec, a0, obs, tf.tensor2d(noisePi, [B, d])).logProb;
      return {
        criticLoss: criticLoss(c0).dataSync()[0]!,
        criticGrad: tf.grad(criticLoss)(c0).dataSync().slice() as Float32Array,
        actorLoss: actorLoss(a0).dataSync()[0]!,
        actorGrad: tf.grad(actorLoss)(a0).dataSync().slice() as Float32Array,
        meanLogProb: tf.mean(logProb).dataSync()[0]!,
      };
    });
    expect(r.criticLoss).toBeCloseTo(ref.criticLoss, 4);
    expect(r.actorLoss).toBeCloseTo(ref.actorLoss, 4);
    expect(r.meanLogProb).toBeCloseTo(ref.meanLogProb, 4);
    expectClose(got.critic, ref.criticGrad, {
      rtol: 1e-3,
      atol: 1e-4 * maxAbs(ref.criticGrad),
      label: 'critic',
    });
    expectClose(got.actor, ref.actorGrad, { rtol: 1e-3, atol: 1e-4 * maxAbs(ref.actorGrad), label: 'actor' });
    // The clamped log-std's output weights get no gradient; the unclamped one's do.
    const nOut = 2 * d;
    const headW = actor0.length - nOut - 24 * nOut;
    const column = (j: number) => Array.from({ length: 24 }, (_, i) => got.actor[headW + i * nOut + j]!);
    expect(maxAbs(column(3))).toBe(0);
    expect(maxAbs(column(2))).toBeGreaterThan(0);
    expect(maxAbs(ref.actorGrad)).toBeGreaterThan(1e-3);

    update.dispose();
    policy.dispose();
    expect(k.allocatedBytes).toBe(allocated);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a non-finite critic loss and leaves the weights untouched', async () => {
    await initBackend(backend);
    const policy = new SacPolicy({
      obsDim: 2,
      actDim: 1,
      netArch: { pi: [8], qf: [8] },
      activation: 'relu',
      rng: new Rng(0),
      maxBatch: 4,
    });
    const update = new SacUpdate(policy, 4, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const before = [policy.get('actor'), policy.get('critic')];
    const r = update.step(
      {
        obs: new Float32Array(8),
        actions: new Float32Array(4),
        rewards: Float32Array.of(0, Number.NaN, 0, 0),
        nextObs: new Float32Array(8),
        dones: new Float32Array(4),
      },
      {
        alpha: 0.1,
        gamma: 0.99,
        learningRate: 1e-3,
        noiseNext: new Float32Array(4),
        noisePi: new Float32Array(4),
      },
    );
    expect(r.failed?.what).toBe('criticLoss');
    expect([policy.get('actor'), policy.get('critic')]).toEqual(before);
    update.dispose();
    policy.dispose();
  });
});
