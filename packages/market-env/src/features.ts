/**
 * The observation of one agent, built by one pure function that the env, the app's
 * live loop and notebooks all call, so live features equal training features.
 *
 * Two layouts. `asset-features` (one block per asset, then a global block) is what a
 * per-asset shared encoder reads; see {@link observationLayout}. `returns-window`, the
 * flat layout (float32, in this order):
 * 1. `returns`  `[window × nAssets]`: log returns `log(close_s / close_{s−1})` for the last
 *    `window` bars up to the decision bar t, time-major, oldest first.
 * 2. `weights`  `[nAssets]`: the agent's current weights `shares·close_t / value_t`.
 * 3. `cash`     `[1]`: `cash / value_t` (above 1 for a short book: proceeds are held in cash).
 * 4. `flows`    `[nFlowAgents × nAssets]` (optional): every agent's traded notional in the last
 *    step divided by that agent's value, agents in env order.
 * 5. `extra`    `[nAssets × nExtraFeatures]` (optional): user feature columns at bar t.
 */
import { MarketEnvError } from './errors.js';

/** Which observation layout an env writes. */
export type ObservationKind = 'returns-window' | 'asset-features';

/** Return horizons (bars) of the `asset-features` layout unless told otherwise. */
export const DEFAULT_HORIZONS: readonly number[] = [1, 5, 20, 60];

/** Offsets and lengths of each block of an observation. */
export interface ObservationLayout {
  readonly kind: ObservationKind;
  readonly window: number;
  readonly nAssets: number;
  readonly nFlowAgents: number;
  readonly nExtraFeatures: number;
  readonly returnsOffset: number;
  readonly weightsOffset: number;
  readonly cashOffset: number;
  /** −1 when flows are not included. */
  readonly flowsOffset: number;
  /** −1 when there are no extra features. */
  readonly extraOffset: number;
  /**
   * `asset-features`: the per-asset blocks `[nAssets × itemDim]` come first, then the global
   * block `[globalDim]`. An asset's block is: one volatility-normalised return per horizon
   * (`horizons`), its current weight, one traded-notional flow per flow agent, the user's
   * extra columns, then (with `assetIdentity`) a one-hot of the asset's index. The global
   * block is `[cash / value]`. (`returns-window`: itemDim and globalDim are 0.)
   */
  readonly itemDim: number;
  readonly globalDim: number;
  readonly horizons: readonly number[];
  /** `asset-features` only: each block ends with a one-hot `[nAssets]` naming its asset. */
  readonly assetIdentity: boolean;
  /** Total length. */
  readonly size: number;
}

/**
 * @example
 * observationLayout({ window: 32, nAssets: 10 }).size; // 331
 * observationLayout({ kind: 'asset-features', window: 60, nAssets: 10 }).itemDim; // 5 (4 horizons + weight)
 * observationLayout({ kind: 'asset-features', window: 60, nAssets: 10, assetIdentity: true }).itemDim; // 15
 */
export function observationLayout(options: {
  kind?: ObservationKind;
  window: number;
  nAssets: number;
  nFlowAgents?: number;
  nExtraFeatures?: number;
  horizons?: readonly number[];
  /**
   * `asset-features`: end each asset's block with a one-hot of its index, so a shared encoder
   * can learn what belongs to one asset (a persistent drift) and not only what its recent
   * returns show. It ties the encoder to the universe's order and size.
   */
  assetIdentity?: boolean;
}): ObservationLayout {
  const { window, nAssets } = options;
  const nFlowAgents = options.nFlowAgents ?? 0;
  const nExtraFeatures = options.nExtraFeatures ?? 0;
  if (options.kind === 'asset-features') {
    const horizons = [...(options.horizons ?? DEFAULT_HORIZONS)].sort((a, b) => a - b);
    const longest = Math.max(...horizons);
    if (horizons.length === 0 || horizons.some((h) => !Number.isInteger(h) || h < 1) || longest > window) {
      throw new MarketEnvError(
        'CONFIG',
        `observation.horizons must be whole numbers of bars in [1, window = ${window}], got [${horizons.join(', ')}]: raise window to at least the longest horizon`,
        { field: 'observation.horizons' },
      );
    }
    const assetIdentity = options.assetIdentity === true;
    const itemDim = horizons.length + 1 + nFlowAgents + nExtraFeatures + (assetIdentity ? nAssets : 0);
    return {
      kind: 'asset-features',
      assetIdentity,
      window,
      nAssets,
      nFlowAgents,
      nExtraFeatures,
      returnsOffset: -1,
      weightsOffset: -1,
      cashOffset: nAssets * itemDim,
      flowsOffset: -1,
      extraOffset: -1,
      itemDim,
      globalDim: 1,
      horizons,
      size: nAssets * itemDim + 1,
    };
  }
  const weightsOffset = window * nAssets;
  const cashOffset = weightsOffset + nAssets;
  let size = cashOffset + 1;
  const flowsOffset = nFlowAgents > 0 ? size : -1;
  size += nFlowAgents * nAssets;
  const extraOffset = nExtraFeatures > 0 ? size : -1;
  size += nExtraFeatures * nAssets;
  return {
    kind: 'returns-window',
    assetIdentity: false,
    window,
    nAssets,
    nFlowAgents,
    nExtraFeatures,
    itemDim: 0,
    globalDim: 0,
    horizons: [],
    returnsOffset: 0,
    weightsOffset,
    cashOffset,
    flowsOffset,
    extraOffset,
    size,
  };
}

