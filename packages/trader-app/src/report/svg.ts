/**
 * A small deterministic SVG writer for reports: line charts (equity, exposure) with
 * axes and a legend, filled area charts (drawdown) and trade markers. No DOM, plain
 * strings, so the output can be parsed and tested.
 */

export interface SeriesPoint {
  t: number;
  v: number;
}

export interface ChartSeries {
  name: string;
  points: SeriesPoint[];
  /** CSS colour; a palette colour when omitted. */
  color?: string;
  /** Dashed line (baselines). */
  dashed?: boolean;
}

export interface TradeMarker {
  t: number;
  v: number;
  side: 'buy' | 'sell';
  label?: string;
}

export interface ChartOptions {
  title: string;
  width?: number;
  height?: number;
  /** Formats y tick labels. */
  yFormat?: (v: number) => string;
  /** Fill the area between the line and zero (drawdown). */
  area?: boolean;
  markers?: TradeMarker[];
  /** Formats x tick labels (default: the x values are bar times, shown as dates). */
  xFormat?: (t: number) => string;
}

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/** Escapes text for XML/HTML. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function niceTicks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const span = max - min;
  const step0 = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmtDate(t: number, dateOnly: boolean): string {
  const iso = new Date(t).toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/**
 * X-axis ticks placed on real bar times (evenly spaced by index), so a daily series is
 * labelled with trading dates rather than interpolated times of day.
 */
function timeTicks(times: number[], count: number): { ticks: number[]; dateOnly: boolean } {
  const unique = [...new Set(times)].sort((a, b) => a - b);
  const dateOnly = unique.every((t) => t % 86_400_000 === 0);
  if (unique.length <= count + 1) return { ticks: unique, dateOnly };
  const ticks: number[] = [];
  for (let i = 0; i <= count; i++) ticks.push(unique[Math.round((i * (unique.length - 1)) / count)]!);
  return { ticks, dateOnly };
}

/** Keeps at most `max` points (first and last always kept) so big series stay small. */
export function downsample<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Renders a time-series chart as an `<svg>` string.
 *
 * @example
 * const svg = lineChart([{ name: 'rl-long-0', points: [{ t: 0, v: 1 }, { t: 86400000, v: 1.02 }] }], { title: 'Equity' });
 */
export function lineChart(series: ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 900;
  const height = options.height ?? 320;
  const m = { top: 28, right: 170, bottom: 36, left: 70 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const fmt = options.yFormat ?? ((v: number) => v.toFixed(2));
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.v));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
  );
  parts.push(`<title>${escapeXml(options.title)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(
    `<text x="${m.left}" y="18" font-size="14" font-family="sans-serif" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  if (all.length === 0) {
    parts.push(
      `<text x="${m.left}" y="${m.top + ph / 2}" font-size="12" font-family="sans-serif">no data</text></svg>`,
    );
    return parts.join('');
  }
  let tMin = Math.min(...all.map((p) => p.t));
  let tMax = Math.max(...all.map((p) => p.t));
  let vMin = Math.min(...all.map((p) => p.v));
  let vMax = Math.max(...all.map((p) => p.v));
  if (options.area) {
    vMin = Math.min(vMin, 0);
    vMax = Math.max(vMax, 0);
  }
  if (tMin === tMax) {
    tMin -= 1;
    tMax += 1;
  }
  if (vMin === vMax) {
    const pad = Math.abs(vMin) * 0.01 || 1;
    vMin -= pad;
    vMax += pad;
  }
  const x = (t: number) => r2(m.left + ((t - tMin) / (tMax - tMin)) * pw);
  const y = (v: number) => r2(m.top + (1 - (v - vMin) / (vMax - vMin)) * ph);
  // Axes and grid.
  parts.push(`<g class="axes" font-size="11" font-family="sans-serif" fill="#333">`);
  for (const v of niceTicks(vMin, vMax, 5)) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/><text x="${m.left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeXml(fmt(v))}</text>`,
    );
  }
  const { ticks: xTicks, dateOnly } = timeTicks(
    all.map((p) => p.t),
    5,
  );
  for (const t of xTicks) {
    parts.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/><text x="${x(t)}" y="${m.top + ph + 16}" text-anchor="middle">${escapeXml(options.xFormat ? options.xFormat(t) : fmtDate(t, dateOnly))}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/><line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`,
  );
  parts.push('</g>');
  // Series.
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = downsample(
      s.points.filter((p) => Number.isFinite(p.v)),
      1500,
    );
    if (pts.length === 0) return;
    const d = pts.map((p) => `${x(p.t)},${y(p.v)}`).join(' ');
    if (options.area) {
      const poly = `${x(pts[0]!.t)},${y(0)} ${d} ${x(pts.at(-1)!.t)},${y(0)}`;
      parts.push(
        `<polygon class="series-area" data-series="${escapeXml(s.name)}" points="${poly}" fill="${color}" fill-opacity="0.25" stroke="none"/>`,
      );
    }
    parts.push(
      `<polyline class="series" data-series="${escapeXml(s.name)}" points="${d}" fill="none" stroke="${color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
    );
    parts.push(
      `<g class="legend"><line x1="${m.left + pw + 12}" x2="${m.left + pw + 32}" y1="${m.top + 8 + i * 16}" y2="${m.top + 8 + i * 16}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/><text x="${m.left + pw + 36}" y="${m.top + 12 + i * 16}" font-size="11" font-family="sans-serif">${escapeXml(s.name)}</text></g>`,
    );
  });
  // Trade markers: triangles up (buy) and down (sell).
  for (const mk of downsample(options.markers ?? [], 600)) {
    if (!Number.isFinite(mk.v)) continue;
    const cx = x(mk.t);
    const cy = y(mk.v);
    const pts =
      mk.side === 'buy'
        ? `${cx},${r2(cy - 5)} ${r2(cx - 4)},${r2(cy + 3)} ${r2(cx + 4)},${r2(cy + 3)}`
        : `${cx},${r2(cy + 5)} ${r2(cx - 4)},${r2(cy - 3)} ${r2(cx + 4)},${r2(cy - 3)}`;
    parts.push(
      `<polygon class="trade trade-${mk.side}" points="${pts}" fill="${mk.side === 'buy' ? '#2ca02c' : '#d62728'}">${mk.label ? `<title>${escapeXml(mk.label)}</title>` : ''}</polygon>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Drawdown series (≤ 0, fraction of the running peak) of an equity series. */
export function drawdownOf(points: SeriesPoint[]): SeriesPoint[] {
  let peak = Number.NEGATIVE_INFINITY;
  return points.map((p) => {
    peak = Math.max(peak, p.v);
    return { t: p.t, v: peak > 0 ? p.v / peak - 1 : 0 };
  });
}
