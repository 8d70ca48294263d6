/**
 * What a run produced over time: position snapshots per bar, equity series (an agent's
 * backtest curve, a paper account, a benchmark), trades, and metrics per report section.
 */
import type Database from 'better-sqlite3';

export interface PositionRow {
  symbol: string;
  qty: number;
  avgEntryPrice: number | null;
  marketValue: number | null;
}

export interface EquityPoint {
  t: number;
  value: number;
  exposure?: number | null;
}

export interface TradeRow {
  series: string;
  t: number;
  symbol: string;
  qty: number;
  price: number;
}

type Row = Record<string, unknown>;

/**
 * The positions, equity series, trades and metrics of one store (`RunStore` delegates to it).
 *
 * @example
 * const series = new SeriesRecords({ db });
 * series.equitySeries(runId).get('paper/account');
 */
export class SeriesRecords {
  private readonly db: Database.Database;

  constructor(options: { db: Database.Database }) {
    this.db = options.db;
  }

  /** Replaces the position snapshot at `barTime` (one transaction). */
  snapshotPositions(runId: string, barTime: number, positions: PositionRow[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM positions WHERE run_id = ? AND bar_time = ?').run(runId, barTime);
      const ins = this.db.prepare(
        'INSERT INTO positions (run_id, bar_time, symbol, qty, avg_entry_price, market_value) VALUES (?, ?, ?, ?, ?, ?)',
      );
      // An empty book is stored as a marker row so "flat" differs from "never snapshotted".
      if (positions.length === 0) ins.run(runId, barTime, '', 0, null, null);
      for (const p of positions) ins.run(runId, barTime, p.symbol, p.qty, p.avgEntryPrice, p.marketValue);
    })();
  }

  /** The newest position snapshot (empty when flat or never snapshotted). */
  latestPositions(runId: string): { barTime: number | null; positions: PositionRow[] } {
    const last = this.db.prepare('SELECT MAX(bar_time) AS t FROM positions WHERE run_id = ?').get(runId) as {
      t: number | null;
    };
    if (last.t === null) return { barTime: null, positions: [] };
    const rows = this.db
      .prepare("SELECT * FROM positions WHERE run_id = ? AND bar_time = ? AND symbol != '' ORDER BY symbol")
      .all(runId, last.t) as Row[];
    return {
      barTime: last.t,
      positions: rows.map((r) => ({
        symbol: r.symbol as string,
        qty: r.qty as number,
        avgEntryPrice: r.avg_entry_price as number | null,
        marketValue: r.market_value as number | null,
      })),
    };
  }

  appendEquity(runId: string, series: string, points: EquityPoint[]): void {
    const ins = this.db.prepare(
      'INSERT INTO equity (run_id, series, t, value, exposure) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value, exposure = excluded.exposure',
    );
    this.db.transaction(() => {
      for (const p of points) ins.run(runId, series, p.t, p.value, p.exposure ?? null);
    })();
  }

  equitySeries(runId: string): Map<string, EquityPoint[]> {
    const rows = this.db
      .prepare('SELECT series, t, value, exposure FROM equity WHERE run_id = ? ORDER BY series, t')
      .all(runId) as Row[];
    const out = new Map<string, EquityPoint[]>();
    for (const r of rows) {
      const s = r.series as string;
      if (!out.has(s)) out.set(s, []);
      out.get(s)!.push({ t: r.t as number, value: r.value as number, exposure: r.exposure as number | null });
    }
    return out;
  }

  appendTrades(runId: string, trades: TradeRow[]): void {
    const ins = this.db.prepare(
      'INSERT INTO trades (run_id, series, t, symbol, qty, price) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const t of trades) ins.run(runId, t.series, t.t, t.symbol, t.qty, t.price);
    })();
  }

  listTrades(runId: string): TradeRow[] {
    return (this.db.prepare('SELECT * FROM trades WHERE run_id = ? ORDER BY t, id').all(runId) as Row[]).map(
      (r) => ({
        series: r.series as string,
        t: r.t as number,
        symbol: r.symbol as string,
        qty: r.qty as number,
        price: r.price as number,
      }),
    );
  }

  saveMetrics(runId: string, section: string, agent: string, metrics: Record<string, unknown>): void {
    this.db
      .prepare(
        'INSERT INTO metrics (run_id, section, agent, json) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET json = excluded.json',
      )
      .run(runId, section, agent, JSON.stringify(metrics));
  }

  listMetrics(runId: string): Array<{ section: string; agent: string; metrics: Record<string, unknown> }> {
    return (
      this.db
        .prepare('SELECT section, agent, json FROM metrics WHERE run_id = ? ORDER BY section, rowid')
        .all(runId) as Row[]
    ).map((r) => ({
      section: r.section as string,
      agent: r.agent as string,
      metrics: JSON.parse(r.json as string),
    }));
  }

  /** The first point of an equity series (for a paper run: the first bar it processed). */
  firstEquityTime(runId: string, series: string): number | undefined {
    const r = this.db
      .prepare('SELECT MIN(t) AS t FROM equity WHERE run_id = ? AND series = ?')
      .get(runId, series) as {
      t: number | null;
    };
    return r.t ?? undefined;
  }
}
