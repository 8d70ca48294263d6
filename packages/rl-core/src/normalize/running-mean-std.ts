/**
 * Running mean and variance over a stream of batches, SB3's `RunningMeanStd`
 * (`stable_baselines3/common/running_mean_std.py`): Chan et al.'s parallel update,
 * float64, starting from mean 0, variance 1 and a pseudo-count of 1e-4.
 */
import { RlError } from '../errors.js';

/** A checkpointable snapshot of {@link RunningMeanStd}. */
export interface RunningMeanStdState {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * @example
 * const rms = new RunningMeanStd(2);
 * rms.update(new Float32Array([1, 2, 3, 4]), 2); // two samples of dimension 2
 * rms.mean; // ≈ [2, 3]
 */
export class RunningMeanStd {
  readonly dim: number;
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;

  constructor(dim: number, epsilon = 1e-4) {
    this.dim = dim;
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
    this.count = epsilon;
  }

  /** Folds in `batch` rows of a flat `[batch, dim]` array. */
  update(x: ArrayLike<number>, batch: number): void {
    const d = this.dim;
    if (x.length !== batch * d) {
      throw new RlError('SHAPE', `RunningMeanStd.update: ${x.length} values for ${batch}×${d}`, {
        field: 'x',
      });
    }
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let b = 0; b < batch; b++) m += x[b * d + j]!;
      m /= batch;
      let v = 0;
      for (let b = 0; b < batch; b++) v += (x[b * d + j]! - m) ** 2;
      v /= batch;
      const delta = m - this.mean[j]!;
      const tot = this.count + batch;
      this.mean[j] = this.mean[j]! + (delta * batch) / tot;
      const m2 = this.var[j]! * this.count + v * batch + (delta * delta * this.count * batch) / tot;
      this.var[j] = m2 / tot;
    }
    this.count += batch;
  }

  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  setState(state: RunningMeanStdState): void {
    if (state.mean.length !== this.dim || state.var.length !== this.dim) {
      throw new RlError('CHECKPOINT', `normaliser has dimension ${state.mean.length}, expected ${this.dim}`, {
        field: 'normalizers',
      });
    }
    this.mean.set(state.mean);
    this.var.set(state.var);
    this.count = state.count;
  }
}
