/**
 * One GET to EODHD with everything around it: the rate limiter, `api_token` and
 * `fmt=json`, a timeout, retries (429 with `Retry-After`, 5xx, network, timeout;
 * never 402), status → `EodhdError` mapping, body decoding, and API-call accounting.
 * After a 402 every further request fails at once, without touching the network,
 * until 00:00 UTC (when EODHD resets the daily quota).
 */
import kyModule from 'ky';
import type { Clock } from './clock.js';
import { EodhdError } from './errors.js';
import type { SafeLogger } from './logger.js';
import type { RateLimiter } from './rate-limiter.js';
import { redactToken } from './redact.js';
import { decodeBody } from './response-body.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, type RetryConfig } from './retry.js';
import { DAY_MS, startOfUtcDay } from './time.js';

// ky is ESM-only. In our CJS build, Node's require(esm) hands the bundler's interop the
// module namespace, so the function sits one `.default` deeper there.
const ky: typeof kyModule = (kyModule as unknown as { default?: typeof kyModule }).default ?? kyModule;

/** One API request: path under the base URL, query (without token/fmt) and its cost in API calls. */
export interface ApiRequest {
  /** e.g. `intraday/AAPL.US` (no leading slash). */
  path: string;
  query: Record<string, string>;
  /** API calls EODHD charges for it (intraday 5, EOD 1, bulk 100). */
  cost: number;
}

/** Running totals, readable through the client. */
export interface TransportStats {
  /** HTTP requests sent (including retries). */
  requests: number;
  /** API-call units charged: the cost of every request answered with 2xx. */
  callsSpent: number;
  /** Retries performed. */
  retries: number;
}

export interface TransportOptions {
  apiToken: string;
  baseUrl: string;
  fetch: typeof globalThis.fetch | undefined;
  timeoutMs: number;
  retry: RetryConfig;
  limiter: RateLimiter;
  clock: Clock;
  logger: SafeLogger;
  random: () => number;
}

/** Sends requests; holds the counters and the quota block. */
export class Transport {
  readonly stats: TransportStats = { requests: 0, callsSpent: 0, retries: 0 };
  private readonly options: TransportOptions;
  private readonly http: typeof ky;
  private quotaBlockedUntil = 0;

  constructor(options: TransportOptions) {
    this.options = options;
    this.http = ky.create({
      prefixUrl: options.baseUrl,
      retry: 0,
      throwHttpErrors: false,
      timeout: options.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      headers: { accept: 'application/json' },
    });
  }

  /** Redacts the token from any text. */
  redact = (text: string): string => redactToken(text, this.options.apiToken);

  /** The request URL with the token redacted (for logs and errors). */
  displayUrl(req: ApiRequest): string {
    const query = new URLSearchParams({ ...req.query, fmt: 'json', api_token: 'x' });
    return this.redact(`${this.options.baseUrl.replace(/\/$/, '')}/${req.path}?${query}`);
  }

  /** Sends `req` (retrying as configured) and returns the decoded 2xx body. */
  async get(req: ApiRequest): Promise<unknown> {
    const { retry, clock, logger } = this.options;
    const url = this.displayUrl(req);
    for (let attempt = 0; ; attempt++) {
      const failure = await this.attempt(req, url);
      if (!(failure instanceof EodhdError)) return failure.body;
      const retryable =
        failure.code === 'RATE_LIMITED' ||
        failure.code === 'SERVER' ||
        failure.code === 'NETWORK' ||
        failure.code === 'TIMEOUT';
      if (!retryable || attempt >= retry.limit) throw failure;
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > retry.maxRetryAfterMs) {
        throw new EodhdError(
          'RATE_LIMITED',
          `${failure.message}; Retry-After ${failure.retryAfterMs} ms exceeds retry.maxRetryAfterMs ${retry.maxRetryAfterMs}`,
          { status: failure.status, url, retryAfterMs: failure.retryAfterMs },
        );
      }
      const delay = backoffDelay(attempt + 1, failure.retryAfterMs, retry, this.options.random);
      this.stats.retries++;
      logger.warn('eodhd: retrying', {
        url,
        code: failure.code,
        status: failure.status,
        attempt: attempt + 1,
        delayMs: delay,
      });
      await clock.sleep(delay);
    }
  }

  /** One try: a decoded body, or the error it ended in (thrown errors are the non-HTTP kind). */
  private async attempt(req: ApiRequest, url: string): Promise<{ body: unknown } | EodhdError> {
    const { clock, logger } = this.options;
    if (this.quotaBlockedUntil > clock.now()) {
      throw new EodhdError(
        'QUOTA_EXHAUSTED',
        `${req.path}: daily API-call quota exhausted (HTTP 402 earlier); not sending until ${new Date(this.quotaBlockedUntil).toISOString()}`,
        { status: 402, url },
      );
    }
    await this.options.limiter.acquire();
    this.stats.requests++;
    logger.debug('eodhd: GET', { url, cost: req.cost });
    let response: Response;
    let text: string;
    try {
      response = await this.http.get(req.path, {
        searchParams: { ...req.query, fmt: 'json', api_token: this.options.apiToken },
      });
      text = await response.text();
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : '';
      if (name === 'TimeoutError')
        return new EodhdError(
          'TIMEOUT',
          `${req.path}: no answer within ${this.options.timeoutMs} ms (${url})`,
          { url },
        );
      const detail = this.redact(
        cause instanceof Error ? `${cause.message}${causeText(cause)}` : String(cause),
      );
      return new EodhdError('NETWORK', `${req.path}: request failed: ${detail} (${url})`, { url });
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.stats.callsSpent += req.cost;
      const decoded = decodeBody(text, req.path);
      if (decoded.format === 'csv')
        logger.warn('eodhd: got CSV although fmt=json was sent; parsed it', {
          url,
          rows: (decoded.body as unknown[]).length,
        });
      logger.debug('eodhd: response', { url, status, bytes: text.length });
      return { body: decoded.body };
    }
    const serverSaid = this.redact(text.trim().replace(/\s+/g, ' ').slice(0, 200));
    const suffix = serverSaid ? ` — server said: ${serverSaid}` : '';
    const ctx = { status, url };
    logger.debug('eodhd: error response', { url, status });
    switch (true) {
      case status === 401:
        return new EodhdError('AUTH', `${req.path}: HTTP 401, the API token was rejected${suffix}`, ctx);
      case status === 403:
        return new EodhdError(
          'AUTH',
          `${req.path}: HTTP 403, this token may not access this data (plan or demo-ticker limit)${suffix}`,
          ctx,
        );
      case status === 402:
        this.quotaBlockedUntil = startOfUtcDay(clock.now()) + DAY_MS;
        logger.error('eodhd: daily quota exhausted', { url });
        return new EodhdError(
          'QUOTA_EXHAUSTED',
          `${req.path}: HTTP 402, the daily API-call quota is used up (resets 00:00 GMT)${suffix}`,
          ctx,
        );
      case status === 404:
        return new EodhdError('NOT_FOUND', `${req.path}: HTTP 404, no such ticker or no data${suffix}`, ctx);
      case status === 429: {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), clock.now()) ?? 60_000;
        return new EodhdError('RATE_LIMITED', `${req.path}: HTTP 429, too many requests${suffix}`, {
          ...ctx,
          retryAfterMs,
        });
      }
      case isRetryableStatus(status):
        return new EodhdError('SERVER', `${req.path}: HTTP ${status}${suffix}`, ctx);
      default:
        return new EodhdError('HTTP', `${req.path}: unexpected HTTP ${status}${suffix}`, ctx);
    }
  }
}

function causeText(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `: ${cause.message}` : '';
}
