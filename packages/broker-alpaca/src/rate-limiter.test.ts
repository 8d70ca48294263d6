/** The limiter allows N starts per sliding minute and honours server pauses (virtual clock). */
import { describe, expect, it } from 'vitest';
import { virtualClock } from '../test/helpers.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets 200 requests through at once and makes the 201st wait for the window', async () => {
    const clock = virtualClock(1_000_000);
    const limiter = new RateLimiter({ requestsPerMinute: 200, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 200; i++) await limiter.acquire();
    expect(clock.slept).toEqual([]);
    expect(limiter.inWindow).toBe(200);
    await limiter.acquire();
    expect(clock.slept).toEqual([60_000]);
    expect(clock.now()).toBe(1_060_000);
  });

  it('spreads a burst evenly once the window is full', async () => {
    const clock = virtualClock(0);
    const limiter = new RateLimiter({ requestsPerMinute: 3, now: clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (i) => {
        await limiter.acquire();
        starts.push(clock.now());
        order.push(i);
      }),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(starts).toEqual([0, 0, 0, 60_000, 60_000, 60_000]);
  });

  it('pauses every request until a server-given reset', async () => {
    const clock = virtualClock(0);
    const limiter = new RateLimiter({ requestsPerMinute: 200, now: clock.now, sleep: clock.sleep });
    limiter.pauseUntil(5_000);
    await limiter.acquire();
    expect(clock.now()).toBe(5_000);
  });
});
