import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../store.js';
import { collectReportData } from './data.js';
import { renderHtmlReport } from './html.js';
import { lineChart } from './svg.js';
import { renderTerminalSummary } from './terminal.js';

const DAY = 86_400_000;

function fixtureStore(stepDays = 10) {
  const store = RunStore.open(mkdtempSync(join(tmpdir(), 'marlts-report-')));
  const runId = store.createRun({
    kind: 'backtest',
    seed: 1,
    dataFile: 'x.csv',
    dataStart: 0,
    dataEnd: 9 * DAY,
    symbols: ['AA', 'KO'],
  });
  store.saveConfig(runId, { seed: 1, note: '<script>alert(1)</script>' });
  const curve = (k: number) =>
    Array.from({ length: 10 }, (_, i) => ({
      t: i * stepDays * DAY,
      value: 100_000 * (1 + k * Math.sin(i)),
      exposure: 0.5,
    }));
  store.appendEquity(runId, 'backtest/rl-long-0', curve(0.01));
  store.appendEquity(runId, 'backtest/buy-and-hold', curve(0.02));
  store.saveMetrics(runId, 'backtest', 'rl-long-0', {
    totalReturn: 0.05,
    sharpe: 0.7,
    maxDrawdown: 0.1,
    fees: 12,
    impact: 3,
    borrow: 0,
    seeds: 2,
  });
  store.saveMetrics(runId, 'backtest', 'buy-and-hold', {
    totalReturn: 0.08,
    sharpe: 0.9,
    maxDrawdown: 0.2,
    fees: 1,
    impact: 0,
    borrow: 0,
    seeds: 2,
  });
  store.appendTrades(runId, [
    { series: 'backtest/rl-long-0', t: 2 * DAY, symbol: 'AA', qty: 10, price: 5 },
    { series: 'backtest/rl-long-0', t: 5 * DAY, symbol: 'AA', qty: -10, price: 6 },
  ]);
  store.setNote(runId, 'warnings', ['small budget: weak agents']);
  return { store, runId };
}

