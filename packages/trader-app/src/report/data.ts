/**
 * Collects everything a report shows about one run from the run store: equity and
 * exposure series per section and agent, trades, metrics (with costs), retrain
 * decisions, checkpoints, orders, the config and the data range.
 */
import type { CheckpointRow, EquityPoint, RetrainDecision, RunRow, RunStore, TradeRow } from '../store.js';

export interface ReportSeries {
  /** e.g. `rl-long-0`, `buy-and-hold`, `account`. */
  name: string;
  points: EquityPoint[];
}

export interface ReportSection {
  /** `backtest`, `paper`, `train` … (the part of the series name before `/`). */
  name: string;
  series: ReportSeries[];
  metrics: Array<{ agent: string; metrics: Record<string, unknown> }>;
  trades: TradeRow[];
}

export interface ReportData {
  run: RunRow;
  config: unknown;
  configSha256: string | undefined;
  notes: Record<string, unknown>;
  sections: ReportSection[];
  retrains: RetrainDecision[];
  checkpoints: CheckpointRow[];
  orders: { total: number; byStatus: Record<string, number>; fills: number };
}

/** Splits `section/agent` series names. */
function splitName(name: string): [string, string] {
  const i = name.indexOf('/');
  return i < 0 ? ['results', name] : [name.slice(0, i), name.slice(i + 1)];
}

/**
 * Reads one run's report data from the store.
 *
 * @example
 * const data = collectReportData(store, store.latestRun()!.id);
 */
export function collectReportData(store: RunStore, runId: string): ReportData {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const sections = new Map<string, ReportSection>();
  const section = (name: string) => {
    if (!sections.has(name)) sections.set(name, { name, series: [], metrics: [], trades: [] });
    return sections.get(name)!;
  };
  for (const [name, points] of store.equitySeries(runId)) {
    const [s, agent] = splitName(name);
    section(s).series.push({ name: agent, points });
  }
  for (const m of store.listMetrics(runId))
    section(m.section).metrics.push({ agent: m.agent, metrics: m.metrics });
  for (const t of store.listTrades(runId)) {
    const [s, agent] = splitName(t.series);
    section(s).trades.push({ ...t, series: agent });
  }
  const rank = (n: string) =>
    n === 'account'
      ? 0
      : n.startsWith('rl-long')
        ? 1
        : n.startsWith('rl-short')
          ? 2
          : n.startsWith('rl-')
            ? 3
            : n === 'buy-and-hold'
              ? 4
              : n === 'equal-weight'
                ? 5
                : 6;
  for (const s of sections.values()) {
    s.series.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
    s.metrics.sort((a, b) => rank(a.agent) - rank(b.agent) || (a.agent < b.agent ? -1 : 1));
  }
  const orders = store.listOrders(runId);
  const byStatus: Record<string, number> = {};
  for (const o of orders) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  const cfg = store.getConfig(runId);
  const order = ['train', 'backtest', 'paper'];
  return {
    run,
    config: cfg?.config,
    configSha256: cfg?.sha256,
    notes: store.getNotes(runId),
    sections: [...sections.values()].sort(
      (a, b) => (order.indexOf(a.name) + 1 || 99) - (order.indexOf(b.name) + 1 || 99),
    ),
    retrains: store.listRetrains(runId),
    checkpoints: store.listCheckpoints().filter((c) => c.runId === runId),
    orders: { total: orders.length, byStatus, fills: store.listFills(runId).length },
  };
}
