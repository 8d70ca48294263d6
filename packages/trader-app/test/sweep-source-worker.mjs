/**
 * The local pool's worker when marlts runs from source (vitest, or the CLI run through
 * sweep-source-register.mjs): registers the hooks of sweep-source-hooks.mjs (sibling
 * packages from source, TypeScript transpiled), then runs src/sweep/pool-worker.ts. The
 * built CLI runs dist/pool-worker.js instead.
 */
import './sweep-source-register.mjs';

await import(new URL('../src/sweep/pool-worker.ts', import.meta.url).href);
