/**
 * `createAlpacaClient`: the Trading API v2 + Market Data v2 client. Paper by default; the
 * live host only with an explicit `env: 'live'`. Order submission is idempotent through a
 * `client_order_id` that is fixed before the first attempt: Alpaca refuses a second order
 * with the same id, so a resend after an uncertain outcome cannot create a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AlpacaError, redactSecrets } from './errors.js';
import {
  type AlpacaLogger,
  HttpClient,
  type HttpResult,
  type RequestSpec,
  type RetryOptions,
} from './http.js';
import {
  buildOrderBody,
  buildReplaceBody,
  type OrderBody,
  type OrderInput,
  type ReplaceBody,
  type ReplaceOrderInput,
} from './orders.js';
import { RateLimiter } from './rate-limiter.js';
import { LatestQuotesSchema, LatestTradesSchema, MultiBarsPageSchema, toBar } from './schemas/market-data.js';
import { toDecimalString } from './schemas/primitives.js';
import {
  AccountConfigSchema,
  AccountSchema,
  AssetSchema,
  CalendarDaySchema,
  ClockSchema,
  MultiStatusItemSchema,
  OrderSchema,
  PositionSchema,
} from './schemas/trading.js';
import { openTradeUpdateStream, type TradeUpdateStream, type TradeUpdateStreamOptions } from './stream.js';
import type {
  Account,
  AccountConfig,
  Asset,
  Bar,
  CalendarDay,
  Clock,
  MultiStatusResult,
  Order,
  OrderSide,
  Position,
  Quote,
  Trade,
  TradeUpdate,
} from './types.js';

/**
 * Alpaca's hosts (https://docs.alpaca.markets/docs/paper-trading): the client's defaults for
 * `baseUrl`, `dataBaseUrl` and `streamUrl`. Market data uses one host for paper and live.
 * @example
 * createAlpacaClient({ keyId, secretKey, env: 'live' }).config.baseUrl === ALPACA_HOSTS.live; // true
 */
export const ALPACA_HOSTS = {
  paper: 'https://paper-api.alpaca.markets',
  live: 'https://api.alpaca.markets',
  data: 'https://data.alpaca.markets',
  paperStream: 'wss://paper-api.alpaca.markets/stream',
  liveStream: 'wss://api.alpaca.markets/stream',
} as const;

const LIVE_TRADING_HOST = 'api.alpaca.markets';
const PAPER_TRADING_HOST = 'paper-api.alpaca.markets';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `${what} must be a function` });

const OptionsSchema = z.object({
  keyId: z
    .string({ message: 'keyId is required (your Alpaca API key id)' })
    .min(1, 'keyId must not be empty'),
  secretKey: z
    .string({ message: 'secretKey is required (your Alpaca API secret)' })
    .min(1, 'secretKey must not be empty'),
  env: z.enum(['paper', 'live']).default('paper'),
  baseUrl: z.string().optional(),
  dataBaseUrl: z.string().optional(),
  streamUrl: z.string().optional(),
  fetch: fn<FetchLike>('fetch').optional(),
  logger: z
    .custom<AlpacaLogger>((v) => typeof v === 'object' && v !== null, { message: 'logger must be an object' })
    .optional(),
  timeoutMs: z.number().int().positive().default(10_000),
  retry: z
    .object({
      retries: z.number().int().min(0).max(20).default(3),
      baseDelayMs: z.number().min(0).default(500),
      maxDelayMs: z.number().min(0).default(60_000),
      jitter: z.boolean().default(true),
    })
    .prefault({}),
  rateLimit: z
    .object({
      requestsPerMinute: z.number().int().positive().default(200),
      dataRequestsPerMinute: z.number().int().positive().default(200),
    })
    .prefault({}),
  feed: z.enum(['iex', 'sip', 'otc', 'boats', 'delayed_sip']).default('iex'),
  stream: z
    .object({
      pingIntervalMs: z.number().int().positive().default(10_000),
      reconnectBaseDelayMs: z.number().min(0).default(500),
      reconnectMaxDelayMs: z.number().min(0).default(30_000),
      reconcileMarginMs: z.number().min(0).default(10_000),
    })
    .prefault({}),
  now: fn<() => number>('now').optional(),
  sleep: fn<(ms: number) => Promise<void>>('sleep').optional(),
  generateClientOrderId: fn<() => string>('generateClientOrderId').optional(),
});

