/**
 * The paper loop's poll wait: resolves after `ms` or as soon as `signal` aborts. The
 * abort listener is removed when the timer fires; a listener left behind per poll piles
 * up on the one long-lived signal (`MaxListenersExceededWarning` after 10 polls).
 */

/**
 * Waits `ms` milliseconds, or less if `signal` aborts first (never rejects).
 *
 * @example
 * await abortableSleep(config.broker.pollSeconds * 1000, ctx.signal);
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
