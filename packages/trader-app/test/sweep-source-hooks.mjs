/**
 * Node module hooks that let a child process run marlts from source, as vitest does:
 * `@marlts/*` packages resolve with the `@marlts/source` condition, `.ts` files are
 * transpiled by esbuild, TypeScript's `./x.js` specifiers find `./x.ts`, and the
 * extensionless imports inside tfjs-core's ESM files (which rl-core's source imports for
 * its registrations, written for bundlers) find their `.js` files.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const tsup = createRequire(import.meta.url).resolve('tsup/package.json');
const { transform } = await import(pathToFileURL(createRequire(tsup).resolve('esbuild')).href);

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
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: path,
    sourcemap: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
