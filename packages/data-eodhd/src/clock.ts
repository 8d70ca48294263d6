/**
 * The client's notion of time, injectable so tests can move the clock (cache
 * expiry, rate-limit windows) without waiting.
 */

/** Current time and a way to wait. */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock: `Date.now` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
