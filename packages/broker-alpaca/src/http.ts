/**
 * The HTTP layer: one attempt = rate-limit slot → fetch with a whole-request timeout →
 * JSON. `request` adds the retry policy for safe methods (GET, DELETE): 429 waits for the
 * server's `X-Ratelimit-Reset` (or `Retry-After`), 5xx / network errors back off
 * exponentially. POST and PATCH are never retried here; `client/place-once.ts`
 * decides what is safe: a POST /v2/orders is not idempotent, so only a 429 (not executed)
 * or a known outcome allows sending it again.
 *
 * Secrets: the auth headers are set on the request only. Errors carry `METHOD /path`,
 * never the URL's host, query or headers, and every text goes through `redactSecrets`.
 * Errors from fetch are not attached as `cause` (a fetch error can hold the Request, whose
 * headers contain the keys); only their name and message are kept.
 *
 * Native `fetch` (Node ≥ 20), not ky: ky is ESM-only and its default export does not
 * survive the CJS build (esbuild's Node-mode interop wraps the namespace), and the retry
 * policy here needs `X-Ratelimit-Reset` and order-aware rules ky does not have anyway.
 */
import { AlpacaError, classifyHttpError, redactSecrets, redactValue } from './errors.js';
import { defaultSleep, type RateLimiter } from './rate-limiter.js';
import { ErrorBodySchema } from './schemas/trading.js';

/** A pino-compatible logger (any of the methods may be missing). */
export interface AlpacaLogger {
  debug?(obj: Record<string, unknown>, msg?: string): void;
  info?(obj: Record<string, unknown>, msg?: string): void;
  warn?(obj: Record<string, unknown>, msg?: string): void;
  error?(obj: Record<string, unknown>, msg?: string): void;
}

/** Retry policy for GET and DELETE (and for 429 on order submission). */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries: number;
  /** First backoff delay in ms (default 500), doubled per retry. */
  baseDelayMs: number;
  /** Longest single wait in ms, also caps `X-Ratelimit-Reset` waits (default 60 000). */
  maxDelayMs: number;
  /** ±20 % random jitter on backoff delays (default true). */
  jitter: boolean;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | readonly string[] | undefined | null;

export interface RequestSpec {
  method: HttpMethod;
  /** Path starting with `/`, e.g. `/v2/orders`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, or `undefined` for an empty body (204). */
  body: unknown;
}

export interface HttpClientOptions {
  baseUrl: string;
  headers: Record<string, string>;
  /** A fetch implementation (default: the global `fetch`). Called as `fetch(url, init)`. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  timeoutMs: number;
  retry: RetryOptions;
  limiter: RateLimiter;
  secrets: readonly string[];
  logger?: AlpacaLogger | undefined;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * @example
 * const http = new HttpClient({ baseUrl, headers, timeoutMs: 10_000, retry, limiter, secrets: [key, secret] });
 * const { body } = await http.request({ method: 'GET', path: '/v2/account' });
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly options: HttpClientOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** `METHOD /path` for messages (no host, no query). */
  static label(spec: RequestSpec): string {
    return `${spec.method} ${spec.path}`;
  }

