/**
 * The options of `MarketEnv`, validated by zod once at construction (never in the step
 * loop). Defaults live here; `env.config` is the parsed result. The schema also checks
 * what types cannot say (one data source, sizes that match the data, unique agent ids),
 * so a parsed config builds an env without further option errors.
 */
import { z } from 'zod';
import { agentIds, agentSchema, riskSchema } from './agents.js';
import { isMarketEnvError, MarketEnvError, type MarketEnvErrorCode } from './errors.js';
import { type ObservationLayout, observationLayout } from './features.js';
import { parseSyntheticOptions, syntheticOptionsSchema } from './synthetic.js';
import type { PriceFrame } from './types.js';

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

const optionsObject = z.strictObject({
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
  /** Skip a resize of an open position smaller than this many bps of the agent's value (opening and closing are never skipped). */
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
      /**
       * `asset-features`: end each asset's block with a one-hot of its index, so a shared
       * encoder can tell the assets apart (e.g. learn a persistent drift of one of them).
       */
      assetIdentity: z.boolean().default(false),
    })
    .default({ includeFlows: false, kind: 'returns-window', horizons: [1, 5, 20, 60], assetIdentity: false }),
  /** Default risk rules for every agent. */
  risk: riskSchema.default({}),
  /** Annualisation; default inferred from the frame's times. */
  barsPerYear: z.number().positive().optional(),
  /** Seed used when reset() gets none. */
  seed: z.number().finite().default(0),
});

/** A problem the field types cannot express, as the `MarketEnvError` that reports it. */
interface OptionProblem {
  field: string;
  message: string;
  code?: MarketEnvErrorCode;
  symbol?: string;
  row?: number;
}

/** Marks a custom zod issue whose message and field reach the `MarketEnvError` as they are. */
const PROBLEM = 'marketEnvProblem';

/**
 * @internal The message when `start` cannot be an episode's first decision bar (it needs a
 * full window behind it and a bar to fill at after it), else `undefined`.
 */
export function startIndexProblem(start: number, window: number, nBars: number): string | undefined {
  return Number.isInteger(start) && start >= window && start <= nBars - 2
    ? undefined
    : `startIndex must be in [${window}, ${nBars - 2}], got ${start}`;
}

/** Runs a check owned by another module and returns the `MarketEnvError` it throws, as a problem. */
function problemOf(check: () => unknown): OptionProblem | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (!isMarketEnvError(e)) throw e;
    return {
      field: e.field ?? '(options)',
      message: e.message,
      code: e.code,
      ...(e.symbol !== undefined ? { symbol: e.symbol } : {}),
      ...(e.row !== undefined ? { row: e.row } : {}),
    };
  }
}

/** The first value of `observation.extra` that is not finite, named by frame row and symbol. */
function extraValuesProblem(
  frame: PriceFrame,
  values: ArrayLike<number>,
  nFeatures: number,
): OptionProblem | undefined {
  const N = frame.nAssets;
  const T = frame.nBars;
  if (values.length !== T * N * nFeatures) {
    return {
      field: 'observation.extra.values',
      message: `observation.extra.values has ${values.length} values; the frame needs nBars × nAssets × nFeatures = ${T * N * nFeatures}`,
    };
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      const row = Math.floor(i / (N * nFeatures));
      const symbol = frame.symbols[Math.floor(i / nFeatures) % N]!;
      return {
        field: 'observation.extra.values',
        message: `observation.extra value at row ${row} (${symbol}) is not finite`,
        code: 'DATA',
        symbol,
        row,
      };
    }
  }
  return undefined;
}

/**
 * The first problem of options whose fields are each valid, in the order `MarketEnv`
 * has always reported them (its constructor threw on the first).
 */
/**
 * The observation layout a config gives a frame of `nAssets` assets: what validation checks and
 * what the env builds, from one mapping of the options (an observation option is added once).
 * @example
 * configObservationLayout(config, frame.nAssets).size;
 */
