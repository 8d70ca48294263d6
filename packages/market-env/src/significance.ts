/**
 * Is a Sharpe ratio skill or luck? Three standard answers, on per-bar simple returns:
 * - the probabilistic Sharpe ratio (Bailey & López de Prado 2012): the probability that the
 *   true Sharpe exceeds a benchmark, given the sample's length, skew and kurtosis;
 * - the deflated Sharpe ratio (Bailey & López de Prado 2014): the PSR against the Sharpe the
 *   best of N independent trials would show by luck alone;
 * - a paired circular block bootstrap of the Sharpe difference between two strategies over the
 *   same bars (blocks of √T bars keep the returns' autocorrelation; Politis & Romano 1992).
 * Sharpe ratios here are per bar unless a function says it annualises.
 */
import { MarketEnvError } from './errors.js';
import { Rng } from './random.js';

/**
 * The standard normal CDF Φ (Cody-style erfc rational approximation, |error| < 1.2e-7).
 * @example
 * normalCdf(1.96); // ≈ 0.975
 */
export function normalCdf(x: number): number {
  // W. J. Cody's erfc via the Numerical Recipes Chebyshev fit (erfcc), accurate to 1.2e-7.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/**
 * The standard normal quantile Φ⁻¹ (Acklam's algorithm, relative error < 1.2e-9).
 * @example
 * normalQuantile(0.975); // ≈ 1.95996
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    throw new MarketEnvError('CONFIG', `normalQuantile: p must be in [0, 1], got ${p}`, { field: 'p' });
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Sample moments of per-bar returns that the Sharpe tests need. */
export interface ReturnMoments {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  /** Per-bar Sharpe `mean / std` (0 when std is 0). */
  sharpe: number;
  skew: number;
  /** Kurtosis (not excess: 3 for a normal distribution). */
  kurtosis: number;
}

/**
 * @example
 * returnMoments([0.01, -0.005, 0.002]).sharpe;
 */
export function returnMoments(returns: ArrayLike<number>): ReturnMoments {
  const n = returns.length;
  if (n < 3) {
    throw new MarketEnvError('CONFIG', `need at least 3 returns for Sharpe statistics, got ${n}`, {
      field: 'returns',
    });
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i]!;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  const std = Math.sqrt(m2 / (n - 1));
  const pop = m2 / n;
  return {
    n,
    mean,
    std,
    sharpe: std > 0 ? mean / std : 0,
    skew: pop > 0 ? m3 / n / pop ** 1.5 : 0,
    kurtosis: pop > 0 ? m4 / n / (pop * pop) : 3,
  };
}

/**
 * Probabilistic Sharpe ratio: P(true per-bar Sharpe > `benchmark`) given the sample.
 * `PSR = Φ((SR − SR*)·√(n − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4·SR²))`.
 * @example
 * probabilisticSharpeRatio(dailyReturns); // 0.97: 97 % confident the Sharpe is above 0
 */
export function probabilisticSharpeRatio(returns: ArrayLike<number>, benchmark = 0): number {
  const m = returnMoments(returns);
  if (m.std === 0) return m.mean > benchmark ? 1 : 0;
  const sr = m.sharpe;
  const den = Math.sqrt(Math.max(1e-12, 1 - m.skew * sr + ((m.kurtosis - 1) / 4) * sr * sr));
  return normalCdf(((sr - benchmark) * Math.sqrt(m.n - 1)) / den);
}

/**
 * Deflated Sharpe ratio: the PSR against the Sharpe the best of `trials` independent
 * strategies would show by luck, `SR₀ = √V·((1 − γ)Φ⁻¹(1 − 1/N) + γΦ⁻¹(1 − 1/(N·e)))`, where V is
 * the variance of the trials' per-bar Sharpe ratios and γ ≈ 0.5772 (Euler–Mascheroni).
 * @example
 * deflatedSharpeRatio(winnerReturns, { trials: 16, sharpeVariance: 0.0004 });
 */
export function deflatedSharpeRatio(
  returns: ArrayLike<number>,
  options: { trials: number; sharpeVariance: number },
): number {
  const { trials, sharpeVariance } = options;
  if (!(trials >= 1) || !(sharpeVariance >= 0)) {
    throw new MarketEnvError('CONFIG', 'deflatedSharpeRatio: trials ≥ 1 and sharpeVariance ≥ 0', {
      field: 'trials',
    });
  }
  if (trials === 1) return probabilisticSharpeRatio(returns, 0);
  const g = 0.5772156649015329;
  const sr0 =
    Math.sqrt(sharpeVariance) *
    ((1 - g) * normalQuantile(1 - 1 / trials) + g * normalQuantile(1 - 1 / (trials * Math.E)));
  return probabilisticSharpeRatio(returns, sr0);
}

/** A bootstrap confidence interval of the annualised Sharpe difference `a − b`. */
export interface SharpeDifference {
  /** Annualised Sharpe of a minus that of b on the sample. */
  difference: number;
  lower: number;
  upper: number;
  /** Share of resamples in which a's Sharpe was not above b's (a one-sided p-value). */
  pValue: number;
  level: number;
  resamples: number;
  blockLength: number;
}

function sharpeOf(x: Float64Array): number {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - mean) ** 2;
  const std = Math.sqrt(v / (n - 1));
  return std > 0 ? mean / std : 0;
}

/**
 * Paired circular block bootstrap of the Sharpe difference between two return series over the
 * same bars: resample blocks of `blockLength` bars (default ⌈√n⌉) with wrap-around, the same
 * blocks for both series, and read the percentile interval. Seeded.
 * @example
 * const d = sharpeDifferenceBootstrap(agentReturns, equalWeightReturns, { barsPerYear: 252, seed: 1 });
 * d.lower > 0; // a significant edge at the 95 % level
 */
export function sharpeDifferenceBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { barsPerYear: number; seed: number; resamples?: number; level?: number; blockLength?: number },
): SharpeDifference {
  const n = a.length;
  if (b.length !== n) {
    throw new MarketEnvError('CONFIG', `sharpeDifferenceBootstrap: a has ${n} returns, b has ${b.length}`, {
      field: 'b',
    });
  }
  if (n < 3) {
    throw new MarketEnvError('CONFIG', `need at least 3 returns for Sharpe statistics, got ${n}`, {
      field: 'returns',
    });
  }
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const block = Math.max(1, Math.min(n, options.blockLength ?? Math.ceil(Math.sqrt(n))));
  const ann = Math.sqrt(options.barsPerYear);
  const rng = new Rng(options.seed);
  const xa = new Float64Array(n);
  const xb = new Float64Array(n);
  const diffs = new Float64Array(resamples);
  let notAbove = 0;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; ) {
      const start = Math.floor(rng.next() * n);
      for (let k = 0; k < block && i < n; k++, i++) {
        const j = (start + k) % n;
        xa[i] = a[j]!;
        xb[i] = b[j]!;
      }
    }
    diffs[r] = (sharpeOf(xa) - sharpeOf(xb)) * ann;
    if (diffs[r]! <= 0) notAbove++;
  }
  diffs.sort();
  const q = (p: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]!;
  return {
    difference: (sharpeOf(Float64Array.from(a)) - sharpeOf(Float64Array.from(b))) * ann,
    lower: q((1 - level) / 2),
    upper: q(1 - (1 - level) / 2),
    pValue: notAbove / resamples,
    level,
    resamples,
    blockLength: block,
  };
}
