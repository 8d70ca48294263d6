/**
 * The order ledger: every order of a run from its intent (written before it is sent) to
 * its final state, each change as an order event, and each fill once (its execution id
 * makes a replayed update idempotent). One transaction per logical event, so a crash
 * loses nothing the broker acknowledged.
 */
import { isTerminalOrderStatus } from '@marlts/broker-alpaca';
import type Database from 'better-sqlite3';
import { AppError } from '../app-error.js';

/**
 * True when an order row never changes again: a terminal Alpaca status, or `not_submitted`
 * (an intent that was never sent).
 * @example
 * store.listOrders(runId).filter((o) => !isFinishedOrderStatus(o.status)); // still open
 */
export function isFinishedOrderStatus(status: string): boolean {
  return status === 'not_submitted' || isTerminalOrderStatus(status);
}

export interface OrderRow {
  clientOrderId: string;
  runId: string;
  brokerOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: string;
  limitPrice: number | null;
  leg: string;
  barTime: number;
  status: string;
  filledQty: number;
  filledAvgPrice: number | null;
  request: Record<string, unknown>;
}

/**
 * An order as written before it is sent (status `intent`, nothing filled).
 *
 * @example
 * const intent: OrderIntent = { clientOrderId, runId, symbol: 'AA', side: 'buy', qty: 10, type: 'market',
 *   limitPrice: null, leg: 'a', barTime, request: { symbol: 'AA' } };
 */
export type OrderIntent = Omit<OrderRow, 'status' | 'filledQty' | 'filledAvgPrice' | 'brokerOrderId'>;

/**
 * What the broker says about an order (cumulative filled quantity and average price).
 *
 * @example
 * const update: OrderUpdate = { status: 'filled', brokerOrderId: 'b1', filledQty: 10, filledAvgPrice: 11.2 };
 */
export interface OrderUpdate {
  status: string;
  brokerOrderId?: string | null;
  filledQty: number;
  filledAvgPrice?: number | null;
  at?: number;
  detail?: string;
  executionId?: string;
}

/**
 * One change of an order's state, as the ledger recorded it.
 *
 * @example
 * store.orderEvents(clientOrderId).map((e: OrderEvent) => e.status); // ['intent', 'new', 'filled']
 */
export interface OrderEvent {
  at: number;
  status: string;
  filledQty: number;
  detail: string | null;
}

export interface FillRow {
  executionId: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  at: number;
}

type Row = Record<string, unknown>;

/**
 * The orders, order events and fills of one store (`RunStore` delegates to it).
 *
 * @example
 * const ledger = new OrderLedger({ db });
 * ledger.openOrders(runId);
 */
export class OrderLedger {
  private readonly db: Database.Database;

  constructor(options: { db: Database.Database }) {
    this.db = options.db;
  }

  /**
   * Writes an order intent before it is sent. Returns false (and writes nothing) when
   * the client id is already known: the caller must not send it again.
   */
  recordOrderIntent(intent: OrderIntent): boolean {
    return this.db.transaction(() => {
      const now = Date.now();
      const info = this.db
        .prepare(
          `INSERT OR IGNORE INTO orders (client_order_id, run_id, symbol, side, qty, type, limit_price, leg, bar_time,
             status, filled_qty, request, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'intent', 0, ?, ?, ?)`,
        )
        .run(
          intent.clientOrderId,
          intent.runId,
          intent.symbol,
          intent.side,
          intent.qty,
          intent.type,
          intent.limitPrice,
          intent.leg,
          intent.barTime,
          JSON.stringify(intent.request),
          now,
          now,
        );
      if (info.changes === 0) return false;
      this.db
        .prepare(
          'INSERT INTO order_events (client_order_id, at, status, filled_qty, detail) VALUES (?, ?, ?, 0, NULL)',
        )
        .run(intent.clientOrderId, now, 'intent');
      return true;
    })();
  }

