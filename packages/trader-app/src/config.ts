/**
 * The app's configuration: one JSON file validated by zod (defaults live in the
 * schema), overridden by CLI flags, plus secrets that come ONLY from the environment.
 * `describeConfig` prints the resolved config with secrets redacted (`--verbose`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { sacConfigSchema } from '@marlts/rl-core';
import { z } from 'zod';
import { AppError } from './app-error.js';
import { redactUrlSecrets } from './redact-url.js';

const positiveInt = z.number().int().positive();

// Defaults chosen on the learnability benchmark's planted-signal markets (docs/learning.md).
const netArch = z.array(positiveInt).min(1);

const ppoSchema = z
  .object({
    /** Environment steps of the first training run. */
    totalTimesteps: positiveInt.default(49_152),
    learningRate: z.number().positive().default(1.5e-4),
    nSteps: positiveInt.default(512),
    batchSize: positiveInt.default(128),
    nEpochs: positiveInt.default(4),
    /** Discount: a holding horizon of a bar or two (signals decay fast; learnability benchmark). */
    gamma: z.number().gt(0).lte(1).default(0.3),
    gaeLambda: z.number().min(0).max(1).default(0.9),
    entCoef: z.number().min(0).default(0),
    /** Initial log-std of the logits' Gaussian. */
    logStdInit: z.number().default(-1),
    /** Hidden layers of the per-asset scorer and of the critic. */
    netArch: netArch.default([64, 64]),
  })
  .strict();

const sacSchema = z
  .object({
    totalTimesteps: positiveInt.default(4500),
    learningRate: z.number().positive().default(3e-4),
    learningStarts: z.number().int().nonnegative().default(200),
    batchSize: positiveInt.default(64),
    bufferSize: positiveInt.default(50_000),
    gamma: z.number().gt(0).lte(1).default(0.9),
    /**
     * Entropy coefficient: `'auto_<init>'` learns it from `<init>`, a number fixes it. Training
     * rewards are log returns × 100 (~0.1–1 a bar); SB3's `'auto'` starts at 1 and, over the short
     * agent's few thousand updates, its entropy bonus buried them (learnability benchmark).
     * The accepted forms are rl-core's own (`sacConfigSchema`).
     */
    entCoef: sacConfigSchema.shape.entCoef.unwrap().default('auto_0.1'),
    /** Target entropy of the squashed actions: `'auto'` = −(number of assets), or a number. */
    targetEntropy: sacConfigSchema.shape.targetEntropy,
    /** The logits are the tanh-squashed actions × this: weights differ by at most e^(2·bound). */
    logitBound: z.number().positive().default(5),
    /**
     * The short book's gross at the policy's neutral output (logits 0, where SAC's entropy bonus
     * pulls it), as a fraction of the sleeve: a cash bias (rl-core's `policy.cashLogit`
     * = ln(N·(1 − g)/g) for N assets). Without one the neutral book is N/(N + 1) invested, and a
     * short book that has learned nothing loses whatever the market gains (learnability benchmark).
     */
    neutralGross: z.number().gt(0).lt(1).default(0.25),
    /**
     * The short agent's training market charges fees and impact × this (on top of
     * `train.costScale`); evaluation and trading never do. A turnover penalty for the short
     * agent alone: a view it holds costs nothing more, a view it churns does. With it the
     * short agent holds the planted loser instead of churning a book (learnability benchmark).
     */
    costScale: z.number().min(1).default(10),
    netArch: netArch.default([64, 64]),
  })
  .strict();

