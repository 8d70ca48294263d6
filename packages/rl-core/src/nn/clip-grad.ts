/**
 * Global-norm gradient clipping, torch's `clip_grad_norm_` (SB3 PPO's `max_grad_norm`):
 * `coef = min(1, maxNorm / (‖g‖₂ + 1e-6))` over the whole gradient, `g ← coef·g`.
 */

/**
 * Clips one flat gradient in place and returns its norm before clipping, as torch does
 * (non-finite if any entry is). The norm is accumulated in float64.
 *
 * @example
 * const gradNorm = clipGradNorm(grad, 0.5);
 */
export function clipGradNorm(grad: Float32Array, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < grad.length; i++) sq += grad[i]! * grad[i]!;
  const norm = Math.sqrt(sq);
  const coef = Math.min(maxNorm / (norm + 1e-6), 1);
  if (coef < 1) for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! * coef;
  return norm;
}
