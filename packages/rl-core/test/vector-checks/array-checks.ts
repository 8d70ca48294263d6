/**
 * Array-level (float64) checks of one vector case: runs rl-core's plain-array maths on the
 * case inputs and pairs each result with the expected field.
 */
import {
  categoricalEntropy,
  categoricalLogProb,
  categoricalMode,
  categoricalProbs,
} from '../../src/distributions/categorical.js';
import {
  diagGaussianEntropy,
  diagGaussianLogProb,
  diagGaussianMode,
} from '../../src/distributions/diag-gaussian.js';
import { squashedGaussianLogProb, squashedGaussianMode } from '../../src/distributions/squashed-gaussian.js';
import { bootstrapTruncatedRewards, computeGae } from '../../src/gae.js';
import { ppoLoss } from '../../src/losses/ppo-loss.js';
import { sacTargets } from '../../src/losses/sac-loss.js';
import { VECTOR_TOLERANCES } from './compare.js';
import { flat, flatOrNull, has, num, numOrNull, obj, shapeOf } from './fields.js';
import type { VectorCase, VectorCheck, VectorKind } from './types.js';

const F64 = VECTOR_TOLERANCES.float64;
const F32 = VECTOR_TOLERANCES.float32;
const F32_EXACT = VECTOR_TOLERANCES.float32Exact;

type Push = (
  field: string,
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol?: { rtol: number; atol: number },
) => void;

function checker(label: string): { checks: VectorCheck[]; push: Push } {
  const checks: VectorCheck[] = [];
  const push: Push = (field, actual, expected, tol = F64) =>
    checks.push({ label: `${label}/${field}`, actual, expected, ...tol });
  return { checks, push };
}

function gaeChecks(c: VectorCase, push: Push): void {
  const nSteps = num(c, 'n_steps');
  const nEnvs = num(c, 'n_envs');
  const gamma = num(c, 'gamma');
  const base = {
    rewards: flat(c, 'rewards'),
    values: flat(c, 'values'),
    episodeStarts: flat(c, 'episode_starts'),
    lastValues: flat(c, 'last_values'),
    dones: flat(c, 'dones'),
    nSteps,
    nEnvs,
    gamma,
    gaeLambda: num(c, 'gae_lambda'),
  };
  const g64 = computeGae(base);
  push('advantages', g64.advantages, flat(c, 'advantages'));
  push('returns', g64.returns, flat(c, 'returns'));
  if (has(c, 'advantages_float32')) {
    const g32 = computeGae(base, { dtype: 'float32' });
    push('advantages_float32', g32.advantages, flat(c, 'advantages_float32'), F32_EXACT);
    push('returns_float32', g32.returns, flat(c, 'returns_float32'), F32_EXACT);
  }
  if (!has(c, 'raw_rewards')) return;
  // End-to-end SB3 truncation pipeline: bootstrap the rewards, derive episode starts / dones
  // from the env flags, then GAE.
  const terminated = flat(c, 'terminated');
  const truncated = flat(c, 'truncated');
  const done = terminated.map((t, i) => (t || truncated[i] ? 1 : 0));
  const mask = terminated.map((t, i) => (truncated[i] && !t ? 1 : 0));
  const raw = flat(c, 'raw_rewards');
  const terminalValues = flat(c, 'terminal_values');
  const rewards = bootstrapTruncatedRewards(raw, mask, terminalValues, gamma);
  push('pipeline/rewards', rewards, base.rewards);
  const starts = new Float64Array(nSteps * nEnvs);
  for (let e = 0; e < nEnvs; e++) starts[e] = base.episodeStarts[e]!;
  for (let i = nEnvs; i < starts.length; i++) starts[i] = done[i - nEnvs]!;
  const dones = done.slice((nSteps - 1) * nEnvs);
  push('pipeline/episode_starts', starts, base.episodeStarts, { rtol: 0, atol: 0 });
  push('pipeline/dones', dones, base.dones, { rtol: 0, atol: 0 });
  const p64 = computeGae({ ...base, rewards, episodeStarts: starts, dones });
  push('pipeline/advantages', p64.advantages, flat(c, 'advantages'));
  push('pipeline/returns', p64.returns, flat(c, 'returns'));
  if (has(c, 'pipeline_rewards_float32')) {
    const r32 = bootstrapTruncatedRewards(raw, mask, terminalValues, gamma, { dtype: 'float32' });
    push('pipeline_rewards_float32', r32, flat(c, 'pipeline_rewards_float32'), F32_EXACT);
    push('pipeline_episode_starts', starts, flat(c, 'pipeline_episode_starts'), { rtol: 0, atol: 0 });
    const p32 = computeGae({ ...base, rewards: r32, episodeStarts: starts, dones }, { dtype: 'float32' });
    push('pipeline_advantages_float32', p32.advantages, flat(c, 'pipeline_advantages_float32'), F32_EXACT);
    push('pipeline_returns_float32', p32.returns, flat(c, 'pipeline_returns_float32'), F32_EXACT);
  }
}

function ppoChecks(c: VectorCase, push: Push): void {
  const r = ppoLoss({
    oldLogProb: flat(c, 'old_log_prob'),
    newLogProb: flat(c, 'new_log_prob'),
    advantages: flat(c, 'advantages'),
    oldValues: flat(c, 'old_values'),
    newValues: flat(c, 'new_values'),
    returns: flat(c, 'returns'),
    entropy: flatOrNull(c, 'entropy'),
    clipRange: num(c, 'clip_range'),
    clipRangeVf: numOrNull(c, 'clip_range_vf'),
    normalizeAdvantage: num(c, 'normalize_advantage') === 1,
    entCoef: num(c, 'ent_coef'),
    vfCoef: num(c, 'vf_coef'),
  });
  const e = obj(c, 'expected');
  push('advantages_used', r.advantagesUsed, flat(e, 'advantages_used'));
  push('ratio', r.ratio, flat(e, 'ratio'));
  push('values_pred', r.valuesPred, flat(e, 'values_pred'));
  push('policy_loss', r.policyLoss, num(e, 'policy_loss'));
  push('clip_fraction', r.clipFraction, num(e, 'clip_fraction'));
  push('approx_kl', r.approxKl, num(e, 'approx_kl'));
  push('value_loss', r.valueLoss, num(e, 'value_loss'));
  push('entropy_loss', r.entropyLoss, num(e, 'entropy_loss'));
  push('loss', r.loss, num(e, 'loss'));
}

