#!/usr/bin/env node
/**
 * Type-checks every ```ts block of the READMEs (README.md and packages/*\/README.md) against
 * the BUILT packages, as a user's project would see them: each block becomes an ES module in
 * a scratch project (node_modules/.cache/readme-snippets) whose node_modules links the
 * workspace packages, compiled with strict NodeNext settings and no source condition, so
 * types come from each package's published `dist` declarations.
 *
 * A block may be marked by an HTML comment on the line just above its fence:
 *   <!-- snippet-check: skip — <why> -->     a fragment that cannot compile alone (reason required)
 *   <!-- snippet-check: continues -->        checked after the previous ts block of the same README
 * Deno's `npm:` specifiers are checked as the bare package name.
 *
 * Prints `N passed, N failed` and exits non-zero on any type error.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const ts = createRequire(join(root, 'package.json'))('typescript');
const work = join(root, 'node_modules', '.cache', 'readme-snippets');
const MARKER = /^<!--\s*snippet-check:\s*(skip|continues)\b\s*[—:-]?\s*(.*?)\s*-->\s*$/;

/** The ts blocks of one README, with the README line each block's code starts on. */
function blocks(readme) {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const marker = i > 0 ? lines[i - 1].match(MARKER) : null;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${readme}:${i + 1}: unclosed code block`);
    found.push({
      readme,
      line: i + 2,
      code: lines.slice(i + 1, end).join('\n'),
      mark: marker?.[1] ?? null,
      reason: marker?.[2] ?? '',
    });
    i = end;
  }
  return found;
}

const readmes = [
  'README.md',
  ...readdirSync(join(root, 'packages'))
    .map((p) => join('packages', p, 'README.md'))
    .filter((p) => {
      try {
        readFileSync(join(root, p));
        return true;
      } catch {
        return false;
      }
    }),
];

rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules', '@marlts'), { recursive: true });
writeFileSync(join(work, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
for (const pkg of readdirSync(join(root, 'packages'))) {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
  symlinkSync(join(root, 'packages', pkg), join(work, 'node_modules', ...manifest.name.split('/')), 'dir');
}

const files = new Map();
let skipped = 0;
const problems = [];
for (const readme of readmes) {
  let previous = null;
  for (const [n, b] of blocks(readme).entries()) {
    const label = `${readme}:${b.line}`;
    if (b.mark === 'skip') {
      if (!b.reason) problems.push(`${label}: "snippet-check: skip" needs a reason`);
      skipped++;
      console.log(`skip ${label} (${b.reason})`);
      continue;
    }
    const code = b.code.replace(/(from\s+|import\s*\(\s*)(['"])npm:/g, '$1$2');
    const parts = b.mark === 'continues' && previous ? [...previous.parts, { ...b, code }] : [{ ...b, code }];
    if (b.mark === 'continues' && !previous) problems.push(`${label}: "continues" but no ts block before it`);
    const file = join(work, `${readme.replace(/[/\\.]/g, '_')}_${n + 1}.ts`);
    writeFileSync(file, `${parts.map((p) => p.code).join('\n')}\nexport {};\n`);
    files.set(file, { label, parts });
    previous = { parts };
  }
}

const options = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
};
const program = ts.createProgram([...files.keys()], options);
const failed = new Set();
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  const entry = d.file && files.get(resolve(d.file.fileName));
  if (!entry) {
    problems.push(`${d.file ? relative(root, d.file.fileName) : 'tsc'}: TS${d.code} ${message}`);
    continue;
  }
  // Map the scratch file's line back to the README block it came from.
  let line = d.file.getLineAndCharacterOfPosition(d.start ?? 0).line;
  let where = entry.label;
  for (const part of entry.parts) {
    const count = part.code.split('\n').length;
    if (line < count) {
      where = `${part.readme}:${part.line + line}`;
      break;
    }
    line -= count;
  }
  failed.add(entry.label);
  problems.push(`${where}: TS${d.code} ${message}`);
}
for (const p of problems) console.error(p);
const passed = files.size - failed.size;
console.log(`snippets: ${passed} passed, ${failed.size} failed, ${skipped} skipped`);
if (problems.length > 0) process.exitCode = 1;
