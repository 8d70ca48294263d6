import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend } from '../backend.js';
import { squashedGaussianBackward } from '../distributions/squashed-gaussian.js';
import { tf } from '../index.js';
import { wasmKernels } from '../kernels/wasm-kernels.js';
import { sacActorLoss, sacCriticLoss, sacSoftTarget } from '../losses/sac-loss.js';
import { Adam } from '../optim/adam.js';
import type { BoxDistribution } from '../policies/actor-critic.js';
import { LOG_STD_MIN, SacPolicy } from '../policies/sac-policy.js';
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
 * updated critics), keeping the critic's, the actor's and the action gradient.
 */
function analyticStep(
  policy: SacPolicy,
  b: Batch,
  noiseNext: Float32Array,
  noisePi: Float32Array,
  alpha: number,
) {
  const k = wasmKernels();
  const critics = new Adam(policy.params.critic.length, { learningRate: 1e-3 }, { kernels: k });
  const next = policy.sampleActions(b.nextObs, noiseNext);
  const [q1Next, q2Next] = policy.qValues('criticTarget', b.nextObs, next.actions);
  const y = sacSoftTarget(b.rewards, b.dones, q1Next, q2Next, next.logProb, alpha, 0.95);
  const [q1, q2] = policy.qValues('critic', b.obs, b.actions);
  const critic = sacCriticLoss(q1, q2, y);
  const criticGrad = policy.criticBackward(critic.dQ1, critic.dQ2);
  const gradCritic = k.view(criticGrad.grad).slice();
  critics.step(policy.params.critic, criticGrad.grad);
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
    q1Pi,
    q2Pi,
    piActions: pi.actions,
    logStd: pi.logStd,
    dActions,
    critic: gradCritic,
    actor: k.view(actorGrad.grad).slice(),
  };
}

const maxAbs = (x: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
};

const close = (got: ArrayLike<number>, want: ArrayLike<number>, label: string) => {
  expect(maxAbs(want)).toBeGreaterThan(1e-4); // a gradient that is all zeros proves nothing
  expectClose(got, want, { rtol: 1e-3, atol: 1e-4 * maxAbs(want), label });
};

const CASES: { distribution: BoxDistribution; clampLogStd: boolean }[] = [
  { distribution: 'logistic-normal', clampLogStd: false },
  { distribution: 'logistic-normal', clampLogStd: true },
  { distribution: 'gaussian', clampLogStd: false },
];

