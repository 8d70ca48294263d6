// rl-core in a browser: esbuild bundles page.mjs from the BUILT package through its exports
// with browser conditions (as a user's bundler would), a loopback server serves it, and
// headless Chromium trains PPO on CartPole with the WASM backend (its .wasm files served and
// found through `wasmPaths`) and with the CPU backend, in an ordinary page (no
// SharedArrayBuffer: rl-core's kernels fall back to an unshared memory) and in a
// cross-origin-isolated one. Each run must train every step, give valid actions, reject the
// file helpers with RlError('UNSUPPORTED'), and end in the same state, bit for bit, as the same
// training under Node.
//
// Without Chromium this skips (printing why) unless CI is set, where it fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { findChromium, openHeadless } from './chromium.mjs';
import { serve } from './serve.mjs';
import { STEPS } from './train.mjs';

const here = import.meta.dirname;
const chromium = findChromium();
const INSTALL =
  'install it with `apt-get install -y chromium` (Debian/Ubuntu; .ci/run does this), ' +
  'or set CHROMIUM_BIN to a Chromium or Chrome binary';
if (!chromium && process.env.CI) {
  console.error(`rl-core browser test: no headless Chromium on PATH; ${INSTALL}.`);
  process.exit(1);
}
if (!chromium) console.log(`rl-core browser test SKIPPED: no Chromium on PATH (${INSTALL}).`);

/** Longest a page may take to bundle-load, train and report (2 shared cores, cold start). */
const PAGE_TIMEOUT_MS = 180_000;
const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

describe('rl-core in headless Chromium', { skip: chromium ? false : `no Chromium (${INSTALL})` }, () => {
  let server;
  const results = {};

  before(async () => {
    const out = await build({
      entryPoints: [join(here, 'page.mjs')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      outfile: 'page.js',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    // Through the package's exports, as a user's bundler resolves it: the built dist, never src.
    assert.ok(
      inputs.includes('dist/index.js'),
      `bundle inputs: ${inputs.filter((i) => !i.includes('node_modules'))}`,
    );
    assert.ok(!inputs.some((i) => i.startsWith('src/')), 'the bundle must not reach rl-core src');
    const wasmDir = join(
      dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
      'dist',
    );
    server = await serve({ bundle: out.outputFiles[0].contents, wasmDir, wasmFiles: WASM_FILES });
  });

  after(async () => {
    await server?.close();
  });

  /** Loads `path` in a fresh headless Chromium and returns what the page posted. */
  async function runPage(path) {
    const received = server.nextResult();
    const browser = openHeadless(chromium, server.origin + path);
    let timer;
    try {
      const outcome = await Promise.race([
        received,
        browser.exited.then((code) => ({ error: `Chromium exited (${code}) before the page reported` })),
        new Promise((resolve) => {
          timer = setTimeout(
            () => resolve({ error: `no result within ${PAGE_TIMEOUT_MS / 1000} s` }),
            PAGE_TIMEOUT_MS,
          );
        }),
      ]);
      assert.equal(
        outcome.error,
        undefined,
        `${path}: ${outcome.error}\nrequests:\n${server.log.join('\n')}\nChromium stderr (tail):\n${browser.stderr()}`,
      );
      return outcome;
    } finally {
      clearTimeout(timer);
      await browser.close();
    }
  }

  function checkRun(r, backend) {
    assert.equal(r.backend, backend);
    assert.equal(r.timesteps, STEPS, 'trained every step');
    assert.ok(
      Number.isFinite(r.train.policyLoss) && Number.isFinite(r.train.valueLoss),
      JSON.stringify(r.train),
    );
    assert.equal(r.train.nUpdates, 16);
    for (const a of r.actions) assert.ok(a.length === 1 && (a[0] === 0 || a[0] === 1), `action ${a}`);
    assert.deepEqual(r.grad, [2, -4, 6], 'tf.grad through x.square() on the page');
    assert.equal(r.leakedTensors, 0);
    assert.equal(r.threads, 1, 'no worker threads in a browser');
    for (const helper of ['saveCheckpointFile', 'loadCheckpointFile']) {
      const f = r[helper];
      assert.ok(f.threw && f.isRlError && f.code === 'UNSUPPORTED', `${helper}: ${JSON.stringify(f)}`);
      assert.match(f.message, /needs a file system/);
    }
  }

  it(`trains PPO for ${STEPS} steps on the WASM backend in an ordinary page (no SharedArrayBuffer)`, async () => {
    const r = (results.wasm = await runPage('/?backend=wasm'));
    assert.equal(r.crossOriginIsolated, false);
    assert.equal(r.sharedArrayBuffer, false);
    checkRun(r, 'wasm');
    assert.ok(
      server.log.some((l) => /GET \/wasm\/tfjs-backend-wasm.*\.wasm/.test(l)),
      'the page fetched the tfjs .wasm',
    );
  });

  it(`trains PPO for ${STEPS} steps with initBackend('cpu')`, async () => {
    const r = (results.cpu = await runPage('/?backend=cpu'));
    checkRun(r, 'cpu');
  });

  it('trains the same in a cross-origin-isolated page (shared memory available)', async () => {
    const r = (results.isolated = await runPage('/coi/?backend=wasm'));
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.sharedArrayBuffer, true);
    checkRun(r, 'wasm');
  });

  it('ends in the same state, bit for bit, as the same training under Node', (t) => {
    const runs = Object.values(results);
    assert.equal(runs.length, 3, 'the three page runs completed');
    const variant = runs[0].variant;
    assert.ok(runs.every((r) => r.variant === variant));
    // The page runs the relaxed-SIMD kernels where Chromium has them; Node 20 has them behind a flag.
    const flags =
      variant === 'relaxed-simd' && Number(process.versions.node.split('.')[0]) < 21
        ? ['--experimental-wasm-relaxed-simd']
        : [];
    const node = JSON.parse(
      execFileSync(process.execPath, [...flags, join(here, 'node-reference.mjs'), 'wasm', 'cpu'], {
        encoding: 'utf8',
      }),
    );
    for (const [name, r] of Object.entries(results)) {
      const ref = node[r.backend];
      assert.equal(ref.variant, variant, 'Node ran the same kernel build');
      assert.equal(r.state, ref.state, `${name}: trained state differs from Node's`);
      // Float64 statistics of the last update (JS Math, whose last bit may differ between V8
      // releases); the float32 state above is compared exactly.
      for (const [key, want] of Object.entries(ref.train)) {
        const got = r.train[key];
        const close =
          typeof want === 'number' ? Math.abs(got - want) <= 1e-12 * (1 + Math.abs(want)) : got === want;
        assert.ok(close, `${name}: train.${key} ${got} vs Node ${want}`);
      }
      assert.deepEqual(r.actions, ref.actions, `${name}: actions`);
    }
    t.diagnostic(`${runs[0].userAgent}: ${variant} kernels, state ${runs[0].state} (Node: the same)`);
  });
});
