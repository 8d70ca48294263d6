/**
 * The options of `MarketEnv`, validated by zod once at construction (never in the step
 * loop). Defaults live here; `env.config` is the parsed result.
 */
import { z } from 'zod';
import { MarketEnvError } from './errors.js';
import { syntheticOptionsSchema } from './synthetic.js';
import type { PriceFrame } from './types.js';

/**
 * The built-in agent kinds; `learned` takes its actions from outside.
 * @example
 * AGENT_KINDS.includes('momentum'); // true
 */
export const AGENT_KINDS = [
  'learned',
  'momentum',
  'mean-reversion',
  'market-maker',
  'buy-and-hold',
  'equal-weight',
] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

const riskSchema = z.strictObject({
  stopLoss: z.number().positive().optional(),
  takeProfit: z.number().positive().optional(),
  dailyLossLimit: z.number().positive().max(1).optional(),
  maxWeight: z.number().positive().max(1).optional(),
});

const agentSchema = z.strictObject({
  /** Stable id; default `<prefix>-<k>` (rl-long-0, rl-short-0, rl-ls-0, mom-0, mean-0, mm-0, bh-0, ew-0). */
  id: z.string().min(1).optional(),
  kind: z.enum(AGENT_KINDS),
  /** Default: `long` (market maker: `long-short`). */
  role: z.enum(['long', 'short', 'long-short']).optional(),
  /** Starting cash of this agent's sleeve (default: the env's `cashUsd`). */
  cashUsd: z.number().positive().optional(),
  /** Σ|w| limit for short and long-short roles. */
  grossLimit: z.number().positive().max(10).default(1),
  /** Momentum / mean-reversion lookback in bars. */
  lookback: z.number().int().min(1).optional(),
  /** Market maker: how hard it leans against the net flow, its inventory cap and decay. */
  lean: z.number().nonnegative().optional(),
  maxInventory: z.number().positive().max(1).optional(),
  decay: z.number().min(0).max(1).optional(),
  /** Equal weight: rebalance period in bars. */
  rebalanceEvery: z.number().int().min(1).optional(),
  /** Overrides the env's `risk` for this agent. */
  risk: riskSchema.optional(),
});

const frameSchema = z.custom<PriceFrame>(
  (v) => {
    const f = v as PriceFrame;
    return (
      typeof v === 'object' &&
      v !== null &&
      f.close instanceof Float64Array &&
      f.open instanceof Float64Array &&
      f.times instanceof Float64Array &&
      Array.isArray(f.symbols) &&
      f.nAssets === f.symbols.length &&
      f.close.length === f.nBars * f.nAssets &&
      f.open.length === f.close.length &&
      f.times.length === f.nBars
    );
  },
  { message: 'expected a PriceFrame from buildFrame() or generateSyntheticFrame()' },
);

const numericArray = z.custom<ArrayLike<number>>(
  (v) => v instanceof Float64Array || v instanceof Float32Array || Array.isArray(v),
  { message: 'expected a Float64Array, Float32Array or number[]' },
);

/**
 * Zod schema of `MarketEnv` options (defaults live here).
 * @example
 * marketEnvOptionsSchema.shape.window; // z.number().int().min(1).default(32)
 */
