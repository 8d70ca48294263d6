import { describe, expect, it } from 'vitest';
import { diagGaussianLogProb } from './diag-gaussian.js';
import { logisticNormalLogDensity, logisticNormalLogits, logisticNormalWeights } from './logistic-normal.js';

describe('logistic-normal', () => {
  it('maps logits to weights on the simplex with a fixed rest logit 0, and back', () => {
    const w = logisticNormalWeights([0, 0, Math.log(2), 0], 2);
    expect(w[0]).toBeCloseTo(1 / 3, 6);
    expect(w[1]).toBeCloseTo(1 / 3, 6);
    expect(w[2]).toBeCloseTo(2 / 4, 6);
    expect(w[3]).toBeCloseTo(1 / 4, 6);
    const u = logisticNormalLogits(w, 2);
    expect(Array.from(u).map((x) => Number(x.toFixed(5)))).toEqual([0, 0, Number(Math.log(2).toFixed(5)), 0]);
  });

  it('a rest logit c (cash bias) leaves each weight 1 / (D + e^c) at logits 0, and inverts', () => {
    const c = Math.log(8);
    const w = logisticNormalWeights([0, 0, 1, -1], 2, undefined, c);
    expect(w[0]).toBeCloseTo(0.1, 6);
    expect(w[1]).toBeCloseTo(0.1, 6);
    const z = Math.E + Math.exp(-1) + 8;
    expect(w[2]).toBeCloseTo(Math.E / z, 6);
    expect(w[3]).toBeCloseTo(Math.exp(-1) / z, 6);
    // The same weights as a rest logit 0 with every logit shifted by −c.
    const shifted = logisticNormalWeights([-c, -c, 1 - c, -1 - c], 2);
    for (let i = 0; i < 4; i++) expect(w[i]).toBeCloseTo(shifted[i]!, 6);
    const u = logisticNormalLogits(w, 2, c);
    expect(Array.from(u).map((x) => Number(x.toFixed(5)))).toEqual([0, 0, 1, -1]);
    // Large logits against a large rest logit stay finite.
    expect(
      Array.from(logisticNormalWeights([800, 0], 2, undefined, 800)).map((x) => Number(x.toFixed(6))),
    ).toEqual([0.5, 0]);
  });

  it('does not overflow on large logits and sends very negative ones to 0', () => {
    const w = logisticNormalWeights([800, -800, -800], 3);
    expect(Array.from(w)).toEqual([1, 0, 0]);
    const all = logisticNormalWeights([-800, -800], 2);
    expect(Array.from(all)).toEqual([0, 0]);
  });

  it("density is the Gaussian's over the logits times the inverse map's Jacobian (finite differences)", () => {
    const D = 3;
    const mean = [0.3, -0.5, 0.1];
    const logStd = [-0.2, 0.1, -0.7];
    const w = [0.2, 0.1, 0.45];
    // |det ∂u/∂w| by central differences of the inverse map.
    const h = 1e-6;
    const J: number[][] = [];
    for (let c = 0; c < D; c++) {
      const up = w.slice();
      const dn = w.slice();
      up[c] = up[c]! + h;
      dn[c] = dn[c]! - h;
      const a = logisticNormalLogits(up, D);
      const b = logisticNormalLogits(dn, D);
      J.push(Array.from({ length: D }, (_, r) => (a[r]! - b[r]!) / (2 * h)));
    }
    const det =
      J[0]![0]! * (J[1]![1]! * J[2]![2]! - J[1]![2]! * J[2]![1]!) -
      J[0]![1]! * (J[1]![0]! * J[2]![2]! - J[1]![2]! * J[2]![0]!) +
      J[0]![2]! * (J[1]![0]! * J[2]![1]! - J[1]![1]! * J[2]![0]!);
    const gaussian = diagGaussianLogProb(mean, logStd, logisticNormalLogits(w, D), D)[0]!;
    const density = logisticNormalLogDensity(w, mean, logStd, D)[0]!;
    expect(density).toBeCloseTo(gaussian + Math.log(Math.abs(det)), 5);
  });
});
