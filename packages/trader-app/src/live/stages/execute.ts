/**
 * Stage: execute. Plans the orders from the current positions to the targets (cancel
 * first, never cross zero in one order, skip tiny changes, fit the buys in the buying
 * power), cancels and waits until the broker confirms, checks the day-trade rule, and
 * submits idempotently: each order's intent is stored before it is sent, under a client
 * id derived from run + bar + symbol + leg, so a restart never sends it twice.
 */
import { type AlpacaClient, checkDayTradeRule, countDayTrades, isAlpacaError } from '@marlts/broker-alpaca';
import { type AppConfig, minTradeWeight } from '../../config.js';
import { isFinishedOrderStatus } from '../../store.js';
import type { LiveSession } from '../loop-state.js';
import { ORDER_LEG } from '../order-legs.js';
import { type PlannedOrder, planOrders } from '../order-plan.js';
import { fitBuyingPower } from '../risk.js';
import type { BarAccount } from './bookkeeping.js';
import { applyBrokerOrder } from './reconcile.js';
import type { RiskCheckedTargets } from './risk.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Still working at the broker: not finished, and not parked until the next session
 * (`done_for_day`), so it holds quantity a new order on its symbol would meet.
 */
function isWorkingOrder(status: string): boolean {
  return !isFinishedOrderStatus(status) && status !== 'done_for_day';
}

/**
 * Trades the account toward `targets` at bar `t`; adds what the rules held back to
 * `targets.notes`. Returns the number of orders sent and of open orders canceled.
 *
 * @example
 * const { sent } = await executeBar(session, { t, bar, targets, clockMs, orders: config.orders, risk: config.risk });
 */
export async function executeBar(
  session: LiveSession,
  input: {
    t: number;
    bar: BarAccount;
    targets: RiskCheckedTargets;
    /** The broker's clock (the day-trade rule's "today"). */
    clockMs: number;
    orders: AppConfig['orders'];
    risk: AppConfig['risk'];
  },
): Promise<{ sent: number; cancels: number }> {
  const { broker, store, runId } = session;
  const { t, bar, risk, clockMs } = input;
  const { targets, prices, notes } = input.targets;
  const positions = new Map(bar.positions.map((p) => [p.symbol, p.qty]));
  // Open orders at the broker (legs listed on their own).
  const open = (await broker.listOrders({ status: 'open', nested: false, limit: 500 })).flatMap((o) => [
    o,
    ...(o.legs ?? []),
  ]);
  const alreadyPlanned = new Set(
    store
      .listOrders(runId)
      .filter((o) => o.barTime === t && o.leg === ORDER_LEG.adjust)
      .map((o) => o.symbol),
  );
  const plan = planOrders(
    {
      positions,
      targets,
      prices,
      openOrders: open
        .filter((o) => isWorkingOrder(o.status))
        .map((o) => ({ id: o.id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side })),
    },
    {
      runId,
      barTime: t,
      orderType: input.orders.type,
      limitOffsetBps: input.orders.limitOffsetBps,
      timeInForce: input.orders.timeInForce,
      useBrackets: risk.useBrackets,
      stopLossPct: risk.stopLossPct,
      takeProfitPct: risk.takeProfitPct,
      minTradeUsd: minTradeWeight(risk, targets.size) * bar.equity,
      alreadyPlanned,
    },
  );
  // Buying power: scale down buys that add exposure.
  const buyingPowerNote = fitBuyingPower(plan.orders, positions, prices, bar.account.buyingPower);
  if (buyingPowerNote) notes.push(buyingPowerNote);

  // Cancel first; wait until the broker confirms, so no new order meets an opposite one.
  for (const c of plan.cancels) {
    try {
      await broker.cancelOrder(c.id);
    } catch (e) {
      if (!isAlpacaError(e, 'NOT_FOUND') && !isAlpacaError(e, 'UNPROCESSABLE')) throw e;
    }
  }
  if (plan.cancels.length > 0)
    await waitCanceled(
      session,
      plan.cancels.map((c) => c.id),
    );

  // Day-trade rule (legacy PDT only; intraday margin is enforced through buying power).
  const fills = store.listFills(runId).map((f) => ({ symbol: f.symbol, side: f.side, time: f.at }));
  const dayTrades = risk.dayTradeRule === 'legacy-pdt' ? countDayTrades(fills, { now: clockMs }) : 0;
  const pendingOrders = open
    .filter((o) => isWorkingOrder(o.status) && !plan.cancels.some((c) => c.id === o.id))
    .map((o) => ({ symbol: o.symbol, side: o.side === 'buy' ? ('buy' as const) : ('sell' as const) }));
  let sent = 0;
  for (const order of plan.orders) {
    if (order.qty <= 0) continue;
    const rule = checkDayTradeRule(risk.dayTradeRule, {
      equity: bar.dayStartEquity,
      dayTrades,
      order: { symbol: order.symbol, side: order.side, qty: order.qty },
      pendingOrders,
      fills,
      now: clockMs,
    });
    if (!rule.ok) {
      notes.push(`${order.symbol}: ${rule.reason}`);
      continue;
    }
    if (await submitOnce(session, order, t)) sent++;
  }
  return { sent, cancels: plan.cancels.length };
}

async function waitCanceled(session: LiveSession, ids: string[]): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const open = await session.broker.listOrders({ status: 'open', nested: false, limit: 500 });
    const still = new Set(open.flatMap((o) => [o.id, ...(o.legs ?? []).map((l) => l.id)]));
    if (!ids.some((id) => still.has(id))) return;
    await sleep(200);
  }
  session.log.warn({ ids }, 'orders still open after cancel requests');
}

/** Records the intent, then sends; false if the order was already known (never sent twice). */
async function submitOnce(session: LiveSession, order: PlannedOrder, t: number): Promise<boolean> {
  const { broker, store, runId, log } = session;
  const request: Record<string, unknown> = {
    symbol: order.symbol,
    qty: order.qty,
    side: order.side,
    type: order.type,
    timeInForce: order.timeInForce,
    clientOrderId: order.clientOrderId,
    ...(order.limitPrice !== null ? { limitPrice: order.limitPrice } : {}),
    ...(order.bracket
      ? {
          orderClass: 'bracket',
          takeProfit: { limitPrice: order.bracket.takeProfitPrice },
          stopLoss: { stopPrice: order.bracket.stopPrice },
        }
      : {}),
  };
  const fresh = store.recordOrderIntent({
    clientOrderId: order.clientOrderId,
    runId,
    symbol: order.symbol,
    side: order.side,
    qty: order.qty,
    type: order.type,
    limitPrice: order.limitPrice,
    leg: order.leg,
    barTime: t,
    request: { ...request, thenOpen: order.thenOpen },
  });
  if (!fresh) return false;
  try {
    const ack = await broker.submitOrder(request as unknown as Parameters<AlpacaClient['submitOrder']>[0]);
    applyBrokerOrder(session, ack);
    return true;
  } catch (e) {
    if (isAlpacaError(e) && e.code !== 'NETWORK' && e.code !== 'RATE_LIMITED' && e.code !== 'BAD_RESPONSE') {
      store.applyOrderUpdate(order.clientOrderId, {
        status: 'rejected',
        filledQty: 0,
        detail: `${e.code}: ${e.message}`,
      });
      log.warn({ clientOrderId: order.clientOrderId, code: e.code, message: e.message }, 'order rejected');
      return false;
    }
    // Outcome unknown: the intent stays; the next reconcile looks it up by client id.
    log.warn({ clientOrderId: order.clientOrderId, err: String(e) }, 'order outcome unknown; will reconcile');
    return false;
  }
}