/** Options of {@link createAlpacaClient}. */
export type AlpacaClientOptions = z.input<typeof OptionsSchema>;

/** The parsed options, readable back as `client.config` (without the secrets). */
export interface AlpacaClientConfig {
  env: 'paper' | 'live';
  baseUrl: string;
  dataBaseUrl: string;
  streamUrl: string;
  timeoutMs: number;
  retry: RetryOptions;
  rateLimit: { requestsPerMinute: number; dataRequestsPerMinute: number };
  feed: 'iex' | 'sip' | 'otc' | 'boats' | 'delayed_sip';
  stream: {
    pingIntervalMs: number;
    reconnectBaseDelayMs: number;
    reconnectMaxDelayMs: number;
    reconcileMarginMs: number;
  };
}

/** Query of `listOrders` (`GET /v2/orders`). */
export interface ListOrdersQuery {
  status?: 'open' | 'closed' | 'all';
  /** 1–500 (Alpaca's default 50). */
  limit?: number;
  /** Submission time lower bound (exclusive), RFC 3339 or Date. */
  after?: string | Date;
  /** Submission time upper bound (exclusive). */
  until?: string | Date;
  direction?: 'asc' | 'desc';
  /** Return bracket/OCO/OTO legs inside their parent (default true). */
  nested?: boolean;
  symbols?: readonly string[];
  side?: OrderSide;
}

/** Query of `listAssets`. */
export interface ListAssetsQuery {
  status?: 'active' | 'inactive';
  assetClass?: 'us_equity' | 'us_option' | 'crypto';
  exchange?: string;
  attributes?: readonly string[];
}

/** Query of `getBars`. */
export interface BarsQuery {
  symbols: readonly string[];
  /** `[1-59]Min`, `[1-23]Hour`, `1Day`, `1Week`, `[1,2,3,4,6,12]Month` (or `T`/`H`/`D`/`W`/`M`). */
  timeframe: string;
  /** Inclusive, RFC 3339 / `YYYY-MM-DD` or Date. */
  start: string | Date;
  /** Inclusive; always sent (Alpaca's default end depends on the feed and the data plan). */
  end: string | Date;
  /** Bars per page across all symbols, 1–10 000 (default 10 000). */
  limit?: number;
  adjustment?: 'raw' | 'split' | 'dividend' | 'spin-off' | 'all';
  feed?: AlpacaClientConfig['feed'];
}

/** The client returned by {@link createAlpacaClient}. */
export interface AlpacaClient {
  readonly config: AlpacaClientConfig;
  getAccount(): Promise<Account>;
  getAccountConfig(): Promise<AccountConfig>;
  getClock(): Promise<Clock>;
  getCalendar(range: { start: string | Date; end: string | Date }): Promise<CalendarDay[]>;
  listAssets(query?: ListAssetsQuery): Promise<Asset[]>;
  getAsset(symbol: string): Promise<Asset>;
  listPositions(): Promise<Position[]>;
  getPosition(symbol: string): Promise<Position>;
  closePosition(
    symbol: string,
    options?: { qty?: number | string; percentage?: number | string },
  ): Promise<Order>;
  closeAllPositions(options?: { cancelOrders?: boolean }): Promise<MultiStatusResult[]>;
  submitOrder(input: OrderInput): Promise<Order>;
  getOrder(id: string, options?: { nested?: boolean }): Promise<Order>;
  getOrderByClientId(clientOrderId: string): Promise<Order>;
  listOrders(query?: ListOrdersQuery): Promise<Order[]>;
  cancelOrder(id: string): Promise<void>;
  cancelAllOrders(): Promise<MultiStatusResult[]>;
  replaceOrder(id: string, patch: ReplaceOrderInput): Promise<Order>;
  getBars(query: BarsQuery): Promise<Bar[]>;
  getLatestQuotes(
    symbols: readonly string[],
    options?: { feed?: AlpacaClientConfig['feed'] },
  ): Promise<Record<string, Quote>>;
  getLatestTrades(
    symbols: readonly string[],
    options?: { feed?: AlpacaClientConfig['feed'] },
  ): Promise<Record<string, Trade>>;
  streamTradeUpdates(
    onUpdate: (update: TradeUpdate) => void,
    options?: TradeUpdateStreamOptions,
  ): TradeUpdateStream;
}

