/**
 * What every API area of the client shares: the parsed options, the trading and data HTTP
 * clients, and the response checks (a 2xx body that does not match the documented shape is
 * `BAD_RESPONSE`; a 207 multi-status answer becomes one result per item).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HttpClient, type HttpResult, type RequestSpec } from '../http.js';
import { RateLimiter } from '../rate-limiter.js';
import { MultiStatusItemSchema, OrderSchema } from '../schemas/trading.js';
import type { MultiStatusResult } from '../types.js';
import type { ParsedClientOptions } from './options.js';

/** The shared state and helpers the API areas are built from. */
export interface ClientContext {
  readonly options: ParsedClientOptions;
  /** The trading host (`baseUrl`). */
  readonly trading: HttpClient;
  /** The market-data host (`dataBaseUrl`); the trading client itself when both are one server. */
  readonly data: HttpClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly generateClientOrderId: () => string;
  /** Validate a 2xx body; a mismatch is BAD_RESPONSE naming the path of the first issue. */
  parseBody<T>(schema: z.ZodType<T, unknown>, body: unknown, spec: RequestSpec): T;
  /** GET and validate (on the trading host unless `http` says otherwise). */
  get<T>(schema: z.ZodType<T, unknown>, spec: Omit<RequestSpec, 'method'>, http?: HttpClient): Promise<T>;
  /** A 207 answer (cancel all, close all) as one result per item. */
  multiStatus(result: HttpResult, spec: RequestSpec): MultiStatusResult[];
}

/**
 * Build the shared context from the parsed options and the resolved URLs.
 * @example
 * const ctx = createClientContext(parseClientOptions(options), resolveUrls('paper', {}));
 * const account = await ctx.get(AccountSchema, { path: '/v2/account' });
 */
export function createClientContext(
  options: ParsedClientOptions,
  urls: { baseUrl: string; dataBaseUrl: string },
): ClientContext {
  const secrets = [options.keyId, options.secretKey];
  const now = options.now ?? Date.now;
  const common = {
    headers: { 'APCA-API-KEY-ID': options.keyId, 'APCA-API-SECRET-KEY': options.secretKey },
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    secrets,
    logger: options.logger,
    now,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const limiterClock = { now, ...(options.sleep ? { sleep: options.sleep } : {}) };
  const trading = new HttpClient({
    ...common,
    baseUrl: urls.baseUrl,
    limiter: new RateLimiter({ requestsPerMinute: options.rateLimit.requestsPerMinute, ...limiterClock }),
  });
  // Same host for a local server: then both share one limiter (one bucket on that server).
  const data =
    urls.dataBaseUrl === urls.baseUrl
      ? trading
      : new HttpClient({
          ...common,
          baseUrl: urls.dataBaseUrl,
          limiter: new RateLimiter({
            requestsPerMinute: options.rateLimit.dataRequestsPerMinute,
            ...limiterClock,
          }),
        });

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

  return {
    options,
    trading,
    data,
    now,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    generateClientOrderId: options.generateClientOrderId ?? randomUUID,
    parseBody,
    get,
    multiStatus,
  };
}
