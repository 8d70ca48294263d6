import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tooling/tsup.shared.ts';

// The CLI keeps every dependency external (tfjs's wasm files and better-sqlite3's
// native addon must load from node_modules), ships ESM only, and declares no types.
// pool-worker.js is the local pool's worker process (`marlts sweep`, `backtest --workers`),
// forked from beside cli.js. Code splitting keeps what only some commands need (BullMQ and
// ioredis for queue sweeps and `marlts worker`) in chunks loaded by the commands that use them.
export default defineConfig(
  libraryConfig({
    entry: { cli: 'src/cli.ts', 'pool-worker': 'src/sweep/pool-worker.ts' },
    formats: ['esm'],
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
    splitting: true,
  }),
);