function configError(message: string, field: string, secrets: readonly string[]): AlpacaError {
  return new AlpacaError('CONFIG', redactSecrets(message, secrets), { field });
}

function parseUrl(
  value: string,
  field: string,
  protocols: readonly string[],
  secrets: readonly string[],
): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${field} is not a valid URL: ${JSON.stringify(value)}`, field, secrets);
  }
  if (!protocols.includes(url.protocol))
    throw configError(`${field} must use ${protocols.join(' or ')}, got ${url.protocol}`, field, secrets);
  if (url.search || url.hash) throw configError(`${field} must not have a query or fragment`, field, secrets);
  return url;
}

const isAlpacaHost = (host: string) => host === 'alpaca.markets' || host.endsWith('.alpaca.markets');
const trimSlash = (s: string) => s.replace(/\/+$/, '');

/**
 * Resolve the three URLs and apply the live guard. A `baseUrl` that is not an Alpaca host
 * (a local sim or fake) also serves market data and the stream unless they are given:
 * `http://127.0.0.1:4000` → data `http://127.0.0.1:4000`, stream `ws://127.0.0.1:4000/stream`.
 * @example
 * resolveUrls('paper', { baseUrl: 'http://127.0.0.1:4000' }).streamUrl; // 'ws://127.0.0.1:4000/stream'
 */
export function resolveUrls(
  env: 'paper' | 'live',
  given: { baseUrl?: string | undefined; dataBaseUrl?: string | undefined; streamUrl?: string | undefined },
  secrets: readonly string[] = [],
): { baseUrl: string; dataBaseUrl: string; streamUrl: string } {
  const base = parseUrl(given.baseUrl ?? ALPACA_HOSTS[env], 'baseUrl', ['http:', 'https:'], secrets);
  // Paths are `/v2/...`; tolerate a base URL that already ends in /v2.
  const basePath = trimSlash(base.pathname).replace(/\/v2$/, '');
  const baseUrl = `${base.origin}${basePath}`;
  const local = !isAlpacaHost(base.hostname);
  const data = parseUrl(
    given.dataBaseUrl ?? (local ? baseUrl : ALPACA_HOSTS.data),
    'dataBaseUrl',
    ['http:', 'https:'],
    secrets,
  );
  const dataBaseUrl = `${data.origin}${trimSlash(data.pathname).replace(/\/v2$/, '')}`;
  const defaultStream = local
    ? `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${basePath}/stream`
    : env === 'live'
      ? ALPACA_HOSTS.liveStream
      : ALPACA_HOSTS.paperStream;
  const stream = parseUrl(given.streamUrl ?? defaultStream, 'streamUrl', ['ws:', 'wss:'], secrets);
  const streamUrl = `${stream.origin.replace(/^http/, 'ws')}${trimSlash(stream.pathname)}`;

  // Live guard: the live trading host only with an explicit env: 'live'.
  if (env === 'paper') {
    for (const [field, host] of [
      ['baseUrl', base.hostname],
      ['streamUrl', stream.hostname],
    ] as const)
      if (host === LIVE_TRADING_HOST)
        throw configError(
          `${field} points at the LIVE trading host ${LIVE_TRADING_HOST} but env is 'paper'. ` +
            `Pass env: 'live' explicitly to trade real money, or use ${ALPACA_HOSTS.paper}.`,
          field,
          secrets,
        );
  } else {
    for (const [field, host] of [
      ['baseUrl', base.hostname],
      ['streamUrl', stream.hostname],
    ] as const)
      if (host === PAPER_TRADING_HOST)
        throw configError(
          `${field} points at the paper host ${PAPER_TRADING_HOST} but env is 'live'; use env: 'paper'.`,
          field,
          secrets,
        );
  }
  return { baseUrl, dataBaseUrl, streamUrl };
}

