/**
 * A small fake Alpaca for the client's tests: a real HTTP server on 127.0.0.1:0 answering
 * like Alpaca's Trading and Market Data APIs (string decimals, `{code, message}` error bodies,
 * `X-Ratelimit-*` headers, 204/207 answers, paged bars) plus a `ws` server for
 * `trade_updates` (both auth formats, binary frames, no replay). Faults can be injected
 * per request: a status with a body, dropping the socket before or after the request is
 * processed, a slow answer, malformed JSON.
 *
 * This is test infrastructure, not the paper exchange (`@marlts/broker-alpaca/sim`): it
 * fills orders only when a test says so (`fill`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { isTerminalOrderStatus } from '../src/order-status.js';

export type Json = Record<string, unknown>;

/** What to do with one matching request. */
export type FaultKind =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Process the request (e.g. record the order), then destroy the socket without answering. */
  | { kind: 'drop-after' }
  /** Destroy the socket without processing. */
  | { kind: 'drop-before' }
  /** Process, then answer after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Process, then answer 200 with a truncated JSON body. */
  | { kind: 'malformed' };

export type Fault = FaultKind & {
  method?: string;
  /** Exact path or a pattern (path without query). */
  path?: string | RegExp;
  /** How many matching requests it applies to (default 1). */
  times?: number;
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeAlpacaOptions {
  keyId?: string;
  secretKey?: string;
  /** Send stream frames as binary (the paper endpoint does); default true. */
  binaryFrames?: boolean;
  /** `legacy` adds the PDT fields removed on 2026-07-06. */
  accountShape?: 'current' | 'legacy';
}

let nanoCounter = 0;
/** RFC 3339 UTC with 9 fractional digits, strictly increasing within the process. */
export function nanoTimestamp(ms = Date.now()): string {
  nanoCounter = (nanoCounter + 1) % 1_000_000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(nanoCounter).padStart(6, '0')}Z`;
}

const dec = (n: number) => String(Math.round(n * 1e9) / 1e9);

export const ASSETS: Json[] = [
  {
    id: '904837e3-3b76-47ec-b432-046db621571b',
    class: 'us_equity',
    exchange: 'NASDAQ',
    symbol: 'AAPL',
    name: 'Apple Inc. Common Stock',
    status: 'active',
    tradable: true,
    marginable: true,
    shortable: true,
    easy_to_borrow: true,
    borrow_status: 'easy_to_borrow',
    fractionable: true,
    maintenance_margin_requirement: 30,
    margin_requirement_long: '30',
    margin_requirement_short: '30',
    attributes: ['has_options'],
  },
  {
    id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
    class: 'us_equity',
    exchange: 'NYSE',
    symbol: 'GME',
    name: 'GameStop Corp',
    status: 'active',
    tradable: true,
    marginable: true,
    shortable: true,
    borrow_status: 'hard_to_borrow',
    fractionable: false,
    attributes: [],
  },
  {
    // Pre-2026-06 shape: only the deprecated easy_to_borrow.
    id: '8ccae427-5dd0-45b3-b5fe-7ba5e422c766',
    class: 'us_equity',
    exchange: 'NASDAQ',
    symbol: 'MSFT',
    name: 'Microsoft Corporation',
    status: 'active',
    tradable: true,
    marginable: true,
    shortable: true,
    easy_to_borrow: true,
    fractionable: true,
  },
];

export class FakeAlpaca {
  readonly keyId: string;
  readonly secretKey: string;
  url = '';
  wsUrl = '';
  readonly requests: RecordedRequest[] = [];
  readonly orders = new Map<string, Json>();
  /** Positions by symbol: signed qty and average entry price. */
  readonly positions = new Map<string, { qty: number; avg: number }>();
  cash = 100_000;
  /** Price used for market orders and position marks. */
  readonly prices = new Map<string, number>([
    ['AAPL', 190],
    ['MSFT', 410],
    ['GME', 20],
  ]);
  /** Bars per symbol (wire form), used by `/v2/stocks/bars`. */
  readonly bars = new Map<string, Json[]>();
  /** Every stream frame sent (for tests), including those sent while nobody listened. */
  readonly streamLog: Json[] = [];
  accountShape: 'current' | 'legacy';
  /** Server clock minus real clock, in ms (a replaying simulator's clock can be far behind). */
  clockOffsetMs = 0;
  private readonly binaryFrames: boolean;
  private readonly faults: Fault[] = [];
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly listeners = new Set<WebSocket>();
  private execCounter = 0;

  constructor(options: FakeAlpacaOptions = {}) {
    this.keyId = options.keyId ?? 'PKTESTKEYID0000000001';
    this.secretKey = options.secretKey ?? 'sEcReT-test-secret-key-0000000000000000';
    this.binaryFrames = options.binaryFrames ?? true;
    this.accountShape = options.accountShape ?? 'current';
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) this.json(res, 500, { code: 50010000, message: `fake crashed: ${String(e)}` });
      });
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/stream')) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onStream(ws));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/stream`;
    return this;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queue a fault for the next matching request(s). */
  fault(f: Fault): this {
    this.faults.push({ ...f, times: f.times ?? 1 });
    return this;
  }

  /** Requests with this method and path. */
  count(method: string, path: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && matchPath(path, r.path)).length;
  }

  private ts(): string {
    return nanoTimestamp(Date.now() + this.clockOffsetMs);
  }

  // ---------------------------------------------------------------- stream

  private onStream(ws: WebSocket): void {
    let authed = false;
    ws.on('message', (data) => {
      let msg: Json;
      try {
        msg = JSON.parse(String(data));
      } catch {
        this.sendTo(ws, { stream: 'error', data: { error_message: 'invalid syntax' } });
        return;
      }
      if (msg.action === 'auth' || msg.action === 'authenticate') {
        const d = (msg.data ?? {}) as Json;
        const key = msg.action === 'auth' ? msg.key : d.key_id;
        const secret = msg.action === 'auth' ? msg.secret : d.secret_key;
        authed = key === this.keyId && secret === this.secretKey;
        this.sendTo(ws, {
          stream: 'authorization',
          data: authed
            ? { status: 'authorized', action: 'authenticate' }
            : { status: 'unauthorized', action: 'authenticate', message: 'access key verification failed' },
        });
        if (!authed) ws.close();
        return;
      }
      if (msg.action === 'listen') {
        if (!authed) {
          this.sendTo(ws, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
          return;
        }
        const streams = (((msg.data ?? {}) as Json).streams ?? []) as string[];
        if (streams.includes('trade_updates')) this.listeners.add(ws);
        else this.listeners.delete(ws);
        this.sendTo(ws, { stream: 'listening', data: { streams } });
      }
    });
    ws.on('close', () => this.listeners.delete(ws));
    ws.on('error', () => this.listeners.delete(ws));
  }

  private sendTo(ws: WebSocket, msg: Json): void {
    const text = JSON.stringify(msg);
    ws.send(this.binaryFrames ? Buffer.from(text, 'utf8') : text, { binary: this.binaryFrames });
  }

  /** Send a heartbeat byte (0x01) to every listener. */
  heartbeat(): void {
    for (const ws of this.listeners) ws.send(Buffer.from([1]), { binary: true });
  }

  /** Number of sockets listening to trade_updates. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Terminate every stream connection (no close handshake), as a network drop would. */
  dropStreams(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.listeners.clear();
  }

  /** Broadcast a trade update; lost when nobody listens (the stream has no replay). */
  emit(event: string, order: Json, extra: Json = {}): void {
    const msg = {
      stream: 'trade_updates',
      data: { event, order: this.nested(order), timestamp: this.ts(), ...extra },
    };
    this.streamLog.push(msg);
    for (const ws of this.listeners) this.sendTo(ws, msg);
  }

  // ---------------------------------------------------------------- orders

  /** Fill `qty` of an order at `price` (partial when less than what remains). */
  fill(orderId: string, qty: number, price: number): Json {
    const o = this.orders.get(orderId);
    if (!o) throw new Error(`no order ${orderId}`);
    const prevQty = Number(o.filled_qty);
    const prevAvg = o.filled_avg_price === null ? 0 : Number(o.filled_avg_price);
    const total = o.qty === null ? qty : Number(o.qty);
    const newQty = Math.min(total, prevQty + qty);
    const exec = newQty - prevQty;
    const avg = (prevAvg * prevQty + price * exec) / newQty;
    const now = this.ts();
    o.filled_qty = dec(newQty);
    o.filled_avg_price = dec(avg);
    o.status = newQty >= total ? 'filled' : 'partially_filled';
    o.updated_at = now;
    if (o.status === 'filled') o.filled_at = now;
    const sign = o.side === 'buy' ? 1 : -1;
    const pos = this.positions.get(o.symbol as string) ?? { qty: 0, avg: 0 };
    const nextQty = pos.qty + sign * exec;
    if (Math.sign(nextQty) !== Math.sign(pos.qty) || pos.qty === 0) pos.avg = price;
    else if (Math.abs(nextQty) > Math.abs(pos.qty))
      pos.avg = (pos.avg * Math.abs(pos.qty) + price * exec) / Math.abs(nextQty);
    pos.qty = nextQty;
    if (pos.qty === 0) this.positions.delete(o.symbol as string);
    else this.positions.set(o.symbol as string, pos);
    this.cash -= sign * exec * price;
    // Bracket legs wake up when the entry fills.
    if (o.status === 'filled')
      for (const leg of this.legsOf(o))
        if (leg.status === 'held') {
          leg.status = 'new';
          leg.updated_at = now;
        }
    this.emit(o.status === 'filled' ? 'fill' : 'partial_fill', o, {
      price: dec(price),
      qty: dec(exec),
      position_qty: dec(pos.qty),
      execution_id: `exec-${++this.execCounter}`,
    });
    return o;
  }

  /** Cancel an order server-side (as an expiry or a leg cancel would). */
  cancel(orderId: string, status: 'canceled' | 'expired' = 'canceled'): Json {
    const o = this.orders.get(orderId);
    if (!o) throw new Error(`no order ${orderId}`);
    const now = this.ts();
    o.status = status;
    o.updated_at = now;
    o[status === 'canceled' ? 'canceled_at' : 'expired_at'] = now;
    this.emit(status, o);
    return o;
  }

  private legsOf(o: Json): Json[] {
    return ((o._legs as string[] | undefined) ?? []).map((id) => this.orders.get(id) as Json);
  }

  /** Wire form of an order with nested legs and no private fields. */
  nested(o: Json): Json {
    const { _legs, _parent, ...pub } = o;
    return { ...pub, legs: _legs ? this.legsOf(o).map((l) => this.nested(l)) : null };
  }

  private flat(o: Json): Json {
    const { _legs, _parent, ...pub } = o;
    return { ...pub, legs: null };
  }

  private newOrder(body: Json, overrides: Json = {}): Json {
    const now = this.ts();
    const type = (body.type as string) ?? 'market';
    return {
      id: randomUUID(),
      client_order_id: (body.client_order_id as string) ?? randomUUID(),
      created_at: now,
      updated_at: now,
      submitted_at: now,
      filled_at: null,
      expired_at: null,
      expires_at: null,
      canceled_at: null,
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: ASSETS.find((a) => a.symbol === body.symbol)?.id ?? randomUUID(),
      symbol: body.symbol,
      asset_class: 'us_equity',
      notional: body.notional ?? null,
      qty: body.qty ?? null,
      filled_qty: '0',
      filled_avg_price: null,
      order_class: body.order_class === 'simple' || body.order_class === undefined ? '' : body.order_class,
      order_type: type,
      type,
      side: body.side,
      position_intent: body.side === 'buy' ? 'buy_to_open' : 'sell_to_close',
      time_in_force: body.time_in_force,
      limit_price: body.limit_price ?? null,
      stop_price: body.stop_price ?? null,
      status: 'new',
      extended_hours: body.extended_hours ?? false,
      legs: null,
      trail_percent: body.trail_percent ?? null,
      trail_price: body.trail_price ?? null,
      hwm: null,
      subtag: null,
      source: 'access_key',
      ...overrides,
    };
  }

  // ---------------------------------------------------------------- HTTP

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-ratelimit-limit': '200',
      'x-ratelimit-remaining': '199',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60),
      ...headers,
    });
    res.end(text);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method === method) && (f.path === undefined || matchPath(f.path, path)),
    );
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    this.requests.push({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });

    const fault = this.takeFault(method, url.pathname);
    if (fault?.kind === 'drop-before') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      this.json(res, fault.status, fault.body, fault.headers);
      return;
    }
    if (
      req.headers['apca-api-key-id'] !== this.keyId ||
      req.headers['apca-api-secret-key'] !== this.secretKey
    ) {
      this.json(res, 401, { code: 40110000, message: 'request is not authorized' });
      return;
    }
    const [status, out] = this.route(method, url.pathname, url.searchParams, body);
    if (fault?.kind === 'drop-after') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out).slice(0, 20));
      return;
    }
    if (res.destroyed || req.socket.destroyed) return;
    this.json(res, status, out);
  }

  private route(method: string, path: string, q: URLSearchParams, body: unknown): [number, unknown] {
    const notFound: [number, unknown] = [404, { code: 40410000, message: 'resource not found' }];
    const key = `${method} ${path}`;
    if (key === 'GET /v2/account') return [200, this.account()];
    if (key === 'GET /v2/account/configurations') return [200, this.accountConfig()];
    if (key === 'GET /v2/clock')
      return [
        200,
        {
          timestamp: '2026-11-20T10:31:07.482915263-05:00',
          is_open: true,
          next_open: '2026-11-23T09:30:00-05:00',
          next_close: '2026-11-20T16:00:00-05:00',
        },
      ];
    if (key === 'GET /v2/calendar') return [200, calendar(q.get('start') ?? '', q.get('end') ?? '')];
    if (key === 'GET /v2/assets') {
      const status = q.get('status');
      return [200, ASSETS.filter((a) => !status || a.status === status)];
    }
    let m = /^\/v2\/assets\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const a = ASSETS.find((x) => x.symbol === decodeURIComponent(m?.[1] ?? '') || x.id === m?.[1]);
      return a ? [200, a] : [404, { code: 40410000, message: 'asset not found' }];
    }
    if (key === 'GET /v2/positions')
      return [200, [...this.positions.keys()].sort().map((s) => this.position(s))];
    m = /^\/v2\/positions\/([^/]+)$/.exec(path);
    if (m) {
      const symbol = decodeURIComponent(m[1] as string);
      if (!this.positions.has(symbol)) return [404, { code: 40410000, message: 'position does not exist' }];
      if (method === 'GET') return [200, this.position(symbol)];
      if (method === 'DELETE') return [200, this.nested(this.closePosition(symbol))];
    }
    if (key === 'DELETE /v2/positions') {
      const out = [...this.positions.keys()].map((symbol) => ({
        symbol,
        status: 200,
        body: this.nested(this.closePosition(symbol)),
      }));
      return [207, out];
    }
    if (key === 'POST /v2/orders') return this.submit(body as Json);
    if (key === 'GET /v2/orders') return [200, this.list(q)];
    if (key === 'DELETE /v2/orders') {
      const out = [...this.orders.values()]
        .filter((o) => !isTerminalOrderStatus(o.status as string))
        .map((o) => {
          this.cancel(o.id as string);
          return { id: o.id, status: 200, body: this.nested(o) };
        });
      return [207, out];
    }
    if (key === 'GET /v2/orders:by_client_order_id') {
      const o = [...this.orders.values()].find((x) => x.client_order_id === q.get('client_order_id'));
      return o ? [200, this.nested(o)] : [404, { code: 40410000, message: 'order not found' }];
    }
    m = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (m) {
      const o = this.orders.get(m[1] as string);
      if (!o) return [404, { code: 40410000, message: 'order not found' }];
      if (method === 'GET') return [200, q.get('nested') === 'false' ? this.flat(o) : this.nested(o)];
      if (method === 'DELETE') {
        if (isTerminalOrderStatus(o.status as string))
          return [422, { code: 42210000, message: `order is not cancelable (status ${o.status})` }];
        this.cancel(o.id as string);
        return [204, undefined];
      }
      if (method === 'PATCH') return this.replace(o, body as Json);
    }
    if (key === 'GET /v2/stocks/bars') return this.barsPage(q);
    if (key === 'GET /v2/stocks/quotes/latest') {
      const quotes: Json = {};
      for (const s of (q.get('symbols') ?? '').split(',')) {
        const p = this.prices.get(s);
        if (p === undefined) continue;
        quotes[s] = {
          t: '2026-11-20T15:31:07.482915263Z',
          ax: 'V',
          ap: p + 0.01,
          as: 3,
          bx: 'V',
          bp: p - 0.01,
          bs: 0,
          c: ['R'],
          z: 'C',
        };
      }
      return [200, { quotes }];
    }
    if (key === 'GET /v2/stocks/trades/latest') {
      const trades: Json = {};
      for (const s of (q.get('symbols') ?? '').split(',')) {
        const p = this.prices.get(s);
        if (p !== undefined)
          trades[s] = { t: '2026-11-20T15:31:07.1Z', x: 'V', p, s: 100, c: ['@'], i: 52983525029461, z: 'C' };
      }
      return [200, { trades }];
    }
    return notFound;
  }

  private account(): Json {
    let longValue = 0;
    let shortValue = 0;
    for (const [s, p] of this.positions) {
      const v = p.qty * (this.prices.get(s) ?? p.avg);
      if (v >= 0) longValue += v;
      else shortValue += v;
    }
    const equity = this.cash + longValue + shortValue;
    const acct: Json = {
      id: 'e6fe16f3-64a4-4921-8928-cadf02f92f98',
      account_number: 'PA3WQNT9V7HX',
      status: 'ACTIVE',
      crypto_status: 'ACTIVE',
      currency: 'USD',
      buying_power: dec(Math.max(0, equity * 2 - Math.abs(shortValue))),
      regt_buying_power: dec(equity * 2),
      non_marginable_buying_power: dec(this.cash),
      options_buying_power: dec(this.cash),
      effective_buying_power: dec(equity * 2),
      cash: dec(this.cash),
      accrued_fees: '0',
      portfolio_value: dec(equity),
      equity: dec(equity),
      last_equity: '100000',
      long_market_value: dec(longValue),
      short_market_value: dec(shortValue),
      initial_margin: '0',
      maintenance_margin: '0',
      last_maintenance_margin: '0',
      sma: '0',
      multiplier: '2',
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      trade_suspended_by_user: false,
      shorting_enabled: true,
      options_approved_level: 0,
      options_trading_level: 0,
      crypto_tier: 1,
      balance_asof: '2026-11-19',
      created_at: '2026-01-05T15:02:11.118843Z',
      intraday_adjustments: '0',
      pending_reg_taf_fees: '0',
    };
    if (this.accountShape === 'legacy')
      Object.assign(acct, {
        pattern_day_trader: false,
        daytrade_count: 2,
        daytrading_buying_power: '0',
        bod_dtbp: '0',
        last_daytrade_count: 1,
        last_daytrading_buying_power: '0',
      });
    return acct;
  }

  private accountConfig(): Json {
    return {
      dtbp_check: undefined,
      trade_confirm_email: 'all',
      suspend_trade: false,
      no_shorting: false,
      fractional_trading: true,
      max_margin_multiplier: '2',
      ptp_no_exception_entry: false,
      max_options_trading_level: 0,
    };
  }

  private position(symbol: string): Json {
    const p = this.positions.get(symbol) as { qty: number; avg: number };
    const price = this.prices.get(symbol) ?? p.avg;
    const cost = p.qty * p.avg;
    const value = p.qty * price;
    return {
      asset_id: ASSETS.find((a) => a.symbol === symbol)?.id ?? randomUUID(),
      symbol,
      exchange: 'NASDAQ',
      asset_class: 'us_equity',
      asset_marginable: true,
      qty: dec(p.qty),
      qty_available: dec(p.qty),
      avg_entry_price: dec(p.avg),
      side: p.qty < 0 ? 'short' : 'long',
      market_value: dec(value),
      cost_basis: dec(cost),
      unrealized_pl: dec(value - cost),
      unrealized_plpc: dec(cost === 0 ? 0 : (value - cost) / Math.abs(cost)),
      unrealized_intraday_pl: dec(value - cost),
      unrealized_intraday_plpc: dec(cost === 0 ? 0 : (value - cost) / Math.abs(cost)),
      current_price: dec(price),
      lastday_price: dec(price),
      change_today: '0',
    };
  }

  private closePosition(symbol: string): Json {
    const p = this.positions.get(symbol) as { qty: number; avg: number };
    const o = this.newOrder({
      symbol,
      qty: dec(Math.abs(p.qty)),
      side: p.qty > 0 ? 'sell' : 'buy',
      type: 'market',
      time_in_force: 'day',
    });
    this.orders.set(o.id as string, o);
    this.emit('new', o);
    return o;
  }

  private submit(b: Json): [number, unknown] {
    if (!b || typeof b !== 'object')
      return [400, { code: 40010000, message: 'request body format is invalid' }];
    if (
      b.client_order_id !== undefined &&
      [...this.orders.values()].some((o) => o.client_order_id === b.client_order_id)
    )
      return [422, { code: 40010001, message: 'client_order_id must be unique' }];
    if ((b.qty === undefined) === (b.notional === undefined))
      return [422, { code: 40010001, message: 'qty or notional is required' }];
    const oco = b.order_class === 'oco';
    const tp = b.take_profit as Json | undefined;
    const sl = b.stop_loss as Json | undefined;
    // Alpaca's OCO is an exit whose own limit price is take_profit.limit_price; a top-level
    // limit_price is not required there (and is ignored when sent).
    if (oco && (tp?.limit_price === undefined || sl?.stop_price === undefined))
      return [
        422,
        { code: 40010001, message: 'oco orders require take_profit.limit_price and stop_loss.stop_price' },
      ];
    if (!oco && (b.type === 'limit' || b.type === 'stop_limit') && b.limit_price === undefined)
      return [422, { code: 40010001, message: 'limit_price is required' }];
    if (b.qty !== undefined && typeof b.qty !== 'string')
      return [422, { code: 40010001, message: 'qty must be a string' }];
    const price =
      b.limit_price !== undefined ? Number(b.limit_price) : (this.prices.get(b.symbol as string) ?? 0);
    const cost = b.qty !== undefined ? Number(b.qty) * price : Number(b.notional);
    const bp = Number(this.account().buying_power);
    if (b.side === 'buy' && cost > bp)
      return [
        403,
        {
          code: 40310000,
          message: 'insufficient buying power',
          buying_power: dec(bp),
          cost_basis: dec(cost),
        },
      ];
    const o = this.newOrder(oco ? { ...b, limit_price: tp?.limit_price } : b);
    this.orders.set(o.id as string, o);
    if (oco) {
      // The order itself is the take-profit limit; its one leg is the stop on the same side.
      const leg = this.newOrder(
        {
          symbol: b.symbol,
          qty: b.qty,
          side: b.side,
          type: sl?.limit_price === undefined ? 'stop' : 'stop_limit',
          time_in_force: b.time_in_force,
          stop_price: sl?.stop_price,
          limit_price: sl?.limit_price,
        },
        { order_class: 'oco', _parent: o.id },
      );
      this.orders.set(leg.id as string, leg);
      o._legs = [leg.id];
    } else if (b.order_class === 'bracket' || b.order_class === 'oto') {
      const exitSide = b.side === 'buy' ? 'sell' : 'buy';
      const legs: Json[] = [];
      if (tp)
        legs.push(
          this.newOrder(
            {
              symbol: b.symbol,
              qty: b.qty,
              side: exitSide,
              type: 'limit',
              time_in_force: b.time_in_force,
              limit_price: tp.limit_price,
            },
            { status: 'held', order_class: b.order_class, _parent: o.id, position_intent: 'sell_to_close' },
          ),
        );
      if (sl)
        legs.push(
          this.newOrder(
            {
              symbol: b.symbol,
              qty: b.qty,
              side: exitSide,
              type: sl.limit_price === undefined ? 'stop' : 'stop_limit',
              time_in_force: b.time_in_force,
              stop_price: sl.stop_price,
              limit_price: sl.limit_price,
            },
            { status: 'held', order_class: b.order_class, _parent: o.id, position_intent: 'sell_to_close' },
          ),
        );
      for (const leg of legs) this.orders.set(leg.id as string, leg);
      o._legs = legs.map((l) => l.id);
    }
    this.emit('new', o);
    return [200, this.nested(o)];
  }

  private replace(o: Json, b: Json): [number, unknown] {
    if (isTerminalOrderStatus(o.status as string))
      return [422, { code: 42210000, message: `order is not replaceable (status ${o.status})` }];
    if (
      b.client_order_id !== undefined &&
      [...this.orders.values()].some((x) => x.client_order_id === b.client_order_id)
    )
      return [422, { code: 40010001, message: 'client_order_id must be unique' }];
    const now = this.ts();
    const next = this.newOrder(
      {
        symbol: o.symbol,
        qty: b.qty ?? o.qty,
        side: o.side,
        type: o.type,
        time_in_force: b.time_in_force ?? o.time_in_force,
        limit_price: b.limit_price ?? o.limit_price ?? undefined,
        stop_price: b.stop_price ?? o.stop_price ?? undefined,
        client_order_id: b.client_order_id,
      },
      { replaces: o.id },
    );
    o.status = 'replaced';
    o.replaced_at = now;
    o.replaced_by = next.id;
    o.updated_at = now;
    this.orders.set(next.id as string, next);
    this.emit('replaced', o);
    return [200, this.nested(next)];
  }

  private list(q: URLSearchParams): Json[] {
    const status = q.get('status') ?? 'open';
    const nested = q.get('nested') === 'true';
    const after = q.get('after');
    const until = q.get('until');
    const symbols = q.get('symbols')?.split(',');
    const limit = Math.min(500, Number(q.get('limit') ?? 50));
    let out = [...this.orders.values()].filter((o) => {
      if (nested && o._parent) return false;
      const open = !isTerminalOrderStatus(o.status as string);
      if (status === 'open' && !open) return false;
      if (status === 'closed' && open) return false;
      const t = Date.parse(o.submitted_at as string);
      if (after && !(t > Date.parse(after))) return false;
      if (until && !(t < Date.parse(until))) return false;
      if (symbols && !symbols.includes(o.symbol as string)) return false;
      if (q.get('side') && o.side !== q.get('side')) return false;
      return true;
    });
    out.sort((a, b) => (a.submitted_at as string).localeCompare(b.submitted_at as string));
    if (q.get('direction') !== 'asc') out.reverse();
    out = out.slice(0, limit);
    return out.map((o) => (nested ? this.nested(o) : this.flat(o)));
  }

  /** Multi-symbol bars with Alpaca's paging: `limit` counts across symbols, symbol-then-time order. */
  private barsPage(q: URLSearchParams): [number, unknown] {
    const symbols = (q.get('symbols') ?? '').split(',').filter(Boolean).sort();
    const tf = q.get('timeframe');
    if (!tf) return [422, { code: 42210000, message: 'invalid timeframe' }];
    if (q.get('feed') === 'sip' && q.get('end') === 'recent')
      return [403, { message: 'subscription does not permit querying recent SIP data' }];
    const start = Date.parse(q.get('start') ?? '1970-01-01T00:00:00Z');
    const end = Date.parse(q.get('end') ?? '2100-01-01T00:00:00Z');
    const all: [string, Json][] = [];
    for (const s of symbols)
      for (const b of this.bars.get(s) ?? []) {
        const t = Date.parse(b.t as string);
        if (t >= start && t <= end) all.push([s, b]);
      }
    const limit = Math.min(10_000, Number(q.get('limit') ?? 1000));
    const offset = q.get('page_token')
      ? Number(Buffer.from(q.get('page_token') as string, 'base64url').toString())
      : 0;
    const page = all.slice(offset, offset + limit);
    const bars: Record<string, Json[]> = {};
    for (const [s, b] of page) (bars[s] ??= []).push(b);
    const next =
      offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
    return [200, { bars, next_page_token: next }];
  }
}

function matchPath(p: string | RegExp, path: string): boolean {
  return typeof p === 'string' ? p === path : p.test(path);
}

/** Weekdays between start and end, with a fixed early close on 2026-11-27 and a holiday on 2026-11-26. */
function calendar(start: string, end: string): Json[] {
  const out: Json[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t);
    const date = d.toISOString().slice(0, 10);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6 || date === '2026-11-26') continue;
    out.push({
      date,
      open: '09:30',
      close: date === '2026-11-27' ? '13:00' : '16:00',
      session_open: '0400',
      session_close: date === '2026-11-27' ? '1700' : '2000',
      settlement_date: date,
    });
  }
  return out;
}
