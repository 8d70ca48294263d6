/**
 * The sweep part of a report (note `sweep`, see `sweep/outcome.ts`): how many
 * configurations were tried, the validation/test split and the selection rule, every
 * configuration's validation metrics (or its failed jobs), and the winner's one evaluation
 * on the test folds with its PSR and deflated Sharpe ratio.
 */
import type { SweepSummary } from '../sweep/outcome.js';
import { escapeXml } from './svg.js';

function isSummary(v: unknown): v is SweepSummary {
  return typeof v === 'object' && v !== null && Array.isArray((v as SweepSummary).configs);
}

function num(v: unknown, digits = 2): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—';
}
function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—';
}
function axesText(axes: Record<string, unknown>): string {
  return Object.entries(axes)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

/** The sentences every rendering of a sweep starts with. */
function headline(s: SweepSummary): string[] {
  const failed = s.configs.filter((c) => c.failures.length > 0).length;
  const lines = [
    `${s.configs.length} configuration(s) × ${s.seeds.length} seed(s) tried: ${s.trials} ranked` +
      (failed ? `, ${failed} with failed jobs (not ranked)` : '') +
      `; jobs ${s.jobs.done}/${s.jobs.total} done, ${s.jobs.failed} failed.`,
    `Validation: ${s.validationFolds} fold(s), ${s.split.validation.start} .. ${s.split.validation.end}. ` +
      `Test: ${s.testFolds} later fold(s), ${s.split.test.start} .. ${s.split.test.end}, seen only by the winner, once.`,
  ];
  if (s.criterion) lines.push(`Ranked by ${s.criterion}.`);
  const w = s.winner;
  if (w) {
    const sig = w.significance;
    lines.push(
      `Winner: configuration ${w.index + 1} (${axesText(w.axes) || 'the base'}): validation Sharpe ${num(w.validation.sharpe)}; ` +
        `test Sharpe ${num(w.test[s.agent]?.sharpe)}, return ${pct(w.test[s.agent]?.totalReturn)} (equal-weight ${pct(w.test['equal-weight']?.totalReturn)}).`,
      `Deflated Sharpe ratio over ${s.trials} trial(s) (variance of the trials' per-bar Sharpe ${sig.sharpeVariance.toExponential(2)}): ` +
        `${pct(sig.validationDsr)} on validation (PSR ${pct(sig.validationPsr)}), ${pct(sig.testDsr)} on test (PSR ${pct(sig.testPsr)}) — ` +
        'the probability that the true Sharpe beats what the best of that many trials would show by luck.',
    );
  } else lines.push('No configuration completed every seed: nothing was selected.');
  return lines;
}

/**
 * The sweep block of the HTML report ('' for a run that is not a sweep).
 *
 * @example
 * const html = sweepHtml(data.notes);
 */
export function sweepHtml(notes: Record<string, unknown>): string {
  const s = notes.sweep;
  if (!isSummary(s)) return '';
  const axes = Object.keys(s.configs[0]?.axes ?? {});
  const rows = s.configs.map((c) => {
    const v = c.validation;
    const failures = c.failures.map((f) => `${f.label}: ${f.code} ${f.message}`).join('; ');
    const cls = s.winner?.index === c.index ? ' class="winner"' : '';
    return (
      `<tr${cls}><td>${c.index + 1}${s.winner?.index === c.index ? ' (winner)' : ''}</td>` +
      axes.map((a) => `<td>${escapeXml(JSON.stringify(c.axes[a]))}</td>`).join('') +
      `<td>${c.rank ?? '—'}</td><td>${num(v?.sharpe)}</td><td>${num(v?.sharpeStd)}</td><td>${pct(v?.totalReturn)}</td>` +
      `<td>${pct(v?.maxDrawdown)}</td><td>${num(v?.turnover)}</td><td>${escapeXml(failures || '—')}</td></tr>`
    );
  });
  const table =
    `<table class="sweep-configs"><thead><tr><th>Config</th>${axes.map((a) => `<th>${escapeXml(a)}</th>`).join('')}` +
    `<th>Rank</th><th>Validation Sharpe</th><th>± sd (seeds)</th><th>Return</th><th>Max drawdown</th><th>Turnover</th><th>Failed jobs</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`;
  return `<h2>Sweep</h2>\n${headline(s)
    .map((l) => `<p>${escapeXml(l)}</p>`)
    .join(
      '\n',
    )}\n<p>Validation metrics are the long agent's (${escapeXml(s.agent)}), seed means. The sections <b>sweep-validation</b> and <b>sweep-test</b> below are the winner's; its learning curves follow them.</p>\n${table}`;
}

/**
 * The sweep lines of the terminal summary ([] for a run that is not a sweep).
 *
 * @example
 * lines.push(...sweepLines(data.notes));
 */
export function sweepLines(notes: Record<string, unknown>): string[] {
  const s = notes.sweep;
  if (!isSummary(s)) return [];
  const lines = ['', 'sweep:', ...headline(s).map((l) => `  ${l}`)];
  const rows = s.configs.map((c) => [
    `${c.index + 1}${s.winner?.index === c.index ? '*' : ''}`,
    axesText(c.axes) || '(base)',
    c.rank === null ? '—' : String(c.rank),
    num(c.validation?.sharpe),
    pct(c.validation?.totalReturn),
    c.failures.length ? `${c.failures.length} failed` : '',
  ]);
  const header = ['config', 'axes', 'rank', 'val.sharpe', 'val.return', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    `  ${r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  lines.push(fmt(header), ...rows.map(fmt));
  return lines;
}
