import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend } from '../backend.js';
import { squashedGaussianBackward } from '../distributions/squashed-gaussian.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { sacActorLoss, sacCriticLoss, sacSoftTarget } from '../losses/sac-loss.js';
import { Adam } from '../optim/adam.js';
import { SacPolicy } from '../policies/sac-policy.js';
import { Rng } from '../random.js';
import { sacActorLossT, sacCriticLossT, sacCriticTargetT } from '../testing/sac-loss-t.js';
import { sacActorT, sacQValuesT } from '../testing/sac-policy-t.js';
import { expectClose } from '../testing.js';

interface Batch {
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObs: Float32Array;
  dones: Float32Array;
}

/**
 * Steps 1 and 2 of Sac's update as sac.ts runs them (critics, then the actor through the
 * updated critics): the losses, the gradients, and whether the critics' update was applied.
 */
function analyticStep(
  policy: SacPolicy,
  b: Batch,
  noiseNext: Float32Array,
  noisePi: Float32Array,
  alpha: number,
  gamma: number,
) {
  const critics = new Adam(policy.params.critic.length, { learningRate: 1e-3 }, { kernels: wasmKernels() });
  const next = policy.sampleActions(b.nextObs, noiseNext);
  const [q1Next, q2Next] = policy.qValues('criticTarget', b.nextObs, next.actions);
  const y = sacSoftTarget(b.rewards, b.dones, q1Next, q2Next, next.logProb, alpha, gamma);
  const [q1, q2] = policy.qValues('critic', b.obs, b.actions);
  const critic = sacCriticLoss(q1, q2, y);
  const criticGrad = policy.criticBackward(critic.dQ1, critic.dQ2);
  const gradCritic = wasmKernels().view(criticGrad.grad).slice();
  const finite = Number.isFinite(critic.loss) && Number.isFinite(criticGrad.sumSq);
  if (finite) critics.step(policy.params.critic, criticGrad.grad);
  critics.dispose();
  const pi = policy.sampleActions(b.obs, noisePi);
  const [q1Pi, q2Pi] = policy.qValues('critic', b.obs, pi.actions);
  const actor = sacActorLoss(q1Pi, q2Pi, pi.logProb, alpha);
  const dActions = policy.criticActionGradient(actor.useQ1, -1 / pi.logProb.length);
  const { dMean, dLogStd } = squashedGaussianBackward(
    pi.actions,
    pi.logStd,
    noisePi,
    dActions,
    alpha,
    policy.actDim,
  );
  const actorGrad = policy.actorBackward(dMean, dLogStd);
  return {
    criticLoss: critic.loss,
    actorLoss: actor.loss,
    meanLogProb: actor.meanLogProb,
    finite,
    gradients: { critic: gradCritic, actor: wasmKernels().view(actorGrad.grad).slice() },
  };
}

const maxAbs = (x: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
};

describe.each(BACKENDS)('SAC’s analytic gradients against tfjs autodiff of SB3’s losses on %s', (backend) => {
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
    const r = analyticStep(policy, batch, noiseNext, noisePi, alpha, gamma);
    expect(r.finite).toBe(true);
    const got = r.gradients;
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

    policy.dispose();
    expect(k.allocatedBytes).toBe(allocated);
    expect(tf.memory().numTensors).toBe(before);
  });
});
