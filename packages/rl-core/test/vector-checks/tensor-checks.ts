/**
 * Tensor-level checks of one vector case on the active tfjs backend (float32): runs the
 * differentiable `…T` functions on the case inputs, reads the results back and disposes
 * every tensor it made. The SAC case also checks `tf.grad` of the entropy-coefficient loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  categoricalEntropyT,
  categoricalLogProbT,
  diagGaussianEntropyT,
  diagGaussianLogProbT,
  ppoLossT,
  sacActorLossT,
  sacCriticLossT,
  sacCriticTargetT,
  sacEntCoefLossT,
  squashedGaussianLogProbT,
  squashedGaussianRsampleT,
} from '../../src/testing.js';
import { VECTOR_TOLERANCES } from './compare.js';
import { flat, flatOrNull, num, numOrNull, obj, shapeOf } from './fields.js';
import type { VectorCase, VectorCheck, VectorKind } from './types.js';

type Push = (field: string, actual: tf.Tensor, expected: ArrayLike<number> | number) => void;

const t1 = (c: VectorCase, field: string): tf.Tensor1D => tf.tensor1d(Float32Array.from(flat(c, field)));
const t2 = (c: VectorCase, field: string): tf.Tensor2D => {
  const [rows, cols] = shapeOf(c, field) as [number, number];
  return tf.tensor2d(Float32Array.from(flat(c, field)), [rows, cols]);
};

function gaussianT(c: VectorCase, push: Push): void {
  const e = obj(c, 'expected');
  const mean = t2(c, 'mean');
  const logStd = shapeOf(c, 'log_std').length === 1 ? t1(c, 'log_std') : t2(c, 'log_std');
  const actions = t2(c, 'actions');
  if (c.kind === 'diag') {
    push('log_prob', diagGaussianLogProbT(mean, logStd, actions), flat(e, 'log_prob'));
    push('entropy', diagGaussianEntropyT(logStd, mean.shape[0]), flat(e, 'entropy'));
    return;
  }
  const logStd2 = logStd as tf.Tensor2D;
  push(
    'log_prob_from_actions_only',
    squashedGaussianLogProbT(mean, logStd2, actions),
    flat(e, 'log_prob_from_actions_only'),
  );
  // Reparameterised sample that lands exactly on the recorded pre-tanh action u.
  const u = flat(c, 'gaussian_actions');
  const m = flat(c, 'mean');
  const ls = flat(c, 'log_std');
  const noise = u.map((x, i) => (x - m[i]!) / Math.exp(ls[i]!));
  const { actions: a, logProb } = squashedGaussianRsampleT(
    mean,
    logStd2,
    tf.tensor2d(Float32Array.from(noise), mean.shape),
  );
  push('rsample/actions', a, flat(c, 'actions'));
  push('rsample/log_prob_with_gaussian_actions', logProb, flat(e, 'log_prob_with_gaussian_actions'));
}

function categoricalT(c: VectorCase, push: Push): void {
  const e = obj(c, 'expected');
  const logits = t2(c, 'logits');
  push(
    'log_prob',
    categoricalLogProbT(logits, tf.tensor1d(Int32Array.from(flat(c, 'actions')))),
    flat(e, 'log_prob'),
  );
  push('entropy', categoricalEntropyT(logits), flat(e, 'entropy'));
}

function ppoT(c: VectorCase, push: Push): void {
  const e = obj(c, 'expected');
  const entropy = flatOrNull(c, 'entropy');
  const r = ppoLossT({
    oldLogProb: t1(c, 'old_log_prob'),
    newLogProb: t1(c, 'new_log_prob'),
    advantages: t1(c, 'advantages'),
    oldValues: t1(c, 'old_values'),
    newValues: t1(c, 'new_values'),
    returns: t1(c, 'returns'),
    entropy: entropy === null ? null : tf.tensor1d(Float32Array.from(entropy)),
    clipRange: num(c, 'clip_range'),
    clipRangeVf: numOrNull(c, 'clip_range_vf'),
    normalizeAdvantage: num(c, 'normalize_advantage') === 1,
    entCoef: num(c, 'ent_coef'),
    vfCoef: num(c, 'vf_coef'),
  });
  push('loss', r.loss, num(e, 'loss'));
  push('policy_loss', r.policyLoss, num(e, 'policy_loss'));
  push('value_loss', r.valueLoss, num(e, 'value_loss'));
  push('entropy_loss', r.entropyLoss, num(e, 'entropy_loss'));
  push('approx_kl', r.approxKl, num(e, 'approx_kl'));
  push('clip_fraction', r.clipFraction, num(e, 'clip_fraction'));
}

function sacT(c: VectorCase, push: Push): void {
  const e = obj(c, 'expected');
  const logEntCoef = num(c, 'log_ent_coef');
  const alpha = tf.exp(tf.scalar(logEntCoef)) as tf.Scalar;
  const target = sacCriticTargetT({
    rewards: t1(c, 'rewards'),
    dones: t1(c, 'dones'),
    nextQ1: t1(c, 'next_q1'),
    nextQ2: t1(c, 'next_q2'),
    nextLogProb: t1(c, 'next_log_prob'),
    alpha,
    gamma: num(c, 'gamma'),
  });
  push('ent_coef', alpha, num(e, 'ent_coef'));
  push('target_q', target, flat(e, 'target_q'));
  push('critic_loss', sacCriticLossT({ q1: t1(c, 'q1'), q2: t1(c, 'q2'), target }), num(e, 'critic_loss'));
  push(
    'actor_loss',
    sacActorLossT({
      q1Pi: t1(c, 'q1_pi'),
      q2Pi: t1(c, 'q2_pi'),
      logProb: t1(c, 'log_prob'),
      alpha: Math.exp(logEntCoef),
    }),
    num(e, 'actor_loss'),
  );
  const logProb = t1(c, 'log_prob');
  const targetEntropy = num(c, 'target_entropy');
  const loss = (x: tf.Tensor) => sacEntCoefLossT({ logEntCoef: x, logProb, targetEntropy });
  push('ent_coef_loss', loss(tf.scalar(logEntCoef)), num(e, 'ent_coef_loss'));
  push(
    'ent_coef_loss_grad_wrt_log_ent_coef',
    tf.grad(loss)(tf.scalar(logEntCoef)),
    num(e, 'ent_coef_loss_grad_wrt_log_ent_coef'),
  );
}

const RUNNERS: Partial<Record<VectorKind, (c: VectorCase, push: Push) => void>> = {
  gaussian: gaussianT,
  categorical: categoricalT,
  ppo_loss: ppoT,
  sac_targets: sacT,
};

/**
 * True when {@link tensorChecks} has tensor-level checks for this kind.
 * @example
 * hasTensorChecks('gae'); // false: GAE is array-level only
 */
export function hasTensorChecks(kind: VectorKind): boolean {
  return RUNNERS[kind] !== undefined;
}

/**
 * The float32 tensor-level checks of one case on the active backend. Creates and disposes
 * its own tensors (the count of live tensors is unchanged afterwards).
 *
 * @example
 * await initBackend('wasm');
 * const bad = compareChecks(tensorChecks('ppo_loss', file.json.cases[0], 'ppo_loss.json'));
 */
export function tensorChecks(kind: VectorKind, c: VectorCase, fileLabel: string): VectorCheck[] {
  const run = RUNNERS[kind];
  if (run === undefined) return [];
  const checks: VectorCheck[] = [];
  const tol = VECTOR_TOLERANCES.float32;
  tf.tidy(() => {
    run(c, (field, actual, expected) => {
      checks.push({
        label: `${fileLabel}/${c.name}/${field} [${tf.getBackend()}]`,
        actual: actual.dataSync(),
        expected,
        ...tol,
      });
    });
  });
  return checks;
}
