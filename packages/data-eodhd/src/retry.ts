/**
 * Retry policy: which failures are retried and how long to wait. Retried: 429 (after
 * `Retry-After`), 5xx, network errors and timeouts — all our requests are GETs.
 * Never retried: 402 (quota: nothing changes before 00:00 GMT), 401/403/404 and
 * other 4xx. Backoff is exponential with "equal jitter" (half fixed, half random), so
 * many clients do not retry in lock-step.
 */

/** Resolved retry settings. */
export interface RetryConfig {
  /** Retries after the first attempt (0 = never retry). */
  limit: number;
  /** First backoff in ms; doubles per retry. */
  backoffMs: number;
  /** Cap of one backoff in ms. */
  maxBackoffMs: number;
  /** Longest `Retry-After` we are willing to wait, in ms; a longer one fails with `RATE_LIMITED`. */
  maxRetryAfterMs: number;
}

/** True for statuses worth another try. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into ms, or `undefined`.
 *
 * @example
 * parseRetryAfter('2', Date.now()); // 2000
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/**
 * Delay before retry number `retry` (1-based). With a `Retry-After` the wait is at
 * least that long (plus up to 10 % jitter); otherwise exponential backoff with jitter.
 *
 * @example
 * backoffDelay(1, undefined, config, Math.random); // in [backoffMs/2, backoffMs]
 */
export function backoffDelay(
  retry: number,
  retryAfterMs: number | undefined,
  config: RetryConfig,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs + Math.round(random() * 0.1 * retryAfterMs);
  const exp = Math.min(config.maxBackoffMs, config.backoffMs * 2 ** (retry - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
