/**
 * The grid file of `marlts sweep --grid FILE.json`: a base (a partial config, the config
 * file's schema), axes (dotted config paths, each with a list of values) and the split of
 * the walk-forward folds into validation folds (where configurations are compared) and
 * test folds (later in time; only the chosen configuration is evaluated there). The
 * configurations are the cartesian product of the axes over the base; every value is
 * checked against the config schema, and a bad path or value is a CONFIG error naming the
 * file, the axis and the value.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError, isAppError } from '../app-error.js';
import { type AppConfig, deepMerge, parseConfig } from '../config.js';
import { stableJson } from '../store/hash.js';

const gridSchema = z.strictObject({
  /** A partial config applied over the --config file (same schema). */
  base: z.record(z.string(), z.unknown()).optional(),
  /** Dotted config path → the values to try. */
  axes: z.record(z.string(), z.array(z.unknown()).min(1)),
  /** Seeds per configuration (default: backtest.seeds). */
  seeds: z.number().int().min(1).max(1000).optional(),
  /** The earlier folds, on which configurations are compared. */
  validationFolds: z.number().int().min(1).default(2),
  /** The later folds, on which only the chosen configuration is evaluated. */
  testFolds: z.number().int().min(1).default(1),
});

/** The grid file as written. */
export type GridInput = z.input<typeof gridSchema>;

/** One configuration of a sweep. */
export interface SweepConfig {
  /** 0-based, in the order of the cartesian product (the last axis varies fastest). */
  index: number;
  /** The value of every axis for this configuration. */
  axes: Record<string, unknown>;
  config: AppConfig;
}

/** A parsed, checked grid. */
export interface SweepGrid {
  file: string;
  configs: SweepConfig[];
  /** The seeds every configuration runs (master seed, then +1000 each). */
  seeds: number[];
  validationFolds: number;
  testFolds: number;
  /** SHA-256-able canonical JSON of what defines the sweep (grid + resolved base). */
  canonical: string;
}

/** Where an axis may point: what changes a walk-forward chain without moving its folds. */
const AXIS_ROOTS = ['env.', 'train.', 'risk.', 'backtest.ppoSteps', 'backtest.sacSteps', 'backend'];

function setPath(path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let out: unknown = value;
  for (let i = keys.length - 1; i >= 0; i--) out = { [keys[i]!]: out };
  return out as Record<string, unknown>;
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/**
 * Expands a grid over `config` (the resolved --config and flags).
 *
 * @example
 * const grid = expandGrid({ axes: { 'train.ppo.learningRate': [3e-4, 1e-3] } }, config, 'grid.json');
 * grid.configs.length; // 2
 */
export function expandGrid(input: unknown, config: AppConfig, file: string): SweepGrid {
  const parsed = gridSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map(String).join('.') || '(root)';
    const keys =
      issue.code === 'unrecognized_keys' ? ` ${(issue as { keys?: string[] }).keys?.join(', ')}` : '';
    throw new AppError('CONFIG', `grid ${file}: "${where}": ${issue.message}${keys}`, {
      field: where,
      hint: 'a grid is { "base"?: {…config…}, "axes": { "train.ppo.learningRate": [0.0003, 0.001] }, "seeds"?: n, "validationFolds"?: n, "testFolds"?: n }',
    });
  }
  const g = parsed.data;
  for (const k of ['runDir', 'log'] as const) {
    if (g.base && k in g.base) {
      throw new AppError(
        'CONFIG',
        `grid ${file}: "base.${k}" belongs to the machine running the sweep, not to the grid`,
        {
          field: `base.${k}`,
          hint: `pass --${k === 'runDir' ? 'run-dir' : 'log-file'} to marlts sweep instead`,
        },
      );
    }
  }
  const base = (() => {
    try {
      return parseConfig(
        deepMerge(config as unknown as Record<string, unknown>, g.base ?? {}),
        `grid ${file} base`,
      );
    } catch (e) {
      if (isAppError(e)) throw new AppError('CONFIG', e.message, { field: `base.${e.field ?? ''}` });
      throw e;
    }
  })();
  const axes = Object.entries(g.axes);
  for (const [path, values] of axes) {
    if (!AXIS_ROOTS.some((r) => path === r || (r.endsWith('.') && path.startsWith(r)))) {
      throw new AppError(
        'CONFIG',
        `grid ${file}: axis "${path}" cannot vary in a sweep: every configuration must be compared on the same folds and data`,
        {
          field: path,
          hint: `axes may change ${AXIS_ROOTS.map((r) => (r.endsWith('.') ? `${r}*` : r)).join(', ')}; set the rest once in "base"`,
        },
      );
    }
    const seen = new Set<string>();
    for (const v of values) {
      const key = stableJson(v);
      if (seen.has(key)) {
        throw new AppError('CONFIG', `grid ${file}: axis "${path}" lists the value ${show(v)} twice`, {
          field: path,
        });
      }
      seen.add(key);
      try {
        parseConfig(deepMerge(base as unknown as Record<string, unknown>, setPath(path, v)));
      } catch (e) {
        if (!isAppError(e)) throw e;
        const reason = e.message.replace(/^config: /, '');
        throw new AppError('CONFIG', `grid ${file}: axis "${path}" value ${show(v)}: ${reason}`, {
          field: path,
          hint: 'axes are dotted paths of the config file (docs: marlts sweep --help); each value must be valid there',
        });
      }
    }
  }
  const seeds = Array.from({ length: g.seeds ?? base.backtest.seeds }, (_, i) => base.seed + i * 1000);
  const folds = g.validationFolds + g.testFolds;
  const configs: SweepConfig[] = [];
  const total = axes.reduce((n, [, v]) => n * v.length, 1);
  for (let index = 0; index < total; index++) {
    let rest = index;
    const picked: Record<string, unknown> = {};
    // The last axis varies fastest.
    for (let a = axes.length - 1; a >= 0; a--) {
      const [path, values] = axes[a]!;
      picked[path] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    let merged = base as unknown as Record<string, unknown>;
    for (const [path] of axes) merged = deepMerge(merged, setPath(path, picked[path]));
    merged = deepMerge(merged, { backtest: { maxFolds: folds, seeds: seeds.length } });
    const ordered = Object.fromEntries(axes.map(([p]) => [p, picked[p]]));
    configs.push({ index, axes: ordered, config: parseConfig(merged, `grid ${file}`) });
  }
  const canonical = stableJson({
    axes: g.axes,
    base: { ...base, runDir: undefined, log: undefined },
    seeds,
    validationFolds: g.validationFolds,
    testFolds: g.testFolds,
  });
  return { file, configs, seeds, validationFolds: g.validationFolds, testFolds: g.testFolds, canonical };
}

/**
 * Reads and expands a grid file.
 *
 * @example
 * const grid = loadGrid('/abs/grid.json', config);
 */
export function loadGrid(path: string, config: AppConfig): SweepGrid {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError('USAGE', `--grid ${path}: cannot read it: ${(cause as Error).message}`, {
      field: '--grid',
      cause,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (cause) {
    throw new AppError('CONFIG', `grid ${path} is not valid JSON: ${(cause as Error).message}`, {
      field: '--grid',
      cause,
    });
  }
  return expandGrid(value, config, path);
}
