import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tooling/tsup.shared.ts';

// The CLI keeps every dependency external (tfjs's wasm files and better-sqlite3's
// native addon must load from node_modules), ships ESM only, and declares no types.
export default defineConfig(
  libraryConfig({
    entry: { cli: 'src/cli.ts' },
    formats: ['esm'],
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
  }),
);
