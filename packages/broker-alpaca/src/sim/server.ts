/**
 * The paper exchange's network face: Alpaca's Trading API v2 and Market Data v2 REST paths
 * (`routes/`, one file per API area) plus the `trade_updates` websocket
 * (`stream-server.ts`), on one loopback HTTP server, with authentication, rate-limit
 * headers (`rate-limit.ts`) and fault injection (`faults.ts`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PaperBook } from './exchange.js';
import { Faults } from './faults.js';
import type { SimFill } from './model.js';
import {
  faultsSchema,
  type PaperExchangeConfig,
  type PaperExchangeOptions,
  paperExchangeOptionsSchema,
  parseWith,
  type SimFault,
} from './options.js';
import { RateWindow } from './rate-limit.js';
import { Rejection } from './rejection.js';
import { route } from './routes/router.js';
import { TradeUpdateServer } from './stream-server.js';
import { accountJson, positionJson } from './wire/account.js';
import { orderJson, type TradeUpdateEvent } from './wire/orders.js';

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
  const faults = new Faults(config.faults);
  const rateWindow = new RateWindow(config.rateLimitPerMinute);
  const streams = new TradeUpdateServer({ binaryFrames: config.binaryFrames });
  const stepListeners = new Set<(barTime: number, done: boolean) => void>();

  book.orders.onEvent = (event) => {
    if (faults.dropsStreamEvent()) {
      streams.dropAll();
      return; // this event is lost, as it would be on Alpaca
    }
    streams.broadcast(event);
  };

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
    streams.upgrade(req, socket, head);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const limited = rateWindow.count(res);
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
    const fault = faults.forRequest(method, path);
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
      [status, payload] = route(book, method, path, url.searchParams, body);
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
  const { clock, account } = book;

  function step(n: number): number {
    let done = 0;
    for (let i = 0; i < n; i++) {
      if (!book.advance()) break;
      done++;
      const t = clock.currentBarTime()!;
      for (const l of stepListeners) l(t, clock.done);
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
      return clock.done;
    },
    get barTime() {
      return clock.currentBarTime();
    },
    get now() {
      return clock.now();
    },
    advance: (n = 1) => step(n),
    runToEnd: () => step(Number.POSITIVE_INFINITY),
    setFaults(next) {
      faults.set(parseWith(faultsSchema, next, 'setFaults'));
    },
    dropStreams: () => streams.dropAll(),
    onStep(listener) {
      stepListeners.add(listener);
      return () => stepListeners.delete(listener);
    },
    state() {
      const accountWire = accountJson(book);
      return {
        cursor: clock.cursor,
        now: clock.now(),
        barTime: clock.currentBarTime(),
        done: clock.done,
        account: {
          cash: account.cash,
          equity: account.equity(),
          lastEquity: account.lastEquity,
          buyingPower: account.buyingPower(),
          longMarketValue: num(accountWire.long_market_value),
          shortMarketValue: num(accountWire.short_market_value),
        },
        positions: [...account.positions.values()].map((p) => {
          const positionWire = positionJson(book, p);
          return {
            symbol: p.symbol,
            qty: p.qty,
            avgEntryPrice: p.avgEntryPrice,
            marketValue: num(positionWire.market_value),
            currentPrice: num(positionWire.current_price),
          };
        }),
        orders: [...book.orders.byId.values()]
          .sort((x, y) => x.seq - y.seq)
          .map((o) => orderJson(o, false, book.orders.orderById)),
        fills: [...account.fills],
        events: [...book.orders.events],
        listeners: streams.listeners(),
      };
    },
    async close() {
      if (timer) clearInterval(timer);
      streams.dropAll();
      streams.close();
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
