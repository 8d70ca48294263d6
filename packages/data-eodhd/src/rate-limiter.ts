/**
 * Client-side rate limiter: at most `requestsPerMinute` request starts in any sliding
 * 60-second window (EODHD allows 1,000 requests/minute, api-contracts.md B8). Callers
 * are served in arrival order.
 */
import { type Clock, systemClock } from './clock.js';

const WINDOW_MS = 60_000;

/**
 * @example
 * const limiter = new RateLimiter(600);
 * await limiter.acquire(); // resolves when a request may start
 */
export class RateLimiter {
  readonly requestsPerMinute: number;
  private readonly clock: Clock;
  private readonly starts: number[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(requestsPerMinute: number, clock: Clock = systemClock) {
    this.requestsPerMinute = requestsPerMinute;
    this.clock = clock;
  }

  /** Waits until a request may start, records the start, and returns how long it waited (ms). */
  acquire(): Promise<number> {
    const turn = this.tail.then(() => this.take());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<number> {
    const began = this.clock.now();
    for (;;) {
      const now = this.clock.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - WINDOW_MS) this.starts.shift();
      if (this.starts.length < this.requestsPerMinute) {
        this.starts.push(now);
        return now - began;
      }
      await this.clock.sleep(this.starts[0]! + WINDOW_MS - now);
    }
  }
}
