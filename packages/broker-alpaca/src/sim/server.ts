/**
 * The paper exchange's network face: Alpaca's Trading API v2 and Market Data
 * v2 REST paths plus the `trade_updates` websocket, on one loopback HTTP
 * server, with authentication, rate-limit headers and fault injection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { addDays, nyDate, nyIso, nyWallToUtc, weekdayOf } from '../rules/ny-time.js';
import {
  type ListOrdersQuery,
  PaperBook,
  Rejection,
  type SimFill,
  type TradeUpdateEvent,
} from './exchange.js';
import {
  type Bar,
  faultsSchema,
  type PaperExchangeConfig,
  type PaperExchangeOptions,
  type ParsedSimFault,
  paperExchangeOptionsSchema,
  parseWith,
  type SimFault,
} from './options.js';

/** Numbers (not strings) of the account, for assertions. */
export interface PaperAccountState {
  cash: number;
  equity: number;
  lastEquity: number;
  buyingPower: number;
  longMarketValue: number;
  shortMarketValue: number;
}

/** A position, numbers parsed. */
export interface PaperPositionState {
  symbol: string;
  /** Signed: negative for a short. */
  qty: number;
  avgEntryPrice: number;
  marketValue: number;
  currentPrice: number;
}

/** A snapshot of the exchange for tests and demos. */
export interface PaperExchangeState {
  /** Index of the current bar time (−1 before the first `advance`). */
  cursor: number;
  /** Replay clock (UTC ms). */
  now: number;
  /** Start time of the current bar, or null. */
  barTime: number | null;
  /** Every bar has been replayed. */
  done: boolean;
  account: PaperAccountState;
  positions: PaperPositionState[];
  /** Every order in Alpaca's JSON shape (legs also listed on their own), in submission order. */
  orders: Record<string, unknown>[];
  fills: SimFill[];
  /** Every trade update emitted so far (the websocket itself keeps no replay). */
  events: TradeUpdateEvent[];
  /** Open `trade_updates` sockets that are authenticated and listening. */
  listeners: number;
}

/** A running paper exchange. */
export interface PaperExchange {
  /** Trading and data base URL, e.g. `http://127.0.0.1:41234` (the same server answers both). */
  readonly url: string;
  /** `trade_updates` websocket URL, `ws://127.0.0.1:41234/stream`. */
  readonly streamUrl: string;
  readonly port: number;
  /** The parsed options. */
  readonly config: PaperExchangeConfig;
  /** True when every bar has been replayed. */
  readonly done: boolean;
  /** Start time of the current bar (UTC ms), or null before the first step. */
  readonly barTime: number | null;
  /** The replay clock (UTC ms): the end of the current bar. */
  readonly now: number;
  /** Step the replay clock `n` bar times (default 1); returns how many steps happened (fewer at the end of the feed). */
  advance(n?: number): number;
  /** Replay until the feed ends; returns the number of steps. */
  runToEnd(): number;
  /** Replace the active faults. */
  setFaults(faults: SimFault[]): void;
  /** Terminate every `trade_updates` socket now (a websocket disconnect). */
  dropStreams(): void;
  /** Snapshot for assertions. */
  state(): PaperExchangeState;
  /** Called after every step with the new bar time (auto-advance and manual). */
  onStep(listener: (barTime: number, done: boolean) => void): () => void;
  /** Stop the timer, close sockets and the server. */
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  authorized: boolean;
  listening: boolean;
}

const OPEN_PATHS = new Set(['/', '/healthz']);

/**
 * Start an Alpaca-compatible paper exchange on loopback.
 * @example
 * const ex = await startPaperExchange({ bars, initialCash: 100_000 });
 * const alpaca = createAlpacaClient({ keyId: 'k', secretKey: 's', baseUrl: ex.url, dataUrl: ex.url });
 * await alpaca.submitOrder({ symbol: 'MSFT', qty: 10, side: 'buy', type: 'market', timeInForce: 'day' });
 * ex.advance(); // fills at the next bar's open
 * await ex.close();
 */
