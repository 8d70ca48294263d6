/**
 * One build policy for every package: ESM + CJS + declarations, Node 20 target.
 * Each package's tsup.config.ts is a few lines that call `libraryConfig`.
 */
import type { Options } from 'tsup';

export interface LibraryBuildOptions {
  /** Entry points, e.g. `{ index: 'src/index.ts', testing: 'src/testing.ts' }`. */
  entry: Record<string, string>;
  /** Modules to inline instead of leaving external (rl-core inlines tfjs-core's registration files). */
  noExternal?: (string | RegExp)[];
  /** esbuild plugins (rl-core's points the inlined registration files at the real tfjs-core). */
  esbuildPlugins?: Options['esbuildPlugins'];
  /** Source maps; rl-core turns them off because its bundle inlines tfjs internals. */
  sourcemap?: boolean;
  /** Only ESM (the CLI); libraries ship both formats. */
  formats?: Options['format'];
  /** Emit type declarations (default true). */
  dts?: boolean;
  /** Lines put at the top of every declaration file (rl-core's `/// <reference types>` to tfjs's chained-op types). */
  dtsBanner?: string;
  /** A banner such as a shebang. */
  banner?: Options['banner'];
  /** Code splitting (ESM only): dynamic imports become chunks loaded when first needed. */
  splitting?: boolean;
}

export function libraryConfig(options: LibraryBuildOptions): Options {
  return {
    entry: options.entry,
    format: options.formats ?? ['esm', 'cjs'],
    dts: options.dtsBanner && options.dts !== false ? { banner: options.dtsBanner } : (options.dts ?? true),
    sourcemap: options.sourcemap ?? true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: options.splitting ?? false,
    treeshake: false,
    shims: false,
    ...(options.noExternal ? { noExternal: options.noExternal } : {}),
    ...(options.esbuildPlugins ? { esbuildPlugins: options.esbuildPlugins } : {}),
    ...(options.banner ? { banner: options.banner } : {}),
  };
}
