/**
 * Seeded synthetic prices: geometric Brownian motion or a two-state regime-switching
 * GBM (bull/bear Markov chain), with assets correlated through one common factor
 * (`z_n = √ρ·f + √(1−ρ)·e_n`). Opens carry an overnight gap so open-fill timing matters.
 *
 * Planted signals, so that a learner's first sanity check has something to find:
 * - `autocorrelation` φ (per asset or one for all): each bar's log return is
 *   `m + φ·(r_{t−1} − m) + noise`, an AR(1) around the drift `m` (momentum φ > 0,
 *   reversal φ < 0). The noise is scaled by √(1 − φ²) so `volatility` stays the
 *   unconditional volatility whatever φ is.
 * - `drifts` (annualised, per asset): persistent winners and losers.
 * The predictable part (drift and the AR(1) term) is placed after the open, so a trader
 * who decides on bar t's close and fills at bar t + 1's open can capture all of it; the
 * noise is split between the overnight gap and the day as `gapFraction` says.
 * {@link expectedLogReturns} gives the planted expectation (what an oracle knows).
 */
import { z } from 'zod';
import { MarketEnvError } from './errors.js';
import { Rng } from './random.js';
import type { PriceFrame } from './types.js';

const regimeSchema = z.object({
  /** Annualised drift of log prices' GBM, e.g. 0.1 = 10 %/year. */
  drift: z.number(),
  /** Annualised volatility, e.g. 0.2. */
  volatility: z.number().nonnegative(),
});

/**
 * Zod schema of the synthetic generator's options.
 * @example
 * syntheticOptionsSchema.parse({ model: 'regime' });
 */
export const syntheticOptionsSchema = z.object({
  nAssets: z.number().int().min(1).default(10),
  nBars: z.number().int().min(2).default(1000),
  seed: z.number().finite().default(0),
  model: z.enum(['gbm', 'regime']).default('gbm'),
  /** GBM parameters (and the starting regime's for `'regime'`). */
  drift: z.number().default(0.05),
  volatility: z.number().nonnegative().default(0.2),
  /** Pairwise correlation of asset returns through one common factor, in [0, 1). */
  correlation: z.number().min(0).max(0.999).default(0.3),
  /** The second regime for `model: 'regime'`. */
  bearRegime: regimeSchema.default({ drift: -0.2, volatility: 0.4 }),
  /** Probability per bar of switching regime. */
  switchProb: z.number().min(0).max(1).default(0.01),
  barsPerYear: z.number().positive().default(252),
  /** Bar spacing in ms (default one day) and the first bar's start time. */
  barMs: z.number().positive().default(86_400_000),
  startTime: z
    .number()
    .finite()
    .default(Date.UTC(2020, 0, 1)),
  startPrice: z.union([z.number().positive(), z.array(z.number().positive())]).default(100),
  /** Share of each bar's variance that happens overnight (between close and the next open). */
  gapFraction: z.number().min(0).max(1).default(0.2),
  /**
   * AR(1) coefficient φ of each asset's log returns around its drift (one number for all
   * assets, or one per asset), in (−1, 1). 0: no autocorrelation.
   */
  autocorrelation: z.union([z.number().gt(-1).lt(1), z.array(z.number().gt(-1).lt(1))]).default(0),
  /** Annualised drift per asset (persistent winners and losers); overrides `drift` per asset. */
  drifts: z.array(z.number().finite()).optional(),
  symbolPrefix: z.string().default('SYN'),
});

export type SyntheticOptions = z.input<typeof syntheticOptionsSchema>;
export type SyntheticConfig = z.output<typeof syntheticOptionsSchema>;

/**
 * Validates synthetic options (defaults filled in).
 * @example
 * parseSyntheticOptions({ nAssets: 3 }).volatility; // 0.2
 */
export function parseSyntheticOptions(options: SyntheticOptions = {}): SyntheticConfig {
  const r = syntheticOptionsSchema.safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = ['synthetic', ...issue.path.map(String)].join('.');
    throw new MarketEnvError('CONFIG', `${field}: ${issue.message}`, { field, cause: r.error });
  }
  const c = r.data;
  for (const field of ['autocorrelation', 'drifts'] as const) {
    const v = c[field];
    if (Array.isArray(v) && v.length !== c.nAssets) {
      throw new MarketEnvError(
        'CONFIG',
        `synthetic.${field} has ${v.length} values, nAssets is ${c.nAssets}: give one per asset`,
        { field: `synthetic.${field}` },
      );
    }
  }
  if (c.model === 'regime' && c.drifts) {
    throw new MarketEnvError(
      'CONFIG',
      'synthetic.drifts: per-asset drifts apply to the gbm model only; remove drifts or use model "gbm"',
      { field: 'synthetic.drifts' },
    );
  }
  if (Array.isArray(c.startPrice) && c.startPrice.length !== c.nAssets) {
    throw new MarketEnvError(
      'CONFIG',
      `synthetic.startPrice has ${c.startPrice.length} values, nAssets is ${c.nAssets}`,
      {
        field: 'synthetic.startPrice',
      },
    );
  }
  return c;
}

