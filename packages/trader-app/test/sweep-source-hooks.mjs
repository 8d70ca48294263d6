/**
 * Node module hooks that let a child process run marlts from source, as vitest does:
 * `@marlts/*` packages resolve with the `@marlts/source` condition, `.ts` files are
 * transpiled by esbuild, TypeScript's `./x.js` specifiers find `./x.ts`, and the
 * extensionless imports inside tfjs-core's ESM files (which rl-core's source imports for
 * its registrations, written for bundlers) find their `.js` files.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const tsup = createRequire(import.meta.url).resolve('tsup/package.json');
const { transform } = await import(pathToFileURL(createRequire(tsup).resolve('esbuild')).href);

const CACHE_DIR = join(tmpdir(), 'marlts-source-hooks-cache');

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@marlts/')) {
    return next(specifier, { ...context, conditions: ['@marlts/source', ...context.conditions] });
  }
  try {
    return await next(specifier, context);
  } catch (e) {
    const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!missing || !specifier.startsWith('.')) throw e;
    // A bundler's resolution order: the file as TypeScript, with `.js`, then the folder's index.
    const alternatives = specifier.endsWith('.js')
      ? [specifier.replace(/\.js$/, '.ts')]
      : [`${specifier}.js`, `${specifier}/index.js`];
    for (const alt of alternatives) {
      try {
        return await next(alt, context);
      } catch {
        // Try the next spelling.
      }
    }
    throw e;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const path = fileURLToPath(url);
  const text = await readFile(path, 'utf8');
  // Every pool worker transpiles the same files: keep the output by content hash.
  const key = createHash('sha256').update(path).update('\0').update(text).digest('hex');
  const cached = join(CACHE_DIR, `${key}.js`);
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // Not transpiled yet.
  }
  const { code } = await transform(text, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: path,
    sourcemap: 'inline',
  });
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, cached);
  return { format: 'module', source: code, shortCircuit: true };
}
