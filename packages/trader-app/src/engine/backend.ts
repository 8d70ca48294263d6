/**
 * Starts the tfjs backend the config asks for (WASM by default) and maps a failure
 * to a clear AppError.
 */
import { initBackend, isRlError } from '@marlts/rl-core';
import { AppError } from '../app-error.js';
import type { AppConfig } from '../config.js';

export async function startBackend(config: AppConfig): Promise<string> {
  try {
    return await initBackend({ backend: config.backend });
  } catch (e) {
    if (isRlError(e)) throw new AppError('CONFIG', e.message, { field: 'backend', cause: e });
    throw e;
  }
}
