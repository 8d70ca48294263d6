/**
 * The `trade_updates` websocket connection
 * (https://docs.alpaca.markets/docs/websocket-streaming): connect → `auth` →
 * `listen ["trade_updates"]` → events; ping every `pingIntervalMs` and reconnect with
 * backoff when the socket drops or stops answering pings. Frames are decoded by
 * `decode.ts`; every update goes through the de-duplication of `gap-rebuild.ts`, which
 * also rebuilds what a reconnect missed.
 */
import type WebSocket from 'ws';
import { AlpacaError, redactSecrets, redactValue } from '../errors.js';
import type { AlpacaLogger } from '../http.js';
import type { TradeUpdate } from '../types.js';
import { decodeFrame } from './decode.js';
import { createGapRebuild } from './gap-rebuild.js';
import type {
  TradeUpdateStream,
  TradeUpdateStreamDeps,
  TradeUpdateStreamOptions,
  TradeUpdateStreamState,
} from './types.js';

const AUTH_TIMEOUT_MS = 10_000;

let wsModule: typeof WebSocket | undefined;

async function loadWs(): Promise<typeof WebSocket> {
  wsModule ??= (await import('ws')).default;
  return wsModule;
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
  let state: TradeUpdateStreamState = 'connecting';
  let closed = false;
  let ws: WebSocket | null = null;
  let failures = 0;
  let reconnects = 0;
  let everListening = false;
  let lastAliveAt = 0;
  let serverTimeAtListen = Number.POSITIVE_INFINITY;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

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
  const rebuild = createGapRebuild({
    deps,
    enabled: options.reconcile ?? true,
    onUpdate,
    isClosed: () => closed,
    log,
    report,
    error,
  });

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
      for (const msg of decodeFrame(data)) {
        switch (msg.kind) {
          case 'authorization':
            onAuthorization(msg.authorized, msg.message);
            break;
          case 'listening':
            onListening(msg.tradeUpdates);
            break;
          case 'trade_update':
            rebuild.deliver(msg.update);
            break;
          case 'invalid':
            report(error('BAD_RESPONSE', msg.message));
            break;
        }
      }
    });
    sock.on('error', (e) => {
      log('debug', { error: e.message }, 'alpaca stream socket error');
    });
    sock.on('close', (code) => {
      clearTimeout(authTimer);
      if (pingTimer) clearInterval(pingTimer);
      if (ws === sock) ws = null;
      if (listening) rebuild.noteGap(lastAliveAt, serverTimeAtListen);
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

    function onAuthorization(authorized: boolean, message: string | undefined): void {
      if (authorized) {
        sock.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
        return;
      }
      const why = message !== undefined ? `: ${message}` : '';
      const e = error('AUTH', `trade_updates authorization failed${why}`);
      closed = true;
      if (!readySettled) {
        readySettled = true;
        rejectReady(e);
      }
      report(e);
      sock.close();
    }

    function onListening(tradeUpdates: boolean): void {
      if (!tradeUpdates || listening) return;
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
      rebuild.schedule();
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
    reconciled: () => rebuild.settled(),
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
      await rebuild.settled().catch(() => undefined);
      setState('closed');
    },
  };
}
