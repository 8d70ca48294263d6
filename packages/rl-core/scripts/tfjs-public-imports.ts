/**
 * esbuild plugin for rl-core's build: inlines tfjs-core's gradient and chained-op
 * registration modules (`src/setup.ts`) WITHOUT a second copy of tfjs-core.
 *
 * Those modules live only in tfjs-core's ESM tree (`dist/…`), whose extension-less imports
 * plain Node cannot load, so they must be bundled. Left alone, esbuild would also inline every
 * internal module they import (ops, engine, tensor, flags …): a partial tfjs-core copy in
 * each dist file. This plugin rewrites each `import { x } from '../ops/mul'` inside tfjs-core's
 * tree to `import { x } from '@tensorflow/tfjs-core'` whenever the package's public entry
 * re-exports that very binding (found by following `export … from` chains from
 * `dist/index.js`), so the registrations call the one tfjs-core the user has. What is not
 * public (a few gradient-only ops such as `avgPoolGrad`) is still inlined, and its own
 * imports go through the same rewrite.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const ROOT = '@tensorflow/tfjs-core';
const TREE = /[\\/]@tensorflow[\\/]tfjs-core[\\/]dist[\\/].+\.js$/;

/** How a public name reaches a module's binding: a top-level export, or a member of an exported namespace. */
type PublicPath = { name: string } | { namespace: string; name: string };

interface ModuleExports {
  /**
   * Local and re-exported names → where the binding is defined (file, name there); a whole
   * module exported as a namespace (`import * as ns …; export { ns }`) is (that file, '*').
   */
  named: Map<string, { file: string; name: string }>;
  /** Modules re-exported whole (`export * from`). */
  stars: string[];
  /** Exported object literals of imported functions (`const image = { resizeBilinear, … }`). */
  objects: Map<string, Map<string, { file: string; name: string }>>;
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** `./x` relative to `from` → absolute `.js` path (tfjs's tree omits extensions and uses no folder indexes). */
function resolveIn(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  return base.endsWith('.js') ? base : `${base}.js`;
}

function parseSpecifiers(list: string): Array<{ imported: string; local: string }> {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [imported, local] = s.split(/\s+as\s+/);
      return { imported: imported!.trim(), local: (local ?? imported!).trim() };
    });
}

/** Parses the export statements of one tfjs-core ESM file (tsc output: regular, one form per statement). */
function readExports(file: string, cache: Map<string, ModuleExports>): ModuleExports {
  const hit = cache.get(file);
  if (hit) return hit;
  const code = stripComments(readFileSync(file, 'utf8'));
  const result: ModuleExports = { named: new Map(), stars: [], objects: new Map() };
  cache.set(file, result);
  const imports = new Map<string, { file: string; name: string }>();
  for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    const target = resolveIn(file, m[2]!);
    if (!target) continue;
    for (const s of parseSpecifiers(m[1]!)) imports.set(s.local, { file: target, name: s.imported });
  }
  for (const m of code.matchAll(/import\s*\*\s*as\s+(\w+)\s+from\s*['"]([^'"]+)['"]/g)) {
    const target = resolveIn(file, m[2]!);
    if (target) imports.set(m[1]!, { file: target, name: '*' });
  }
  for (const m of code.matchAll(/export\s*\*\s*from\s*['"]([^'"]+)['"]/g)) {
    const target = resolveIn(file, m[1]!);
    if (target) result.stars.push(target);
  }
  const objects = new Map<string, Map<string, { file: string; name: string }>>();
  for (const m of code.matchAll(/const\s+(\w+)\s*=\s*\{([\w\s,]*)\}/g)) {
    const props = new Map<string, { file: string; name: string }>();
    for (const prop of m[2]!.split(',').map((p) => p.trim())) {
      const source = imports.get(prop);
      if (source) props.set(prop, source);
    }
    objects.set(m[1]!, props);
  }
  for (const m of code.matchAll(/export\s*\{([^}]*)\}\s*(from\s*['"]([^'"]+)['"])?/g)) {
    const from = m[3] ? resolveIn(file, m[3]) : null;
    for (const s of parseSpecifiers(m[1]!)) {
      if (from) {
        result.named.set(s.local, { file: from, name: s.imported });
        continue;
      }
      const source = imports.get(s.imported);
      const object = objects.get(s.imported);
      if (source) result.named.set(s.local, source);
      else if (object) result.objects.set(s.local, object);
      else result.named.set(s.local, { file, name: s.imported });
    }
  }
  for (const m of code.matchAll(/export\s+(?:const|let|var|function\*?|class|async\s+function)\s+(\w+)/g)) {
    result.named.set(m[1]!, { file, name: m[1]! });
  }
  return result;
}

