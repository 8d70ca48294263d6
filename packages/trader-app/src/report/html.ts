/**
 * The self-contained HTML report: inline SVG charts (equity per agent and baseline,
 * drawdown, exposure, trades), metric tables that always show their costs, retrain
 * decisions, checkpoints, the config and the data range. No scripts, no network.
 */
import {
  ANNUALISED_KEYS,
  annualisable,
  MIN_ANNUALISE_DAYS,
  type ReportData,
  type ReportSection,
  sectionSpanDays,
} from './data.js';
import { type ChartSeries, drawdownOf, escapeXml, lineChart, type TradeMarker } from './svg.js';
import { sweepHtml } from './sweep.js';

/** Metric columns in display order, with labels and formats. */
const METRIC_COLUMNS: Array<{ key: string; label: string; fmt: (v: number) => string }> = [
  { key: 'totalReturn', label: 'Total return', fmt: pct },
  { key: 'annualReturn', label: 'Annual return', fmt: pct },
  { key: 'sharpe', label: 'Sharpe', fmt: (v) => v.toFixed(2) },
  { key: 'sharpeStd', label: 'Sharpe ± sd (seeds)', fmt: (v) => `± ${v.toFixed(2)}` },
  { key: 'sortino', label: 'Sortino', fmt: (v) => v.toFixed(2) },
  { key: 'maxDrawdown', label: 'Max drawdown', fmt: pct },
  { key: 'calmar', label: 'Calmar', fmt: (v) => v.toFixed(2) },
  { key: 'turnover', label: 'Turnover', fmt: (v) => v.toFixed(2) },
  { key: 'fees', label: 'Fees $', fmt: money },
  { key: 'impact', label: 'Impact $', fmt: money },
  { key: 'borrow', label: 'Borrow $', fmt: money },
  { key: 'edge', label: 'Sharpe − equal-weight', fmt: (v) => (v >= 0 ? `+${v.toFixed(2)}` : v.toFixed(2)) },
  { key: 'psr', label: 'P(Sharpe > 0)', fmt: pct },
  { key: 'seeds', label: 'Seeds', fmt: (v) => String(v) },
];

/**
 * One line per learned agent: an edge is called an edge only when the bootstrap interval of
 * its Sharpe difference to equal-weight lies above zero.
 */
function edgeVerdicts(section: ReportSection): string {
  const lines: string[] = [];
  for (const m of section.metrics) {
    if (!m.agent.startsWith('rl-')) continue;
    const x = m.metrics as Record<string, number | undefined>;
    if (typeof x.edge !== 'number' || typeof x.edgeLow !== 'number' || typeof x.edgeHigh !== 'number')
      continue;
    const ci = `[${x.edgeLow.toFixed(2)}, ${x.edgeHigh.toFixed(2)}]`;
    const sign = x.edge >= 0 ? '+' : '';
    const who = `<b>${escapeXml(m.agent)}</b>`;
    const sharpe = `Sharpe ${sign}${x.edge.toFixed(2)}, 95 % interval ${ci}`;
    lines.push(
      x.edgeSignificant === 1
        ? `<li>${who}: an edge over equal-weight — ${sharpe} (paired block bootstrap over the test bars).</li>`
        : x.edgeHigh < 0
          ? `<li>${who}: no edge — significantly worse than equal-weight: ${sharpe} lies below 0.</li>`
          : `<li>${who}: no significant edge over equal-weight — ${sharpe} includes 0.</li>`,
    );
  }
  return lines.length === 0 ? '' : `<ul class="verdicts">${lines.join('')}</ul>`;
}

/** A learning-curve point as stored by a backtest (note `training`). */
interface CurvePoint {
  agent: string;
  fold: number;
  timesteps: number;
  episodeReward: number;
  entropy?: number;
  std?: number;
  approxKl?: number;
  alpha?: number;
}

/**
 * Per-agent learning curves (training-episode reward against the model's steps, folds in
 * order) and, per fold, the last diagnostics: PPO's entropy, std and approx-KL, SAC's α.
 */
