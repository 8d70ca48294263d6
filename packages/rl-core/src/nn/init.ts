/**
 * Weight initialisers on plain Float32Arrays, seeded by an `Rng`.
 *
 * `orthogonal` follows torch's `nn.init.orthogonal_` (Saxe et al. 2014), which SB3's
 * `ActorCriticPolicy.init_weights` applies with gain √2 to hidden layers, 0.01 to the policy
 * head and 1 to the value head. `torchLinearDefault` is torch's default `nn.Linear` init
 * (kaiming-uniform with a = √5, i.e. U(−1/√fanIn, 1/√fanIn) for weights and biases), which
 * SB3's SAC keeps. Kernels here are `[fanIn, fanOut]` (we compute `x · W`).
 */
import type { Rng } from '../random.js';

/**
 * A `[rows, cols]` (row-major) matrix with orthonormal columns when `rows >= cols`, or
 * orthonormal rows otherwise, times `gain`. Modified Gram–Schmidt on a Gaussian matrix gives
 * the Q of a QR decomposition with a positive diagonal R, i.e. torch's sign-corrected Q.
 *
 * @example
 * const w = orthogonal(64, 4, Math.SQRT2, new Rng(0)); // wᵀw = 2·I₄
 */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const long = Math.max(rows, cols);
  const short = Math.min(rows, cols);
  // q holds `short` vectors of length `long`, vector-major.
  const q = new Float64Array(long * short);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < short; j++) {
    const vj = j * long;
    for (let k = 0; k < j; k++) {
      const vk = k * long;
      let dot = 0;
      for (let i = 0; i < long; i++) dot += q[vj + i]! * q[vk + i]!;
      for (let i = 0; i < long; i++) q[vj + i] = q[vj + i]! - dot * q[vk + i]!;
    }
    let norm = 0;
    for (let i = 0; i < long; i++) norm += q[vj + i]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < long; i++) q[vj + i] = q[vj + i]! / norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows >= cols: column c is vector c; otherwise row r is vector r.
      out[r * cols + c] = gain * (rows >= cols ? q[c * long + r]! : q[r * long + c]!);
    }
  }
  return out;
}

/**
 * torch's default `nn.Linear` initialisation: U(−1/√fanIn, 1/√fanIn) for `size` values.
 *
 * @example
 * const w = torchLinearDefault(256 * 256, 256, new Rng(0));
 */
export function torchLinearDefault(size: number, fanIn: number, rng: Rng): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}