describe('report', () => {
  it('labels a daily series with real trading dates, an intraday one with times', () => {
    const day = 86_400_000;
    const daily = Array.from({ length: 40 }, (_, i) => ({ t: Date.UTC(1999, 0, 4) + i * day, v: 100 + i }));
    const labels = (svg: string) => [...svg.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) => m[1]!);
    const dailyLabels = labels(lineChart([{ name: 'a', points: daily }], { title: 'daily' }));
    expect(dailyLabels.length).toBeGreaterThan(2);
    const dates = new Set(daily.map((p) => new Date(p.t).toISOString().slice(0, 10)));
    for (const l of dailyLabels) expect(dates.has(l)).toBe(true);
    const intraday = daily.map((p, i) => ({ t: p.t + 30 * 60_000 * (i + 1), v: p.v }));
    for (const l of labels(lineChart([{ name: 'a', points: intraday }], { title: 'intraday' })))
      expect(l).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it('renders SVG charts, metric tables with costs, config and data range', () => {
    const { store, runId } = fixtureStore();
    const html = renderHtmlReport(collectReportData(store, runId));
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    const titles = svgs.map((s) => /<title>([^<]*)<\/title>/.exec(s)?.[1]);
    expect(titles).toEqual([
      'backtest: equity per agent and baseline (USD)',
      'backtest: drawdown',
      'backtest: gross exposure (fraction of equity)',
      'backtest: trades (▲ buy, ▼ sell) on the equity curve',
    ]);
    // Every agent and baseline is a polyline of 10 points in the equity chart.
    const lines = [...svgs[0]!.matchAll(/<polyline class="series" data-series="([^"]+)" points="([^"]+)"/g)];
    expect(lines.map((m) => m[1])).toEqual(['rl-long-0', 'buy-and-hold']);
    expect(lines[0]![2]!.split(' ')).toHaveLength(10);
    expect((svgs[3]!.match(/class="trade trade-buy"/g) ?? []).length).toBe(1);
    expect((svgs[3]!.match(/class="trade trade-sell"/g) ?? []).length).toBe(1);
    const table = /<table class="metrics" data-section="backtest">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    expect(table).toContain('Fees $');
    expect(table).toContain('Impact $');
    expect(table).toContain('Borrow $');
    expect(/<tr data-agent="rl-long-0">[\s\S]*?<td data-key="totalReturn">5\.00%<\/td>/.test(table)).toBe(
      true,
    );
    expect(html).toContain('1970-01-01 .. 1970-01-10');
    expect(html).toContain('AA, KO');
    expect(html).toContain('small budget: weak agents');
    // Config is escaped, never live markup.
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    store.close();
  });

  it('omits annualised figures for a window too short to annualise, and says why', () => {
    const { store, runId } = fixtureStore(0.25); // 10 bars over 2.25 days
    const data = collectReportData(store, runId);
    const table =
      /<table class="metrics" data-section="backtest">([\s\S]*?)<\/table>/.exec(
        renderHtmlReport(data),
      )?.[1] ?? '';
    expect(table).toContain('annualised figures');
    expect(table).not.toContain('data-key="sharpe"');
    expect(table).toContain('data-key="totalReturn"');
    expect(renderTerminalSummary(data, 80)).toMatch(/too short to annualise[\s\S]*rl-long-0\s+5\.0%\s+n\/a/);
    store.close();
    const long = fixtureStore(10); // 90 days
    expect(renderHtmlReport(collectReportData(long.store, long.runId))).toContain('data-key="sharpe"');
    long.store.close();
  });

  it('prints an asciichart equity curve and the metrics in the terminal summary', () => {
    const { store, runId } = fixtureStore();
    const text = renderTerminalSummary(collectReportData(store, runId), 80);
    expect(text).toContain('backtest equity, rl-long-0 (10 bars)');
    expect(text).toMatch(/[┤┼]/);
    expect(text).toMatch(/rl-long-0\s+5\.0%\s+0\.70/);
    store.close();
  });

  it('draws "no data" for an empty chart and scales y to the data', () => {
    expect(lineChart([], { title: 'empty' })).toContain('no data');
    const svg = lineChart(
      [
        {
          name: 'a',
          points: [
            { t: 0, v: 1 },
            { t: 1, v: 3 },
          ],
        },
      ],
      { title: 't', height: 100 },
    );
    const pts = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts[0]![1]).toBeGreaterThan(pts[1]![1]!); // higher value, smaller y
  });
});