/** Every binding `file` exports, as (defining file, name) pairs keyed by exported name. */
function allExports(
  file: string,
  cache: Map<string, ModuleExports>,
  seen = new Set<string>(),
): Map<string, { file: string; name: string }> {
  const out = new Map<string, { file: string; name: string }>();
  if (seen.has(file)) return out;
  seen.add(file);
  const mod = readExports(file, cache);
  for (const star of mod.stars) {
    for (const [k, v] of allExports(star, cache, seen)) if (!out.has(k)) out.set(k, v);
  }
  for (const [k, v] of mod.named) out.set(k, definition(v, cache));
  return out;
}

/** Follows re-export chains to the file that defines the binding. */
function definition(
  ref: { file: string; name: string },
  cache: Map<string, ModuleExports>,
  depth = 0,
): { file: string; name: string } {
  if (depth > 20) return ref;
  const mod = readExports(ref.file, cache);
  const next = mod.named.get(ref.name);
  if (next && (next.file !== ref.file || next.name !== ref.name)) return definition(next, cache, depth + 1);
  if (!next) {
    for (const star of mod.stars) {
      const found = allExports(star, cache).get(ref.name);
      if (found) return found;
    }
  }
  return ref;
}

/**
 * The public surface of tfjs-core: for each defining file, which of its bindings the package
 * root exports and under which path.
 */
export function publicBindings(distDir: string): { lookup(file: string, name: string): PublicPath | null } {
  const cache = new Map<string, ModuleExports>();
  const key = (f: string, n: string) => `${f}\0${n}`;
  const top = new Map<string, PublicPath>();
  const members = new Map<string, PublicPath>();
  const index = join(distDir, 'index.js');
  const visited = new Set<string>();
  const collectObjects = (file: string) => {
    if (visited.has(file)) return;
    visited.add(file);
    const mod = readExports(file, cache);
    for (const [namespace, props] of mod.objects) {
      for (const [name, ref] of props) {
        const def = definition(ref, cache);
        members.set(key(def.file, def.name), { namespace, name });
      }
    }
    for (const star of mod.stars) collectObjects(star);
  };
  collectObjects(index);
  for (const [name, def] of allExports(index, cache)) {
    top.set(key(def.file, def.name), { name });
    if (def.name !== '*') continue;
    for (const [member, inner] of allExports(def.file, cache)) {
      const k = key(inner.file, inner.name);
      if (!members.has(k)) members.set(k, { namespace: name, name: member });
    }
  }
  /** A namespace import of a private module whose every export a public namespace re-exports under the same name (`axis_util` → `backend_util`). */
  const coveringNamespace = (file: string): PublicPath | null => {
    let namespace: string | null = null;
    for (const [name, def] of allExports(file, cache)) {
      const path = members.get(key(def.file, def.name));
      if (!path || !('namespace' in path) || path.name !== name) return null;
      if (namespace !== null && namespace !== path.namespace) return null;
      namespace = path.namespace;
    }
    return namespace === null ? null : { name: namespace };
  };
  return {
    lookup(file, name) {
      const def = definition({ file, name }, cache);
      const found = top.get(key(def.file, def.name)) ?? members.get(key(def.file, def.name)) ?? null;
      return found ?? (name === '*' ? coveringNamespace(file) : null);
    },
  };
}

