import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, numericGrad } from '../../test/grad-check.js';
import { initBackend, tf } from '../index.js';
import { sacActorLossT, sacCriticLossT, sacCriticTargetT, sacEntCoefLossT } from '../testing/sac-loss-t.js';
import { expectClose } from '../testing.js';
import { sacActorLoss, sacCriticLoss, sacEntCoefLoss, sacSoftTarget, sacTargets } from './sac-loss.js';

const inputs = {
  rewards: [1.0, -0.5, 0.3],
  dones: [0, 1, 0],
  nextQ1: [2.0, 1.0, -0.5],
  nextQ2: [1.5, 1.2, -0.2],
  nextLogProb: [-1.0, -0.3, 0.4],
  q1: [2.5, 0.1, -0.9],
  q2: [2.1, -0.4, -0.6],
  q1Pi: [1.2, 0.5, -0.3],
  q2Pi: [1.0, 0.9, -0.8],
  logProb: [-0.7, -1.4, 0.2],
  gamma: 0.99,
  logEntCoef: -0.6,
  targetEntropy: -2,
};

describe('sacTargets array-level', () => {
  it('does not bootstrap a terminated transition', () => {
    expect(sacTargets(inputs).targetQ[1]).toBe(-0.5);
  });

  it('the terms SAC trains with agree with the reference, and their gradients with finite differences', () => {
    const ref = sacTargets(inputs);
    const alpha = Math.exp(inputs.logEntCoef);
    const y = sacSoftTarget(
      inputs.rewards,
      inputs.dones,
      inputs.nextQ1,
      inputs.nextQ2,
      inputs.nextLogProb,
      alpha,
      inputs.gamma,
    );
    expect(Array.from(y)).toEqual(Array.from(Float32Array.from(ref.targetQ)));
    const critic = sacCriticLoss(inputs.q1, inputs.q2, ref.targetQ);
    expect(critic.loss).toBeCloseTo(ref.criticLoss, 12);
    const criticOf = (q1: ArrayLike<number>) => sacCriticLoss(q1, inputs.q2, ref.targetQ).loss;
    expectClose(critic.dQ1, numericGrad(criticOf, inputs.q1), { rtol: 1e-5, atol: 1e-7 });
    const actor = sacActorLoss(inputs.q1Pi, inputs.q2Pi, inputs.logProb, alpha);
    expect(actor.loss).toBeCloseTo(ref.actorLoss, 12);
    expect(Array.from(actor.useQ1)).toEqual([0, 1, 0]);
    expect(actor.meanLogProb).toBeCloseTo((-0.7 - 1.4 + 0.2) / 3, 12);
    const ent = sacEntCoefLoss(inputs.logEntCoef, actor.meanLogProb, inputs.targetEntropy);
    expect(ent.loss).toBeCloseTo(ref.entCoefLoss, 12);
    expect(ent.grad).toBeCloseTo(ref.entCoefLossGrad, 12);
    // Ties go to Q1, where torch.min sends the gradient.
    expect(Array.from(sacActorLoss([1], [1], [0], alpha).useQ1)).toEqual([1]);
  });
});

describe.each(BACKENDS)('SAC loss tensors on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('critic loss: gradients reach q1/q2 only, never the target', () => {
    const before = tf.memory().numTensors;
    const [gq1, gTarget] = tf.tidy(() => {
      const t = sacCriticTargetT({
        rewards: tf.tensor1d(inputs.rewards),
        dones: tf.tensor1d(inputs.dones),
        nextQ1: tf.tensor1d(inputs.nextQ1),
        nextQ2: tf.tensor1d(inputs.nextQ2),
        nextLogProb: tf.tensor1d(inputs.nextLogProb),
        alpha: Math.exp(inputs.logEntCoef),
        gamma: inputs.gamma,
      });
      const q2 = tf.tensor1d(inputs.q2);
      const f = (q1: tf.Tensor, target: tf.Tensor) =>
        sacCriticLossT({ q1: q1 as tf.Tensor1D, q2, target: target as tf.Tensor1D });
      return tf
        .grads(f)([tf.tensor1d(inputs.q1), t])
        .map((g) => g.dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(
      gq1!,
      numericGrad((q1) => sacTargets({ ...inputs, q1 }).criticLoss, inputs.q1),
      { rtol: 1e-3, atol: 1e-5 },
    );
    expectClose(gTarget!, [0, 0, 0], { rtol: 0, atol: 0 });
  });

  it('actor loss: gradients wrt logProb and q1Pi, none into a tensor alpha', () => {
    const before = tf.memory().numTensors;
    const [glp, gq1, galpha] = tf.tidy(() => {
      const q2Pi = tf.tensor1d(inputs.q2Pi);
      const f = (logProb: tf.Tensor, q1Pi: tf.Tensor, alpha: tf.Tensor) =>
        sacActorLossT({
          q1Pi: q1Pi as tf.Tensor1D,
          q2Pi,
          logProb: logProb as tf.Tensor1D,
          alpha: alpha as tf.Scalar,
        });
      const args = [
        tf.tensor1d(inputs.logProb),
        tf.tensor1d(inputs.q1Pi),
        tf.scalar(Math.exp(inputs.logEntCoef)),
      ];
      return tf
        .grads(f)(args)
        .map((g) => g.dataSync());
    });
    expect(tf.memory().numTensors).toBe(before);
    expectClose(
      glp!,
      numericGrad((logProb) => sacTargets({ ...inputs, logProb }).actorLoss, inputs.logProb),
      { rtol: 1e-3, atol: 1e-5 },
    );
    expectClose(
      gq1!,
      numericGrad((q1Pi) => sacTargets({ ...inputs, q1Pi }).actorLoss, inputs.q1Pi),
      { rtol: 1e-3, atol: 1e-5 },
    );
    expectClose(galpha!, [0], { rtol: 0, atol: 0 });
  });

  it('entropy-coefficient loss: gradient wrt a log-alpha variable, none into logProb', () => {
    const logAlpha = tf.variable(tf.scalar(inputs.logEntCoef));
    const before = tf.memory().numTensors;
    const [gAlpha, gLogProb] = tf.tidy(() => {
      const f = (la: tf.Tensor, lp: tf.Tensor) =>
        sacEntCoefLossT({ logEntCoef: la, logProb: lp as tf.Tensor1D, targetEntropy: inputs.targetEntropy });
      const viaVariable = tf.variableGrads(
        () =>
          sacEntCoefLossT({ logEntCoef: logAlpha, logProb: tf.tensor1d(inputs.logProb), targetEntropy: -2 }),
        [logAlpha],
      );
      const gv = viaVariable.grads[logAlpha.name]!.dataSync()[0]!;
      const [ga, glp] = tf.grads(f)([tf.scalar(inputs.logEntCoef), tf.tensor1d(inputs.logProb)]);
      expect(ga!.dataSync()[0]).toBeCloseTo(gv, 6);
      return [ga!.dataSync(), glp!.dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    logAlpha.dispose();
    expectClose(gAlpha!, sacTargets(inputs).entCoefLossGrad, { rtol: 1e-5, atol: 1e-6 });
    expectClose(gLogProb!, [0, 0, 0], { rtol: 0, atol: 0 });
  });
});