export const configSchema = z
  .object({
    /** Where the run store (`marlts.db`), checkpoints and reports go. */
    runDir: z.string().min(1).default('marlts-run'),
    /** tfjs backend: WASM SIMD (default), pure-JS CPU, or native tfjs-node. */
    backend: z.enum(['wasm', 'cpu', 'tensorflow']).default('wasm'),
    /** The master seed (data split, env, weight init, sampling). */
    seed: z.number().int().nonnegative().default(1),
    data: z
      .object({
        /** A CSV in the shared long format; default: the bundled Dow-10 daily closes. */
        file: z.string().min(1).optional(),
        /** Symbols to use (default: every symbol in the file). */
        symbols: z.array(z.string().min(1)).min(1).optional(),
        /** First / last bar to use, ISO date or timestamp (inclusive). */
        start: z.string().optional(),
        end: z.string().optional(),
        /** On-disk cache for `data fetch` (default `<runDir>/cache`). */
        cacheDir: z.string().optional(),
      })
      .strict()
      .prefault({}),
    env: z
      .object({
        cashUsd: z.number().positive().default(100_000),
        feeBps: z.number().nonnegative().default(5),
        /** Linear impact coefficient on aggregated net notional (architecture.md). */
        impactCoeff: z.number().nonnegative().default(0.1),
        /** Annual borrow fee on short notional, in basis points. */
        borrowBpsPerYear: z.number().nonnegative().default(50),
        /** Bars of history each observation reads; asset-features use the `horizons` that fit in it. */
        windowBars: positiveInt.default(60),
        /** Return horizons (bars) of the asset-features observation; those above windowBars are left out. */
        horizons: z.array(positiveInt).min(1).default([1, 5, 20, 60]),
        /**
         * `asset-features`: per asset, returns over 1/5/20/60 bars ÷ its volatility, and its weight
         * (agent design 2). `returns-window`: the last windowBars raw returns of every asset.
         */
        observation: z.enum(['asset-features', 'returns-window']).default('asset-features'),
        /**
         * asset-features: each asset's block also names the asset (a one-hot of its index in
         * the symbols), so the agents can learn what belongs to one asset, such as a persistent
         * drift, and not only what its recent returns show (learnability benchmark). Trained
         * agents then fit this universe, in this order, only; `false` gives universe-free encoders.
         */
        assetIdentity: z.boolean().default(true),
        /** Episode length in bars during training. */
        episodeBars: positiveInt.default(252),
        /** Fraction of the account's equity the long agent (PPO) manages. */
        longSleeve: z.number().gt(0).lte(1).default(0.5),
        /** Fraction of the account's equity the short agent (SAC) manages. */
        shortSleeve: z.number().gt(0).lte(1).default(0.5),
        /** Gross short limit of the short agent (Σ|w|). */
        shortGrossLimit: z.number().positive().default(1),
        /** Heuristic agents trading in the same market. */
        heuristics: z
          .array(z.enum(['momentum', 'mean-reversion', 'market-maker', 'buy-and-hold', 'equal-weight']))
          .default(['momentum', 'mean-reversion', 'market-maker']),
      })
      .strict()
      .prefault({}),
    train: z
      .object({
        agents: z.enum(['both', 'long', 'short']).default('both'),
        /**
         * Training markets charge fees and impact × this (evaluation and trading never do): an
         * agent trained on dearer trades learns to trade only on a signal worth the real cost.
         */
        costScale: z.number().min(1).default(1),
        ppo: ppoSchema.prefault({}),
        sac: sacSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    backtest: z
      .object({
        /** Rolling training window, in bars. */
        trainBars: positiveInt.default(504),
        /** Unseen test window after each training window (default: the live retrain cadence in bars). */
        testBars: positiveInt.optional(),
        seeds: positiveInt.default(3),
        /** Keep only the last N folds (0 = all). */
        maxFolds: z.number().int().nonnegative().default(6),
        /** Warm-start retrain budget per fold after the first (the first fold trains with train.ppo/train.sac). */
        ppoSteps: positiveInt.default(16_384),
        sacSteps: positiveInt.default(1200),
      })
      .strict()
      .prefault({}),
    retrain: z
      .object({
        /** Retrain cadence in minutes of bar time (intraday data; daily bars retrain every 21 bars unless everyBars is set). */
        everyMinutes: positiveInt.default(60),
        /** Cadence in bars; overrides everyMinutes (used for daily replays). */
        everyBars: positiveInt.optional(),
        /** Bars of newest history the challenger trains on. */
        windowBars: positiveInt.default(252),
        /** Most recent bars held out to compare challenger and champion. */
        holdoutBars: positiveInt.default(20),
        ppoSteps: positiveInt.default(2048),
        sacSteps: positiveInt.default(300),
      })
      .strict()
      .prefault({}),
    risk: z
      .object({
        maxPositionWeight: z.number().gt(0).lte(1).default(0.2),
        stopLossPct: z.number().gt(0).lt(1).default(0.05),
        takeProfitPct: z.number().gt(0).default(0.1),
        /** Stop opening positions for the day once equity falls this far below the day's start. */
        dailyLossStopPct: z.number().gt(0).lt(1).default(0.03),
        dayTradeRule: z.enum(['intraday-margin', 'legacy-pdt']).default('intraday-margin'),
        /** Attach SL/TP as bracket legs to opening orders when the broker supports it. */
        useBrackets: z.boolean().default(true),
        /**
         * Skip a resize of an open position smaller than this fraction of equity (an opening or a
         * close to zero is never skipped): a no-trade band against churn. `'auto'`: 30 % of an equal weight,
         * 0.3 / (number of assets), so 0.03 with 10 assets (learnability benchmark's noise market).
         */
        minTradeWeight: z.union([z.number().nonnegative().lt(1), z.literal('auto')]).default('auto'),
      })
      .strict()
      .prefault({}),
    orders: z
      .object({
        type: z.enum(['market', 'limit']).default('market'),
        /** Limit price offset from the last close, in bps (buy above, sell below). */
        limitOffsetBps: z.number().nonnegative().default(10),
        timeInForce: z.enum(['day', 'gtc']).default('day'),
      })
      .strict()
      .prefault({}),
    broker: z
      .object({
        /** Trading API base URL (default: Alpaca paper, or live with --live). */
        url: z.string().url().optional(),
        /** Market-data base URL (default: the trading URL for the sim, Alpaca data otherwise). */
        dataUrl: z.string().url().optional(),
        /** Bar timeframe requested from the market-data API (`1Min`, `5Min`, `1Hour`, `1Day` …). */
        timeframe: z
          .string()
          .regex(/^\d+(Min|Hour|Day|Week|Month)$/)
          .default('1Hour'),
        /** Seconds between polls for a new bar. */
        pollSeconds: z.number().positive().default(1),
        /** Per-request timeout. */
        timeoutMs: positiveInt.default(10_000),
      })
      .strict()
      .prefault({}),
    eodhd: z
      .object({
        baseUrl: z.string().url().optional(),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
        /** Log lines on stderr: `human` (default) or `json` (one pino record per line). */
        format: z.enum(['human', 'json']).default('human'),
        /** Also append JSON log lines to this file (stderr then shows warnings and errors only). */
        file: z.string().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The config file as written (every field optional). */
export type ConfigInput = z.input<typeof configSchema>;
/** The resolved config, defaults applied. */
export type AppConfig = z.output<typeof configSchema>;

/** Secrets, read only from the environment, never from the config file. */
export interface Secrets {
  eodhdApiToken: string | undefined;
  alpacaKeyId: string | undefined;
  alpacaSecretKey: string | undefined;
  alpacaEnv: 'paper' | 'live';
}

/** The names of the secret environment variables. */
export const SECRET_ENV_VARS = [
  'EODHD_API_TOKEN',
  'ALPACA_KEY_ID',
  'ALPACA_SECRET_KEY',
  'ALPACA_ENV',
] as const;

/** Default config file looked for in the working directory. */
export const DEFAULT_CONFIG_FILE = 'marlts.config.json';

/**
 * Drops a leading UTF-8 byte-order mark: Windows editors (Notepad, PowerShell's
 * `Out-File -Encoding utf8`) write one, and JSON.parse rejects it.
 */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A deep partial used for CLI overrides. */
export type Overrides = { [key: string]: unknown };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` into `base`; `undefined` values in `over` are ignored. */
export function deepMerge(base: Record<string, unknown>, over: Overrides): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/**
 * Parses an already-loaded config object; errors name the offending field.
 *
 * @example
 * parseConfig({ risk: { maxPositionWeight: 0.1 } }).risk.stopLossPct; // 0.05
 */
export function parseConfig(input: unknown, source = 'config'): AppConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  let field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    field = [field, keys[0]].filter(Boolean).join('.');
    throw new AppError('CONFIG', `${source}: unknown field "${field}" (check its spelling)`, { field });
  }
  throw new AppError('CONFIG', `${source}: invalid field "${field || '(root)'}": ${issue.message}`, {
    field: field || '(root)',
  });
}

/**
 * Loads the config file (an explicit `--config` path, else `marlts.config.json` in
 * `cwd` when present), applies CLI overrides and validates the result.
 *
 * @example
 * const config = loadConfig({ overrides: { seed: 3 } });
 */
export function loadConfig(
  options: { configPath?: string | undefined; overrides?: Overrides; cwd?: string } = {},
): { config: AppConfig; source: string | undefined } {
  const cwd = options.cwd ?? process.cwd();
  let path: string | undefined;
  if (options.configPath !== undefined) {
    path = resolve(cwd, options.configPath);
    if (!existsSync(path)) {
      throw new AppError('CONFIG', `config file not found: ${path}`, { field: 'config' });
    }
    if (statSync(path).isDirectory()) {
      throw new AppError('CONFIG', `--config ${path} is a directory; pass the JSON file`, {
        field: 'config',
        hint: `e.g. --config ${join(path, DEFAULT_CONFIG_FILE)}`,
      });
    }
  } else if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    path = resolve(cwd, DEFAULT_CONFIG_FILE);
  }
  let fileValue: unknown = {};
  if (path !== undefined) {
    try {
      fileValue = JSON.parse(stripBom(readFileSync(path, 'utf8')));
    } catch (cause) {
      throw new AppError('CONFIG', `config file ${path} is not valid JSON: ${(cause as Error).message}`, {
        field: 'config',
        cause,
      });
    }
    if (!isPlainObject(fileValue)) {
      throw new AppError('CONFIG', `config file ${path} must hold a JSON object`, { field: '(root)' });
    }
    for (const k of Object.keys(fileValue)) {
      if (/token|secret|key/i.test(k)) {
        throw new AppError(
          'CONFIG',
          `config file ${path}: field "${k}" looks like a secret; secrets come only from the environment (${SECRET_ENV_VARS.join(', ')})`,
          { field: k },
        );
      }
    }
  }
  const merged = deepMerge(fileValue as Record<string, unknown>, options.overrides ?? {});
  return { config: parseConfig(merged, path ?? 'config'), source: path };
}

/**
 * Reads the secrets from an environment (default `process.env`).
 *
 * @example
 * const { alpacaKeyId } = readSecrets(process.env);
 */
export function readSecrets(env: NodeJS.ProcessEnv = process.env): Secrets {
  const alpacaEnv = env.ALPACA_ENV ?? 'paper';
  if (alpacaEnv !== 'paper' && alpacaEnv !== 'live') {
    throw new AppError('CONFIG', `ALPACA_ENV must be "paper" or "live", got "${alpacaEnv}"`, {
      field: 'ALPACA_ENV',
    });
  }
  const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return {
    eodhdApiToken: nonEmpty(env.EODHD_API_TOKEN),
    alpacaKeyId: nonEmpty(env.ALPACA_KEY_ID),
    alpacaSecretKey: nonEmpty(env.ALPACA_SECRET_KEY),
    alpacaEnv,
  };
}

/** `'***' + last 2 chars` for a set secret, `'(not set)'` otherwise. */
export function redact(secret: string | undefined): string {
  if (secret === undefined) return '(not set)';
  return secret.length > 8 ? `***${secret.slice(-2)}` : '***';
}

/**
 * The resolved config and the redacted secrets as pretty JSON, for `--verbose`
 * (credentials inside URLs masked too).
 *
 * @example
 * console.error(describeConfig(config, readSecrets()));
 */
export function describeConfig(config: AppConfig, secrets: Secrets): string {
  // A broker or EODHD URL may carry credentials (`http://user:SECRET@host`).
  return redactUrlSecrets(
    JSON.stringify(
      {
        config,
        secrets: {
          EODHD_API_TOKEN: redact(secrets.eodhdApiToken),
          ALPACA_KEY_ID: redact(secrets.alpacaKeyId),
          ALPACA_SECRET_KEY: redact(secrets.alpacaSecretKey),
          ALPACA_ENV: secrets.alpacaEnv,
        },
      },
      null,
      2,
    ),
  );
}

/**
 * Loads `.env` from `cwd` into `env` when the file exists: variables already set win,
 * the file never overrides the real environment.
 *
 * @example
 * loadDotEnv(process.cwd(), process.env);
 */
export function loadDotEnv(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = resolve(cwd, '.env');
  if (!existsSync(path)) return undefined;
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(stripBom(readFileSync(path, 'utf8'))) as Record<string, string>;
  } catch (cause) {
    throw new AppError('CONFIG', `cannot read ${path}: ${(cause as Error).message}`, {
      field: '.env',
      cause,
    });
  }
  for (const [k, v] of Object.entries(parsed)) if (env[k] === undefined) env[k] = v;
  return path;
}

/**
 * `risk.minTradeWeight` for a universe of `nAssets`: the configured fraction, or for `'auto'`
 * 30 % of an equal weight.
 * @example
 * minTradeWeight(parseConfig({}).risk, 10); // 0.03
 */
export function minTradeWeight(risk: Pick<AppConfig['risk'], 'minTradeWeight'>, nAssets: number): number {
  return risk.minTradeWeight === 'auto' ? 0.3 / Math.max(1, nAssets) : risk.minTradeWeight;
}
