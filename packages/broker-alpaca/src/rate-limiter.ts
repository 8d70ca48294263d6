/**
 * Client-side request limiter: at most `requestsPerMinute` request starts in any sliding
 * 60-second window (Alpaca: 200/min per account,
 * https://alpaca.markets/support/usage-limit-api-calls), plus a pause until
 * the server's `X-Ratelimit-Reset` when the server says nothing is left
 * (`X-Ratelimit-Remaining: 0`) or answers 429. One limiter per host bucket (trading, data).
 */

export interface RateLimiterOptions {
  requestsPerMinute: number;
  /** Clock in epoch ms (injectable for tests). */
  now?: () => number;
  /** Sleep (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** Default sleep: a plain timer. */
export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

/**
 * @example
 * const limiter = new RateLimiter({ requestsPerMinute: 200 });
 * await limiter.acquire(); // resolves at once for the first 200 calls of a minute
 */
export class RateLimiter {
  readonly requestsPerMinute: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Start times of the requests in the current window, oldest first. */
  private readonly starts: number[] = [];
  /** No request may start before this time (server-imposed pause). */
  private blockedUntil = 0;
  /** Serialises waiters so they are served in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateLimiterOptions) {
    this.requestsPerMinute = options.requestsPerMinute;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Wait until a request may start, and count it. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && (this.starts[0] as number) <= now - 60_000) this.starts.shift();
      let wait = this.blockedUntil - now;
      if (this.starts.length >= this.requestsPerMinute)
        wait = Math.max(wait, (this.starts[0] as number) + 60_000 - now);
      if (wait <= 0) {
        this.starts.push(now);
        return;
      }
      await this.sleep(wait);
    }
  }

  /** Pause every request until `untilMs` (from `X-Ratelimit-Reset` or a 429). */
  pauseUntil(untilMs: number): void {
    if (untilMs > this.blockedUntil) this.blockedUntil = untilMs;
  }

  /** Requests started in the last 60 s (for diagnostics). */
  get inWindow(): number {
    const now = this.now();
    return this.starts.filter((t) => t > now - 60_000).length;
  }
}
