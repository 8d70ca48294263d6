/**
 * Plain shapes shared structurally with the other MARLTS packages (architecture.md,
 * "Shared shapes"). market-env declares its own copies and imports nothing from rl-core:
 * a `MarketEnv` view is assignable to rl-core's `Env` and `VecEnv` as is.
 */

/**
 * One OHLCV bar. `time` is the bar START in ms since the epoch (UTC). Close-only data
 * sets fill open/high/low with close and volume with 0.
 * @example
 * const bar: Bar = { symbol: 'MSFT', time: Date.UTC(2000, 8, 27), open: 63.44, high: 63.56, low: 59.81, close: 60.63, volume: 53077800 };
 */
export interface Bar {
  symbol: string;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A box of real vectors, `low <= x <= high` element-wise (Gymnasium's `Box`). */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
}

/** Integers `0 … n-1` (Gymnasium's `Discrete`). */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}

/** An observation or action space. */
export type Space = BoxSpace | DiscreteSpace;

/** What a single-agent `reset` returns. */
export interface EnvResetResult {
  obs: Float32Array;
  info: Record<string, unknown>;
}

/** What a single-agent `step` returns (Gymnasium semantics). */
export interface EnvStepResult {
  obs: Float32Array;
  reward: number;
  /** The MDP ended (the agent was liquidated): do not bootstrap. */
  terminated: boolean;
  /** Cut by the episode length or the end of data: bootstrap from `obs`. */
  truncated: boolean;
  info: Record<string, unknown>;
}

/**
 * A single-agent environment, structurally identical to rl-core's `Env`.
 * @example
 * const env: Env = asSingleAgentEnv(market, 'rl-long-0');
 */
export interface Env {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(options?: { seed?: number }): EnvResetResult;
  step(action: ArrayLike<number>): EnvStepResult;
  close?(): void;
}

/** What a `VecEnv` step returns: flat typed arrays over `nEnvs`. */
export interface VecEnvStepResult {
  /** `[nEnvs * obsDim]`; for a done env, already the first observation of the next episode. */
  obs: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** For a done env `terminalObs` holds the real last observation (SB3's `terminal_observation`). */
  infos: Array<Record<string, unknown> & { terminalObs?: Float32Array }>;
}

/** N copies of an env stepped together with auto-reset, structurally identical to rl-core's `VecEnv`. */
export interface VecEnv {
  readonly nEnvs: number;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(options?: { seed?: number }): { obs: Float32Array; infos: Array<Record<string, unknown>> };
  step(actions: ArrayLike<number>): VecEnvStepResult;
  close?(): void;
}

/**
 * An aligned multi-asset price table: `T` bars (rows) × `N` assets (columns), row-major
 * (`close[t * nAssets + n]`). Built by {@link buildFrame} or {@link generateSyntheticFrame}.
 */
export interface PriceFrame {
  readonly symbols: readonly string[];
  readonly nAssets: number;
  readonly nBars: number;
  /** `[T]` bar start times, ms UTC, strictly increasing. */
  readonly times: Float64Array;
  /** `[T * N]`. For close-only data `open = close`. */
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Number of cells that were forward-filled (a symbol had no bar at a frame time). */
  readonly filledCells: number;
}