describe.each(BACKENDS)('per-item SAC’s analytic gradients against tfjs autodiff on %s', (backend) => {
  it.each(CASES)(
    '$distribution (log-std clamped for some rows: $clampLogStd): critic, action and actor gradients agree',
    async ({ distribution, clampLogStd }) => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const k = wasmKernels();
      const allocated = k.allocatedBytes;
      const rng = new Rng(distribution === 'gaussian' ? 5 : 8);
      const items = { items: 3, itemDim: 2, globalDim: 1 };
      const [o, d, B, logitBound] = [7, 3, 10, 3];
      // Uneven widths exercise leftover rows and columns in every kernel.
      const policy = new SacPolicy({
        obsDim: o,
        actDim: d,
        netArch: { pi: [16, 12], qf: [20, 12] },
        activation: 'relu',
        rng: rng.fork(),
        maxBatch: B,
        distribution,
        logitBound,
        // A cash bias, so the weights the critic rows carry are checked with a nonzero rest logit.
        cashLogit: distribution === 'logistic-normal' ? 1.5 : 0,
        items,
      });
      expect(policy.actorSpec.sizes).toEqual([3, 16, 12, 2]);
      expect(policy.qSpec.sizes).toEqual([distribution === 'gaussian' ? 4 : 5, 20, 12, 1]);
      const actor0 = policy.get('actor');
      // The log-std output's bias at LOG_STD_MIN: some rows fall below it, and the clamp must stop their gradient.
      if (clampLogStd) actor0[actor0.length - 1] = LOG_STD_MIN;
      else actor0[actor0.length - 1] = -0.5;
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
        dones: Float32Array.from({ length: B }, (_, i) => (i % 4 === 0 ? 1 : 0)),
      };
      const noiseNext = normal(B * d);
      const noisePi = normal(B * d);
      const alpha = 0.3;
      const got = analyticStep(policy, batch, noiseNext, noisePi, alpha);
      const critic1 = policy.get('critic');
      if (clampLogStd) {
        const clamped = got.logStd.filter((x) => x === LOG_STD_MIN).length;
        expect(clamped).toBeGreaterThan(0);
        expect(clamped).toBeLessThan(B * d);
      }
      const opts = {
        items,
        logitBound: distribution === 'logistic-normal' ? logitBound : null,
        cashLogit: policy.cashLogit,
      };

      const ref = tf.tidy(() => {
        const obs = tf.tensor2d(batch.obs, [B, o]);
        const acts = tf.tensor2d(batch.actions, [B, d]);
        const nextObs = tf.tensor2d(batch.nextObs, [B, o]);
        const next = sacActorT(
          policy.actorSpec,
          tf.tensor1d(actor0),
          nextObs,
          tf.tensor2d(noiseNext, [B, d]),
          opts,
        );
        const [nq1, nq2] = sacQValuesT(policy.qSpec, tf.tensor1d(target0), nextObs, next.actions, opts);
        const y = sacCriticTargetT({
          rewards: tf.tensor1d(batch.rewards),
          dones: tf.tensor1d(batch.dones),
          nextQ1: nq1,
          nextQ2: nq2,
          nextLogProb: next.logProb,
          alpha,
          gamma: 0.95,
        });
        const criticLoss = (c: tf.Tensor) => {
          const [q1, q2] = sacQValuesT(policy.qSpec, c as tf.Tensor1D, obs, acts, opts);
          return sacCriticLossT({ q1, q2, target: y });
        };
        const c0 = tf.tensor1d(critic0);
        const updated = tf.tensor1d(critic1);
        const actorLoss = (a: tf.Tensor) => {
          const pi = sacActorT(policy.actorSpec, a as tf.Tensor1D, obs, tf.tensor2d(noisePi, [B, d]), opts);
          const [q1Pi, q2Pi] = sacQValuesT(policy.qSpec, updated, obs, pi.actions, opts);
          return sacActorLossT({ q1Pi, q2Pi, logProb: pi.logProb, alpha });
        };
        // −mean(min(Q1, Q2)) as a function of the actions alone: its gradient is criticActionGradient's.
        const minQLoss = (a: tf.Tensor) => {
          const [q1Pi, q2Pi] = sacQValuesT(policy.qSpec, updated, obs, a as tf.Tensor2D, opts);
          return tf.neg(tf.mean(tf.minimum(q1Pi, q2Pi)));
        };
        const piActions = tf.tensor2d(got.piActions, [B, d]);
        const [q1Pi, q2Pi] = sacQValuesT(policy.qSpec, updated, obs, piActions, opts);
        const a0 = tf.tensor1d(actor0);
        const data = (t: tf.Tensor) => t.dataSync().slice() as Float32Array;
        return {
          criticLoss: criticLoss(c0).dataSync()[0]!,
          criticGrad: data(tf.grad(criticLoss)(c0)),
          actorLoss: actorLoss(a0).dataSync()[0]!,
          actorGrad: data(tf.grad(actorLoss)(a0)),
          actionGrad: data(tf.grad(minQLoss)(piActions)),
          q1Pi: data(q1Pi),
          q2Pi: data(q2Pi),
        };
      });
      // Relative: with the cash bias the losses reach ~10², where float32 sums differ in the 5th decimal.
      expectClose(got.criticLoss, ref.criticLoss, { rtol: 1e-6, atol: 1e-5, label: 'critic loss' });
      expectClose(got.actorLoss, ref.actorLoss, { rtol: 1e-6, atol: 1e-5, label: 'actor loss' });
      expectClose(got.q1Pi, ref.q1Pi, { rtol: 1e-4, atol: 1e-5, label: 'Q1' });
      expectClose(got.q2Pi, ref.q2Pi, { rtol: 1e-4, atol: 1e-5, label: 'Q2' });
      close(got.critic, ref.criticGrad, 'critic');
      close(got.dActions, ref.actionGrad, 'dQ/da');
      close(got.actor, ref.actorGrad, 'actor');

      policy.dispose();
      expect(k.allocatedBytes).toBe(allocated);
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