describe('report: linked sections', () => {
  it("shows a linked run (the demo's intraday stage) as its own section with its note and retrains", () => {
    const { store, runId } = fixtureStore();
    const child = store.createRun({ kind: 'paper', seed: 1, symbols: ['USDCHF'] });
    const HALF = 30 * 60_000;
    const t0 = Date.parse('2001-03-30T00:00:00Z');
    store.appendEquity(
      child,
      'paper/account',
      Array.from({ length: 6 }, (_, i) => ({ t: t0 + i * HALF, value: 100_000 + i * 10, exposure: 0.4 })),
    );
    store.appendEquity(
      child,
      'paper/buy-and-hold',
      Array.from({ length: 6 }, (_, i) => ({ t: t0 + i * HALF, value: 100_000 - i * 5, exposure: 1 })),
    );
    store.saveMetrics(child, 'paper', 'account', { totalReturn: 0.0005, fees: 2 });
    for (const barTime of [t0 + HALF, t0 + 3 * HALF]) {
      store.recordRetrain(child, {
        barTime,
        agent: 'rl-long-0-intraday',
        championId: null,
        challengerId: null,
        championScore: 0.001,
        challengerScore: 0.002,
        promoted: barTime === t0 + HALF,
        reason: 'test decision',
      });
    }
    // Not linked yet: the demo run's report has no intraday section.
    expect(collectReportData(store, runId).sections.map((s) => s.name)).toEqual(['backtest']);
    store.setNote(runId, 'linkedSections', [
      { runId: child, section: 'intraday', note: 'retrained every 60 minutes of bar time' },
      { runId: 'no-such-run', section: 'ghost' },
    ]);
    const data = collectReportData(store, runId);
    expect(data.sections.map((s) => s.name)).toEqual(['backtest', 'intraday']);
    const intraday = data.sections[1]!;
    expect(intraday.series.map((s) => s.name)).toEqual(['account', 'buy-and-hold']);
    expect(intraday.metrics.map((m) => m.agent)).toEqual(['account']);
    expect(intraday.note).toBe('retrained every 60 minutes of bar time');
    expect(data.retrains.map((r) => r.barTime)).toEqual([t0 + HALF, t0 + 3 * HALF]);
    const html = renderHtmlReport(data);
    expect(html).toContain('intraday: equity per agent and baseline');
    expect(html).toContain('<p class="section-note">retrained every 60 minutes of bar time</p>');
    expect(renderTerminalSummary(data)).toMatch(/retrains: 2 decisions, 1 promoted/);
    store.close();
  });

  it('calls an edge an edge only when its interval is above 0, and draws the learning curves', () => {
    const { store, runId } = fixtureStore();
    store.saveMetrics(runId, 'backtest', 'rl-short-0', {
      totalReturn: 0.02,
      sharpe: 1.4,
      edge: 0.9,
      edgeLow: 0.2,
      edgeHigh: 1.6,
      edgeSignificant: 1,
      psr: 0.97,
    });
    store.saveMetrics(runId, 'backtest', 'rl-long-0', {
      totalReturn: 0.05,
      sharpe: 0.7,
      edge: 0.3,
      edgeLow: -0.4,
      edgeHigh: 1.1,
      edgeSignificant: 0,
      psr: 0.8,
    });
    store.setNote(runId, 'training', [
      {
        agent: 'rl-long-0',
        fold: 0,
        timesteps: 512,
        episodeReward: -1.5,
        entropy: 2.1,
        std: 0.37,
        approxKl: 0.01,
      },
      {
        agent: 'rl-long-0',
        fold: 0,
        timesteps: 1024,
        episodeReward: 0.5,
        entropy: 2,
        std: 0.35,
        approxKl: 0.02,
      },
      {
        agent: 'rl-long-0',
        fold: 1,
        timesteps: 1536,
        episodeReward: 1.25,
        entropy: 1.9,
        std: 0.33,
        approxKl: 0.015,
      },
      { agent: 'rl-short-0', fold: 0, timesteps: 200, episodeReward: -0.2, alpha: 0.31 },
    ]);
    const data = collectReportData(store, runId);
    const html = renderHtmlReport(data);
    expect(html).toContain(
      '<b>rl-short-0</b>: an edge over equal-weight — Sharpe +0.90, 95 % interval [0.20, 1.60]',
    );
    expect(html).toContain(
      '<b>rl-long-0</b>: no significant edge over equal-weight — Sharpe +0.30, 95 % interval [-0.40, 1.10] includes 0',
    );
    expect(html).toContain('<h2>Learning curves</h2>');
    expect(html).toContain('rl-long-0: training-episode reward by step');
    // One row per fold with the fold's last diagnostics.
    expect(html).toContain(
      '<tr><td>2</td><td>1536</td><td>1.25</td><td>1.900</td><td>0.330</td><td>0.0150</td><td>—</td></tr>',
    );
    expect(html).toContain('<td>0.3100</td>');
    const text = renderTerminalSummary(data);
    expect(text).toMatch(/rl-long-0: no significant edge over equal-weight \(Sharpe \+0\.30/);
    expect(text).toMatch(/rl-short-0: an edge over equal-weight/);
    store.close();
  });

  it('says an agent is worse than equal-weight when the whole interval is below 0', () => {
    const { store, runId } = fixtureStore();
    store.saveMetrics(runId, 'backtest', 'rl-long-0', {
      totalReturn: 0.17,
      sharpe: 1.5,
      edge: -0.33,
      edgeLow: -0.55,
      edgeHigh: -0.1,
      edgeSignificant: 0,
      psr: 0.9,
    });
    const data = collectReportData(store, runId);
    expect(renderHtmlReport(data)).toContain(
      '<b>rl-long-0</b>: no edge — significantly worse than equal-weight: Sharpe -0.33, 95 % interval [-0.55, -0.10] lies below 0',
    );
    expect(renderTerminalSummary(data)).toMatch(
      /rl-long-0: no edge — significantly worse than equal-weight \(Sharpe -0\.33, 95 % interval \[-0\.55, -0\.10\]\)/,
    );
    store.close();
  });
});