  /**
   * Applies what the broker says about an order: status, filled quantity, average
   * price. A change of status or filled quantity appends an order event; an increase
   * of the filled quantity records a fill whose execution id is derived from the broker
   * order id and the cumulative filled quantity (so replays are idempotent). All in one
   * transaction. Returns the fill recorded, if any.
   */
  applyOrderUpdate(clientOrderId: string, update: OrderUpdate): FillRow | undefined {
    return this.db.transaction(() => {
      const prev = this.getOrder(clientOrderId);
      if (!prev) throw new AppError('STORE', `order ${clientOrderId} is not in the run store`);
      const at = update.at ?? Date.now();
      const filledQty = Math.max(prev.filledQty, update.filledQty);
      let fill: FillRow | undefined;
      if (filledQty > prev.filledQty + 1e-9) {
        const dq = filledQty - prev.filledQty;
        // Price of this increment from the change of the cumulative average.
        const newAvg = update.filledAvgPrice ?? prev.filledAvgPrice ?? 0;
        const prevNotional = prev.filledQty * (prev.filledAvgPrice ?? 0);
        const price = dq > 0 ? (filledQty * newAvg - prevNotional) / dq : newAvg;
        fill = {
          executionId:
            update.executionId ??
            `${update.brokerOrderId ?? prev.brokerOrderId ?? clientOrderId}:${filledQty}`,
          clientOrderId,
          symbol: prev.symbol,
          side: prev.side,
          qty: dq,
          price,
          at,
        };
        this.db
          .prepare(
            `INSERT OR IGNORE INTO fills (execution_id, run_id, client_order_id, symbol, side, qty, price, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(fill.executionId, prev.runId, clientOrderId, fill.symbol, fill.side, fill.qty, fill.price, at);
      }
      const changed = prev.status !== update.status || filledQty !== prev.filledQty;
      this.db
        .prepare(
          `UPDATE orders SET status = ?, broker_order_id = COALESCE(?, broker_order_id), filled_qty = ?,
             filled_avg_price = COALESCE(?, filled_avg_price), updated_at = ? WHERE client_order_id = ?`,
        )
        .run(
          update.status,
          update.brokerOrderId ?? null,
          filledQty,
          update.filledAvgPrice ?? null,
          at,
          clientOrderId,
        );
      if (changed) {
        this.db
          .prepare(
            'INSERT INTO order_events (client_order_id, at, status, filled_qty, detail) VALUES (?, ?, ?, ?, ?)',
          )
          .run(clientOrderId, at, update.status, filledQty, update.detail ?? null);
      }
      return fill;
    })();
  }

  private toOrder(r: Row | undefined): OrderRow | undefined {
    if (!r) return undefined;
    return {
      clientOrderId: r.client_order_id as string,
      runId: r.run_id as string,
      brokerOrderId: r.broker_order_id as string | null,
      symbol: r.symbol as string,
      side: r.side as 'buy' | 'sell',
      qty: r.qty as number,
      type: r.type as string,
      limitPrice: r.limit_price as number | null,
      leg: r.leg as string,
      barTime: r.bar_time as number,
      status: r.status as string,
      filledQty: r.filled_qty as number,
      filledAvgPrice: r.filled_avg_price as number | null,
      request: JSON.parse(r.request as string),
    };
  }

  getOrder(clientOrderId: string): OrderRow | undefined {
    return this.toOrder(
      this.db.prepare('SELECT * FROM orders WHERE client_order_id = ?').get(clientOrderId) as Row,
    );
  }

  listOrders(runId: string): OrderRow[] {
    return (
      this.db.prepare('SELECT * FROM orders WHERE run_id = ? ORDER BY created_at, rowid').all(runId) as Row[]
    ).map((r) => this.toOrder(r)!);
  }

  /** Orders whose state can still change (including intents never acknowledged). */
  openOrders(runId: string): OrderRow[] {
    return this.listOrders(runId).filter((o) => !isFinishedOrderStatus(o.status));
  }

  orderEvents(clientOrderId: string): OrderEvent[] {
    return (
      this.db
        .prepare(
          'SELECT at, status, filled_qty, detail FROM order_events WHERE client_order_id = ? ORDER BY id',
        )
        .all(clientOrderId) as Row[]
    ).map((r) => ({
      at: r.at as number,
      status: r.status as string,
      filledQty: r.filled_qty as number,
      detail: r.detail as string | null,
    }));
  }

  listFills(runId: string): FillRow[] {
    return (
      this.db.prepare('SELECT * FROM fills WHERE run_id = ? ORDER BY at, rowid').all(runId) as Row[]
    ).map((r) => ({
      executionId: r.execution_id as string,
      clientOrderId: r.client_order_id as string,
      symbol: r.symbol as string,
      side: r.side as 'buy' | 'sell',
      qty: r.qty as number,
      price: r.price as number,
      at: r.at as number,
    }));
  }

  /** Net shares per symbol implied by the recorded fills. */
  positionsFromFills(runId: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const f of this.listFills(runId)) {
      out.set(f.symbol, (out.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
    }
    for (const [k, v] of out) if (Math.abs(v) < 1e-9) out.delete(k);
    return out;
  }
}
