/**
 * The local pool's worker when marlts runs from source (vitest): registers the hooks of
 * sweep-source-hooks.mjs (sibling packages from source, TypeScript transpiled), then runs
 * src/sweep/pool-worker.ts. The built CLI runs dist/pool-worker.js instead.
 */
import { register } from 'node:module';

register(new URL('./sweep-source-hooks.mjs', import.meta.url));
await import(new URL('../src/sweep/pool-worker.ts', import.meta.url).href);
