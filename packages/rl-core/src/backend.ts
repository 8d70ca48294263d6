/**
 * Backend selection: WASM with SIMD (default), pure-JS CPU, or native TensorFlow
 * through the optional peer `@tensorflow/tfjs-node`, imported only when asked for.
 * Nothing here runs at import time: importing rl-core chooses no backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { z } from 'zod';
import { RlError } from './errors.js';

/** The backends rl-core can run on. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';

const initBackendSchema = z
  .object({
    backend: z.enum(['wasm', 'cpu', 'tensorflow']).default('wasm'),
    /** Folder (ending in `/`) or URL of the tfjs-backend-wasm `.wasm` files; only needed when bundled or on a CDN. */
    wasmPaths: z.string().min(1).optional(),
  })
  .strict();

/** Options of {@link initBackend}. */
export type InitBackendOptions = z.input<typeof initBackendSchema>;

const TFJS_NODE_INSTALL =
  'The "tensorflow" backend needs the optional peer dependency @tensorflow/tfjs-node. ' +
  'Install it with `npm install @tensorflow/tfjs-node@4.22.0` (its install step downloads libtensorflow, ' +
  "so it needs access to Google's storage), or use backend 'wasm' (default) or 'cpu'.";

/**
 * Selects and initialises a tfjs backend and returns its name.
 *
 * @example
 * import { initBackend, tf } from '@marlts/rl-core';
 * await initBackend();                     // 'wasm' (SIMD)
 * await initBackend({ backend: 'cpu' });   // pure JS, the reference backend
 * const g = tf.grad((x: tf.Tensor) => x.square().sum())(tf.tensor1d([1, 2]));
 */
export async function initBackend(options: InitBackendOptions | BackendName = {}): Promise<BackendName> {
  const parsed = initBackendSchema.safeParse(typeof options === 'string' ? { backend: options } : options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'options';
    throw new RlError('CONFIG', `initBackend: invalid ${field}: ${issue?.message ?? 'invalid options'}`, {
      field,
    });
  }
  const { backend, wasmPaths } = parsed.data;

  if (backend === 'tensorflow') {
    try {
      // A variable specifier keeps bundlers from trying to resolve the optional peer.
      const specifier = '@tensorflow/tfjs-node';
      await import(specifier);
    } catch (cause) {
      throw new RlError('BACKEND', TFJS_NODE_INSTALL, { field: 'backend', cause });
    }
  }
  if (backend === 'wasm' && wasmPaths !== undefined) setWasmPaths(wasmPaths);

  let ok: boolean;
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (cause) {
    throw new RlError('BACKEND', `Could not initialise the "${backend}" backend: ${String(cause)}`, {
      field: 'backend',
      cause,
    });
  }
  if (!ok || tf.getBackend() !== backend) {
    throw new RlError(
      'BACKEND',
      backend === 'tensorflow'
        ? TFJS_NODE_INSTALL
        : `The "${backend}" backend failed to initialise` +
            (backend === 'wasm'
              ? ' (pass wasmPaths if the .wasm files are not next to tfjs-backend-wasm/dist)'
              : ''),
      { field: 'backend' },
    );
  }
  if (backend === 'cpu') {
    // The CPU backend prints a banner recommending tfjs-node on its first tensor write.
    // A library must print nothing; the README documents the native option instead.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  }
  return backend;
}

/** The name of the active backend, or `undefined` before {@link initBackend}. */
export function activeBackend(): string | undefined {
  try {
    return tf.getBackend();
  } catch {
    return undefined;
  }
}
