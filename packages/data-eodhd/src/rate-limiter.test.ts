import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { RateLimiter } from './rate-limiter.js';
import { backoffDelay, parseRetryAfter } from './retry.js';

/** A clock that only moves when someone sleeps. */
function manualClock(start = 0): Clock & { t: number } {
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

describe('rate limiter', () => {
  it('allows N starts per sliding minute, then waits for the oldest to expire', async () => {
    const clock = manualClock(1_000);
    const limiter = new RateLimiter(3, clock);
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await limiter.acquire();
      starts.push(clock.t);
      clock.t += 10;
    }
    expect(starts).toEqual([1000, 1010, 1020, 61000, 61010, 61020, 121000]);
    for (let i = 3; i < starts.length; i++)
      expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(60_000);
  });

  it('serves concurrent callers in order', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(2, clock);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(clock.t).toBe(60_000);
  });
});

describe('retry timing', () => {
  const config = { limit: 3, backoffMs: 100, maxBackoffMs: 1000, maxRetryAfterMs: 60_000 };
  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
  it('waits at least Retry-After, and backs off exponentially with jitter and a cap', () => {
    expect(backoffDelay(1, 2000, config, () => 0)).toBe(2000);
    expect(backoffDelay(1, 2000, config, () => 0.999)).toBeLessThanOrEqual(2200);
    expect([1, 2, 3].map((n) => backoffDelay(n, undefined, config, () => 1))).toEqual([100, 200, 400]);
    expect([1, 2, 3].map((n) => backoffDelay(n, undefined, config, () => 0))).toEqual([50, 100, 200]);
    expect(backoffDelay(10, undefined, config, () => 1)).toBe(1000);
  });
});