/**
 * Log returns of a time-major close matrix: `out[s*N + n] = log(c[s]/c[s−1])`, row 0 = 0.
 * @example
 * logReturnsFromCloses(Float64Array.of(100, 50, 101, 49), 2); // [0, 0, 0.00995, -0.0202]
 */
export function logReturnsFromCloses<T extends Float32Array | Float64Array = Float32Array>(
  closes: ArrayLike<number>,
  nAssets: number,
  out: T = new Float32Array(closes.length) as T,
): T {
  const T = Math.floor(closes.length / nAssets);
  for (let n = 0; n < nAssets; n++) out[n] = 0;
  for (let s = 1; s < T; s++) {
    for (let n = 0; n < nAssets; n++) {
      const i = s * nAssets + n;
      out[i] = Math.log(closes[i]! / closes[i - nAssets]!);
    }
  }
  return out;
}

/**
 * Writes one observation into `out[outOffset …]`. `returns[returnsOffset …]` must hold the
 * `window × nAssets` log returns; `flows` and `extra` are read only if the layout has them.
 * This is the hot-path form (no allocation); {@link buildObservation} is the friendly one.
 * @example
 * writeObservation(out, 0, layout, logReturns, (t - window + 1) * nAssets, weights, cash / value);
 */
export function writeObservation(
  out: Float32Array,
  outOffset: number,
  layout: ObservationLayout,
  returns: Float32Array,
  returnsOffset: number,
  weights: ArrayLike<number>,
  cashFraction: number,
  flows?: ArrayLike<number>,
  extra?: ArrayLike<number>,
  extraOffset = 0,
): void {
  if (layout.kind === 'asset-features') {
    writeAssetFeatures(
      out,
      outOffset,
      layout,
      returns,
      returnsOffset,
      weights,
      cashFraction,
      flows,
      extra,
      extraOffset,
    );
    return;
  }
  const len = layout.window * layout.nAssets;
  out.set(returns.subarray(returnsOffset, returnsOffset + len), outOffset);
  const N = layout.nAssets;
  const w = outOffset + layout.weightsOffset;
  for (let n = 0; n < N; n++) out[w + n] = weights[n]!;
  out[outOffset + layout.cashOffset] = cashFraction;
  if (layout.flowsOffset >= 0 && flows) {
    const f = outOffset + layout.flowsOffset;
    const m = layout.nFlowAgents * N;
    for (let i = 0; i < m; i++) out[f + i] = flows[i]!;
  }
  if (layout.extraOffset >= 0 && extra) {
    const e = outOffset + layout.extraOffset;
    const m = layout.nExtraFeatures * N;
    for (let i = 0; i < m; i++) out[e + i] = extra[extraOffset + i]!;
  }
}

/** Volatility-normalised returns are clipped to ±this many standard deviations. */
const FEATURE_CLIP = 5;
/** Floor of the per-bar volatility estimate, so flat prices give 0, not 0/0. */
const MIN_VOL = 1e-6;

/**
 * The `asset-features` writer. Everything is computed from the `window` returns handed in,
 * so a feature depends only on the last `window + 1` closes, whatever slice of history the
 * caller holds (training, evaluation and live trading agree). Per asset: σ is the
 * exponentially weighted RMS of the window's returns (span = window, newest weighted
 * most, normalised weights); each horizon h gives `Σ last h returns / (σ·√h)`, clipped to ±5.
 */
