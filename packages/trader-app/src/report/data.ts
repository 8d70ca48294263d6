/**
 * Collects everything a report shows about one run from the run store: equity and
 * exposure series per section and agent, trades, metrics (with costs), retrain
 * decisions, checkpoints, orders, the config and the data range. A run may link a
 * second run of the same store as an extra section (note `linkedSections`: the demo's
 * intraday paper stage); its series, metrics, trades, retrains and checkpoints join the report.
 */
import type { RunLiveness } from '../run-liveness.js';
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
  /** A plain-language note shown under the section title (e.g. the demo's intraday stage). */
  note?: string;
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
  /** Whether a `running` run is really running (set by the report command). */
  liveness?: RunLiveness;
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
  /** Adds one run's series, metrics and trades; `rename` maps its section names. */
  const addRun = (id: string, rename: (s: string) => string) => {
    for (const [name, points] of store.equitySeries(id)) {
      const [s, agent] = splitName(name);
      section(rename(s)).series.push({ name: agent, points });
    }
    for (const m of store.listMetrics(id))
      section(rename(m.section)).metrics.push({ agent: m.agent, metrics: m.metrics });
    for (const t of store.listTrades(id)) {
      const [s, agent] = splitName(t.series);
      section(rename(s)).trades.push({ ...t, series: agent });
    }
  };
  addRun(runId, (s) => s);
  const notes = store.getNotes(runId);
  const retrains = store.listRetrains(runId);
  const checkpoints = store.listCheckpoints().filter((c) => c.runId === runId);
  for (const link of linkedSections(notes)) {
    if (!store.getRun(link.runId)) continue;
    addRun(link.runId, () => link.section);
    if (link.note) section(link.section).note = link.note;
    retrains.push(...store.listRetrains(link.runId));
    checkpoints.push(...store.listCheckpoints().filter((c) => c.runId === link.runId));
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
  const order = ['train', 'backtest', 'sweep-validation', 'sweep-test', 'paper', 'intraday'];
  return {
    run,
    config: cfg?.config,
    configSha256: cfg?.sha256,
    notes,
    sections: [...sections.values()].sort(
      (a, b) => (order.indexOf(a.name) + 1 || 99) - (order.indexOf(b.name) + 1 || 99),
    ),
    retrains: retrains.sort((a, b) => a.barTime - b.barTime),
    checkpoints,
    orders: { total: orders.length, byStatus, fills: store.listFills(runId).length },
  };
}

/** A run shown as one more section of another run's report. */
export interface LinkedSection {
  runId: string;
  /** Section name in the report, e.g. `intraday`. */
  section: string;
  note?: string;
}

/** The `linkedSections` note of a run (ignores malformed entries). */
function linkedSections(notes: Record<string, unknown>): LinkedSection[] {
  const v = notes.linkedSections;
  if (!Array.isArray(v)) return [];
  return v.filter(
    (x): x is LinkedSection =>
      typeof x === 'object' && x !== null && typeof x.runId === 'string' && typeof x.section === 'string',
  );
}

/**
 * Below this many days of data, annualised figures (annual return, Sharpe, Sortino, Calmar)
 * extrapolate noise (a 2-day window can show a "302 %" annual return), so reports omit them.
 */
export const MIN_ANNUALISE_DAYS = 60;

/** The time a section's series cover, in days. */
export function sectionSpanDays(section: ReportSection): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of section.series)
    for (const p of s.points) {
      if (p.t < lo) lo = p.t;
      if (p.t > hi) hi = p.t;
    }
  return hi > lo ? (hi - lo) / 86_400_000 : 0;
}

/** True when a section is long enough for annualised metrics to mean anything. */
export function annualisable(section: ReportSection): boolean {
  return sectionSpanDays(section) >= MIN_ANNUALISE_DAYS;
}

/** The metric keys that are annualised. */
export const ANNUALISED_KEYS: ReadonlySet<string> = new Set([
  'annualReturn',
  'sharpe',
  'sharpeStd',
  'sortino',
  'calmar',
]);