export async function startPaperExchange(options: PaperExchangeOptions = {}): Promise<PaperExchange> {
  const config = parseWith(paperExchangeOptionsSchema, options, 'startPaperExchange options');
  const book = new PaperBook(config);
  let faults: ParsedSimFault[] = [...config.faults];
  const clients = new Set<Client>();
  const stepListeners = new Set<(barTime: number, done: boolean) => void>();
  let rateWindowStart = Date.now();
  let rateCount = 0;

  // ------------------------------------------------------------ websocket
  const wss = new WebSocketServer({ noServer: true });
  const send = (c: Client, msg: unknown) => {
    const text = JSON.stringify(msg);
    c.socket.send(config.binaryFrames ? Buffer.from(text, 'utf8') : text);
  };
  book.onEvent = (event) => {
    const wsFault = faults.find((f) => f.kind === 'ws-disconnect');
    if (wsFault) {
      if (wsFault.afterEvents > 0) wsFault.afterEvents--;
      else {
        consume(wsFault);
        dropStreams();
        return; // this event is lost, as it would be on Alpaca
      }
    }
    for (const c of clients)
      if (c.authorized && c.listening) send(c, { stream: 'trade_updates', data: event });
  };
  wss.on('connection', (socket: WebSocket) => {
    const client: Client = { socket, authorized: false, listening: false };
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    socket.on('error', () => clients.delete(client));
    socket.on('message', (raw) => {
      let msg: { action?: string; key?: string; secret?: string; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw));
      } catch {
        send(client, { stream: 'error', data: { error_message: 'invalid json' } });
        return;
      }
      if (msg.action === 'auth' || msg.action === 'authenticate') {
        const key = msg.action === 'auth' ? msg.key : (msg.data?.key_id as string | undefined);
        const secret = msg.action === 'auth' ? msg.secret : (msg.data?.secret_key as string | undefined);
        client.authorized =
          typeof key === 'string' && key.length > 0 && typeof secret === 'string' && secret.length > 0;
        send(client, {
          stream: 'authorization',
          data: client.authorized
            ? { status: 'authorized', action: 'authenticate' }
            : { status: 'unauthorized', action: 'authenticate', message: 'access key verification failed' },
        });
        return;
      }
      if (msg.action === 'listen') {
        if (!client.authorized) {
          send(client, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
          return;
        }
        const streams = Array.isArray(msg.data?.streams) ? (msg.data.streams as string[]) : [];
        client.listening = streams.includes('trade_updates');
        send(client, { stream: 'listening', data: { streams: client.listening ? ['trade_updates'] : [] } });
        return;
      }
      send(client, { stream: 'error', data: { error_message: `unknown action ${String(msg.action)}` } });
    });
  });
  function dropStreams(): void {
    for (const c of clients) c.socket.terminate();
    clients.clear();
  }

  // ------------------------------------------------------------ faults and limits
  function consume(f: ParsedSimFault): void {
    f.times--;
    if (f.times <= 0) faults = faults.filter((x) => x !== f);
  }
  function matchFault(method: string, path: string): ParsedSimFault | undefined {
    const f = faults.find(
      (x) =>
        x.kind !== 'ws-disconnect' &&
        (x.method === undefined || x.method.toUpperCase() === method) &&
        (x.path === undefined || path.startsWith(x.path)),
    );
    if (f) consume(f);
    return f;
  }
  function rateHeaders(res: ServerResponse): boolean {
    const now = Date.now();
    if (now - rateWindowStart >= 60_000) {
      rateWindowStart = now;
      rateCount = 0;
    }
    rateCount++;
    const limit = config.rateLimitPerMinute;
    res.setHeader('X-Ratelimit-Limit', String(limit || 200));
    res.setHeader('X-Ratelimit-Remaining', String(limit ? Math.max(0, limit - rateCount) : 200));
    res.setHeader('X-Ratelimit-Reset', String(Math.ceil((rateWindowStart + 60_000) / 1000)));
    return limit > 0 && rateCount > limit;
  }

  // ------------------------------------------------------------ http
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        reply(res, 500, { code: 50010000, message: `internal server error: ${String(e)}` });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/stream') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const limited = rateHeaders(res);
    if (OPEN_PATHS.has(path)) {
      reply(res, 200, { ok: true });
      return;
    }
    const key = req.headers['apca-api-key-id'];
    const secret = req.headers['apca-api-secret-key'];
    if (typeof key !== 'string' || !key || typeof secret !== 'string' || !secret) {
      reply(res, 401, { code: 40110000, message: 'unauthorized' });
      return;
    }
    const fault = matchFault(method, path);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === '429') {
      res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      res.setHeader('X-Ratelimit-Remaining', '0');
      reply(res, 429, { code: 42910000, message: 'rate limit exceeded' });
      return;
    }
    if (fault?.kind === '500') {
      reply(res, 500, { code: 50010000, message: 'internal server error occurred' });
      return;
    }
    if (limited) {
      res.setHeader('X-Ratelimit-Remaining', '0');
      reply(res, 429, { code: 42910000, message: 'rate limit exceeded' });
      return;
    }
    let body: unknown;
    if (method === 'POST' || method === 'PATCH') {
      const text = await readBody(req);
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        reply(res, 400, { code: 40010000, message: 'request body format is invalid' });
        return;
      }
    }
    let status: number;
    let payload: unknown;
    try {
      [status, payload] = route(method, path, url.searchParams, body);
    } catch (e) {
      if (!(e instanceof Rejection)) throw e;
      [status, payload] = [e.status, e.body];
    }
    if (fault?.kind === 'drop-after-accept') {
      // The request took effect; the answer never arrives.
      req.socket.destroy();
      return;
    }
    reply(res, status, payload);
  }

  function route(method: string, path: string, q: URLSearchParams, body: unknown): [number, unknown] {
    const seg = path
      .split('/')
      .filter(Boolean)
      .map((x) => {
        try {
          return decodeURIComponent(x);
        } catch {
          return x;
        }
      });
    if (seg[0] !== 'v2') throw new Rejection(404, { code: 40410000, message: 'endpoint not found' });
    const [, a, b, c] = seg;
    // ---- trading
    if (a === 'account' && b === undefined && method === 'GET') return [200, book.accountJson()];
    if (a === 'account' && b === 'configurations' && method === 'GET')
      return [200, book.configurationsJson()];
    if (a === 'clock' && method === 'GET') return [200, clockJson()];
    if (a === 'calendar' && method === 'GET') return [200, calendarJson(q)];
    if (a === 'assets' && method === 'GET') {
      if (b === undefined) {
        const status = q.get('status');
        return [200, [...book.assets.values()].filter((x) => !status || x.status === status)];
      }
      const asset =
        book.assets.get(decodeURIComponent(b).toUpperCase()) ??
        [...book.assets.values()].find((x) => x.id === b);
      if (!asset) throw new Rejection(404, { code: 40410000, message: 'asset not found' });
      return [200, asset];
    }
    if (a === 'orders:by_client_order_id' && method === 'GET') {
      const o = book.getByClientOrderId(q.get('client_order_id') ?? '');
      return [200, book.orderJson(o, true)];
    }
    if (a === 'orders') {
      if (b === undefined && method === 'POST')
        return [200, book.orderJson(book.submitOrder(body as Record<string, unknown>))];
      if (b === undefined && method === 'GET') {
        const nested = q.get('nested') === 'true';
        return [200, book.listOrders(listQuery(q)).map((o) => book.orderJson(o, nested))];
      }
      if (b === undefined && method === 'DELETE') return [207, book.cancelAll()];
      if (b !== undefined && method === 'GET')
        return [200, book.orderJson(book.getOrder(b), q.get('nested') === 'true')];
      if (b !== undefined && method === 'DELETE') {
        book.cancelOrder(b);
        return [204, undefined];
      }
      if (b !== undefined && method === 'PATCH') {
        return [200, book.orderJson(book.replaceOrder(b, (body ?? {}) as Record<string, unknown>))];
      }
    }
    if (a === 'positions') {
      if (b === undefined && method === 'GET')
        return [200, [...book.positions.values()].map((p) => book.positionJson(p))];
      if (b === undefined && method === 'DELETE')
        return [207, book.closeAll(q.get('cancel_orders') === 'true')];
      if (b !== undefined) {
        const symbol = decodeURIComponent(b).toUpperCase();
        const p = book.positions.get(symbol) ?? [...book.positions.values()].find((x) => x.assetId === b);
        if (method === 'GET') {
          if (!p) throw new Rejection(404, { code: 40410000, message: 'position does not exist' });
          return [200, book.positionJson(p)];
        }
        if (method === 'DELETE') {
          const qty = q.get('qty');
          const pct = q.get('percentage');
          const order = book.closePosition(p?.symbol ?? symbol, {
            ...(qty !== null ? { qty: Number(qty) } : {}),
            ...(pct !== null ? { percentage: Number(pct) } : {}),
          });
          return [200, book.orderJson(order)];
        }
      }
    }
    // ---- market data (data.alpaca.markets paths)
    if (a === 'stocks' && method === 'GET') {
      if (b === 'bars' && c === undefined) return [200, barsJson(q, splitSymbols(q), false)];
      if (b === 'bars' && c === 'latest') return [200, { bars: latestMap(splitSymbols(q), barJson) }];
      if (b === 'quotes' && c === 'latest') return [200, { quotes: latestMap(splitSymbols(q), quoteJson) }];
      if (b === 'trades' && c === 'latest') return [200, { trades: latestMap(splitSymbols(q), tradeJson) }];
      if (b !== undefined && c === 'bars' && seg[4] === undefined) {
        return [200, barsJson(q, [decodeURIComponent(b).toUpperCase()], true)];
      }
      if (b !== undefined && seg[4] === 'latest') {
        const symbol = decodeURIComponent(b).toUpperCase();
        const bar = visibleLatest(symbol);
        if (c === 'bars') return [200, { symbol, bar: bar ? barJson(bar) : null }];
        if (c === 'quotes') return [200, { symbol, quote: bar ? quoteJson(bar) : null }];
        if (c === 'trades') return [200, { symbol, trade: bar ? tradeJson(bar) : null }];
      }
    }
    throw new Rejection(404, { code: 40410000, message: 'endpoint not found' });
  }

  // ------------------------------------------------------------ clock and calendar
  function isSession(date: string): boolean {
    const wd = weekdayOf(date);
    return wd !== 0 && wd !== 6 && !book.holidays.has(date);
  }
  function clockJson(): Record<string, unknown> {
    const now = book.now();
    const today = nyDate(now);
    const open = nyWallToUtc(today, 9, 30);
    const close = nyWallToUtc(today, 16, 0);
    const isOpen = isSession(today) && now >= open && now < close;
    let d = isSession(today) && now < open ? today : addDays(today, 1);
    while (!isSession(d)) d = addDays(d, 1);
    const nextOpen = nyWallToUtc(d, 9, 30);
    let cd = isSession(today) && now < close ? today : addDays(today, 1);
    while (!isSession(cd)) cd = addDays(cd, 1);
    return {
      timestamp: nyIso(now),
      is_open: isOpen,
      next_open: nyIso(nextOpen),
      next_close: nyIso(nyWallToUtc(cd, 16, 0)),
    };
  }
  function calendarJson(q: URLSearchParams): Record<string, unknown>[] {
    const first = book.sessions[0] ?? nyDate(book.now());
    const last = book.sessions[book.sessions.length - 1] ?? first;
    const start = q.get('start')?.slice(0, 10) ?? first;
    const end = q.get('end')?.slice(0, 10) ?? last;
    const out: Record<string, unknown>[] = [];
    for (let d = start, guard = 0; d <= end && guard < 40_000; d = addDays(d, 1), guard++) {
      if (!isSession(d)) continue;
      let settle = addDays(d, 1);
      while (!isSession(settle)) settle = addDays(settle, 1);
      out.push({
        date: d,
        open: '09:30',
        close: '16:00',
        session_open: '0400',
        session_close: '2000',
        settlement_date: settle,
      });
    }
    return out;
  }

  // ------------------------------------------------------------ market data
  function splitSymbols(q: URLSearchParams): string[] {
    const s = q.get('symbols');
    if (!s) throw new Rejection(400, { message: 'symbols is required' });
    return s
      .split(',')
      .map((x) => x.trim().toUpperCase())
      .filter(Boolean);
  }
  /** Bars up to the current step only: the exchange never shows the future. */
  function visibleBars(symbol: string): Bar[] {
    const t = book.currentBarTime();
    if (t === null) return [];
    const list = book.barsBySymbol.get(symbol) ?? [];
    let hi = list.length;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.time <= t) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(0, lo);
  }
  function visibleLatest(symbol: string): Bar | undefined {
    const v = visibleBars(symbol);
    return v[v.length - 1];
  }
  function barJson(bar: Bar): Record<string, unknown> {
    return {
      t: new Date(bar.time).toISOString().replace('.000Z', 'Z'),
      o: bar.open,
      h: bar.high,
      l: bar.low,
      c: bar.close,
      v: bar.volume,
      n: 0,
      vw: Number(((bar.high + bar.low + bar.close) / 3).toFixed(4)),
    };
  }
  function quoteJson(bar: Bar): Record<string, unknown> {
    const t = new Date(book.now()).toISOString();
    return { t, ax: 'V', ap: bar.close, as: 1, bx: 'V', bp: bar.close, bs: 1, c: ['R'], z: 'C' };
  }
  function tradeJson(bar: Bar): Record<string, unknown> {
    const t = new Date(book.now()).toISOString();
    return { t, x: 'V', p: bar.close, s: 100, c: ['@'], i: book.cursor + 1, z: 'C' };
  }
  function latestMap(symbols: string[], f: (b: Bar) => Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of symbols) {
      const bar = visibleLatest(s);
      if (bar) out[s] = f(bar);
    }
    return out;
  }
  function parseTime(value: string | null, endOfDay: boolean): number | undefined {
    if (!value) return undefined;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return endOfDay ? nyWallToUtc(addDays(value, 1), 0, 0) - 1 : nyWallToUtc(value, 0, 0);
    }
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new Rejection(422, { code: 42210000, message: `invalid time ${value}` });
    return ms;
  }
  function barsJson(q: URLSearchParams, symbols: string[], single: boolean): Record<string, unknown> {
    const timeframe = q.get('timeframe');
    if (!timeframe || !/^\d+(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.test(timeframe)) {
      throw new Rejection(422, { code: 42210000, message: 'invalid timeframe' });
    }
    const start = parseTime(q.get('start'), false);
    const end = parseTime(q.get('end'), true);
    const limit = q.get('limit') === null ? 1000 : Number(q.get('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new Rejection(422, { code: 42210000, message: 'invalid limit' });
    }
    const desc = q.get('sort') === 'desc';
    // Pages run through symbols (sorted), then time; the token is the last key served.
    const rows: Bar[] = [];
    // A daily bar is compared as Alpaca stamps it (midnight New York of its session), so
    // start=2000-09-28 finds the 2000-09-28 bar however its feed stamped it (CSV: UTC midnight).
    const stamp = (bar: Bar) => (book.daily ? nyWallToUtc(book.sessionOf(bar.time), 0, 0) : bar.time);
    for (const s of [...new Set(symbols)].sort()) {
      let list = visibleBars(s).filter(
        (bar) => (start === undefined || stamp(bar) >= start) && (end === undefined || stamp(bar) <= end),
      );
      if (desc) list = [...list].reverse();
      rows.push(...list);
    }
    let from = 0;
    const token = q.get('page_token');
    if (token) {
      let key: [string, number];
      try {
        key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, number];
      } catch {
        throw new Rejection(422, { code: 42210000, message: 'invalid page_token' });
      }
      const idx = rows.findIndex((r) => r.symbol === key[0] && r.time === key[1]);
      if (idx < 0) throw new Rejection(422, { code: 42210000, message: 'invalid page_token' });
      from = idx + 1;
    }
    const page = rows.slice(from, from + limit);
    const lastRow = page[page.length - 1];
    const next =
      from + limit < rows.length && lastRow
        ? Buffer.from(JSON.stringify([lastRow.symbol, lastRow.time]), 'utf8').toString('base64url')
        : null;
    if (single) {
      return { bars: page.length > 0 ? page.map(barJson) : null, symbol: symbols[0], next_page_token: next };
    }
    const bars: Record<string, unknown[]> = {};
    for (const r of page) (bars[r.symbol] ??= []).push(barJson(r));
    return { bars, next_page_token: next };
  }

  function listQuery(q: URLSearchParams): ListOrdersQuery {
    const t = (name: string) => {
      const v = q.get(name);
      if (v === null) return undefined;
      const ms = Date.parse(v);
      if (Number.isNaN(ms)) throw new Rejection(422, { code: 40010001, message: `invalid ${name}` });
      return ms;
    };
    const direction = q.get('direction');
    return {
      ...(q.get('status') !== null ? { status: q.get('status')! } : {}),
      ...(q.get('limit') !== null ? { limit: Number(q.get('limit')) } : {}),
      ...(t('after') !== undefined ? { after: t('after')! } : {}),
      ...(t('until') !== undefined ? { until: t('until')! } : {}),
      ...(direction === 'asc' || direction === 'desc' ? { direction } : {}),
      nested: q.get('nested') === 'true',
      ...(q.get('symbols')
        ? {
            symbols: q
              .get('symbols')!
              .split(',')
              .map((s) => s.trim().toUpperCase()),
          }
        : {}),
      ...(q.get('side') ? { side: q.get('side')! } : {}),
    };
  }

  // ------------------------------------------------------------ lifecycle
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;

  function step(n: number): number {
    let done = 0;
    for (let i = 0; i < n; i++) {
      if (!book.advance()) break;
      done++;
      const t = book.currentBarTime()!;
      for (const l of stepListeners) l(t, book.done);
    }
    return done;
  }
  let timer: NodeJS.Timeout | undefined;
  if (config.speed > 0) {
    timer = setInterval(() => {
      if (step(1) === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    }, 1000 / config.speed);
    timer.unref?.();
  }

  const num = (v: unknown) => Number(v);
  return {
    url: `http://${hostForUrl}:${port}`,
    streamUrl: `ws://${hostForUrl}:${port}/stream`,
    port,
    config,
    get done() {
      return book.done;
    },
    get barTime() {
      return book.currentBarTime();
    },
    get now() {
      return book.now();
    },
    advance: (n = 1) => step(n),
    runToEnd: () => step(Number.POSITIVE_INFINITY),
    setFaults(next) {
      faults = parseWith(faultsSchema, next, 'setFaults');
    },
    dropStreams,
    onStep(listener) {
      stepListeners.add(listener);
      return () => stepListeners.delete(listener);
    },
    state() {
      const a = book.accountJson();
      return {
        cursor: book.cursor,
        now: book.now(),
        barTime: book.currentBarTime(),
        done: book.done,
        account: {
          cash: book.cash,
          equity: book.equity(),
          lastEquity: book.lastEquity,
          buyingPower: book.buyingPower(),
          longMarketValue: num(a.long_market_value),
          shortMarketValue: num(a.short_market_value),
        },
        positions: [...book.positions.values()].map((p) => {
          const j = book.positionJson(p);
          return {
            symbol: p.symbol,
            qty: p.qty,
            avgEntryPrice: p.avgEntryPrice,
            marketValue: num(j.market_value),
            currentPrice: num(j.current_price),
          };
        }),
        orders: [...book.orders.values()].sort((x, y) => x.seq - y.seq).map((o) => book.orderJson(o, false)),
        fills: [...book.fills],
        events: [...book.events],
        listeners: [...clients].filter((c) => c.authorized && c.listening).length,
      };
    },
    async close() {
      if (timer) clearInterval(timer);
      dropStreams();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  if (status === 204 || payload === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
