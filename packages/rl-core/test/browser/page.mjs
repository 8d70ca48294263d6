// The browser side of the browser test: bundled by esbuild from the BUILT package (browser
// conditions), loaded by headless Chromium from a loopback server, it trains PPO and posts
// what it saw to /result. `?backend=wasm|cpu` picks the backend.
import * as rl from '@marlts/rl-core';
import { train } from './train.mjs';

async function report(body) {
  await fetch('/result', { method: 'POST', body: JSON.stringify(body) });
}

addEventListener('error', (e) => void report({ error: `uncaught: ${e.message}` }));
addEventListener('unhandledrejection', (e) => void report({ error: `unhandled rejection: ${e.reason}` }));

/** How a file helper fails here: it should reject with RlError('UNSUPPORTED'). */
async function failure(call) {
  try {
    await call();
    return { threw: false };
  } catch (e) {
    return {
      threw: true,
      isRlError: rl.isRlError(e, 'UNSUPPORTED'),
      code: e.code,
      message: String(e.message),
    };
  }
}

async function main() {
  const backend = new URLSearchParams(location.search).get('backend') ?? 'wasm';
  const options = backend === 'wasm' ? { backend, wasmPaths: '/wasm/' } : { backend };
  const result = await train(rl, options, async (ppo) => ({
    saveCheckpointFile: await failure(() => rl.saveCheckpointFile('ppo.json', ppo.save())),
    loadCheckpointFile: await failure(() => rl.loadCheckpointFile('ppo.json')),
    // rl-core starts no web workers: one thread whatever is asked.
    threads: rl.setNumThreads(4),
  }));
  await report({
    ...result,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    userAgent: navigator.userAgent,
  });
}

main().catch((e) => report({ error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` }));