  /** Build the full URL of a request. */
  url(spec: RequestSpec): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v === undefined || v === null) continue;
      params.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const qs = params.toString();
    return `${this.baseUrl}${spec.path}${qs ? `?${qs}` : ''}`;
  }

  /**
   * One attempt, no retry. Resolves with any HTTP status; rejects with `NETWORK` (timeout,
   * connection error) or `BAD_RESPONSE` (unparsable JSON).
   */
  async attempt(spec: RequestSpec): Promise<HttpResult> {
    await this.options.limiter.acquire();
    const label = HttpClient.label(spec);
    const started = this.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    let status = 0;
    let headers: Headers;
    let text: string;
    try {
      const doFetch = this.options.fetch ?? fetch;
      const response = await doFetch(this.url(spec), {
        method: spec.method,
        headers: {
          accept: 'application/json',
          ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.options.headers,
        },
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal: controller.signal,
        redirect: 'manual',
      });
      status = response.status;
      headers = response.headers;
      text = await response.text();
    } catch (e) {
      const detail = timedOut
        ? `timed out after ${this.options.timeoutMs} ms`
        : `${(e as Error)?.name ?? 'Error'}: ${describeCause(e)}`;
      this.log('debug', { request: label, ms: this.now() - started, error: detail }, 'alpaca request failed');
      throw this.error('NETWORK', `${label} failed: ${detail}`, {
        request: label,
        ...(status ? { status } : {}),
      });
    } finally {
      clearTimeout(timer);
    }
    this.noteRateLimit(headers);
    this.log('debug', { request: label, status, ms: this.now() - started }, 'alpaca request');
    if (status >= 300 && status < 400)
      throw this.error('BAD_RESPONSE', `${label}: unexpected redirect ${status} (check the base URL)`, {
        status,
        request: label,
      });
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        if (status >= 200 && status < 300)
          throw this.error('BAD_RESPONSE', `${label}: response ${status} is not valid JSON`, {
            status,
            request: label,
          });
        body = { message: text.slice(0, 200) };
      }
    }
    return { status, headers, body };
  }

  /**
   * A request with the retry policy for safe methods: GET and DELETE retry 429, 5xx and
   * network errors; POST/PATCH only retry 429 (Alpaca did not execute them). Non-2xx
   * answers become `AlpacaError`s.
   */
  async request(spec: RequestSpec): Promise<HttpResult> {
    const safe = spec.method === 'GET' || spec.method === 'DELETE';
    const { retries } = this.options.retry;
    for (let attempt = 0; ; attempt++) {
      let result: HttpResult;
      try {
        result = await this.attempt(spec);
      } catch (e) {
        if (safe && attempt < retries && e instanceof AlpacaError && e.code === 'NETWORK') {
          await this.backoff(spec, attempt, e.message);
          continue;
        }
        throw e;
      }
      if (result.status >= 200 && result.status < 300) return result;
      const retryable = result.status === 429 || (safe && result.status >= 500);
      if (retryable && attempt < retries) {
        if (result.status === 429) await this.waitForReset(spec, result, attempt);
        else await this.backoff(spec, attempt, `status ${result.status}`);
        continue;
      }
      throw this.errorFromResult(spec, result);
    }
  }

  /** Turn a non-2xx result into a mapped `AlpacaError`. */
  errorFromResult(
    spec: RequestSpec,
    result: HttpResult,
    extra: { clientOrderId?: string } = {},
  ): AlpacaError {
    const label = HttpClient.label(spec);
    const parsed = ErrorBodySchema.safeParse(result.body);
    const body = parsed.success ? parsed.data : undefined;
    const rawCode = body?.code;
    const alpacaCode =
      typeof rawCode === 'number'
        ? rawCode
        : typeof rawCode === 'string' && /^\d+$/.test(rawCode)
          ? Number(rawCode)
          : undefined;
    const message = body?.message ?? (result.status === 401 ? 'unauthorized' : `HTTP ${result.status}`);
    const code = classifyHttpError(result.status, alpacaCode, message);
    return this.error(
      code,
      `Alpaca ${result.status} on ${label}: ${message}${alpacaCode === undefined ? '' : ` (code ${alpacaCode})`}`,
      {
        status: result.status,
        ...(alpacaCode === undefined ? {} : { alpacaCode }),
        request: label,
        body: result.body,
        ...extra,
      },
    );
  }

  /** Build an error with every text redacted. */
  error(
    code: AlpacaError['code'],
    message: string,
    options: ConstructorParameters<typeof AlpacaError>[2] = {},
  ): AlpacaError {
    const secrets = this.options.secrets;
    return new AlpacaError(code, redactSecrets(message, secrets), {
      ...options,
      ...(options.body === undefined ? {} : { body: redactValue(options.body, secrets) }),
    });
  }

  /** Wait before retrying a 429: until `X-Ratelimit-Reset`, else `Retry-After`, else backoff. */
  async waitForReset(spec: RequestSpec, result: HttpResult, attempt: number): Promise<void> {
    const now = this.now();
    const { maxDelayMs } = this.options.retry;
    let delay = resetDelayMs(result.headers, now);
    if (delay === undefined) delay = this.backoffDelay(attempt);
    delay = Math.min(Math.max(delay, 0), maxDelayMs);
    this.options.limiter.pauseUntil(now + delay);
    this.log(
      'warn',
      { request: HttpClient.label(spec), status: 429, attempt: attempt + 1, delayMs: delay },
      'alpaca rate limited, waiting',
    );
    await this.sleep(delay);
  }

  private async backoff(spec: RequestSpec, attempt: number, reason: string): Promise<void> {
    const delay = this.backoffDelay(attempt);
    this.log(
      'warn',
      { request: HttpClient.label(spec), attempt: attempt + 1, delayMs: delay, reason },
      'alpaca request retry',
    );
    await this.sleep(delay);
  }

  /** Exponential backoff delay for retry number `attempt` (0-based). */
  backoffDelay(attempt: number): number {
    const { baseDelayMs, maxDelayMs, jitter } = this.options.retry;
    const d = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    return Math.round(jitter ? d * (0.8 + 0.4 * Math.random()) : d);
  }

  /** `X-Ratelimit-Remaining: 0` → no request before `X-Ratelimit-Reset`. */
  private noteRateLimit(headers: Headers): void {
    if (headers.get('x-ratelimit-remaining')?.trim() !== '0') return;
    const delay = resetDelayMs(headers, this.now());
    if (delay !== undefined && delay > 0)
      this.options.limiter.pauseUntil(this.now() + Math.min(delay, this.options.retry.maxDelayMs));
  }

  log(level: keyof AlpacaLogger, obj: Record<string, unknown>, msg: string): void {
    const fn = this.options.logger?.[level];
    if (!fn) return;
    const secrets = this.options.secrets;
    fn.call(
      this.options.logger,
      redactValue(obj, secrets) as Record<string, unknown>,
      redactSecrets(msg, secrets),
    );
  }
}

/**
 * ms until the client may try again: `Retry-After` (seconds or an HTTP date) when a proxy
 * sends it, else Alpaca's `X-Ratelimit-Reset` (Unix seconds), else `undefined`.
 */
export function resetDelayMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset !== null && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const n = Number(reset);
    // Unix seconds (Alpaca); tolerate milliseconds.
    const at = n > 1e12 ? n : n * 1000;
    return Math.max(0, at - now);
  }
  return undefined;
}

function describeCause(e: unknown): string {
  const err = e as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  const cause = err?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ? `${msg} (${code})` : msg;
}