/**
 * Generates a frame of correlated synthetic prices. Same options → same frame.
 * @example
 * const frame = generateSyntheticFrame({ nAssets: 10, nBars: 500, model: 'regime', seed: 1 });
 */
export function generateSyntheticFrame(options: SyntheticOptions = {}): PriceFrame {
  const c = parseSyntheticOptions(options);
  return generateFromConfig(c, new Rng(c.seed));
}

/** @internal the generator behind {@link generateSyntheticFrame}, drawing from `rng`. */
export function generateFromConfig(c: SyntheticConfig, rng: Rng): PriceFrame {
  const N = c.nAssets;
  const T = c.nBars;
  const dt = 1 / c.barsPerYear;
  const open = new Float64Array(T * N);
  const high = new Float64Array(T * N);
  const low = new Float64Array(T * N);
  const close = new Float64Array(T * N);
  const volume = new Float64Array(T * N);
  const times = new Float64Array(T);
  const sqrtRho = Math.sqrt(c.correlation);
  const sqrtIdio = Math.sqrt(1 - c.correlation);
  const gapShare = Math.sqrt(c.gapFraction);
  const dayShare = Math.sqrt(1 - c.gapFraction);
  let bear = false;
  const phi = Float64Array.from({ length: N }, (_, n) => phiOf(c, n));
  // Each asset's previous log return, for the AR(1) term.
  const prevR = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const p0 = Array.isArray(c.startPrice) ? c.startPrice[n]! : c.startPrice;
    open[n] = high[n] = low[n] = close[n] = p0;
    volume[n] = 1e6;
  }
  times[0] = c.startTime;
  for (let t = 1; t < T; t++) {
    times[t] = c.startTime + t * c.barMs;
    if (c.model === 'regime' && rng.next() < c.switchProb) bear = !bear;
    const mu = bear ? c.bearRegime.drift : c.drift;
    const sigma = bear ? c.bearRegime.volatility : c.volatility;
    const fGap = rng.normal();
    const fDay = rng.normal();
    const s = sigma * Math.sqrt(dt);
    for (let n = 0; n < N; n++) {
      const zGap = sqrtRho * fGap + sqrtIdio * rng.normal();
      const zDay = sqrtRho * fDay + sqrtIdio * rng.normal();
      const prev = close[(t - 1) * N + n]!;
      const m = meanLogReturn(c.drifts?.[n] ?? mu, sigma, dt);
      const p = phi[n]!;
      const sn = p === 0 ? s : s * Math.sqrt(1 - p * p);
      const predictable = m + p * (prevR[n]! - m);
      const o = prev * Math.exp(sn * gapShare * zGap);
      const cl = o * Math.exp(predictable + sn * dayShare * zDay);
      prevR[n] = Math.log(cl / prev);
      const i = t * N + n;
      open[i] = o;
      close[i] = cl;
      high[i] = Math.max(o, cl) * Math.exp(Math.abs(rng.normal()) * s * 0.25);
      low[i] = Math.min(o, cl) * Math.exp(-Math.abs(rng.normal()) * s * 0.25);
      volume[i] = Math.round(1e6 * Math.exp(0.3 * rng.normal()));
    }
  }
  const symbols = Array.from({ length: N }, (_, n) => `${c.symbolPrefix}${n}`);
  return { symbols, nAssets: N, nBars: T, times, open, high, low, close, volume, filledCells: 0 };
}

function phiOf(c: SyntheticConfig, n: number): number {
  return Array.isArray(c.autocorrelation) ? c.autocorrelation[n]! : c.autocorrelation;
}

/** The GBM log-return mean per bar of an annualised drift. */
function meanLogReturn(drift: number, sigma: number, dt: number): number {
  return (drift - 0.5 * sigma * sigma) * dt;
}

/**
 * The planted expectation of each asset's next log return (bar t → t + 1) given the
 * closes up to bar t: what an oracle that knows the generator's rule would predict.
 * Regime-switching markets are not covered (the regime is hidden): they throw.
 * `closes` is time-major `[rows × nAssets]` with at least 2 rows; `out` gets `[nAssets]`.
 * @example
 * const c = parseSyntheticOptions({ nAssets: 2, autocorrelation: 0.3 });
 * expectedLogReturns(c, frame.close.subarray((t - 1) * 2, (t + 1) * 2));
 */
export function expectedLogReturns(
  config: SyntheticConfig,
  closes: ArrayLike<number>,
  out: Float64Array = new Float64Array(config.nAssets),
): Float64Array {
  if (config.model !== 'gbm') {
    throw new MarketEnvError('CONFIG', 'expectedLogReturns: only the gbm model has a known expectation', {
      field: 'synthetic.model',
    });
  }
  const N = config.nAssets;
  const rows = Math.floor(closes.length / N);
  if (rows < 2) {
    throw new MarketEnvError('CONFIG', 'expectedLogReturns: need the last two rows of closes', {
      field: 'closes',
    });
  }
  const dt = 1 / config.barsPerYear;
  for (let n = 0; n < N; n++) {
    const m = meanLogReturn(config.drifts?.[n] ?? config.drift, config.volatility, dt);
    const last = Math.log(closes[(rows - 1) * N + n]! / closes[(rows - 2) * N + n]!);
    out[n] = m + phiOf(config, n) * (last - m);
  }
  return out;
}
