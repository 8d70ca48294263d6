import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tooling/tsup.shared.ts';

export default defineConfig(
  libraryConfig({
    entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
    // Inline tfjs-core's gradient and chained-op registration modules: their dist ESM files use
    // extension-less imports that plain Node cannot load (docs: ecosystem.md §3).
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    sourcemap: false,
  }),
);
