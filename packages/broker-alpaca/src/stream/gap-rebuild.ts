/**
 * Gap rebuild and de-duplication of the `trade_updates` stream. The stream has no replay,
 * so after a reconnect the client reconciles over REST:
 *
 * 1. `since` = the earliest of the local time of the last message received before the drop,
 *    the latest server timestamp seen in an update, and the server's clock when listening
 *    started (so a server whose clock differs from ours, e.g. a replaying simulator, is
 *    covered even when no update came before the drop), minus `reconcileMarginMs`.
 * 2. `GET /v2/orders?status=all&after=<since>&direction=asc&nested=false` (paged by 500):
 *    every order submitted during or shortly before the gap.
 * 3. `GET /v2/orders/{id}` for every order seen earlier in a non-terminal state and not in
 *    that list (an old GTC order can fill during the gap; `after` filters by submission time).
 * 4. Each order is compared with the last state seen for it and the missing updates are
 *    rebuilt (`reconciled: true`): `new` for unseen orders, one `fill`/`partial_fill`
 *    when `filled_qty` grew (qty = the increase), then `canceled`/`expired`/`replaced`/
 *    `rejected`/`done_for_day` when the status changed to it.
 *
 * Every update, live or rebuilt, passes one de-duplication key: fills by
 * `order.id + cumulative filled_qty` (strictly increasing per order, so it names one
 * execution whichever way it arrived), other events by `order.id + event`. So an update
 * the socket delivers after the REST snapshot saw the same state is dropped, and vice
 * versa; a REST snapshot older than a live event never emits a fill below the filled
 * quantity already reported.
 */
import { AlpacaError } from '../errors.js';
import type { AlpacaLogger } from '../http.js';
import { isTerminalOrderStatus } from '../order-status.js';
import { defaultSleep } from '../rate-limiter.js';
import { parseTimestamp } from '../schemas/primitives.js';
import type { Order, TradeUpdate } from '../types.js';
import type { TradeUpdateStreamDeps } from './types.js';

/** Orders per `GET /v2/orders` page of a rebuild. */
const PAGE = 500;
const MAX_PAGES = 20;
/** Remembered orders and delivered keys; the oldest are forgotten past this. */
const MAX_KEYS = 50_000;
/** The update a status change implies when it is seen only in a REST snapshot. */
const STATUS_EVENT: Record<string, string> = {
  canceled: 'canceled',
  expired: 'expired',
  replaced: 'replaced',
  rejected: 'rejected',
  done_for_day: 'done_for_day',
};

interface KnownOrder {
  status: string;
  filledQty: number;
  filledAvgPrice: number | null;
}

/**
 * The de-duplication key of an update (see the file comment).
 * @example
 * updateKey('partial_fill', order); // '<order id>|fill|<cumulative filled qty>'
 */
export function updateKey(event: string, order: Order): string {
  return event === 'fill' || event === 'partial_fill'
    ? `${order.id}|fill|${order.filledQty}`
    : `${order.id}|${event}`;
}

/** What a gap rebuild needs from the connection. */
export interface GapRebuildOptions {
  deps: Pick<TradeUpdateStreamDeps, 'listOrders' | 'getOrder' | 'settings'>;
  /** Rebuild at all (`reconcile` option, default true). */
  enabled: boolean;
  onUpdate: (update: TradeUpdate) => void;
  /** True once the stream was closed: a pending rebuild stops. */
  isClosed: () => boolean;
  log: (level: keyof AlpacaLogger, obj: Record<string, unknown>, msg: string) => void;
  /** A rebuild that failed three times. */
  report: (e: AlpacaError) => void;
  error: (code: AlpacaError['code'], message: string) => AlpacaError;
}

/** The de-duplicating delivery of updates and the rebuild of the ones a gap lost. */
export interface GapRebuild {
  /** Deliver one update (live or rebuilt) unless its key was delivered before. */
  deliver(update: TradeUpdate): void;
  /** The socket that was listening dropped: remember where the gap starts. */
  noteGap(lastAliveAt: number, serverTimeAtListen: number): void;
  /** Listening again: rebuild the pending gap (if any) in the background. */
  schedule(): void;
  /** Resolves when the last rebuild started so far has finished. */
  settled(): Promise<void>;
}

/**
 * Create the de-duplication and gap rebuild of one stream.
 * @example
 * const rebuild = createGapRebuild({ deps, enabled: true, onUpdate, isClosed, log, report, error });
 * rebuild.deliver(update); // live updates pass the same de-duplication as rebuilt ones
 */
