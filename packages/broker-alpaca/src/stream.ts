/**
 * The `trade_updates` websocket client
 * (https://docs.alpaca.markets/docs/websocket-streaming): connect → `auth` →
 * `listen ["trade_updates"]` → events; ping every `pingIntervalMs` and reconnect with
 * backoff when the socket drops or stops answering pings.
 *
 * The stream has no replay, so after a reconnect the client reconciles over REST:
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
import type WebSocket from 'ws';
import { AlpacaError, redactSecrets, redactValue } from './errors.js';
import type { AlpacaLogger } from './http.js';
import { isTerminalOrderStatus } from './order-status.js';
import { defaultSleep } from './rate-limiter.js';
import { parseTimestamp } from './schemas/primitives.js';
import { TradeUpdateSchema } from './schemas/trading.js';
import type { Order, TradeUpdate } from './types.js';

export type TradeUpdateStreamState =
  | 'connecting'
  | 'authenticating'
  | 'listening'
  | 'reconnecting'
  | 'closed';

/** Options of `streamTradeUpdates`. */
export interface TradeUpdateStreamOptions {
  /** Errors that do not stop the stream (bad frames, failed reconciliation) and the fatal AUTH error. */
  onError?: (error: AlpacaError) => void;
  onStateChange?: (state: TradeUpdateStreamState) => void;
  /** Rebuild missed updates over REST after a reconnect (default true). */
  reconcile?: boolean;
}

/** Handle returned by `streamTradeUpdates`. */
export interface TradeUpdateStream {
  /** Resolves when the first `listening` acknowledgement arrives; rejects on AUTH failure or close. */
  readonly ready: Promise<void>;
  readonly state: TradeUpdateStreamState;
  /** Number of successful reconnects so far. */
  readonly reconnects: number;
  /** Resolves when the last reconciliation started so far has finished (for tests and shutdown). */
  reconciled(): Promise<void>;
  /** Close the socket and stop reconnecting. */
  close(): Promise<void>;
}

export interface TradeUpdateStreamDeps {
  url: string;
  keyId: string;
  secretKey: string;
  logger?: AlpacaLogger | undefined;
  now: () => number;
  settings: {
    pingIntervalMs: number;
    reconnectBaseDelayMs: number;
    reconnectMaxDelayMs: number;
    reconcileMarginMs: number;
  };
  listOrders(query: {
    status: 'all';
    after: string;
    direction: 'asc';
    limit: number;
    nested: boolean;
  }): Promise<Order[]>;
  getOrder(id: string): Promise<Order>;
  /**
   * The server's current time in ms (GET /v2/clock). Read when listening starts, so a gap
   * before any update was seen is still measured on the server's clock (a replaying
   * simulator can be years behind ours).
   */
  serverNow?: () => Promise<number>;
}

const AUTH_TIMEOUT_MS = 10_000;
const PAGE = 500;
const MAX_PAGES = 20;
const MAX_KEYS = 50_000;
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

let wsModule: typeof WebSocket | undefined;

async function loadWs(): Promise<typeof WebSocket> {
  wsModule ??= (await import('ws')).default;
  return wsModule;
}

