#!/usr/bin/env node
/**
 * The consumer's view of every library: `pnpm pack` it, `npm install` the tarballs into
 * an empty project outside the repository, then load each one under plain `node` as ESM
 * and as CJS and check that
 *   - importing prints nothing and reads no environment variable,
 *   - rl-core computes a gradient on WASM and refuses the `tensorflow` backend with the
 *     install hint when tfjs-node is absent.
 * Usage: node tooling/pack-smoke.mjs [--keep]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const libraries = ['rl-core', 'market-env', 'data-eodhd', 'broker-alpaca'];
const work = mkdtempSync(join(tmpdir(), 'marlts-pack-'));
const keep = process.argv.includes('--keep');

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

try {
  const tarballs = libraries.map((name) => {
    const dir = join(root, 'packages', name);
    const out = run('pnpm', ['pack', '--pack-destination', work], dir).trim().split('\n').pop();
    return resolve(dir, out);
  });
  const app = join(work, 'consumer');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs],
    app,
  );

  // A probe that records env reads and console/stdout writes around the import.
  const guard = `
    const reads = [];
    const realEnv = process.env;
    // Only reads made by package code count; Node's own loader consults a few variables.
    const caller = () => (new Error().stack ?? '').split(String.fromCharCode(10))[4] ?? '';
    const record = (k) => { if (typeof k === 'string' && !caller().includes('node:internal')) reads.push(k + ' @ ' + caller().trim()); };
    process.env = new Proxy(realEnv, {
      get(t, k) { record(k); return Reflect.get(t, k); },
      has(t, k) { record(k); return Reflect.has(t, k); },
    });
    const writes = [];
    for (const s of [process.stdout, process.stderr]) {
      const w = s.write.bind(s);
      s.write = (chunk, ...rest) => { writes.push(String(chunk)); return true; };
      s.__restore = w;
    }
    const done = () => {
      process.env = realEnv;
      for (const s of [process.stdout, process.stderr]) s.write = s.__restore;
      return { reads, writes };
    };
  `;
  const check = `
    if (writes.length) throw new Error(NAME + ': importing printed ' + JSON.stringify(writes.join('').slice(0, 200)));
    if (reads.length) throw new Error(NAME + ': importing read environment variables ' + JSON.stringify([...new Set(reads)]));
  `;
  for (const name of libraries) {
    const spec = `@marlts/${name}`;
    const esm = `${guard}
      const NAME = ${JSON.stringify(spec)} + ' (ESM)';
      const mod = await import(${JSON.stringify(spec)});
      done();
      ${check}
      if (Object.keys(mod).length < 3) throw new Error(NAME + ': too few exports');
      ${name === 'rl-core' ? rlCoreChecks() : ''}
      console.log(NAME + ': ok (' + Object.keys(mod).length + ' exports)');`;
    const cjs = `${guard}
      const NAME = ${JSON.stringify(spec)} + ' (CJS)';
      const mod = require(${JSON.stringify(spec)});
      done();
      ${check}
      (async () => {
        ${name === 'rl-core' ? rlCoreChecks() : ''}
        console.log(NAME + ': ok (' + Object.keys(mod).length + ' exports)');
      })().catch((e) => { console.error(e); process.exit(1); });`;
    writeFileSync(join(app, `probe-${name}.mjs`), esm);
    writeFileSync(join(app, `probe-${name}.cjs`), cjs);
    for (const file of [`probe-${name}.mjs`, `probe-${name}.cjs`]) {
      process.stdout.write(run('node', [file], app));
    }
  }
  const sizes = tarballs.map(
    (t) => `${t.split('/').pop()} ${(readFileSync(t).length / 1024).toFixed(0)} KiB`,
  );
  console.log(
    `pack-smoke: ${libraries.length} libraries ok from npm-installed tarballs (${sizes.join(', ')})`,
  );
} catch (error) {
  console.error(error.stderr ? `${error.message}\n${error.stderr}` : error);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}

function rlCoreChecks() {
  return `
    {
      const { initBackend, tf, isRlError } = mod;
      if ((await initBackend('wasm')) !== 'wasm') throw new Error('wasm backend not active');
      const g = tf.tidy(() => tf.grad((x) => x.tanh().square().sum())(tf.tensor1d([0.5, -1, 2])).arraySync());
      const want = [0.5, -1, 2].map((x) => 2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2));
      g.forEach((v, i) => { if (Math.abs(v - want[i]) > 1e-5) throw new Error('gradient ' + i + ': ' + v + ' != ' + want[i]); });
      let refused = false;
      try { await initBackend({ backend: 'tensorflow' }); } catch (e) {
        refused = isRlError(e, 'BACKEND') && /npm install @tensorflow\\/tfjs-node/.test(e.message);
        if (!refused) throw e;
      }
      if (!refused) throw new Error('tensorflow backend did not refuse without tfjs-node');
    }`;
}
