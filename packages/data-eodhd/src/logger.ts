/**
 * The optional logger the client writes to. Any object with some of these methods
 * works (console, pino, a test array). Lines never contain the API token.
 */

/** A log method: a message and structured fields. */
export type LogFn = (message: string, fields?: Record<string, unknown>) => void;

/** Optional sink for the client's log lines; missing levels are dropped. */
export interface EodhdLogger {
  debug?: LogFn;
  info?: LogFn;
  warn?: LogFn;
  error?: LogFn;
}

/** A logger with every level present (missing ones do nothing). */
export interface SafeLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/**
 * Wraps a user logger so each line passes through `redact` and a throwing logger
 * cannot break a request.
 */
export function safeLogger(logger: EodhdLogger | undefined, redact: (text: string) => string): SafeLogger {
  const wrap =
    (fn: LogFn | undefined): LogFn =>
    (message, fields) => {
      if (!fn) return;
      try {
        const clean = fields === undefined ? undefined : JSON.parse(redact(JSON.stringify(fields)));
        fn.call(logger, redact(message), clean);
      } catch {
        // A broken logger must not fail a data request.
      }
    };
  return {
    debug: wrap(logger?.debug),
    info: wrap(logger?.info),
    warn: wrap(logger?.warn),
    error: wrap(logger?.error),
  };
}
