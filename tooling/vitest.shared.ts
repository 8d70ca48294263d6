/**
 * Shared vitest settings: resolve sibling packages from source (the `@marlts/source`
 * export condition), run test files in forks so tfjs globals never leak between files.
 */
import { defineConfig } from 'vitest/config';

export function packageTestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    resolve: { conditions: ['@marlts/source'] },
    ssr: { resolve: { conditions: ['@marlts/source'] } },
    test: {
      include: overrides.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      pool: 'forks',
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 30_000,
    },
  });
}