export const marketEnvOptionsSchema = z.strictObject({
  /** Historical prices. Exactly one of `frame` and `synthetic`. */
  frame: frameSchema.optional(),
  /** A fresh seeded synthetic market every episode (nBars is set to fit the episode). */
  synthetic: syntheticOptionsSchema.optional(),
  agents: z
    .array(agentSchema)
    .min(1)
    .prefault([
      { kind: 'learned', role: 'long' },
      { kind: 'momentum' },
      { kind: 'mean-reversion' },
      { kind: 'market-maker' },
    ]),
  /** Bars of log returns in each observation. */
  window: z.number().int().min(1).default(32),
  /** Steps per episode; `null` runs to the end of the data. Always truncated at the end of the data. */
  episodeLength: z.number().int().min(1).nullable().default(252),
  /** Start each episode at a seeded random bar (else at the first bar with a full window). */
  randomStart: z.boolean().default(true),
  /** Fixed first decision bar (overrides randomStart); must be ≥ window. */
  startIndex: z.number().int().min(1).optional(),
  cashUsd: z.number().positive().default(100_000),
  feeBps: z.number().min(0).default(10),
  impact: z
    .strictObject({
      model: z.enum(['linear', 'sqrt']).default('linear'),
      coeff: z.number().min(0).default(0.1),
      /** Dollars per asset (one number for all, or one per asset). */
      liquidityUsd: z.union([z.number().positive(), z.array(z.number().positive())]).default(10_000_000),
      maxImpact: z.number().min(0).max(0.99).default(0.05),
    })
    .default({ model: 'linear', coeff: 0.1, liquidityUsd: 10_000_000, maxImpact: 0.05 }),
  /** Annual borrow fee on short market value, charged per bar (÷ barsPerYear). */
  borrowBpsPerYear: z.number().min(0).default(50),
  /** Liquidate an agent whose equity < maintenanceMargin × gross exposure (or ≤ 0). */
  maintenanceMargin: z.number().min(0).max(1).default(0.25),
  /** Skip a trade smaller than this many bps of the agent's value. */
  deadbandBps: z.number().min(0).default(0),
  /** Round target shares toward zero to whole shares. */
  wholeShares: z.boolean().default(false),
  reward: z
    .strictObject({
      kind: z.enum(['shaped', 'pnl', 'log-return', 'differential-sharpe']).default('shaped'),
      coopWeight: z.number().default(0.05),
      compWeight: z.number().default(0.1),
      /** Every reward is multiplied by this. */
      scale: z.number().positive().default(1),
      /** Adaptation rate of the differential Sharpe ratio. */
      dsrEta: z.number().positive().max(1).default(0.01),
    })
    .default({ kind: 'shaped', coopWeight: 0.05, compWeight: 0.1, scale: 1, dsrEta: 0.01 }),
  observation: z
    .strictObject({
      /** Append every agent's traded notional of the last step ÷ its value. */
      includeFlows: z.boolean().default(false),
      /** Extra feature columns `[nBars × nAssets × nFeatures]` aligned with the frame rows (frame mode only). */
      extra: z.strictObject({ values: numericArray, nFeatures: z.number().int().min(1) }).optional(),
      /**
       * `returns-window`: the last `window` raw log returns of every asset, then weights and cash.
       * `asset-features`: one block per asset (volatility-normalised returns over `horizons`,
       * its weight, flows, extra columns), then `[cash]`: the input of a per-asset shared encoder.
       */
      kind: z.enum(['returns-window', 'asset-features']).default('returns-window'),
      /** Return horizons in bars of the `asset-features` layout (each ≤ window). */
      horizons: z.array(z.number().int().min(1)).min(1).default([1, 5, 20, 60]),
    })
    .default({ includeFlows: false, kind: 'returns-window', horizons: [1, 5, 20, 60] }),
  /** Default risk rules for every agent. */
  risk: riskSchema.default({}),
  /** Annualisation; default inferred from the frame's times. */
  barsPerYear: z.number().positive().optional(),
  /** Seed used when reset() gets none. */
  seed: z.number().finite().default(0),
});

export type MarketEnvOptions = z.input<typeof marketEnvOptionsSchema>;
export type MarketEnvConfig = z.output<typeof marketEnvOptionsSchema>;
export type AgentSpec = z.input<typeof agentSchema>;
export type AgentConfig = z.output<typeof agentSchema>;

/**
 * Validates env options; errors name the field (zod path) and say how to fix it.
 * @example
 * const config = parseMarketEnvOptions({ frame, window: 16 });
 */
export function parseMarketEnvOptions(options: MarketEnvOptions): MarketEnvConfig {
  const r = marketEnvOptionsSchema.safeParse(options);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(options)';
    throw new MarketEnvError('CONFIG', `MarketEnv option ${field}: ${issue.message}`, {
      field,
      cause: r.error,
    });
  }
  const c = r.data;
  if ((c.frame === undefined) === (c.synthetic === undefined)) {
    throw new MarketEnvError('CONFIG', 'MarketEnv: pass exactly one of `frame` and `synthetic`', {
      field: 'frame',
    });
  }
  if (c.synthetic && c.observation.extra) {
    throw new MarketEnvError(
      'CONFIG',
      'observation.extra needs a fixed `frame` (its rows align with the frame)',
      {
        field: 'observation.extra',
      },
    );
  }
  return c;
}