function decode(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/**
 * Open the stream (used by `client.streamTradeUpdates`).
 * @example
 * const stream = alpaca.streamTradeUpdates((u) => console.log(u.event, u.order.symbol));
 * await stream.ready; // … later: await stream.close();
 */
export function openTradeUpdateStream(
  deps: TradeUpdateStreamDeps,
  onUpdate: (update: TradeUpdate) => void,
  options: TradeUpdateStreamOptions = {},
): TradeUpdateStream {
  const secrets = [deps.keyId, deps.secretKey];
  const { settings } = deps;
  const reconcileEnabled = options.reconcile ?? true;
  let state: TradeUpdateStreamState = 'connecting';
  let closed = false;
  let ws: WebSocket | null = null;
  let failures = 0;
  let reconnects = 0;
  let everListening = false;
  let lastAliveAt = 0;
  /** Latest server-side time seen in an update (event timestamp or order updated_at). */
  let lastServerTime = Number.NEGATIVE_INFINITY;
  let serverTimeAtListen = Number.POSITIVE_INFINITY;
  let pendingSince: number | null = null;
  let reconciling: Promise<void> = Promise.resolve();
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  const emitted = new Set<string>();
  const known = new Map<string, KnownOrder>();

  let resolveReady!: () => void;
  let rejectReady!: (e: AlpacaError) => void;
  let readySettled = false;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined); // awaited by the caller if they care; never an unhandled rejection

  const log = (level: keyof AlpacaLogger, obj: Record<string, unknown>, msg: string) => {
    const fn = deps.logger?.[level];
    if (fn)
      fn.call(deps.logger, redactValue(obj, secrets) as Record<string, unknown>, redactSecrets(msg, secrets));
  };
  const error = (code: AlpacaError['code'], message: string, opts: { status?: number } = {}) =>
    new AlpacaError(code, redactSecrets(message, secrets), { request: 'WS /stream', ...opts });
  const report = (e: AlpacaError) => {
    log('warn', { code: e.code, error: e.message }, 'alpaca stream error');
    try {
      options.onError?.(e);
    } catch {
      // a throwing error handler must not kill the stream
    }
  };
  const setState = (s: TradeUpdateStreamState) => {
    if (state === s) return;
    state = s;
    try {
      options.onStateChange?.(s);
    } catch {
      // ignore
    }
  };

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
      onUpdate(update);
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
    const mk = (event: string, extra: Partial<TradeUpdate> = {}): TradeUpdate => ({
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
        if (!prev) out.push(mk(st));
      } else out.push(mk('new'));
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
      out.push(mk(order.status === 'filled' ? 'fill' : 'partial_fill', { qty: delta, price }));
    }
    const statusEvent = STATUS_EVENT[order.status];
    if (statusEvent && prev?.status !== order.status) out.push(mk(statusEvent));
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

  function scheduleReconcile(): void {
    if (!reconcileEnabled || pendingSince === null) return;
    const since = pendingSince;
    pendingSince = null;
    reconciling = reconciling.then(async () => {
      for (let attempt = 0; ; attempt++) {
        if (closed) return;
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

  function connect(): void {
    const WebSocketCtor = wsModule;
    if (WebSocketCtor === undefined) {
      // `ws` reads an environment variable when it is first loaded, and importing this
      // library must not: load it on the first connection instead.
      loadWs().then(connect, (cause: unknown) => {
        if (!readySettled) {
          readySettled = true;
          rejectReady(error('NETWORK', `could not load the websocket client: ${String(cause)}`));
        }
      });
      return;
    }
    if (closed) return;
    setState(everListening ? 'reconnecting' : 'connecting');
    let listening = false;
    let alive = true;
    let pingTimer: ReturnType<typeof setInterval> | null = null;
    const sock = new WebSocketCtor(deps.url, { handshakeTimeout: AUTH_TIMEOUT_MS });
    ws = sock;
    const authTimer = setTimeout(() => {
      if (!listening) {
        log('warn', {}, 'alpaca stream: no listening acknowledgement in time, reconnecting');
        sock.terminate();
      }
    }, AUTH_TIMEOUT_MS);

    sock.on('open', () => {
      setState('authenticating');
      sock.send(JSON.stringify({ action: 'auth', key: deps.keyId, secret: deps.secretKey }));
      pingTimer = setInterval(() => {
        if (!alive) {
          log('warn', {}, 'alpaca stream: ping unanswered, reconnecting');
          sock.terminate();
          return;
        }
        alive = false;
        try {
          sock.ping();
        } catch {
          // closing
        }
      }, settings.pingIntervalMs);
    });
    sock.on('pong', () => {
      alive = true;
    });
    sock.on('message', (data) => {
      alive = true;
      if (listening) lastAliveAt = deps.now();
      const text = decode(data);
      if (text.length === 1 && text.charCodeAt(0) === 1) return; // heartbeat
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        report(error('BAD_RESPONSE', `trade_updates: a frame is not JSON (${text.length} bytes)`));
        return;
      }
      for (const msg of Array.isArray(parsed) ? parsed : [parsed]) handle(msg);
    });
    sock.on('error', (e) => {
      log('debug', { error: e.message }, 'alpaca stream socket error');
    });
    sock.on('close', (code) => {
      clearTimeout(authTimer);
      if (pingTimer) clearInterval(pingTimer);
      if (ws === sock) ws = null;
      if (listening) {
        const since = Math.min(
          lastAliveAt,
          Number.isFinite(lastServerTime) ? lastServerTime : lastAliveAt,
          serverTimeAtListen,
        );
        pendingSince = Math.min(pendingSince ?? since, since);
      }
      if (closed) {
        setState('closed');
        return;
      }
      failures++;
      const delay = Math.min(
        settings.reconnectMaxDelayMs,
        settings.reconnectBaseDelayMs * 2 ** (failures - 1),
      );
      const jittered = Math.round(delay * (0.8 + 0.4 * Math.random()));
      log('warn', { code, delayMs: jittered, failures }, 'alpaca stream closed, reconnecting');
      setState('reconnecting');
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, jittered);
    });

    function handle(msg: unknown): void {
      if (msg === null || typeof msg !== 'object') return;
      const { stream, data } = msg as { stream?: unknown; data?: Record<string, unknown> };
      if (stream === 'authorization') {
        if (data?.status === 'authorized') {
          sock.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
        } else {
          const why = typeof data?.message === 'string' ? `: ${data.message}` : '';
          const e = error('AUTH', `trade_updates authorization failed${why}`);
          closed = true;
          if (!readySettled) {
            readySettled = true;
            rejectReady(e);
          }
          report(e);
          sock.close();
        }
        return;
      }
      if (stream === 'listening') {
        const streams = Array.isArray(data?.streams) ? data.streams : [];
        if (!streams.includes('trade_updates') || listening) return;
        listening = true;
        clearTimeout(authTimer);
        lastAliveAt = deps.now();
        if (everListening) reconnects++;
        everListening = true;
        failures = 0;
        setState('listening');
        deps.serverNow?.().then(
          (t) => {
            if (Number.isFinite(t)) serverTimeAtListen = Math.min(serverTimeAtListen, t);
          },
          () => undefined,
        );
        if (!readySettled) {
          readySettled = true;
          resolveReady();
        }
        scheduleReconcile();
        return;
      }
      if (stream === 'trade_updates') {
        const r = TradeUpdateSchema.safeParse(data);
        if (!r.success) {
          const issue = r.error.issues[0];
          report(
            error(
              'BAD_RESPONSE',
              `trade_updates: unexpected message shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
            ),
          );
          return;
        }
        deliver(r.data);
      }
    }
  }

  connect();

  return {
    ready,
    get state() {
      return state;
    },
    get reconnects() {
      return reconnects;
    },
    reconciled: () => reconciling,
    async close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (!readySettled) {
        readySettled = true;
        rejectReady(error('NETWORK', 'trade_updates stream closed before it was listening'));
      }
      const sock = ws;
      if (sock && sock.readyState !== sock.CLOSED) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            sock.terminate();
            resolve();
          }, 2_000);
          sock.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          if (sock.readyState === sock.CONNECTING) sock.terminate();
          else sock.close(1000);
        });
      }
      await reconciling.catch(() => undefined);
      setState('closed');
    },
  };
}
