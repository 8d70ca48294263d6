import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tooling/tsup.shared.ts';
import { tfjsPublicImports } from './scripts/tfjs-public-imports.ts';

export default defineConfig(
  libraryConfig({
    entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
    // Inline tfjs-core's gradient and chained-op registration modules (src/setup.ts): their
    // dist ESM files use extension-less imports that plain Node cannot load. The plugin points
    // their imports at the real `@tensorflow/tfjs-core` wherever it exports the same binding,
    // so the bundle carries the registrations, not a second copy of tfjs-core.
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    esbuildPlugins: [tfjsPublicImports()],
    // tfjs declares `x.square()` & co. by augmenting Tensor in these modules; the declaration
    // bundler drops the side-effect import src/setup.ts has, so users would never see them.
    dtsBanner:
      '/// <reference types="@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js" />',
    sourcemap: false,
  }),
);
