/**
 * Shared vitest settings: resolve sibling packages from source (the `@marlts/source`
 * export condition), run test files in forks so tfjs globals never leak between files,
 * and keep every temp dir under one per-run root that is removed at the end.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export function packageTestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions: ['@marlts/source'] },
    ssr: { resolve: { conditions: ['@marlts/source'] } },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      pool: 'forks',
      globalSetup: [fileURLToPath(new URL('./vitest-temp-root.ts', import.meta.url))],
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 30_000,
    },
  });
}