export function createGapRebuild(options: GapRebuildOptions): GapRebuild {
  const { deps, log, report, error } = options;
  const { settings } = deps;
  /** Latest server-side time seen in an update (event timestamp or order updated_at). */
  let lastServerTime = Number.NEGATIVE_INFINITY;
  let pendingSince: number | null = null;
  let reconciling: Promise<void> = Promise.resolve();
  const emitted = new Set<string>();
  const known = new Map<string, KnownOrder>();

  function remember(order: Order, fromSnapshot: boolean): void {
    const prev = known.get(order.id);
    if (fromSnapshot && prev && isTerminalOrderStatus(prev.status) && !isTerminalOrderStatus(order.status))
      return;
    known.set(order.id, {
      status: order.status,
      filledQty: Math.max(prev?.filledQty ?? 0, order.filledQty),
      filledAvgPrice: order.filledAvgPrice ?? prev?.filledAvgPrice ?? null,
    });
    if (known.size > MAX_KEYS) {
      // Forget the oldest terminal orders first; they cannot change any more.
      for (const [id, k] of known) {
        if (known.size <= MAX_KEYS * 0.9) break;
        if (isTerminalOrderStatus(k.status)) known.delete(id);
      }
    }
  }

  function deliver(update: TradeUpdate): void {
    const key = updateKey(update.event, update.order);
    if (!update.reconciled) {
      const t = parseTimestamp(update.timestamp ?? update.order.updatedAt ?? '');
      if (Number.isFinite(t) && t > lastServerTime) lastServerTime = t;
    }
    remember(update.order, update.reconciled);
    if (emitted.has(key)) {
      log('debug', { key, reconciled: update.reconciled }, 'alpaca stream duplicate dropped');
      return;
    }
    emitted.add(key);
    if (emitted.size > MAX_KEYS) {
      const drop = emitted.size - MAX_KEYS * 0.9;
      let i = 0;
      for (const k of emitted) {
        if (i++ >= drop) break;
        emitted.delete(k);
      }
    }
    try {
      options.onUpdate(update);
    } catch (e) {
      log(
        'error',
        { event: update.event, error: String((e as Error)?.message ?? e) },
        'trade update handler threw',
      );
    }
  }

  /** Rebuild the updates an order implies compared with what was last seen of it. */
  function synthesize(order: Order): TradeUpdate[] {
    const prev = known.get(order.id);
    const out: TradeUpdate[] = [];
    const rebuilt = (event: string, extra: Partial<TradeUpdate> = {}): TradeUpdate => ({
      event,
      order,
      timestamp: order.updatedAt,
      price: null,
      qty: null,
      positionQty: null,
      executionId: null,
      reconciled: true,
      raw: { event, order: order.raw, reconciled: true },
      ...extra,
    });
    if (prev && isTerminalOrderStatus(prev.status)) return out;
    if (!prev || prev.status === 'accepted' || prev.status === 'pending_new') {
      const st = order.status;
      if (st === 'accepted' || st === 'pending_new') {
        if (!prev) out.push(rebuilt(st));
      } else out.push(rebuilt('new'));
    }
    const prevQty = prev?.filledQty ?? 0;
    if (order.filledQty > prevQty) {
      const delta = order.filledQty - prevQty;
      let price: number | null = null;
      if (order.filledAvgPrice !== null) {
        const prevAvg = prev?.filledAvgPrice ?? null;
        if (prevQty === 0) price = order.filledAvgPrice;
        else if (prevAvg !== null)
          price = (order.filledAvgPrice * order.filledQty - prevAvg * prevQty) / delta;
      }
      out.push(rebuilt(order.status === 'filled' ? 'fill' : 'partial_fill', { qty: delta, price }));
    }
    const statusEvent = STATUS_EVENT[order.status];
    if (statusEvent && prev?.status !== order.status) out.push(rebuilt(statusEvent));
    return out;
  }

  async function reconcileOnce(sinceMs: number): Promise<void> {
    const after = new Date(sinceMs - settings.reconcileMarginMs).toISOString();
    const seen = new Map<string, Order>();
    const add = (o: Order) => {
      seen.set(o.id, o);
      for (const leg of o.legs ?? []) add(leg);
    };
    let cursor = after;
    for (let page = 0; page < MAX_PAGES; page++) {
      const orders = await deps.listOrders({
        status: 'all',
        after: cursor,
        direction: 'asc',
        limit: PAGE,
        nested: false,
      });
      orders.forEach(add);
      const last = orders[orders.length - 1];
      if (orders.length < PAGE || !last?.submittedAt || last.submittedAt === cursor) break;
      cursor = last.submittedAt;
    }
    for (const [id, k] of known) {
      if (isTerminalOrderStatus(k.status) || seen.has(id)) continue;
      try {
        add(await deps.getOrder(id));
      } catch (e) {
        if (!(e instanceof AlpacaError && e.code === 'NOT_FOUND')) throw e;
      }
    }
    const orders = [...seen.values()].sort((a, b) =>
      (a.updatedAt ?? a.submittedAt ?? '').localeCompare(b.updatedAt ?? b.submittedAt ?? ''),
    );
    let rebuilt = 0;
    for (const order of orders)
      for (const u of synthesize(order)) {
        rebuilt++;
        deliver(u);
      }
    log('info', { after, orders: orders.length, rebuilt }, 'alpaca stream reconciled');
  }

  function schedule(): void {
    if (!options.enabled || pendingSince === null) return;
    const since = pendingSince;
    pendingSince = null;
    reconciling = reconciling.then(async () => {
      for (let attempt = 0; ; attempt++) {
        if (options.isClosed()) return;
        try {
          await reconcileOnce(since);
          return;
        } catch (e) {
          if (attempt >= 2) {
            pendingSince = Math.min(pendingSince ?? since, since);
            report(
              e instanceof AlpacaError
                ? e
                : error(
                    'NETWORK',
                    `trade_updates reconciliation failed: ${String((e as Error)?.message ?? e)}`,
                  ),
            );
            return;
          }
          await defaultSleep(
            Math.min(settings.reconnectMaxDelayMs, settings.reconnectBaseDelayMs * 2 ** attempt),
          );
        }
      }
    });
  }

  function noteGap(lastAliveAt: number, serverTimeAtListen: number): void {
    const since = Math.min(
      lastAliveAt,
      Number.isFinite(lastServerTime) ? lastServerTime : lastAliveAt,
      serverTimeAtListen,
    );
    pendingSince = Math.min(pendingSince ?? since, since);
  }

  return { deliver, noteGap, schedule, settled: () => reconciling };
}
