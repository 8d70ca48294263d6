/**
 * Metrics of a paper session from the run store: the account's equity curve beside
 * an equal-dollar buy-and-hold of the same symbols over the same bars, with the fees
 * the fills paid.
 */
import { computeMetrics } from '@marlts/market-env';
import type { RunStore } from '../store.js';

export function storePaperMetrics(store: RunStore, runId: string, barsPerYear: number, feeBps: number): void {
  const series = store.equitySeries(runId);
  const fills = store.listFills(runId);
  const traded = fills.reduce((a, f) => a + f.qty * f.price, 0);
  for (const name of ['account', 'buy-and-hold']) {
    const points = series.get(`paper/${name}`);
    if (!points || points.length < 2) continue;
    const m = computeMetrics(
      points.map((p) => p.value),
      { barsPerYear },
    );
    const meanEquity = points.reduce((a, p) => a + p.value, 0) / points.length;
    store.saveMetrics(runId, 'paper', name, {
      totalReturn: m.totalReturn,
      annualReturn: m.annualizedReturn,
      sharpe: m.sharpe,
      sortino: m.sortino,
      maxDrawdown: m.maxDrawdown,
      calmar: m.calmar,
      ...(name === 'account'
        ? { turnover: traded / meanEquity, fees: (traded * feeBps) / 10_000, impact: 0, borrow: 0 }
        : {}),
    });
  }
}