const TIMEFRAME_RE =
  /^(?:([1-9]|[1-5]\d)(?:Min|T)|([1-9]|1\d|2[0-3])(?:Hour|H)|1(?:Day|D)|1(?:Week|W)|(?:1|2|3|4|6|12)(?:Month|M))$/;

const isoTime = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);
const isoDate = (v: string | Date) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
const isUniqueIdError = (e: AlpacaError) =>
  e.status === 422 && /client_order_id/i.test(e.message) && /unique/i.test(e.message);

/**
 * Create an Alpaca client. Paper unless `env: 'live'` is given.
 * @example
 * const alpaca = createAlpacaClient({ keyId, secretKey }); // paper
 * const account = await alpaca.getAccount();
 * const order = await alpaca.submitOrder({ symbol: 'AAPL', qty: 1, side: 'buy', type: 'limit', limitPrice: 190 });
 */
export function createAlpacaClient(options: AlpacaClientOptions): AlpacaClient {
  const rawSecrets = [options?.keyId, options?.secretKey].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'options';
    throw configError(
      `invalid Alpaca client option ${field}: ${issue?.message ?? 'invalid'}`,
      field,
      rawSecrets,
    );
  }
  const o = parsed.data;
  const secrets = [o.keyId, o.secretKey];
  const urls = resolveUrls(o.env, o, secrets);
  const config: AlpacaClientConfig = {
    env: o.env,
    ...urls,
    timeoutMs: o.timeoutMs,
    retry: o.retry,
    rateLimit: o.rateLimit,
    feed: o.feed,
    stream: o.stream,
  };
  const now = o.now ?? Date.now;
  const common = {
    headers: { 'APCA-API-KEY-ID': o.keyId, 'APCA-API-SECRET-KEY': o.secretKey },
    timeoutMs: o.timeoutMs,
    retry: o.retry,
    secrets,
    logger: o.logger,
    now,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
  };
  const limiterClock = { now, ...(o.sleep ? { sleep: o.sleep } : {}) };
  const trading = new HttpClient({
    ...common,
    baseUrl: urls.baseUrl,
    limiter: new RateLimiter({ requestsPerMinute: o.rateLimit.requestsPerMinute, ...limiterClock }),
  });
  // Same host for a local server: then both share one limiter (one bucket on that server).
  const data =
    urls.dataBaseUrl === urls.baseUrl
      ? trading
      : new HttpClient({
          ...common,
          baseUrl: urls.dataBaseUrl,
          limiter: new RateLimiter({ requestsPerMinute: o.rateLimit.dataRequestsPerMinute, ...limiterClock }),
        });
  const generateId = o.generateClientOrderId ?? randomUUID;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  /** Validate a 2xx body; a mismatch is BAD_RESPONSE naming the path of the first issue. */
  function parseBody<T>(schema: z.ZodType<T, unknown>, body: unknown, spec: RequestSpec): T {
    const r = schema.safeParse(body);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const at = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw trading.error(
      'BAD_RESPONSE',
      `${HttpClient.label(spec)}: unexpected response shape${at}: ${issue?.message ?? 'invalid'}`,
      { request: HttpClient.label(spec) },
    );
  }

  async function get<T>(
    schema: z.ZodType<T, unknown>,
    spec: Omit<RequestSpec, 'method'>,
    http = trading,
  ): Promise<T> {
    const full: RequestSpec = { method: 'GET', ...spec };
    const { body } = await http.request(full);
    return parseBody(schema, body, full);
  }

  const orderList = z.array(OrderSchema);

  function multiStatus(result: HttpResult, spec: RequestSpec): MultiStatusResult[] {
    if (result.body === undefined) return [];
    const items = parseBody(z.array(MultiStatusItemSchema), result.body, spec);
    return items.map((item) => {
      const ok = item.status >= 200 && item.status < 300;
      const order = ok ? OrderSchema.safeParse(item.body) : undefined;
      return {
        id: item.id,
        symbol: item.symbol,
        status: item.status,
        order: order?.success ? order.data : null,
        error: ok
          ? null
          : trading.errorFromResult(spec, { status: item.status, headers: result.headers, body: item.body }),
      };
    });
  }

  async function getOrderByClientId(clientOrderId: string): Promise<Order> {
    return get(OrderSchema, {
      path: '/v2/orders:by_client_order_id',
      query: { client_order_id: clientOrderId },
    });
  }

  /** Order by client id, or `null` on 404. Other failures propagate. */
  async function findByClientId(clientOrderId: string): Promise<Order | null> {
    try {
      return await getOrderByClientId(clientOrderId);
    } catch (e) {
      if (e instanceof AlpacaError && e.code === 'NOT_FOUND') return null;
      throw e;
    }
  }

  /**
   * POST/PATCH an order-creating request so that at most one order results:
   * - 2xx → the order;
   * - 429 → Alpaca did not execute it: wait for the reset, send again with the same id;
   * - 422 "client_order_id must be unique" → it exists: return it;
   * - timeout, dropped connection, 5xx, unparsable 2xx → uncertain: look the order up by
   *   client id; found → return it, 404 → send again (a duplicate would be refused by the
   *   unique id, so this cannot create a second order);
   * - any other 4xx → rejected, unless an earlier attempt was uncertain: then one more
   *   look-up first (the earlier attempt may be what made this one fail).
   */
  async function placeOnce(
    spec: RequestSpec,
    clientOrderId: string,
    check: (order: Order) => void,
  ): Promise<Order> {
    const label = HttpClient.label(spec);
    const attempts = o.retry.retries + 1;
    let uncertain: AlpacaError | undefined;
    const lookup = async (): Promise<Order | null> => {
      try {
        return await findByClientId(clientOrderId);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw trading.error(
          'NETWORK',
          `${label}: outcome unknown for client order id ${clientOrderId} (${uncertain?.message ?? 'uncertain'}); ` +
            `the look-up failed too (${why}). Look it up with getOrderByClientId before resubmitting.`,
          { clientOrderId, request: label, ...(uncertain?.status ? { status: uncertain.status } : {}) },
        );
      }
    };
    const found = (order: Order) => {
      check(order);
      return order;
    };
    for (let attempt = 0; attempt < attempts; attempt++) {
      let result: HttpResult | undefined;
      try {
        result = await trading.attempt(spec);
      } catch (e) {
        if (!(e instanceof AlpacaError)) throw e;
        uncertain = trading.error(e.code, e.message, {
          clientOrderId,
          request: label,
          ...(e.status ? { status: e.status } : {}),
        });
      }
      if (result) {
        if (result.status >= 200 && result.status < 300) {
          const r = OrderSchema.safeParse(result.body);
          if (r.success) return found(r.data);
          uncertain = trading.error('BAD_RESPONSE', `${label}: ${result.status} with an unreadable order`, {
            status: result.status,
            clientOrderId,
            request: label,
          });
        } else {
          const err = trading.errorFromResult(spec, result, { clientOrderId });
          if (result.status === 429) {
            if (attempt + 1 >= attempts) {
              if (uncertain) {
                const existing = await lookup();
                if (existing) return found(existing);
              }
              throw err;
            }
            await trading.waitForReset(spec, result, attempt);
            continue;
          }
          if (isUniqueIdError(err)) {
            const existing = await lookup();
            if (existing) return found(existing);
            throw err;
          }
          if (result.status < 500) {
            if (uncertain) {
              const existing = await lookup();
              if (existing) return found(existing);
            }
            throw err;
          }
          uncertain = err;
        }
      }
      // Uncertain outcome: decide by looking the order up, never by a blind resend.
      trading.log(
        'warn',
        { request: label, clientOrderId, reason: uncertain?.message },
        'alpaca order outcome uncertain, looking it up',
      );
      const existing = await lookup();
      if (existing) return found(existing);
      if (attempt + 1 < attempts) await sleep(trading.backoffDelay(attempt));
    }
    throw trading.error(
      uncertain?.code ?? 'NETWORK',
      `${label}: not placed after ${attempts} attempts (client order id ${clientOrderId}): ${uncertain?.message ?? ''}`,
      { clientOrderId, request: label, ...(uncertain?.status ? { status: uncertain.status } : {}) },
    );
  }

  const client: AlpacaClient = {
    config,

    getAccount: () => get(AccountSchema, { path: '/v2/account' }),
    getAccountConfig: () => get(AccountConfigSchema, { path: '/v2/account/configurations' }),
    getClock: () => get(ClockSchema, { path: '/v2/clock' }),
    getCalendar: ({ start, end }) =>
      get(z.array(CalendarDaySchema), {
        path: '/v2/calendar',
        query: { start: isoDate(start), end: isoDate(end) },
      }),

    listAssets: (query = {}) =>
      get(z.array(AssetSchema), {
        path: '/v2/assets',
        query: {
          status: query.status,
          asset_class: query.assetClass,
          exchange: query.exchange,
          attributes: query.attributes,
        },
      }),
    getAsset: (symbol) => get(AssetSchema, { path: `/v2/assets/${encodeURIComponent(symbol)}` }),

    listPositions: () => get(z.array(PositionSchema), { path: '/v2/positions' }),
    getPosition: (symbol) => get(PositionSchema, { path: `/v2/positions/${encodeURIComponent(symbol)}` }),
    async closePosition(symbol, opts = {}) {
      if (opts.qty !== undefined && opts.percentage !== undefined)
        throw new AlpacaError('UNPROCESSABLE', 'closePosition: give qty or percentage, not both', {
          field: 'qty',
        });
      const spec: RequestSpec = {
        method: 'DELETE',
        path: `/v2/positions/${encodeURIComponent(symbol)}`,
        query: {
          qty: opts.qty === undefined ? undefined : toDecimalString(opts.qty),
          percentage: opts.percentage === undefined ? undefined : toDecimalString(opts.percentage),
        },
      };
      const { body } = await trading.request(spec);
      return parseBody(OrderSchema, body, spec);
    },
    async closeAllPositions(opts = {}) {
      const spec: RequestSpec = {
        method: 'DELETE',
        path: '/v2/positions',
        query: { cancel_orders: opts.cancelOrders ?? true },
      };
      return multiStatus(await trading.request(spec), spec);
    },

    async submitOrder(input) {
      const body: OrderBody = buildOrderBody(input, generateId);
      return placeOnce({ method: 'POST', path: '/v2/orders', body }, body.client_order_id, (order) => {
        if (order.symbol.toUpperCase() !== body.symbol || order.side !== body.side)
          throw new AlpacaError(
            'UNPROCESSABLE',
            `client order id ${body.client_order_id} already belongs to a different order (${order.side} ${order.symbol})`,
            { field: 'clientOrderId', clientOrderId: body.client_order_id },
          );
      });
    },
    getOrder: (id, opts = {}) =>
      get(OrderSchema, {
        path: `/v2/orders/${encodeURIComponent(id)}`,
        query: { nested: opts.nested ?? true },
      }),
    getOrderByClientId,
    listOrders: (query = {}) =>
      get(orderList, {
        path: '/v2/orders',
        query: {
          status: query.status,
          limit: query.limit,
          after: query.after === undefined ? undefined : isoTime(query.after),
          until: query.until === undefined ? undefined : isoTime(query.until),
          direction: query.direction,
          nested: query.nested ?? true,
          symbols: query.symbols,
          side: query.side,
        },
      }),
    async cancelOrder(id) {
      const spec: RequestSpec = { method: 'DELETE', path: `/v2/orders/${encodeURIComponent(id)}` };
      try {
        await trading.request(spec);
      } catch (e) {
        // A retried DELETE can find the order already canceled by the first attempt.
        if (e instanceof AlpacaError && e.code === 'UNPROCESSABLE') {
          const order = await client.getOrder(id).catch(() => null);
          if (order && (order.status === 'canceled' || order.status === 'pending_cancel')) return;
        }
        throw e;
      }
    },
    async cancelAllOrders() {
      const spec: RequestSpec = { method: 'DELETE', path: '/v2/orders' };
      return multiStatus(await trading.request(spec), spec);
    },
    async replaceOrder(id, patch) {
      const body: ReplaceBody = buildReplaceBody(patch, generateId);
      return placeOnce(
        { method: 'PATCH', path: `/v2/orders/${encodeURIComponent(id)}`, body },
        body.client_order_id,
        () => undefined,
      );
    },

    async getBars(query) {
      if (!Array.isArray(query?.symbols) || query.symbols.length === 0)
        throw new AlpacaError('UNPROCESSABLE', 'getBars: symbols must be a non-empty array', {
          field: 'symbols',
        });
      if (typeof query.timeframe !== 'string' || !TIMEFRAME_RE.test(query.timeframe))
        throw new AlpacaError(
          'UNPROCESSABLE',
          `getBars: timeframe ${JSON.stringify(query.timeframe)} is not valid (e.g. 1Min, 5Min, 1Hour, 1Day, 1Week, 1Month)`,
          { field: 'timeframe' },
        );
      if (query.start === undefined || query.end === undefined)
        throw new AlpacaError('UNPROCESSABLE', 'getBars: start and end are required', {
          field: query.start === undefined ? 'start' : 'end',
        });
      const bySymbol = new Map<string, Bar[]>();
      const seenTokens = new Set<string>();
      let token: string | null = null;
      do {
        const spec: RequestSpec = {
          method: 'GET',
          path: '/v2/stocks/bars',
          query: {
            symbols: query.symbols,
            timeframe: query.timeframe,
            start: isoTime(query.start),
            end: isoTime(query.end),
            limit: query.limit ?? 10_000,
            adjustment: query.adjustment ?? 'raw',
            feed: query.feed ?? o.feed,
            sort: 'asc',
            page_token: token ?? undefined,
          },
        };
        const { body } = await data.request(spec);
        const page = parseBody(MultiBarsPageSchema, body, spec);
        for (const [symbol, bars] of Object.entries(page.bars ?? {})) {
          let list = bySymbol.get(symbol);
          if (!list) bySymbol.set(symbol, (list = []));
          for (const b of bars ?? []) list.push(toBar(symbol, b));
        }
        token = page.next_page_token;
        if (token !== null) {
          if (seenTokens.has(token))
            throw data.error(
              'BAD_RESPONSE',
              `GET /v2/stocks/bars: next_page_token repeated (${token}); stopping`,
              {
                request: 'GET /v2/stocks/bars',
              },
            );
          seenTokens.add(token);
        }
      } while (token !== null);
      const out: Bar[] = [];
      for (const symbol of [...bySymbol.keys()].sort()) {
        const list = (bySymbol.get(symbol) ?? []).sort((a, b) => a.time - b.time);
        for (let i = 0; i < list.length; i++) {
          // Drop a bar repeated across a page boundary.
          if (i > 0 && list[i]?.time === list[i - 1]?.time) continue;
          out.push(list[i] as Bar);
        }
      }
      return out;
    },
    getLatestQuotes: (symbols, opts = {}) =>
      get(
        LatestQuotesSchema,
        { path: '/v2/stocks/quotes/latest', query: { symbols, feed: opts.feed ?? o.feed } },
        data,
      ),
    getLatestTrades: (symbols, opts = {}) =>
      get(
        LatestTradesSchema,
        { path: '/v2/stocks/trades/latest', query: { symbols, feed: opts.feed ?? o.feed } },
        data,
      ),

    streamTradeUpdates(onUpdate, streamOptions = {}) {
      return openTradeUpdateStream(
        {
          url: urls.streamUrl,
          keyId: o.keyId,
          secretKey: o.secretKey,
          logger: o.logger,
          now,
          settings: o.stream,
          listOrders: (q) => client.listOrders(q),
          getOrder: (id) => client.getOrder(id, { nested: false }),
          serverNow: async () => (await client.getClock()).timestampMs,
        },
        onUpdate,
        streamOptions,
      );
    },
  };
  return client;
}
