/**
 * `marlts learnability`: do the agents, as configured, learn to trade? Runs the walk-forward
 * backtest on synthetic markets with a planted signal (momentum, reversal, a persistent
 * winner and loser, pure noise) beside an oracle that knows the rule and the baselines, and
 * checks each market's goals out of sample after costs. `--json` prints one JSON summary as
 * the last stdout line (what `pnpm bench:learn` reads).
 */
import type { Command } from 'commander';
import { AppError } from '../app-error.js';
import type { CommandContext } from '../context.js';
import { startBackend } from '../engine/backend.js';
import { type LearnabilityMarketResult, PLANTED_MARKETS, runLearnability } from '../engine/learnability.js';
import type { CommandWiring } from './command.js';
import { intFlag } from './flags.js';

/** Defaults of the measurements: 3 seeds, the last 9 folds (189 daily test bars). */
export const LEARNABILITY_DEFAULTS = { seeds: 3, folds: 9 } as const;

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

/** A market's table: each agent's out-of-sample figures, then the goals' verdicts. */
export function formatMarket(m: LearnabilityMarketResult): string {
  const rows = Object.entries(m.agents).map(([name, a]) => [
    name,
    pct(a.totalReturn),
    a.sharpe.toFixed(2),
    a.turnover.toFixed(1),
    (a.fees + a.impact).toFixed(0),
    (a.paths ?? []).map((p) => pct(p.totalReturn)).join(' '),
  ]);
  const header = ['agent', 'return', 'sharpe', 'turnover', 'fees+impact $', 'return per path'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const goals = m.goals.map(
    (g) =>
      `  ${g.passed ? 'PASS' : 'FAIL'}  ${g.text} (${Number.isFinite(g.value) ? g.value.toFixed(3) : g.value} vs ${g.threshold.toFixed(3)})`,
  );
  return [
    `${m.name}: ${m.description} (${m.trainSeconds} s)`,
    line(header),
    ...rows.map(line),
    ...goals,
  ].join('\n');
}

/**
 * Registers `marlts learnability`.
 *
 * @example
 * registerLearnabilityCommand(program, wiring);
 */
export function registerLearnabilityCommand(program: Command, { globalFlags, action }: CommandWiring): void {
  globalFlags(
    program
      .command('learnability')
      .description(
        'do the agents, as configured, learn? walk-forward backtests on synthetic markets with a planted signal, against an oracle that knows it and the baselines',
      )
      .option(
        '--markets <list>',
        `comma-separated planted markets (default: all: ${PLANTED_MARKETS.map((m) => m.name).join(', ')})`,
      )
      .option(
        '--seeds <n>',
        `seeds per market: each draws its own price path and trains its own agents (default: ${LEARNABILITY_DEFAULTS.seeds})`,
        intFlag('--seeds', { min: 1 }),
      )
      .option(
        '--folds <n>',
        `walk-forward folds per market (default: ${LEARNABILITY_DEFAULTS.folds})`,
        intFlag('--folds', { min: 1 }),
      )
      .option('--json', 'also print one JSON summary as the last stdout line (what pnpm bench:learn reads)'),
    { runDir: false },
  ).action(action(runLearnabilityCommand));
}

export async function runLearnabilityCommand(
  ctx: CommandContext,
  opts: Record<string, unknown>,
): Promise<number> {
  const wanted = typeof opts.markets === 'string' ? opts.markets.split(',').map((s) => s.trim()) : undefined;
  const known = PLANTED_MARKETS.map((m) => m.name);
  const unknown = (wanted ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new AppError('USAGE', `--markets: unknown market ${unknown.join(', ')}`, {
      hint: `choose from ${known.join(', ')}`,
    });
  }
  const markets = wanted ? PLANTED_MARKETS.filter((m) => wanted.includes(m.name)) : PLANTED_MARKETS;
  const seeds = typeof opts.seeds === 'number' ? opts.seeds : LEARNABILITY_DEFAULTS.seeds;
  const folds = typeof opts.folds === 'number' ? opts.folds : LEARNABILITY_DEFAULTS.folds;
  await startBackend(ctx.config);
  const t0 = Date.now();
  ctx.info(
    `learnability: ${markets.length} planted market(s) × ${seeds} seed(s), last ${folds} walk-forward folds each, the app's config`,
  );
  const report = await runLearnability({
    config: ctx.config,
    markets,
    seeds,
    folds,
    progress: ctx.progress,
    signal: ctx.signal,
    onMarket: (m) => ctx.out(`${formatMarket(m)}\n`),
  });
  if (ctx.signal.aborted) throw new AppError('INTERRUPTED', 'learnability interrupted');
  const wallSeconds = Math.round((Date.now() - t0) / 1000);
  ctx.out(`goals met: ${report.passed} of ${report.passed + report.failed} (${wallSeconds} s)`);
  if (opts.json) ctx.out(JSON.stringify({ bench: 'learnability', ...report, wallSeconds }));
  return 0;
}
