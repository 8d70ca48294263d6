#!/usr/bin/env node
/**
 * Adds up the vitest JSON results every package writes (`.vitest-results.json`) and prints
 * one plain closing line, `N passed, N failed`, so CI can read how many tests ran.
 * Exits non-zero when a package has no results or any test failed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', name, '.vitest-results.json');
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(
    `${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed (${r.numTotalTestSuites} suites)`,
  );
}
if (missing.length) console.error(`no test results for: ${missing.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || missing.length > 0 || passed === 0) process.exitCode = 1;