function writeAssetFeatures(
  out: Float32Array,
  outOffset: number,
  layout: ObservationLayout,
  returns: ArrayLike<number>,
  returnsOffset: number,
  weights: ArrayLike<number>,
  cashFraction: number,
  flows: ArrayLike<number> | undefined,
  extra: ArrayLike<number> | undefined,
  extraOffset: number,
): void {
  const { window: W, nAssets: N, itemDim, horizons } = layout;
  const alpha = 2 / (W + 1);
  const H = horizons.length;
  for (let n = 0; n < N; n++) {
    let wsum = 0;
    let vsum = 0;
    let decay = 1;
    for (let k = 0; k < W; k++) {
      const r = returns[returnsOffset + (W - 1 - k) * N + n]!;
      vsum += decay * r * r;
      wsum += decay;
      decay *= 1 - alpha;
    }
    const sigma = Math.max(Math.sqrt(vsum / wsum), MIN_VOL);
    const o = outOffset + n * itemDim;
    let cum = 0;
    let k = 0;
    for (let j = 0; j < H; j++) {
      const h = horizons[j]!;
      for (; k < h; k++) cum += returns[returnsOffset + (W - 1 - k) * N + n]!;
      const z = cum / (sigma * Math.sqrt(h));
      out[o + j] = z > FEATURE_CLIP ? FEATURE_CLIP : Math.max(z, -FEATURE_CLIP);
    }
    out[o + H] = weights[n]!;
    let p = o + H + 1;
    for (let a = 0; a < layout.nFlowAgents; a++) out[p++] = flows ? flows[a * N + n]! : 0;
    for (let e = 0; e < layout.nExtraFeatures; e++)
      out[p++] = extra ? extra[extraOffset + n * layout.nExtraFeatures + e]! : 0;
    if (layout.assetIdentity) for (let m = 0; m < N; m++) out[p++] = m === n ? 1 : 0;
  }
  out[outOffset + layout.cashOffset] = cashFraction;
}

/** Inputs of {@link buildObservation}. */
export interface ObservationInputs {
  /** Time-major closes `[rows × nAssets]`, the last row is the decision bar; needs ≥ window + 1 rows. */
  closes: ArrayLike<number>;
  nAssets: number;
  window: number;
  /** `[nAssets]` the agent's current weights. */
  weights: ArrayLike<number>;
  /** cash / value. */
  cashFraction: number;
  /** `[nFlowAgents × nAssets]` last step's flows (include them iff the env has `includeFlows`). */
  flows?: ArrayLike<number>;
  nFlowAgents?: number;
  /** `[nAssets × nExtraFeatures]` extra columns at the decision bar. */
  extra?: ArrayLike<number>;
  nExtraFeatures?: number;
  /** The env's `observation.kind` (default `returns-window`) and, for `asset-features`, its horizons. */
  kind?: ObservationKind;
  horizons?: readonly number[];
  /** `asset-features`: the env's `observation.assetIdentity`. */
  assetIdentity?: boolean;
}

/**
 * Builds the observation the env would give for the same data, e.g. from live bars.
 * @example
 * const obs = buildObservation({ closes: last33Closes, nAssets: 10, window: 32, weights, cashFraction: 1 });
 */
export function buildObservation(inputs: ObservationInputs, out?: Float32Array): Float32Array {
  const { nAssets, window } = inputs;
  const rows = Math.floor(inputs.closes.length / nAssets);
  if (rows < window + 1) {
    throw new MarketEnvError('DATA', `buildObservation needs ${window + 1} rows of closes, got ${rows}`, {
      field: 'closes',
    });
  }
  const nFlowAgents = inputs.flows ? (inputs.nFlowAgents ?? inputs.flows.length / nAssets) : 0;
  const nExtraFeatures = inputs.extra ? (inputs.nExtraFeatures ?? inputs.extra.length / nAssets) : 0;
  const layout = observationLayout({
    window,
    nAssets,
    nFlowAgents,
    nExtraFeatures,
    ...(inputs.kind ? { kind: inputs.kind } : {}),
    ...(inputs.horizons ? { horizons: inputs.horizons } : {}),
    ...(inputs.assetIdentity ? { assetIdentity: true } : {}),
  });
  const first = (rows - window - 1) * nAssets;
  const tail = Array.prototype.slice.call(inputs.closes, first, rows * nAssets) as number[];
  const r = logReturnsFromCloses(tail, nAssets, new Float32Array(tail.length));
  const obs = out ?? new Float32Array(layout.size);
  writeObservation(
    obs,
    0,
    layout,
    r,
    nAssets,
    inputs.weights,
    inputs.cashFraction,
    inputs.flows,
    inputs.extra,
  );
  return obs;
}
