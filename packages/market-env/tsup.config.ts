import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tooling/tsup.shared.ts';

export default defineConfig(
  libraryConfig({
    entry: { index: 'src/index.ts' },
  }),
);