/**
 * Internal bindings the registrations need that tfjs-core does not export, given through its
 * public API with the same meaning.
 */
const SHIM = `
import { Tensor, engine } from '${ROOT}';
// tensor.js: the Tensor class tfjs-core registered first in its _tfGlobals map (what ops return).
export function getGlobalTensorClass() {
  const g = typeof window !== 'undefined' ? window : typeof global !== 'undefined' ? global : typeof process !== 'undefined' ? process : self;
  return (g._tfGlobals && g._tfGlobals.get('Tensor')) || Tensor;
}
// engine.js: the one global engine (getOrMakeEngine), which tf.engine() returns.
export const ENGINE = engine();
`;
const SHIMMED: Record<string, string[]> = {
  'tensor.js': ['getGlobalTensorClass'],
  'engine.js': ['ENGINE'],
};
const SHIM_ID = 'rl-core:tfjs-core-internals';

/**
 * @example
 * // tsup.config.ts
 * esbuildPlugins: [tfjsPublicImports()],
 */
export function tfjsPublicImports(): Plugin {
  return {
    name: 'tfjs-public-imports',
    setup(build) {
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      const distDir = dirname(createRequire(join(cwd, 'package.json')).resolve(`${ROOT}/dist/index.js`));
      let bindings: ReturnType<typeof publicBindings> | null = null;

      build.onResolve({ filter: new RegExp(`^${SHIM_ID}$`) }, () => ({ path: SHIM_ID, namespace: SHIM_ID }));
      build.onLoad({ filter: /.*/, namespace: SHIM_ID }, () => ({ contents: SHIM, loader: 'js' }));

      build.onLoad({ filter: TREE }, (args) => {
        bindings ??= publicBindings(distDir);
        const pub = bindings;
        const file = args.path;
        const code = readFileSync(file, 'utf8');
        const aliases = new Map<string, string>();
        const rewritten = code
          .replace(
            /import\s*\*\s*as\s+(\w+)\s+from\s*['"]([^'"]+)['"];?/g,
            (whole, local: string, spec: string) => {
              const target = resolveIn(file, spec);
              const path = target && pub.lookup(target, '*');
              return path && !('namespace' in path)
                ? `import { ${path.name} as ${local} } from '${ROOT}';`
                : whole;
            },
          )
          .replace(
            /import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"];?/g,
            (whole, list: string, spec: string) => {
              const target = resolveIn(file, spec);
              if (!target) return whole;
              const shimmed = SHIMMED[target.slice(distDir.length + 1)] ?? [];
              const root: string[] = [];
              const shim: string[] = [];
              const members: string[] = [];
              const rest: string[] = [];
              for (const s of parseSpecifiers(list)) {
                const binding = s.imported === s.local ? s.imported : `${s.imported} as ${s.local}`;
                const path = pub.lookup(target, s.imported);
                if (path && 'namespace' in path) {
                  let ns = aliases.get(path.namespace);
                  if (!ns) {
                    ns = `__tfjs_${path.namespace}`;
                    aliases.set(path.namespace, ns);
                    root.push(`${path.namespace} as ${ns}`);
                  }
                  members.push(`const ${s.local} = ${ns}.${path.name};`);
                } else if (path) root.push(path.name === s.local ? s.local : `${path.name} as ${s.local}`);
                else if (shimmed.includes(s.imported)) shim.push(binding);
                else rest.push(binding);
              }
              return [
                root.length ? `import { ${root.join(', ')} } from '${ROOT}';` : '',
                shim.length ? `import { ${shim.join(', ')} } from '${SHIM_ID}';` : '',
                rest.length ? `import { ${rest.join(', ')} } from '${spec}';` : '',
                ...members,
              ]
                .filter(Boolean)
                .join('\n');
            },
          );
        return { contents: rewritten, loader: 'js', resolveDir: dirname(file) };
      });
    },
  };
}
