/**
 * Stage: reconcile. Brings the run store's orders up to date with the broker (status,
 * fills, the bracket legs the broker created), resolves intents that never reached it,
 * and stops the run when the broker no longer knows orders it acknowledged: a reset
 * broker or another account can no longer be reconciled with the run.
 */
import { isAlpacaError, type Order } from '@marlts/broker-alpaca';
import { AppError } from '../../app-error.js';
import { isFinishedOrderStatus, type OrderRow } from '../../store.js';
import { type LiveSession, PAPER_SERIES } from '../loop-state.js';
import { isOwnLeg, ORDER_LEG } from '../order-legs.js';

/**
 * Brings every non-terminal order of the run (and its bracket legs) up to date; records
 * fills. Returns the number of fills recorded.
 *
 * @example
 * const fills = await reconcileOrders({ broker, store, runId, log });
 */
export async function reconcileOrders(session: LiveSession): Promise<number> {
  const { broker, store, runId } = session;
  const open = store.openOrders(runId);
  if (open.length === 0) return 0;
  // One listing answers most look-ups (legs come nested in their parents).
  const recent = await broker.listOrders({ status: 'all', limit: 500, nested: true, direction: 'desc' });
  const byClientId = new Map<string, Order>();
  for (const parent of recent) {
    byClientId.set(parent.clientOrderId, parent);
    for (const leg of parent.legs ?? []) byClientId.set(leg.clientOrderId, leg);
  }
  let fills = 0;
  const lost: OrderRow[] = [];
  for (const row of open) {
    let order = byClientId.get(row.clientOrderId);
    if (!order) {
      try {
        order = await broker.getOrderByClientId(row.clientOrderId);
      } catch (e) {
        if (isAlpacaError(e, 'NOT_FOUND')) {
          if (row.status === 'intent') {
            // Written, never reached the broker (crash before sending): nothing to undo.
            store.applyOrderUpdate(row.clientOrderId, {
              status: 'not_submitted',
              filledQty: 0,
              detail: 'not found at the broker',
            });
          } else {
            // The broker acknowledged it once and no longer knows it.
            lost.push(row);
          }
          continue;
        }
        throw e;
      }
    }
    fills += applyBrokerOrder(session, order);
    let legs = order.legs;
    if (
      (!legs || legs.length === 0) &&
      order.orderClass === 'bracket' &&
      !byClientId.has(row.clientOrderId)
    ) {
      legs = (await broker.getOrder(order.id, { nested: true })).legs;
    }
    for (const leg of legs ?? []) {
      if (!store.getOrder(leg.clientOrderId)) {
        store.recordOrderIntent({
          clientOrderId: leg.clientOrderId,
          runId,
          symbol: leg.symbol,
          side: leg.side === 'buy' ? 'buy' : 'sell',
          qty: leg.qty ?? 0,
          type: leg.type,
          limitPrice: leg.limitPrice,
          leg: leg.stopPrice !== null ? ORDER_LEG.stopLoss : ORDER_LEG.takeProfit,
          barTime: row.barTime,
          request: { parent: row.clientOrderId },
        });
      }
      if (!isFinishedOrderStatus(store.getOrder(leg.clientOrderId)!.status)) {
        fills += applyBrokerOrder(session, leg);
      }
    }
  }
  if (lost.length > 0) throw brokerDiverged(runId, lost);
  return fills;
}

/**
 * Looks up the run's newest acknowledged order at the broker: a broker that answers
 * "not found" was reset (a restarted `marlts sim`) or is another account, and every
 * order, fill and position the store holds for this run would diverge from it.
 *
 * @example
 * await checkBrokerKnowsRun(session); // throws AppError('BROKER_DIVERGED') after a reset
 */
export async function checkBrokerKnowsRun(session: LiveSession): Promise<void> {
  const { broker, store, runId } = session;
  const sent = store.listOrders(runId).filter((o) => o.brokerOrderId !== null && isOwnLeg(o.leg));
  const probe = sent.at(-1);
  if (!probe) return;
  try {
    await broker.getOrderByClientId(probe.clientOrderId);
  } catch (e) {
    if (isAlpacaError(e, 'NOT_FOUND')) throw brokerDiverged(runId, [probe]);
    throw e;
  }
}

function brokerDiverged(runId: string, orders: OrderRow[]): AppError {
  const shown = orders
    .slice(0, 3)
    .map((o) => `${o.clientOrderId} ${o.side} ${o.qty} ${o.symbol}, ${o.status}`)
    .join('; ');
  return new AppError(
    'BROKER_DIVERGED',
    `the broker no longer knows ${orders.length === 1 ? 'an order' : `${orders.length} orders`} paper run ${runId} sent it (${shown}${orders.length > 3 ? '; …' : ''}): ` +
      "it was reset (a restarted `marlts sim`?) or is another account, so the run's orders, fills and positions can no longer be reconciled with it",
    {
      hint: 'start a new paper run against this broker with --new-run (or use another --run-dir); the old run stays in marlts.db for `marlts report`',
    },
  );
}

/**
 * Records what the broker says about one order (status, filled quantity, price) and the
 * trade of a new fill. Returns 1 when it recorded a fill, else 0.
 *
 * @example
 * applyBrokerOrder(session, await broker.submitOrder(request));
 */
export function applyBrokerOrder(session: LiveSession, order: Order): number {
  const { store, runId } = session;
  const fill = store.applyOrderUpdate(order.clientOrderId, {
    status: order.status,
    brokerOrderId: order.id,
    filledQty: order.filledQty,
    filledAvgPrice: order.filledAvgPrice,
    at: order.filledAt ? Date.parse(order.filledAt) : Date.now(),
  });
  if (!fill) return 0;
  store.appendTrades(runId, [
    {
      series: PAPER_SERIES.account,
      t: fill.at,
      symbol: fill.symbol,
      qty: fill.side === 'buy' ? fill.qty : -fill.qty,
      price: fill.price,
    },
  ]);
  session.log.debug(
    { clientOrderId: order.clientOrderId, qty: fill.qty, price: fill.price, side: fill.side },
    'fill',
  );
  return 1;
}
