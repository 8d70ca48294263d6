/**
 * The one-line explanation the CLI prints for a failure that is not an AppError: a
 * library's typed error (its message is the explanation) or a Node system error
 * (EADDRINUSE, EACCES, ENOSPC …), which is the operator's environment, not a bug, and
 * so gets a sentence instead of a stack trace. Anything else is a bug: stack included.
 */

/** The typed errors of the MARLTS libraries (matched by name: duplicate module copies). */
const LIBRARY_ERRORS = new Set(['AlpacaError', 'MarketEnvError', 'RlError', 'EodhdError']);

/** What to do about the system errors an operator can cause. */
const SYSTEM_HINTS: Record<string, string> = {
  EADDRINUSE: 'another process is listening there: stop it or choose another port (0 = any free port)',
  EADDRNOTAVAIL: 'that address does not belong to this machine: use 127.0.0.1 or one of its interfaces',
  EACCES: 'check the permissions of the path (or use a port above 1023)',
  EPERM: 'check the permissions of the path',
  EISDIR: 'a directory was given where a file belongs',
  ENOTDIR: 'a file was given where a directory belongs',
  ENOENT: 'check the path',
  ENOSPC: 'the disk is full: free space or choose another --run-dir',
  EROFS: 'the file system is read-only: choose another --run-dir',
  EMFILE: 'too many open files: raise the limit (ulimit -n)',
};

export interface ErrorDescription {
  message: string;
  hint?: string;
  /** Whether the stack trace should be printed (an unexpected error). */
  unexpected: boolean;
}

/**
 * Describes `e` for the operator.
 *
 * @example
 * describeError(Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), { code: 'EADDRINUSE', syscall: 'listen' }));
 * // { message: 'listen EADDRINUSE: address already in use 127.0.0.1:8080', hint: 'another process …', unexpected: false }
 */
export function describeError(e: unknown): ErrorDescription {
  const err = e as { name?: unknown; message?: unknown; code?: unknown; syscall?: unknown; stack?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (typeof err?.name === 'string' && LIBRARY_ERRORS.has(err.name)) return { message, unexpected: false };
  if (typeof err?.code === 'string' && typeof err.syscall === 'string' && err.code in SYSTEM_HINTS) {
    return { message, hint: SYSTEM_HINTS[err.code]!, unexpected: false };
  }
  return { message: typeof err?.stack === 'string' ? err.stack : message, unexpected: true };
}
