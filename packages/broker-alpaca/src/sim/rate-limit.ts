/**
 * Alpaca's request limit (200 a minute per account), with the `X-Ratelimit-*` headers it
 * sends on every answer.
 */
import type { ServerResponse } from 'node:http';

/**
 * A fixed one-minute window of requests.
 * @example
 * const limit = new RateWindow(config.rateLimitPerMinute);
 * if (limit.count(res)) reply(res, 429, { code: 42910000, message: 'rate limit exceeded' });
 */
export class RateWindow {
  private windowStart = Date.now();
  private requests = 0;

  /** `perMinute` 0 turns the limit off (the headers are still sent). */
  constructor(private readonly perMinute: number) {}

  /** Count one request and set the headers; true when it is over the limit. */
  count(res: ServerResponse): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.requests = 0;
    }
    this.requests++;
    const limit = this.perMinute;
    res.setHeader('X-Ratelimit-Limit', String(limit || 200));
    res.setHeader('X-Ratelimit-Remaining', String(limit ? Math.max(0, limit - this.requests) : 200));
    res.setHeader('X-Ratelimit-Reset', String(Math.ceil((this.windowStart + 60_000) / 1000)));
    return limit > 0 && this.requests > limit;
  }
}
