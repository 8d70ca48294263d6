/**
 * torch's Adam update on one flat Float32Array, in plain JS, with the state layout of
 * {@link Adam} (`{ step, m: [Float32Array], v: [Float32Array] }`) so PPO can run its update
 * phase in JS and hand the state back to the tfjs optimiser (and checkpoints) afterwards.
 */
import type { AdamState } from '../optim/adam.js';

/**
 * One Adam step in place: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
 * `p ← p − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε)` (torch `_single_tensor_adam`). Increments `state.step`.
 *
 * @example
 * const state = { step: 0, m: [new Float32Array(n)], v: [new Float32Array(n)] };
 * flatAdamStep(weights, grad, state, { learningRate: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-5 });
 */
export function flatAdamStep(
  params: Float32Array,
  grad: Float32Array,
  state: AdamState,
  h: { learningRate: number; beta1: number; beta2: number; eps: number },
): void {
  state.step += 1;
  const { beta1: b1, beta2: b2, eps } = h;
  const stepSize = h.learningRate / (1 - b1 ** state.step);
  const sqrtBc2 = Math.sqrt(1 - b2 ** state.step);
  const m = state.m[0]!;
  const v = state.v[0]!;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i]!;
    const mi = b1 * m[i]! + (1 - b1) * g;
    const vi = b2 * v[i]! + (1 - b2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = params[i]! - stepSize * (m[i]! / (Math.sqrt(v[i]!) / sqrtBc2 + eps));
  }
}
