#!/usr/bin/env node
/**
 * Repository hygiene that no package's own tests can see. Exits non-zero, listing every
 * problem, when
 *   - a source, test, bench, script or doc file reads or links a folder beside the
 *     repository (`../shared/…`, `/work/…`): a fresh clone has nothing beside it;
 *   - a relative Markdown link points outside the repository or at a file that is missing;
 *   - a package.json lacks `repository` (git, with `directory` for packages), `homepage` or
 *     `bugs`;
 *   - a package declares a runtime dependency that none of its `src` files imports;
 *   - the copies of the bar-CSV reader (one per library, since libraries never import each
 *     other) differ: they must stay byte-identical.
 * Usage: node tooling/check-repo.mjs
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const REPO_URL = 'git+https://github.com/marlts/marlts.git';
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', 'coverage']);
const TEXT = /\.(?:[cm]?[jt]s|md|json|ya?ml|sh)$|^run$/;
// Paths beside the checkout: the historical ../shared folder and absolute machine paths.
const OUTSIDE = /(?:\.\.\/)+shared\/|\/work\/(?:shared|main)\b/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* files(join(dir, entry.name));
    } else if (
      TEXT.test(entry.name) &&
      entry.name !== 'pnpm-lock.yaml' &&
      !entry.name.startsWith('.vitest')
    ) {
      yield join(dir, entry.name);
    }
  }
}

const problems = [];
const rel = (path) => relative(root, path);

for (const file of files(root)) {
  if (file === import.meta.filename) continue;
  const text = readFileSync(file, 'utf8');
  text.split('\n').forEach((line, i) => {
    if (OUTSIDE.test(line)) {
      problems.push(`${rel(file)}:${i + 1}: refers to a path outside the repository: ${line.trim()}`);
    }
  });
  if (!file.endsWith('.md')) continue;
  const withoutCode = text.replace(/```[\s\S]*?```/g, '');
  for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^(?:[a-z]+:|#)/i.test(target)) continue;
    const path = resolve(dirname(file), decodeURI(target.split('#')[0]));
    if (path !== root && !path.startsWith(root + sep)) {
      problems.push(`${rel(file)}: link ${target} leaves the repository`);
    } else if (!existsSync(path)) {
      problems.push(`${rel(file)}: link ${target} points at a missing file`);
    }
  }
}

const packages = readdirSync(join(root, 'packages')).filter((d) =>
  existsSync(join(root, 'packages', d, 'package.json')),
);
for (const dir of ['', ...packages.map((d) => `packages/${d}`)]) {
  const file = join(root, dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const where = rel(file);
  const repo = pkg.repository;
  if (repo?.type !== 'git' || repo.url !== REPO_URL) {
    problems.push(`${where}: "repository" must be { "type": "git", "url": "${REPO_URL}", … }`);
  }
  if (dir !== '' && repo?.directory !== dir) {
    problems.push(`${where}: "repository.directory" must be "${dir}"`);
  }
  if (typeof pkg.homepage !== 'string' || !pkg.homepage.startsWith('https://')) {
    problems.push(`${where}: "homepage" must be the https URL of the package's README`);
  }
  if (typeof pkg.bugs?.url !== 'string') problems.push(`${where}: "bugs.url" is missing`);
  if (dir === '') continue;

  const src = join(root, dir, 'src');
  const sources = existsSync(src) ? [...files(src)].map((f) => readFileSync(f, 'utf8')).join('\n') : '';
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    const quoted = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    if (!new RegExp(`['"]${quoted}(?:/[^'"]*)?['"]`).test(sources)) {
      problems.push(`${where}: dependency ${name} is declared but no file in src imports it`);
    }
  }
}

// One CSV dialect: every library's copy of the reader is the same file.
const CSV_READERS = [
  'packages/market-env/src/csv-reader.ts',
  'packages/data-eodhd/src/csv-reader.ts',
  'packages/broker-alpaca/src/sim/csv-reader.ts',
];
const reference = readFileSync(join(root, CSV_READERS[0]), 'utf8');
for (const copy of CSV_READERS.slice(1)) {
  if (readFileSync(join(root, copy), 'utf8') !== reference)
    problems.push(`${copy}: differs from ${CSV_READERS[0]}; change every copy of the CSV reader together`);
}

for (const p of problems) console.error(p);
console.log(`check-repo: ${problems.length} problem(s)`);
process.exit(problems.length > 0 ? 1 : 0);
