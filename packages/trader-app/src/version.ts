/**
 * The package version, read from the package's own package.json at startup. Both
 * `src/version.ts` and the bundled `dist/cli.js` sit one level below it, and npm always
 * ships package.json; importing the JSON instead would inline the whole manifest
 * (scripts, dependencies, keywords) into the CLI bundle.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** The `@marlts/trader-app` version, e.g. `0.1.0`. */
export const VERSION: string = readVersion();
