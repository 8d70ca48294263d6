/**
 * A stream server that stops answering pings (a half-open connection) is detected and the
 * client reconnects. Uses a bare `ws` server with autoPong off, speaking the auth/listen
 * protocol of Alpaca's `trade_updates` stream (legacy `authenticate` replies included).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createAlpacaClient } from '../index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

it('reconnects when pings go unanswered', async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, autoPong: false });
  let connections = 0;
  const authMessages: unknown[] = [];
  wss.on('connection', (ws) => {
    connections++;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.action === 'auth') {
        authMessages.push(msg);
        ws.send(
          JSON.stringify({ stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } }),
        );
      }
      if (msg.action === 'listen')
        ws.send(JSON.stringify({ stream: 'listening', data: { streams: ['trade_updates'] } }));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  });
  const { port } = http.address() as AddressInfo;
  const client = createAlpacaClient({
    keyId: 'PKKEEPALIVE000000001',
    secretKey: 'keepalive-secret-000000000000',
    baseUrl: `http://127.0.0.1:${port}`,
    stream: { pingIntervalMs: 40, reconnectBaseDelayMs: 10, reconnectMaxDelayMs: 50 },
  });
  const stream = client.streamTradeUpdates(() => undefined, { reconcile: false });
  await stream.ready;
  const start = Date.now();
  while (stream.reconnects < 1 && Date.now() - start < 5_000) await new Promise((r) => setTimeout(r, 10));
  expect(stream.reconnects).toBeGreaterThanOrEqual(1);
  expect(connections).toBeGreaterThanOrEqual(2);
  expect(authMessages[0]).toEqual({
    action: 'auth',
    key: 'PKKEEPALIVE000000001',
    secret: 'keepalive-secret-000000000000',
  });
  await stream.close();
});
