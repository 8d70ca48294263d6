/**
 * The local pool's worker when marlts runs from source (vitest): loads
 * src/sweep/pool-worker.ts through vite's module runner, resolving the sibling packages
 * from source (the `@marlts/source` condition) as the tests do. The built CLI runs
 * dist/pool-worker.js instead.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const vitestDir = createRequire(import.meta.url).resolve('vitest/package.json');
const vite = await import(pathToFileURL(createRequire(vitestDir).resolve('vite')).href);
const root = fileURLToPath(new URL('..', import.meta.url));
const conditions = ['@marlts/source', 'node', 'import', 'default'];
await vite.runnerImport(fileURLToPath(new URL('../src/sweep/pool-worker.ts', import.meta.url)), {
  root,
  configFile: false,
  logLevel: 'silent',
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@marlts/source'] } },
});
