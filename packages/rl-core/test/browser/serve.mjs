// The loopback HTTP server the browser test loads its page from: the page, its bundle, the
// tfjs-backend-wasm `.wasm` files under /wasm/, and POST /result, which the page calls once.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>rl-core</title><script type="module" src="page.js"></script>';

/**
 * Serves `bundle` (the page's script) and `wasmDir`'s `.wasm` files on 127.0.0.1. Paths under
 * `/coi/` are sent with the headers that make a page cross-origin isolated (COOP + COEP), so
 * the same page runs with and without SharedArrayBuffer. `nextResult()` resolves with the
 * next JSON body posted to `/result`.
 */
export async function serve({ bundle, wasmDir, wasmFiles }) {
  const log = [];
  let deliver = null;
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const isolated = url.pathname.startsWith('/coi/');
    const path = isolated ? url.pathname.slice(4) : url.pathname;
    const headers = isolated
      ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
      : {};
    log.push(`${req.method} ${url.pathname}`);
    if (req.method === 'POST' && path === '/result') {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        res.writeHead(204, headers).end();
        deliver?.(JSON.parse(body));
      });
      return;
    }
    if (path === '/') return void res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(PAGE);
    if (path === '/page.js') {
      return void res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(bundle);
    }
    if (path.startsWith('/wasm/') && wasmFiles.includes(basename(path))) {
      const bytes = readFileSync(join(wasmDir, basename(path)));
      return void res.writeHead(200, { ...headers, 'content-type': 'application/wasm' }).end(bytes);
    }
    log.push(`  404 ${path}`);
    res.writeHead(404, headers).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    log,
    nextResult: () =>
      new Promise((resolve) => {
        deliver = (body) => {
          deliver = null;
          resolve(body);
        };
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
