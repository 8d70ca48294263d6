/**
 * A Node built-in module (`node:os`, `node:worker_threads`) loaded synchronously through
 * `process.getBuiltinModule` (Node ≥ 20.16, Deno), so the ESM and CJS builds share one code
 * path and nothing is imported at load time; `undefined` where the runtime has none.
 *
 * @example
 * const os = nodeBuiltin<{ availableParallelism(): number }>('node:os');
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return undefined;
  try {
    return getBuiltin(id) as T | undefined;
  } catch {
    return undefined;
  }
}