export function configObservationLayout(
  c: Pick<z.output<typeof optionsObject>, 'observation' | 'window' | 'agents'>,
  nAssets: number,
): ObservationLayout {
  return observationLayout({
    kind: c.observation.kind,
    horizons: c.observation.horizons,
    assetIdentity: c.observation.assetIdentity,
    window: c.window,
    nAssets,
    nFlowAgents: c.observation.includeFlows ? c.agents.length : 0,
    nExtraFeatures: c.observation.extra ? c.observation.extra.nFeatures : 0,
  });
}

function optionsProblem(c: z.output<typeof optionsObject>): OptionProblem | undefined {
  if ((c.frame === undefined) === (c.synthetic === undefined)) {
    return { field: 'frame', message: 'MarketEnv: pass exactly one of `frame` and `synthetic`' };
  }
  if (c.synthetic && c.observation.extra) {
    return {
      field: 'observation.extra',
      message: 'observation.extra needs a fixed `frame` (its rows align with the frame)',
    };
  }
  let nBars: number;
  let nAssets: number;
  if (c.synthetic) {
    const synthetic = c.synthetic;
    const problem = problemOf(() => parseSyntheticOptions(synthetic));
    if (problem) return problem;
    if (c.episodeLength === null) {
      return { field: 'episodeLength', message: 'a synthetic market needs a finite episodeLength' };
    }
    // Each episode's market is generated with just the bars it needs.
    nBars = c.window + c.episodeLength + 1;
    nAssets = synthetic.nAssets;
  } else {
    nBars = c.frame!.nBars;
    nAssets = c.frame!.nAssets;
  }
  if (c.window + 2 > nBars) {
    return {
      field: 'window',
      message: `window ${c.window} is longer than the data allows: it needs at least ${c.window + 2} bars, the frame has ${nBars}`,
    };
  }
  const start = c.startIndex === undefined ? undefined : startIndexProblem(c.startIndex, c.window, nBars);
  if (start) return { field: 'startIndex', message: start };
  const ids = agentIds(c.agents);
  const dup = ids.findIndex((id, i) => ids.indexOf(id) < i);
  if (dup >= 0) return { field: `agents.${dup}.id`, message: `duplicate agent id ${ids[dup]}` };
  const extra = c.observation.extra;
  if (extra) {
    const problem = extraValuesProblem(c.frame!, extra.values, extra.nFeatures);
    if (problem) return problem;
  }
  const layout = problemOf(() => configObservationLayout(c, nAssets));
  if (layout) return layout;
  const liq = c.impact.liquidityUsd;
  if (Array.isArray(liq) && liq.length !== nAssets) {
    return {
      field: 'impact.liquidityUsd',
      message: `impact.liquidityUsd has ${liq.length} values, the frame has ${nAssets} assets`,
    };
  }
  return undefined;
}

/**
 * Zod schema of `MarketEnv` options (defaults live here, and the checks across fields).
 * @example
 * marketEnvOptionsSchema.shape.window; // z.number().int().min(1).default(32)
 */
export const marketEnvOptionsSchema = optionsObject.superRefine((c, ctx) => {
  // Only options whose fields are valid are checked as a whole.
  if (ctx.issues.length > 0) return;
  const problem = optionsProblem(c);
  if (problem) {
    ctx.addIssue({
      code: 'custom',
      path: problem.field.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      message: problem.message,
      params: { [PROBLEM]: problem },
    });
  }
});

export type MarketEnvOptions = z.input<typeof marketEnvOptionsSchema>;
export type MarketEnvConfig = z.output<typeof marketEnvOptionsSchema>;

/**
 * Validates env options; errors name the field (zod path) and say how to fix it.
 * @example
 * const config = parseMarketEnvOptions({ frame, window: 16 });
 */
export function parseMarketEnvOptions(options: MarketEnvOptions): MarketEnvConfig {
  const r = marketEnvOptionsSchema.safeParse(options);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const problem =
    issue.code === 'custom' ? (issue.params?.[PROBLEM] as OptionProblem | undefined) : undefined;
  if (problem) {
    const { code = 'CONFIG', message, ...where } = problem;
    throw new MarketEnvError(code, message, where);
  }
  const field = issue.path.map(String).join('.') || '(options)';
  throw new MarketEnvError('CONFIG', `MarketEnv option ${field}: ${issue.message}`, {
    field,
    cause: r.error,
  });
}
