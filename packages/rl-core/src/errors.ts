/**
 * One error class for rl-core, with a `code` that says what went wrong and
 * context fields that say where. `isRlError` checks `name` too, so it works when
 * the ESM and CJS builds are both loaded (two copies of the class).
 */

/** What went wrong. */
export type RlErrorCode =
  | 'CONFIG' // an options object failed validation
  | 'SHAPE' // an array or tensor has the wrong shape
  | 'BACKEND' // a backend could not be initialised
  | 'NAN' // a loss or gradient became NaN/Inf during training
  | 'CHECKPOINT' // a checkpoint is malformed or does not match the model
  | 'VECTORS' // a reference-vector file is malformed
  | 'STATE' // a method was called in the wrong state (e.g. after dispose)
  | 'UNSUPPORTED'; // this runtime lacks what the call needs (e.g. a file system in a browser)

export interface RlErrorOptions {
  /** The option or field that is at fault, e.g. `nSteps` or `weights.pi.0.kernel`. */
  field?: string;
  cause?: unknown;
}

/**
 * @example
 * try { await initBackend({ backend: 'tensorflow' }); }
 * catch (e) { if (isRlError(e) && e.code === 'BACKEND') console.error(e.message); }
 */
export class RlError extends Error {
  override readonly name = 'RlError';
  readonly code: RlErrorCode;
  readonly field: string | undefined;

  constructor(code: RlErrorCode, message: string, options: RlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/**
 * True for an `RlError` from any copy of this package (ESM or CJS).
 * @example
 * if (isRlError(err, 'NAN')) restoreLastCheckpoint();
 */
export function isRlError(error: unknown, code?: RlErrorCode): error is RlError {
  if (!(error instanceof Error) || error.name !== 'RlError') return false;
  return code === undefined || (error as RlError).code === code;
}
