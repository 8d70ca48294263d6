/**
 * tfjs reference of PPO's loss (`losses/ppo-loss.ts`, SB3 v2.4.1 `PPO.train`): the same terms
 * as differentiable tensors, the oracle of the analytic gradient PPO runs.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Inputs of {@link ppoLossT}: `[n]` tensors of one minibatch plus the coefficients. */
export interface PpoLossTInputs {
  oldLogProb: tf.Tensor1D;
  newLogProb: tf.Tensor1D;
  advantages: tf.Tensor1D;
  oldValues: tf.Tensor1D;
  newValues: tf.Tensor1D;
  returns: tf.Tensor1D;
  entropy: tf.Tensor1D | null;
  clipRange: number;
  clipRangeVf: number | null;
  normalizeAdvantage: boolean;
  entCoef: number;
  vfCoef: number;
}

/** Scalar tensors from {@link ppoLossT}; the caller owns (and disposes) all of them. */
export interface PpoLossTResult {
  loss: tf.Scalar;
  policyLoss: tf.Scalar;
  valueLoss: tf.Scalar;
  entropyLoss: tf.Scalar;
  approxKl: tf.Scalar;
  clipFraction: tf.Scalar;
}

/**
 * Differentiable PPO loss (in `newLogProb`, `newValues` and `entropy`), for use inside
 * `tf.variableGrads`. `approxKl` and `clipFraction` are diagnostics; do not differentiate them.
 *
 * @example
 * const { value, grads } = tf.variableGrads(() => {
 *   const out = ppoLossT({ ...batch, newLogProb, newValues, entropy, clipRange: 0.2, clipRangeVf: null,
 *     normalizeAdvantage: true, entCoef: 0, vfCoef: 0.5 });
 *   return out.loss;
 * });
 */
export function ppoLossT(inputs: PpoLossTInputs): PpoLossTResult {
  return tf.tidy(() => {
    const n = inputs.advantages.shape[0];
    let adv: tf.Tensor = inputs.advantages;
    if (inputs.normalizeAdvantage && n > 1) {
      const { mean: m, variance } = tf.moments(adv);
      const std = tf.sqrt(tf.mul(variance, n / (n - 1)));
      adv = tf.div(tf.sub(adv, m), tf.add(std, 1e-8));
    }
    const c = inputs.clipRange;
    const logRatio = tf.sub(inputs.newLogProb, inputs.oldLogProb);
    const ratio = tf.exp(logRatio);
    const surrogate = tf.minimum(tf.mul(adv, ratio), tf.mul(adv, tf.clipByValue(ratio, 1 - c, 1 + c)));
    const policyLoss = tf.neg(tf.mean(surrogate)) as tf.Scalar;
    const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c), 'float32')) as tf.Scalar;
    const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)) as tf.Scalar;
    const vf = inputs.clipRangeVf;
    const valuesPred =
      vf === null
        ? inputs.newValues
        : tf.add(inputs.oldValues, tf.clipByValue(tf.sub(inputs.newValues, inputs.oldValues), -vf, vf));
    const valueLoss = tf.mean(tf.squaredDifference(inputs.returns, valuesPred)) as tf.Scalar;
    const entropyLoss = (
      inputs.entropy === null ? tf.mean(inputs.newLogProb) : tf.neg(tf.mean(inputs.entropy))
    ) as tf.Scalar;
    const loss = tf.add(
      tf.add(policyLoss, tf.mul(entropyLoss, inputs.entCoef)),
      tf.mul(valueLoss, inputs.vfCoef),
    ) as tf.Scalar;
    return { loss, policyLoss, valueLoss, entropyLoss, approxKl, clipFraction };
  });
}
