import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/grad-check.js';
import { initBackend } from '../backend.js';
import type { RolloutSample } from '../buffers/rollout-buffer.js';
import { tf } from '../index.js';
import { ppoLoss, ppoLossBackward } from '../losses/ppo-loss.js';
import { type ActorCriticOptions, ActorCriticPolicy } from '../policies/actor-critic.js';
import { Rng } from '../random.js';
import { box, discrete, type Space } from '../spaces.js';
import { actorCriticT } from '../testing/actor-critic-t.js';
import { ppoLossT } from '../testing/ppo-loss-t.js';
import { expectClose } from '../testing.js';

/** The loss settings a variant sets (SB3's names). */
interface LossOptions {
  clipRange: number;
  clipRangeVf: number | null;
  normalizeAdvantage: boolean;
  entCoef: number;
  vfCoef: number;
}

/** What PPO runs for one minibatch: evaluate on the kernels, SB3's loss, its gradient, backward. */
function analyticGradient(
  policy: ActorCriticPolicy,
  weights: Float32Array,
  s: RolloutSample,
  o: LossOptions,
) {
  const { values, logProb, entropy } = policy.evaluateActions(weights, s.obs, s.actions);
  const inputs = { ...s, newLogProb: logProb, newValues: values, entropy, ...o };
  const loss = ppoLoss(inputs);
  const grad = policy.backward(ppoLossBackward(inputs, loss));
  const stats = [
    loss.loss,
    loss.policyLoss,
    loss.valueLoss,
    loss.entropyLoss,
    loss.approxKl,
    loss.clipFraction,
  ];
  return { grad, stats, clipFraction: loss.clipFraction };
}

const OBS_DIM = 5;
const BATCH = 64;

/** A policy with perturbed weights and a minibatch whose ratios fall on both sides of the clip range. */
function setup(
  actionSpace: Space,
  activation: 'tanh' | 'relu',
  seed: number,
  portfolio: Pick<ActorCriticOptions, 'items' | 'distribution'> = {},
) {
  const rng = new Rng(seed);
  const policy = new ActorCriticPolicy({
    obsDim: OBS_DIM,
    actionSpace,
    netArch: { pi: [64, 64], vf: [64, 32] },
    activation,
    logStdInit: -0.3,
    orthoInit: true,
    rng: rng.fork(),
    maxBatch: BATCH,
    ...portfolio,
  });
  const w = policy.getWeights();
  for (let i = 0; i < w.length; i++) w[i] = w[i]! + 0.05 * rng.normal();
  policy.setWeights(w);
  const obs = rng.fillNormal(new Float32Array(BATCH * OBS_DIM)) as Float32Array;
  const head = policy.head(obs, BATCH);
  const actDim = policy.actDim;
  const actions = new Float32Array(BATCH * actDim);
  for (let i = 0; i < actions.length; i++) {
    actions[i] = policy.discrete ? rng.int(policy.headDim) : head[i]! + rng.normal();
  }
  // Current log-probs, then "old" ones shifted by up to ±0.5 so that |ratio − 1| spans the clip range.
  const current = tfLogProb(policy, obs, actions);
  const oldLogProb = new Float32Array(BATCH);
  for (let i = 0; i < BATCH; i++) oldLogProb[i] = current[i]! + rng.uniform(-0.5, 0.5);
  const values = policy.predictValues(obs, BATCH);
  const sample: RolloutSample = {
    obs,
    actions,
    oldLogProb,
    advantages: rng.fillNormal(new Float32Array(BATCH)).map((x) => 2 * x + 0.5) as Float32Array,
    oldValues: values.map((v) => v + rng.uniform(-0.4, 0.4)) as Float32Array,
    returns: values.map((v) => v + rng.normal()) as Float32Array,
  };
  return { policy, sample, weights: policy.getWeights() };
}

/** log π(a|s) from the tfjs path (the reference), as a Float32Array. */
function tfLogProb(policy: ActorCriticPolicy, obs: Float32Array, actions: Float32Array): Float32Array {
  return tf.tidy(() => {
    const a = policy.discrete
      ? tf.tensor1d(Int32Array.from(actions), 'int32')
      : tf.tensor2d(actions, [BATCH, policy.actDim]);
    const ev = actorCriticT(policy, tf.tensor1d(policy.getWeights()), tf.tensor2d(obs, [BATCH, OBS_DIM]), a);
    return ev.logProb.dataSync().slice() as Float32Array;
  });
}