function gaussianChecks(c: VectorCase, push: Push): void {
  const tol = c.dtype === 'float32' ? F32 : F64;
  const actionDim = shapeOf(c, 'mean')[1]!;
  const mean = flat(c, 'mean');
  const logStd = flat(c, 'log_std');
  const actions = flat(c, 'actions');
  const e = obj(c, 'expected');
  if (c.kind === 'diag') {
    push('log_prob', diagGaussianLogProb(mean, logStd, actions, actionDim), flat(e, 'log_prob'), tol);
    push('entropy', diagGaussianEntropy(logStd, actionDim, mean.length / actionDim), flat(e, 'entropy'), tol);
    push('mode', diagGaussianMode(mean), flat(e, 'mode'), tol);
    return;
  }
  const u = flat(c, 'gaussian_actions');
  const dtype = c.dtype === 'float32' ? 'float32' : 'float64';
  push(
    'log_prob_with_gaussian_actions',
    squashedGaussianLogProb(mean, logStd, actions, actionDim, { gaussianActions: u }),
    flat(e, 'log_prob_with_gaussian_actions'),
    tol,
  );
  push(
    'log_prob_from_actions_only',
    squashedGaussianLogProb(mean, logStd, actions, actionDim, { dtype }),
    flat(e, 'log_prob_from_actions_only'),
    tol,
  );
  push(
    'gaussian_log_prob_of_gaussian_actions',
    diagGaussianLogProb(mean, logStd, u, actionDim),
    flat(e, 'gaussian_log_prob_of_gaussian_actions'),
    tol,
  );
  push('mode', squashedGaussianMode(mean), flat(e, 'mode'), tol);
}

function categoricalChecks(c: VectorCase, push: Push): void {
  const k = shapeOf(c, 'logits')[1]!;
  const logits = flat(c, 'logits');
  const e = obj(c, 'expected');
  push('log_prob', categoricalLogProb(logits, flat(c, 'actions'), k), flat(e, 'log_prob'));
  push('entropy', categoricalEntropy(logits, k), flat(e, 'entropy'));
  push('mode', categoricalMode(logits, k), flat(e, 'mode'), { rtol: 0, atol: 0 });
  push('probs', categoricalProbs(logits, k), flat(e, 'probs'));
}

function sacChecks(c: VectorCase, push: Push): void {
  const r = sacTargets({
    rewards: flat(c, 'rewards'),
    dones: flat(c, 'dones'),
    nextQ1: flat(c, 'next_q1'),
    nextQ2: flat(c, 'next_q2'),
    nextLogProb: flat(c, 'next_log_prob'),
    q1: flat(c, 'q1'),
    q2: flat(c, 'q2'),
    q1Pi: flat(c, 'q1_pi'),
    q2Pi: flat(c, 'q2_pi'),
    logProb: flat(c, 'log_prob'),
    gamma: num(c, 'gamma'),
    logEntCoef: num(c, 'log_ent_coef'),
    targetEntropy: num(c, 'target_entropy'),
  });
  const e = obj(c, 'expected');
  push('ent_coef', r.entCoef, num(e, 'ent_coef'));
  push('target_q', r.targetQ, flat(e, 'target_q'));
  push('critic_loss', r.criticLoss, num(e, 'critic_loss'));
  push('actor_loss', r.actorLoss, num(e, 'actor_loss'));
  push('ent_coef_loss', r.entCoefLoss, num(e, 'ent_coef_loss'));
  push(
    'ent_coef_loss_grad_wrt_log_ent_coef',
    r.entCoefLossGrad,
    num(e, 'ent_coef_loss_grad_wrt_log_ent_coef'),
  );
  if (has(c, 'sb3_logged_float32')) {
    const s = obj(c, 'sb3_logged_float32');
    push('sb3_logged_float32/actor_loss', r.actorLoss, num(s, 'actor_loss'), F32);
    push('sb3_logged_float32/critic_loss', r.criticLoss, num(s, 'critic_loss'), F32);
    push('sb3_logged_float32/ent_coef_loss', r.entCoefLoss, num(s, 'ent_coef_loss'), F32);
    push('sb3_logged_float32/ent_coef', r.entCoef, num(s, 'ent_coef'), F32);
  }
}

const RUNNERS: Partial<Record<VectorKind, (c: VectorCase, push: Push) => void>> = {
  gae: gaeChecks,
  ppo_loss: ppoChecks,
  gaussian: gaussianChecks,
  categorical: categoricalChecks,
  sac_targets: sacChecks,
};

/**
 * The float64 checks of one case, or `[]` for kinds without array-level maths (trajectories
 * are checked by `envChecks`).
 *
 * @example
 * const bad = compareChecks(arrayChecks('gae', file.json.cases[0], 'gae.json'));
 */
export function arrayChecks(kind: VectorKind, c: VectorCase, fileLabel: string): VectorCheck[] {
  const run = RUNNERS[kind];
  if (run === undefined) return [];
  const { checks, push } = checker(`${fileLabel}/${c.name}`);
  run(c, push);
  return checks;
}