function learningCurves(notes: Record<string, unknown>): string {
  const points = Array.isArray(notes.training) ? (notes.training as CurvePoint[]) : [];
  if (points.length === 0) return '';
  const agents = [...new Set(points.map((p) => p.agent))];
  const parts: string[] = ['<h2>Learning curves</h2>'];
  parts.push(
    '<p>Mean reward of the last training episodes as each agent trains (first seed; each walk-forward fold continues from the previous one). A curve that never rises means the agent learnt nothing from its training windows.</p>',
  );
  for (const agent of agents) {
    const mine = points.filter((p) => p.agent === agent && Number.isFinite(p.episodeReward));
    parts.push(
      `<figure>${lineChart(
        [
          {
            name: agent,
            points: mine.map((p) => ({ t: p.timesteps, v: p.episodeReward })),
            color: agent.startsWith('rl-long') ? '#1f77b4' : '#d62728',
          },
        ],
        {
          title: `${agent}: training-episode reward by step`,
          height: 240,
          xFormat: (t) => `${Math.round(t / 1000)}k`,
        },
      )}</figure>`,
    );
    const folds = [...new Set(mine.map((p) => p.fold))].sort((a, b) => a - b);
    const cell = (v: number | undefined, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '—');
    const rows = folds.map((f) => {
      const last = mine.filter((p) => p.fold === f).at(-1)!;
      return `<tr><td>${f + 1}</td><td>${last.timesteps}</td><td>${cell(last.episodeReward, 2)}</td><td>${cell(last.entropy, 3)}</td><td>${cell(last.std, 3)}</td><td>${cell(last.approxKl, 4)}</td><td>${cell(last.alpha, 4)}</td></tr>`;
    });
    parts.push(
      `<table class="training" data-agent="${escapeXml(agent)}"><thead><tr><th>Fold / retrain</th><th>Steps</th><th>Episode reward</th><th>Entropy</th><th>Std</th><th>Approx-KL</th><th>α</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  }
  return parts.join('\n');
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}
function money(v: number): string {
  return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
}
function iso(t: number | null | undefined): string {
  return t === null || t === undefined
    ? '—'
    : new Date(t).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
}

const BASELINES = new Set(['buy-and-hold', 'equal-weight']);

function chartSeries(
  section: ReportSection,
  value: (p: { value: number; exposure?: number | null }) => number | null,
) {
  return section.series.map((s, i): ChartSeries => {
    const out: ChartSeries = {
      name: s.name,
      points: s.points.map((p) => ({ t: p.t, v: value(p) ?? Number.NaN })),
      dashed: BASELINES.has(s.name) || s.name.startsWith('heuristic:'),
    };
    if (s.name.startsWith('rl-long')) out.color = '#1f77b4';
    else if (s.name.startsWith('rl-short')) out.color = '#d62728';
    else if (s.name === 'account') out.color = '#111';
    else
      out.color = ['#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'][
        i % 8
      ];
    return out;
  });
}

/** The metric table of one section. */
export function metricsTable(section: ReportSection): string {
  if (section.metrics.length === 0) return '';
  const annual = annualisable(section);
  const cols = METRIC_COLUMNS.filter(
    (c) =>
      (annual || !ANNUALISED_KEYS.has(c.key)) &&
      section.metrics.some((m) => typeof m.metrics[c.key] === 'number'),
  );
  const head = `<tr><th>Agent</th>${cols.map((c) => `<th>${escapeXml(c.label)}</th>`).join('')}</tr>`;
  const rows = section.metrics
    .map((m) => {
      const cells = cols
        .map((c) => {
          const v = m.metrics[c.key];
          return `<td data-key="${c.key}">${typeof v === 'number' && Number.isFinite(v) ? escapeXml(c.fmt(v)) : '—'}</td>`;
        })
        .join('');
      return `<tr data-agent="${escapeXml(m.agent)}"><td>${escapeXml(m.agent)}</td>${cells}</tr>`;
    })
    .join('');
  const caption = annual
    ? ''
    : `<caption>${escapeXml(`${sectionSpanDays(section).toFixed(1)} days of data: annualised figures (annual return, Sharpe, Sortino, Calmar) are omitted below ${MIN_ANNUALISE_DAYS} days, where they would extrapolate noise.`)}</caption>`;
  return `<table class="metrics" data-section="${escapeXml(section.name)}">${caption}<thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function sectionHtml(section: ReportSection): string {
  const equity = lineChart(
    chartSeries(section, (p) => p.value),
    { title: `${section.name}: equity per agent and baseline (USD)`, yFormat: (v) => money(v) },
  );
  const dd = lineChart(
    chartSeries(section, () => 0).map((s, i) => ({
      ...s,
      points: drawdownOf(section.series[i]!.points.map((p) => ({ t: p.t, v: p.value }))),
    })),
    { title: `${section.name}: drawdown`, yFormat: pct, area: true, height: 240 },
  );
  const hasExposure = section.series.some((s) => s.points.some((p) => typeof p.exposure === 'number'));
  const exposure = hasExposure
    ? lineChart(
        chartSeries(section, (p) => (typeof p.exposure === 'number' ? p.exposure : null)),
        {
          title: `${section.name}: gross exposure (fraction of equity)`,
          yFormat: (v) => v.toFixed(2),
          height: 240,
        },
      )
    : '';
  let trades = '';
  if (section.trades.length > 0) {
    // Trades on the equity curve of the agent that made them.
    const bySeries = new Map(section.series.map((s) => [s.name, s.points]));
    const tradedSeries = [...new Set(section.trades.map((t) => t.series))].filter((s) => bySeries.has(s));
    const markers: TradeMarker[] = [];
    for (const t of section.trades) {
      const pts = bySeries.get(t.series);
      if (!pts || pts.length === 0) continue;
      let j = pts.findIndex((p) => p.t >= t.t);
      if (j < 0) j = pts.length - 1;
      markers.push({
        t: t.t,
        v: pts[j]!.value,
        side: t.qty > 0 ? 'buy' : 'sell',
        label: `${t.series} ${t.qty > 0 ? 'buy' : 'sell'} ${Math.abs(t.qty)} ${t.symbol} @ ${t.price.toFixed(2)}`,
      });
    }
    trades = lineChart(
      tradedSeries.map((s, i) => ({
        name: s,
        points: bySeries.get(s)!.map((p) => ({ t: p.t, v: p.value })),
        color: ['#1f77b4', '#d62728', '#111'][i % 3]!,
      })),
      { title: `${section.name}: trades (▲ buy, ▼ sell) on the equity curve`, markers, yFormat: money },
    );
  }
  const note = section.note ? `<p class="section-note">${escapeXml(section.note)}</p>` : '';
  return `<section id="${escapeXml(section.name)}"><h2>${escapeXml(section.name)}</h2>${note}
<figure>${equity}</figure><figure>${dd}</figure>${exposure ? `<figure>${exposure}</figure>` : ''}${trades ? `<figure>${trades}</figure>` : ''}
${metricsTable(section)}${edgeVerdicts(section)}</section>`;
}

/**
 * Renders the whole report as one HTML document.
 *
 * @example
 * writeFileSync('report.html', renderHtmlReport(collectReportData(store, runId)));
 */
export function renderHtmlReport(data: ReportData): string {
  const { run } = data;
  const notes = data.notes;
  const warnings = Array.isArray(notes.warnings) ? (notes.warnings as string[]) : [];
  const budget = notes.budget
    ? `<pre class="budget">${escapeXml(JSON.stringify(notes.budget, null, 2))}</pre>`
    : '';
  const costs = notes.costs ? `<p class="costs">${escapeXml(String(notes.costs))}</p>` : '';
  const retrains =
    data.retrains.length === 0
      ? ''
      : `<h2>Retrain decisions</h2><table class="retrains"><thead><tr><th>Bar time</th><th>Agent</th><th>Champion score</th><th>Challenger score</th><th>Promoted</th><th>Reason</th></tr></thead><tbody>${data.retrains
          .map(
            (r) =>
              `<tr><td>${iso(r.barTime)}</td><td>${escapeXml(r.agent)}</td><td>${r.championScore?.toFixed(4) ?? '—'}</td><td>${r.challengerScore?.toFixed(4) ?? '—'}</td><td>${r.promoted ? 'yes' : 'no'}</td><td>${escapeXml(r.reason)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const ckpts =
    data.checkpoints.length === 0
      ? ''
      : `<h2>Checkpoints</h2><table class="checkpoints"><thead><tr><th>Agent</th><th>Algo</th><th>Version</th><th>Steps</th><th>Seed</th><th>Data range</th><th>Promoted</th><th>SHA-256</th></tr></thead><tbody>${data.checkpoints
          .map(
            (c) =>
              `<tr><td>${escapeXml(c.agent)}</td><td>${escapeXml(c.algo)}</td><td>${c.version}</td><td>${c.totalTimesteps}</td><td>${c.seed}</td><td>${iso(c.dataStart)} .. ${iso(c.dataEnd)}</td><td>${c.promoted ? 'yes' : 'no'}</td><td><code>${c.sha256.slice(0, 16)}…</code></td></tr>`,
          )
          .join('')}</tbody></table>`;
  const orders =
    data.orders.total === 0
      ? ''
      : `<h2>Orders</h2><p>${data.orders.total} orders, ${data.orders.fills} fills. By status: ${escapeXml(
          Object.entries(data.orders.byStatus)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        )}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>marlts report ${escapeXml(run.id)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}thead{background:#f4f4f4}figure{margin:1rem 0}
.warn{background:#fff6e0;border-left:4px solid #e0a000;padding:.5rem 1rem}pre{background:#f7f7f7;padding:1rem;overflow:auto;font-size:12px}
</style></head><body>
<h1>marlts report — ${escapeXml(run.kind)} run <code>${escapeXml(run.id)}</code></h1>
<p>Status: <b>${escapeXml(run.status)}${data.liveness?.stale ? ' (stale)' : ''}</b>. Created ${iso(run.createdAt)}. Seed ${run.seed ?? '—'}.</p>
${data.liveness?.note ? `<p class="${data.liveness.stale ? 'warn' : 'status'}">Status ${escapeXml(run.status)}: ${escapeXml(data.liveness.note)}</p>` : ''}
<h2>Data</h2>
<table class="data-range"><tbody>
<tr><td>File</td><td>${escapeXml(run.dataFile ?? '—')}</td></tr>
<tr><td>Range</td><td>${iso(run.dataStart)} .. ${iso(run.dataEnd)}</td></tr>
<tr><td>Symbols</td><td>${escapeXml(run.symbols.join(', ') || '—')}</td></tr>
</tbody></table>
${warnings.map((w) => `<p class="warn">${escapeXml(w)}</p>`).join('\n')}
${costs}
${budget ? `<h2>Training budget</h2>${budget}` : ''}
${sweepHtml(notes)}
${data.sections.map(sectionHtml).join('\n')}
${learningCurves(notes)}
${retrains}
${ckpts}
${orders}
<h2>Config</h2><p>SHA-256 <code>${escapeXml(data.configSha256 ?? '—')}</code></p>
<pre class="config">${escapeXml(JSON.stringify(data.config ?? {}, null, 2))}</pre>
</body></html>
`;
}
