/**
 * The terminal summary of a run: an asciichart equity curve (downsampled to the
 * terminal width) and the metric tables, for stdout.
 */
import asciichart from 'asciichart';
import { annualisable, type ReportData, type ReportSection, sectionSpanDays } from './data.js';
import { downsample } from './svg.js';
import { sweepLines } from './sweep.js';

function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—';
}
function num(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(2) : '—';
}

/** The section and series whose equity curve the terminal shows. */
function primarySeries(
  data: ReportData,
): { section: ReportSection; name: string; values: number[] } | undefined {
  for (const sectionName of ['paper', 'backtest', 'sweep-test', 'train']) {
    const section = data.sections.find((s) => s.name === sectionName);
    if (!section || section.series.length === 0) continue;
    const s =
      section.series.find((x) => x.name === 'account') ??
      section.series.find((x) => x.name.startsWith('rl-long')) ??
      section.series[0]!;
    return { section, name: s.name, values: s.points.map((p) => p.value) };
  }
  return undefined;
}

/**
 * Renders the terminal summary.
 *
 * @example
 * process.stdout.write(renderTerminalSummary(data, process.stdout.columns ?? 80));
 */
export function renderTerminalSummary(data: ReportData, columns = 80): string {
  const lines: string[] = [];
  const stale = data.liveness?.stale ? ', stale' : '';
  lines.push(`run ${data.run.id} (${data.run.kind}, ${data.run.status}${stale})`);
  if (data.liveness?.note) lines.push(`status: ${data.run.status}: ${data.liveness.note}`);
  const p = primarySeries(data);
  if (p && p.values.length > 1) {
    const width = Math.max(20, Math.min(columns - 14, 120));
    const values = downsample(p.values, width);
    lines.push(`${p.section.name} equity, ${p.name} (${p.values.length} bars):`);
    lines.push(asciichart.plot(values, { height: 9, format: (x: number) => x.toFixed(0).padStart(9) }));
  }
  lines.push(...sweepLines(data.notes));
  for (const section of data.sections) {
    if (section.metrics.length === 0) continue;
    lines.push('');
    lines.push(
      annualisable(section)
        ? `${section.name}:`
        : `${section.name} (${sectionSpanDays(section).toFixed(1)} days: too short to annualise, Sharpe n/a):`,
    );
    const header = ['agent', 'return', 'sharpe', 'maxDD', 'turnover', 'fees$', 'impact$', 'borrow$'];
    const rows = section.metrics.map((m) => [
      m.agent,
      pct(m.metrics.totalReturn),
      annualisable(section) ? num(m.metrics.sharpe) : 'n/a',
      pct(m.metrics.maxDrawdown),
      num(m.metrics.turnover),
      num(m.metrics.fees),
      num(m.metrics.impact),
      num(m.metrics.borrow),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    lines.push(fmt(header));
    for (const r of rows) lines.push(fmt(r));
    for (const m of section.metrics) {
      const x = m.metrics as Record<string, number | undefined>;
      if (!m.agent.startsWith('rl-') || typeof x.edge !== 'number') continue;
      const ci = `95 % interval [${num(x.edgeLow)}, ${num(x.edgeHigh)}]`;
      const sharpe = `Sharpe ${x.edge >= 0 ? '+' : ''}${num(x.edge)}, ${ci}`;
      lines.push(
        x.edgeSignificant === 1
          ? `${m.agent}: an edge over equal-weight (${sharpe})`
          : typeof x.edgeHigh === 'number' && x.edgeHigh < 0
            ? `${m.agent}: no edge — significantly worse than equal-weight (${sharpe})`
            : `${m.agent}: no significant edge over equal-weight (${sharpe})`,
      );
    }
  }
  if (data.retrains.length > 0) {
    const promoted = data.retrains.filter((r) => r.promoted).length;
    lines.push('', `retrains: ${data.retrains.length} decisions, ${promoted} promoted`);
  }
  if (data.orders.total > 0) lines.push(`orders: ${data.orders.total}, fills: ${data.orders.fills}`);
  return `${lines.join('\n')}\n`;
}