/** tfjs autodiff of `ppoLossT` through `actorCriticT`: [grad, stats]. */
function referenceGradient(
  policy: ActorCriticPolicy,
  s: RolloutSample,
  o: LossOptions,
): { grad: Float32Array; stats: Float32Array } {
  return tf.tidy(() => {
    const obs = tf.tensor2d(s.obs, [BATCH, OBS_DIM]);
    const actions = policy.discrete
      ? tf.tensor1d(Int32Array.from(s.actions), 'int32')
      : tf.tensor2d(s.actions, [BATCH, policy.actDim]);
    let parts: tf.Tensor[] = [];
    const params = tf.variable(tf.tensor1d(policy.getWeights()));
    const { value, grads } = tf.variableGrads(() => {
      const ev = actorCriticT(policy, params, obs, actions);
      const l = ppoLossT({
        oldLogProb: tf.tensor1d(s.oldLogProb),
        newLogProb: ev.logProb,
        advantages: tf.tensor1d(s.advantages),
        oldValues: tf.tensor1d(s.oldValues),
        newValues: ev.values,
        returns: tf.tensor1d(s.returns),
        entropy: ev.entropy,
        ...o,
      });
      parts = [l.policyLoss, l.valueLoss, l.entropyLoss, l.approxKl, l.clipFraction].map((x) => tf.keep(x));
      return l.loss;
    }, [params]);
    const stats = tf
      .stack([value, ...parts])
      .dataSync()
      .slice() as Float32Array;
    tf.dispose(parts);
    const grad = grads[params.name]!.dataSync().slice() as Float32Array;
    params.dispose();
    return { grad, stats };
  });
}

const maxAbs = (x: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
};

const CASES = [
  { name: 'Discrete(3), tanh', space: discrete(3), activation: 'tanh' as const },
  { name: 'Box(2), tanh', space: box({ shape: [2], low: -1, high: 1 }), activation: 'tanh' as const },
  { name: 'Discrete(2), relu', space: discrete(2), activation: 'relu' as const },
  {
    // Two items of 2 features + 1 global (obsDim 5): shared encoders, one shared logStd.
    name: 'Box(2) item encoder, logistic-normal, relu',
    space: box({ shape: [2], low: 0, high: 1 }),
    activation: 'relu' as const,
    portfolio: { items: { items: 2, itemDim: 2, globalDim: 1 }, distribution: 'logistic-normal' as const },
  },
];
const VARIANTS = [
  { clipRangeVf: null, normalizeAdvantage: true, entCoef: 0.01 },
  { clipRangeVf: 0.2, normalizeAdvantage: false, entCoef: 0.05 },
  { clipRangeVf: 0.2, normalizeAdvantage: true, entCoef: 0 },
  { clipRangeVf: null, normalizeAdvantage: false, entCoef: 0 },
];

describe.each(BACKENDS)('PPO’s analytic gradient equals the tfjs autodiff of ppoLossT on %s', (backend) => {
  it.each(CASES)('$name, with and without value clipping and advantage normalisation', async (c) => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const { policy, sample, weights } = setup(c.space, c.activation, 7, 'portfolio' in c ? c.portfolio : {});
    let clippedSomewhere = false;
    for (const v of VARIANTS) {
      const o: LossOptions = { clipRange: 0.2, vfCoef: 0.5, ...v };
      const ref = referenceGradient(policy, sample, o);
      const fast = analyticGradient(policy, weights, sample, o);
      const label = `${backend} ${c.name} ${JSON.stringify(v)}`;
      expectClose(fast.stats, ref.stats, { rtol: 1e-4, atol: 1e-5, label: `${label} stats` });
      expectClose(fast.grad, ref.grad, { rtol: 1e-4, atol: 1e-4 * maxAbs(ref.grad), label: `${label} grad` });
      // Sanity: the gradient is not trivially zero and the clipping branches are exercised.
      expect(maxAbs(ref.grad)).toBeGreaterThan(1e-3);
      clippedSomewhere ||= fast.clipFraction > 0.05 && fast.clipFraction < 0.95;
    }
    expect(clippedSomewhere).toBe(true);
    policy.dispose();
    expect(() => policy.evaluateActions(weights, sample.obs, sample.actions)).toThrow(/disposed/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
