/**
 * Writes a seed-aggregated walk-forward result into a report section of the run store:
 * each agent's seed-mean equity curve (`<section>/<agent>`) and its metrics, with the
 * significance of its edge over equal-weight where there is one. Used by `backtest` (and the
 * demo) for section `backtest`, and by a sweep for its winner's validation and test folds.
 */
import type { RunStore } from '../store.js';
import type { SeedAggregate } from './walk-forward.js';

/**
 * @example
 * store.transaction(() => storeSeedAggregate(store, runId, 'backtest', wf));
 */
export function storeSeedAggregate(store: RunStore, runId: string, section: string, a: SeedAggregate): void {
  for (const [name, c] of a.curves) {
    store.appendEquity(
      runId,
      `${section}/${name}`,
      c.times.map((t, i) => ({
        t,
        value: c.equity[i]!,
        exposure: c.exposure.length ? (c.exposure[i] ?? null) : null,
      })),
    );
  }
  for (const [name, m] of a.metrics) {
    const sig = a.significance.get(name);
    store.saveMetrics(runId, section, name, {
      ...m,
      ...(sig
        ? {
            psr: sig.psr,
            edge: sig.edge,
            edgeLow: sig.edgeLow,
            edgeHigh: sig.edgeHigh,
            edgeSignificant: Number(sig.significant),
          }
        : {}),
    });
  }
}
