/**
 * The app's one error class. Every failure the user can cause or meet (bad config,
 * missing key, unreachable broker, a data gap) becomes an AppError with a code, a
 * message that says what to do, and the process exit code it maps to.
 */

/** Why a command failed. */
export type AppErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'MISSING_KEY'
  | 'DATA'
  | 'DATA_GAP'
  | 'BROKER_UNREACHABLE'
  | 'QUEUE_UNREACHABLE'
  | 'BROKER'
  | 'STORE'
  | 'STORE_CORRUPT'
  | 'RUN_LOCKED'
  | 'BROKER_DIVERGED'
  | 'INTERRUPTED'
  | 'LIVE_REFUSED'
  | 'NOT_FOUND'
  | 'INTERNAL';

/**
 * An error the CLI prints as one clear line (plus an optional hint) and turns into
 * an exit code: 2 for usage errors, 1 for everything else.
 *
 * @example
 * throw new AppError('MISSING_KEY', 'EODHD_API_TOKEN is not set', { hint: 'export EODHD_API_TOKEN=...' });
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: AppErrorCode;
  readonly hint: string | undefined;
  readonly field: string | undefined;

  constructor(
    code: AppErrorCode,
    message: string,
    options: { hint?: string; field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.field = options.field;
  }

  /** 2 for usage errors, 1 otherwise. */
  get exitCode(): number {
    return this.code === 'USAGE' ? 2 : 1;
  }
}

/**
 * True when `e` is an AppError (optionally with the given code). Checks `name`, so it
 * also works across duplicate module copies.
 *
 * @example
 * if (isAppError(e, 'CONFIG')) console.error(e.message);
 */
export function isAppError(e: unknown, code?: AppErrorCode): e is AppError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'AppError' &&
    (code === undefined || (e as { code?: unknown }).code === code)
  );
}
