/**
 * Categorical distribution over `K` discrete actions from unnormalised logits (PPO on CartPole).
 *
 * Port of SB3 v2.4.1 `stable_baselines3/common/distributions.py` (`CategoricalDistribution`
 * L263-312, i.e. torch `Categorical(logits=…)`): `log p(a) = logits[a] − logsumexp(logits)`,
 * entropy `−Σ p log p`, mode = argmax.
 */
import { RlError } from '../errors.js';
import type { Rng } from '../random.js';

function checkLogits(fn: string, logits: ArrayLike<number>, nActions: number): number {
  if (!Number.isInteger(nActions) || nActions < 1 || logits.length % nActions !== 0) {
    throw new RlError(
      'SHAPE',
      `${fn}: logits has ${logits.length} values, not a multiple of nActions ${nActions}`,
      {
        field: 'logits',
      },
    );
  }
  return logits.length / nActions;
}

/**
 * Row-wise log-softmax of flat `[B][K]` logits (float64, max-shifted).
 *
 * @example
 * categoricalLogProbs([0, 0], 2); // Float64Array [-0.693…, -0.693…]
 */
export function categoricalLogProbs(logits: ArrayLike<number>, nActions: number): Float64Array {
  const batch = checkLogits('categoricalLogProbs', logits, nActions);
  const out = new Float64Array(logits.length);
  for (let b = 0; b < batch; b++) {
    const o = b * nActions;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < nActions; k++) max = Math.max(max, logits[o + k]!);
    let sum = 0;
    for (let k = 0; k < nActions; k++) sum += Math.exp(logits[o + k]! - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < nActions; k++) out[o + k] = logits[o + k]! - lse;
  }
  return out;
}

/**
 * Row-wise softmax probabilities `[B][K]`.
 *
 * @example
 * categoricalProbs([0, Math.log(3)], 2); // Float64Array [0.25, 0.75]
 */
export function categoricalProbs(logits: ArrayLike<number>, nActions: number): Float64Array {
  return categoricalLogProbs(logits, nActions).map(Math.exp);
}

/**
 * `log p(a_b)` for each row `b`; `actions` are integers in `[0, K)`. Returns `[B]`.
 *
 * @example
 * categoricalLogProb([0, Math.log(3)], [1], 2); // Float64Array [log 0.75]
 */
export function categoricalLogProb(
  logits: ArrayLike<number>,
  actions: ArrayLike<number>,
  nActions: number,
): Float64Array {
  const logp = categoricalLogProbs(logits, nActions);
  const batch = logp.length / nActions;
  if (actions.length !== batch) {
    throw new RlError('SHAPE', `categoricalLogProb: ${actions.length} actions for ${batch} rows`, {
      field: 'actions',
    });
  }
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    const a = actions[b]!;
    if (!Number.isInteger(a) || a < 0 || a >= nActions) {
      throw new RlError('SHAPE', `categoricalLogProb: actions[${b}] = ${a} is not in [0, ${nActions})`, {
        field: 'actions',
      });
    }
    out[b] = logp[b * nActions + a]!;
  }
  return out;
}

/**
 * Entropy `−Σ_k p_k log p_k` per row, `[B]`.
 *
 * @example
 * categoricalEntropy([0, 0], 2); // Float64Array [0.693…]
 */
export function categoricalEntropy(logits: ArrayLike<number>, nActions: number): Float64Array {
  const logp = categoricalLogProbs(logits, nActions);
  const batch = logp.length / nActions;
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let h = 0;
    for (let k = 0; k < nActions; k++) {
      const lp = logp[b * nActions + k]!;
      h -= Math.exp(lp) * lp;
    }
    out[b] = h;
  }
  return out;
}

/**
 * Argmax per row (first maximum on ties, as torch), `[B]` integers.
 *
 * @example
 * categoricalMode([0.1, 2, -1, 0], 2); // Int32Array [1, 1]
 */
export function categoricalMode(logits: ArrayLike<number>, nActions: number): Int32Array {
  const batch = checkLogits('categoricalMode', logits, nActions);
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let best = 0;
    for (let k = 1; k < nActions; k++) if (logits[b * nActions + k]! > logits[b * nActions + best]!) best = k;
    out[b] = best;
  }
  return out;
}

/**
 * Samples one action per row by inverting the CDF with `rng.next()`, `[B]` integers.
 *
 * @example
 * categoricalSample([0, 0, 5, -5], 2, new Rng(0)); // e.g. Int32Array [1, 0]
 */
export function categoricalSample(logits: ArrayLike<number>, nActions: number, rng: Rng): Int32Array {
  const probs = categoricalProbs(logits, nActions);
  const batch = probs.length / nActions;
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const r = rng.next();
    let acc = 0;
    let k = 0;
    for (; k < nActions - 1; k++) {
      acc += probs[b * nActions + k]!;
      if (r < acc) break;
    }
    out[b] = k;
  }
  return out;
}

/**
 * log p(a_b) and the entropy H_b of each row, from the rows' log-probabilities
 * ({@link categoricalLogProbs}): what PPO's loss reads of its policy head, one softmax per row.
 *
 * @example
 * const logProbs = categoricalLogProbs(logits, 2);
 * const { logProb, entropy } = categoricalLogProbEntropy(logProbs, actions, 2);
 */
export function categoricalLogProbEntropy(
  logProbs: Float64Array,
  actions: ArrayLike<number>,
  nActions: number,
): { logProb: Float64Array; entropy: Float64Array } {
  const batch = logProbs.length / nActions;
  if (actions.length !== batch) {
    throw new RlError('SHAPE', `categoricalLogProbEntropy: ${actions.length} actions for ${batch} rows`, {
      field: 'actions',
    });
  }
  const logProb = new Float64Array(batch);
  const entropy = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    const a = actions[b]!;
    if (!Number.isInteger(a) || a < 0 || a >= nActions) {
      throw new RlError(
        'SHAPE',
        `categoricalLogProbEntropy: actions[${b}] = ${a} is not in [0, ${nActions})`,
        {
          field: 'actions',
        },
      );
    }
    logProb[b] = logProbs[b * nActions + a]!;
    let h = 0;
    for (let k = 0; k < nActions; k++) {
      const lp = logProbs[b * nActions + k]!;
      h -= Math.exp(lp) * lp;
    }
    entropy[b] = h;
  }
  return { logProb, entropy };
}

/**
 * The gradient with respect to the logits `[B][K]` of `Σ_b (dLogProb_b·log p(a_b) + dEntropy·H_b)`
 * (PPO's backward pass through its policy head), from the rows' log-probabilities and
 * entropies: `∂log p(a)/∂z_j = [j = a] − p_j` and `∂H/∂z_j = −p_j (log p_j + H)`.
 *
 * @example
 * const dLogits = categoricalBackward(logProbs, entropy, actions, 2, dLogProb, -entCoef / batch);
 */
export function categoricalBackward(
  logProbs: Float64Array,
  entropy: ArrayLike<number>,
  actions: ArrayLike<number>,
  nActions: number,
  dLogProb: ArrayLike<number>,
  dEntropy: number,
  out: Float32Array = new Float32Array(logProbs.length),
): Float32Array {
  for (let b = 0; b < entropy.length; b++) {
    for (let k = 0; k < nActions; k++) {
      const p = Math.exp(logProbs[b * nActions + k]!);
      const dLp = (k === actions[b] ? 1 : 0) - p;
      const dH = p > 0 ? -p * (Math.log(p) + entropy[b]!) : 0;
      out[b * nActions + k] = dLogProb[b]! * dLp + dEntropy * dH;
    }
  }
  return out;
}
